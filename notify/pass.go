package notify

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// A pass over several families: the leader's wake-ups of a moment (every
// family woken while the last pass ran, or within passGap of its end,
// watch.go) are processed in one transaction rather than one each. Under
// load the wake-ups are of different families nearly every time (1,000
// families writing 100 times a second: each family about every 10 s), and
// each pass was a transaction of its own with a durable commit: about one
// transaction per write (docs/benchmarks.md, seventeenth round). A pass over
// K families whose events need nothing more is the same four round trips
// as a pass over one: BEGIN with the settings, the cursors and their events
// (NotifyPassStartMany), the cursors' moves (NotifyPassEndMany), COMMIT.
// What the events need (members, tasks, notices) is read and written per
// family, as in a pass of its own.
//
// The guarantees are a single family's: each cursor is taken FOR UPDATE
// SKIP LOCKED and moves in the transaction that writes the notices, so a
// crash rolls back every family of the pass and the next pass starts from
// the same cursors. A cursor another transaction holds (a second leader's
// pass for the moment both believe they lead, the schedule's scan of the
// family, a settings change: each takes the cursor before it writes the
// family's notices, so none waits for another in a circle) is left to it;
// the pass says so (passOutcome.held), and the leader looks at the family
// again shortly after (watch.go), rather than at the next cross-check or
// sweep.
// A pass that fails is not retried as a whole: each of its families is
// processed on its own at once (processFamily), so one family's error
// costs the others nothing but the repeat, and only the family that fails
// again waits for its retry and backoff (watch.go).

// maxPassFamilies bounds the families of one transaction (a variable for
// tests): up to eventBatch events each are read in one statement.
var maxPassFamilies = 64

// passOutcome is what a pass did for one family: the seq through which it
// read the family's events (0: not known, as processFamily's), or its
// error; held: it did nothing, the family's cursor was another
// transaction's.
type passOutcome struct {
	id      uuid.UUID
	through int64
	held    bool
	err     error
}

// processFamiliesInto processes ids (distinct), in transactions of up to
// maxPassFamilies families, and appends each family's outcome to out; a
// single family is processFamily as before. A failed transaction's
// families are each processed on their own. It stops early, with what it
// has, when ctx ends.
func (s *Service) processFamiliesInto(ctx context.Context, out []passOutcome, ids []uuid.UUID) []passOutcome {
	if len(ids) == 1 {
		return append(out, s.processFamily(ctx, ids[0]))
	}
	for len(ids) > 0 && ctx.Err() == nil {
		chunk := ids[:min(len(ids), maxPassFamilies)]
		ids = ids[len(chunk):]
		s.passTxs.Add(1)
		r, err := s.processFamilies(ctx, chunk)
		if err != nil {
			if ctx.Err() != nil {
				return out
			}
			s.logger.Info("notify: a pass over several families failed; each is processed on its own", "families", len(chunk), "err", err)
			for _, id := range chunk {
				out = append(out, s.processFamily(ctx, id))
			}
			continue
		}
		for _, id := range chunk {
			o := passOutcome{id: id, through: r.through[id], held: r.held[id]}
			if r.more[id] { // eventBatch events read: the rest on its own
				o = s.processFamily(ctx, id)
			}
			out = append(out, o)
		}
	}
	return out
}

// passRead is what a pass over several families read, per family: the
// seq through which it read its events (absent or 0: not known, the
// cursor was another transaction's or missing), whether it had eventBatch
// events or more (more: the rest is for another pass), and whether its
// cursor was another transaction's (held).
type passRead struct {
	through    map[uuid.UUID]int64
	more, held map[uuid.UUID]bool
}

// processFamilies is a pass over one or several distinct families in one
// transaction (processFamily is this with one), reading at most
// eventBatch events of each (passRead says what it read).
func (s *Service) processFamilies(ctx context.Context, ids []uuid.UUID) (r passRead, _ error) {
	err := s.store.TxGenericPlans(system(ctx, ids[0]), func(tx *db.Tx) error {
		r = passRead{through: make(map[uuid.UUID]int64, len(ids)), more: map[uuid.UUID]bool{}, held: map[uuid.UUID]bool{}}
		through, more := r.through, r.more
		// In family order: every pass takes its cursors in one order
		// (NotifyPassStartMany takes them in the order given), as
		// PostgreSQL orders uuids.
		sorted := slices.SortedFunc(slices.Values(ids), db.CompareIDs)
		rows, err := s.store.Q.NotifyPassStartMany(ctx, tx, dbsqlc.NotifyPassStartManyParams{FamilyIds: sorted, MaxEvents: eventBatch})
		if err != nil {
			return db.Err(err, "")
		}
		var end dbsqlc.NotifyPassEndManyParams
		var events []dbsqlc.EventLog
		for len(rows) > 0 {
			family, n := rows[0].FamilyID, 1
			for n < len(rows) && rows[n].FamilyID == family {
				n++
			}
			rs := rows[:n]
			rows = rows[n:]
			if rs[0].EventSeq == 0 { // nothing after the cursor
				end.IdleIds = append(end.IdleIds, family)
				through[family] = rs[0].Cursor
				continue
			}
			events = events[:0]
			for _, x := range rs {
				events = append(events, dbsqlc.EventLog{FamilyID: family, Seq: x.EventSeq, Type: x.Type, Channel: x.Channel, EntityID: x.EntityID,
					ListID: x.ListID, Op: x.Op, ActorID: x.ActorID, DeviceID: x.DeviceID, At: x.At, Version: x.Version})
			}
			fctx := system(ctx, family)
			if err := s.fromEvents(fctx, tx.WithAuth(familyhub.SystemAuth(family)), family, events, rs[0].ListWatchers); err != nil {
				return err
			}
			last := events[len(events)-1].Seq
			end.FamilyIds, end.Seqs = append(end.FamilyIds, family), append(end.Seqs, last)
			through[family] = last
			if n >= eventBatch {
				more[family] = true
			}
		}
		for _, id := range ids {
			if _, taken := through[id]; !taken {
				end.MissingIds = append(end.MissingIds, id) // made if missing; another transaction's is left alone
			}
		}
		ended, err := s.store.Q.NotifyPassEndMany(ctx, tx, end)
		if err != nil {
			return db.Err(err, "")
		}
		for _, row := range ended {
			if row.Held {
				r.held[row.FamilyID] = true
				continue
			}
			s.logger.Warn("notify: events pruned from the log before notices were derived from them; skipped", "family_id", row.FamilyID, "after_seq", through[row.FamilyID])
			through[row.FamilyID] = 0
		}
		return nil
	})
	return r, err
}
