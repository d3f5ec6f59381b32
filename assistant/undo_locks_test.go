package assistant

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestUndoEventWhileSplit: an undo that puts an event back runs while the
// same series is split ("this and the following ones", as the REST
// handler does it), in each order the two can meet. Both take the
// series' row lock (CalendarEventLock) before any other lock of the
// series (its changed occurrences, the family's limit lock of events, the
// family's event counter at commit), so whichever comes second waits for
// the first with nothing the first needs: neither is cancelled by
// PostgreSQL's deadlock detection (40P01; the test runs one try of the
// undo, so that its retry would not hide one).
// Each order is forced with the lock waits PostgreSQL reports (pg_locks),
// not with timing, and each transaction is held halfway (the split right
// after it locked the series, the undo on a changed occurrence's row or on
// the family's event counter, which every transaction takes at commit), so
// that a lock taken in the other order would close a cycle.
func TestUndoEventWhileSplit(t *testing.T) {
	f := newTestFamily(t)

	// split splits series at its fifth occurrence from now; with locked,
	// it says when it holds the series' row and goes on when goOn closes.
	split := func(series uuid.UUID, locked chan<- struct{}, goOn <-chan struct{}, done chan<- error) {
		ctx := f.ctx(f.ben)
		done <- f.store.Tx(ctx, func(tx *db.Tx) error {
			cur, err := tx.CalendarEventLock(ctx, series)
			if err != nil {
				return err
			}
			if locked != nil {
				locked <- struct{}{}
				<-goOn
			}
			occs, loc, err := tx.CalendarOccurrences(ctx, f.now, f.now.AddDate(0, 3, 0))
			if err != nil {
				return err
			}
			var rids []time.Time
			for _, o := range occs {
				if o.Event.ID == series && o.RecurrenceID != nil {
					rids = append(rids, *o.RecurrenceID)
				}
			}
			if len(rids) < 5 {
				return errors.New("fewer than 5 occurrences to split at")
			}
			next := db.CalendarSplitDefaults(cur, rids[4], loc)
			next.Title += " (new pool)"
			_, _, err = tx.CalendarEventSplit(ctx, cur, rids[4], next)
			return err
		})
	}
	// undo runs one try of Undo: a deadlock would not be hidden by its
	// retry.
	undo := func(id uuid.UUID, done chan<- error) {
		go func() {
			ctx := db.WithoutIfVersion(f.ctx(f.ana))
			done <- f.store.Tx(ctx, func(tx *db.Tx) error {
				_, err := f.svc.undoIn(ctx, tx, id, "en", Device{})
				return err
			})
		}()
	}
	noDeadlock := func(what string, err error) {
		t.Helper()
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) || familyhub.ErrorCode(err) == familyhub.EINTERNAL {
			t.Fatalf("%s: %v (a deadlock or another database error)", what, err)
		}
	}

	// 1. The split first, held right after it locked the series: the undo
	// of a moved occurrence waits for the series' row. The split then takes
	// the limit lock of events, moves and deletes changed occurrences and
	// commits; the undo finds the series changed and refuses.
	series := f.do("Swimming lessons every Monday at 5pm").Result.Event.ID
	moved := f.do("move swimming to 6pm")
	splitDone, locked, goOn := make(chan error, 1), make(chan struct{}), make(chan struct{})
	go split(series, locked, goOn, splitDone)
	<-locked
	undone := make(chan error, 1)
	undo(moved.ID, undone)
	if !f.waitLocks(1) {
		t.Fatal("the undo did not wait for the split")
	}
	close(goOn)
	if err := <-splitDone; err != nil {
		t.Fatalf("split: %v", err)
	}
	err := <-undone
	noDeadlock("undo after the split", err)
	if !isCode(err, familyhub.ECONFLICT) {
		t.Fatalf("undo of a move in a series split since: %v, want it refused as changed", err)
	}

	// 2. The undo first, held with the series restored and locked, on the
	// row of the changed occurrence it deletes: the split waits for the
	// series' row; then both commit.
	series = f.do("Piano lessons every Tuesday at 4pm").Result.Event.ID
	moved = f.do("move piano to 6pm")
	occurrence := f.holdRow(`SELECT 1 FROM calendar_event_overrides WHERE event_id = $1 FOR UPDATE`, series)
	undo(moved.ID, undone)
	if !f.waitLocks(1) {
		t.Fatal("the undo did not wait for the changed occurrence's row")
	}
	go split(series, nil, nil, splitDone)
	if !f.waitLocks(2) {
		t.Fatal("the split did not wait for the undo")
	}
	occurrence()
	if err := <-undone; err != nil {
		t.Fatalf("undo before the split: %v", err)
	}
	err = <-splitDone
	noDeadlock("split after the undo", err)
	if err != nil {
		t.Fatalf("split after the undo: %v", err)
	}

	// 3. An event put back (the undo of a delete takes the limit lock of
	// events, then inserts it), held at commit on the family's event
	// counter, while another series is split: the split holds its series
	// and waits for the limit lock; the undo never asks for that series.
	f.do("dentist on Friday at 3")
	deleted := f.do("delete the dentist")
	series = f.do("Football training every Wednesday at 6pm").Result.Event.ID
	counter := f.holdRow(`SELECT seq FROM family_event_seq WHERE family_id = $1 FOR UPDATE`, f.id)
	undo(deleted.ID, undone)
	if !f.waitLocks(1) {
		t.Fatal("the undo did not reach its commit")
	}
	go split(series, nil, nil, splitDone)
	if !f.waitLocks(2) {
		t.Fatal("the split did not wait for the undo")
	}
	counter()
	if err := <-undone; err != nil {
		t.Fatalf("undo of a delete: %v", err)
	}
	if err := <-splitDone; err != nil {
		t.Fatalf("split while an event is put back: %v", err)
	}
}

// holdRow locks what query (a SELECT ... FOR UPDATE of arg) selects, in a
// transaction of its own, until the returned func rolls it back. The
// family's event counter is such a row: every transaction that writes a
// record of the family takes it at commit (the deferred event triggers,
// 00019), every other lock it took held.
func (f *testFamily) holdRow(query string, arg any) (release func()) {
	f.t.Helper()
	ctx := context.Background()
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	// a test failed while the row is held still lets it go (else the
	// pool's close at cleanup waits for the connection forever); once:
	// release may run on another goroutine (a timer)
	var once sync.Once
	var rollbackErr error
	rollback := func() { once.Do(func() { rollbackErr = tx.Rollback(ctx) }) }
	f.t.Cleanup(rollback)
	var n int
	if err := tx.QueryRow(ctx, query, arg).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return func() {
		if rollback(); rollbackErr != nil {
			f.t.Fatal(rollbackErr)
		}
	}
}

// waitLocks waits until at least n lock requests of the family's database
// wait (pg_locks), and says whether they did within 10 s.
func (f *testFamily) waitLocks(n int) bool {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if f.waitLocksNow(n) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, with a deadline
	}
}
