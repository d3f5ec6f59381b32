package notify

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
)

// TestPassOverSeveralFamilies: a pass over several families in one
// transaction (pass.go) does for each what its own pass did: notices
// made, the cursor moved to the last event read, events pruned unseen
// skipped, a family up to date or deleted left as it is. A family whose
// pass fails costs the others nothing: the transaction's families are each
// processed on their own, and only the failing one reports its error (and
// is retried on its own by the leader).
func TestPassOverSeveralFamilies(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := e.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	cursor := func(f uuid.UUID) (cur, seq int64) {
		t.Helper()
		if err := e.pool.QueryRow(ctx, `SELECT c.seq, coalesce(e.seq, 0) FROM notify_cursors c LEFT JOIN family_event_seq e USING (family_id)
			WHERE family_id = $1`, f).Scan(&cur, &seq); err != nil {
			t.Fatal(err)
		}
		return cur, seq
	}
	task := func(title string) {
		due := e.clock.Now().Add(30 * time.Minute)
		e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title, DueAt: &due, AssigneeID: &e.ben})
			return err
		})
	}
	family := func() uuid.UUID { return e.scalarUUID(`INSERT INTO families (name) VALUES ('F') RETURNING id`) }
	upToDate, pruned, gone, other := family(), family(), family(), family()
	e.process()
	for _, f := range []uuid.UUID{upToDate, pruned, other} {
		if err := e.s.ProcessFamily(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	task("Call grandma")
	exec(`INSERT INTO tasks (family_id, title) VALUES ($1, 'from psql'), ($1, 'and again')`, pruned)
	exec(`DELETE FROM event_log WHERE family_id = $1`, pruned)
	exec(`INSERT INTO tasks (family_id, title) VALUES ($1, 'x')`, other)
	exec(`DELETE FROM families WHERE id = $1`, gone)
	upCursor, _ := cursor(upToDate)

	txs := e.s.passTxs.Load()
	out := e.s.processFamiliesInto(ctx, nil, []uuid.UUID{e.family, upToDate, pruned, gone, other})
	if n := e.s.passTxs.Load() - txs; n != 1 {
		t.Errorf("%d transactions for 5 families, want 1", n)
	}
	got := map[uuid.UUID]passOutcome{}
	for _, o := range out {
		got[o.id] = o
		if o.err != nil {
			t.Errorf("family %s: %v", o.id, o.err)
		}
	}
	if len(got) != 5 {
		t.Fatalf("%d outcomes, want one per family: %v", len(got), out)
	}
	for _, f := range []uuid.UUID{e.family, pruned, other} {
		if cur, seq := cursor(f); cur != seq {
			t.Errorf("family %s: cursor %d, seq %d; want the cursor moved to the seq", f, cur, seq)
		}
	}
	if cur, _ := cursor(e.family); got[e.family].through != cur {
		t.Errorf("read through %d, want the cursor %d", got[e.family].through, cur)
	}
	if o := got[upToDate]; o.through != upCursor {
		t.Errorf("up to date: read through %d, want its cursor %d", o.through, upCursor)
	}
	if o, g := got[pruned], got[gone]; o.through != 0 || g.through != 0 {
		t.Errorf("pruned, deleted: read through %d, %d; want 0 (not known)", o.through, g.through)
	}
	if jobs := e.q.take(); len(jobs) != 1 {
		t.Errorf("%d notices, want Ben's reminder", len(jobs))
	}

	// Ben's next reminder cannot be made (a trigger refuses notices, as a
	// transient error would); the other family's task makes none, and is
	// processed all the same.
	exec(`CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`)
	exec(`CREATE TRIGGER test_refuse BEFORE INSERT ON notify_notices FOR EACH ROW EXECUTE FUNCTION test_refuse()`)
	task("Water the plants")
	exec(`INSERT INTO tasks (family_id, title) VALUES ($1, 'y')`, other)
	out = e.s.processFamiliesInto(ctx, nil, []uuid.UUID{other, e.family})
	if len(out) != 2 || out[0].id != other || out[0].err != nil || out[1].id != e.family || out[1].err == nil {
		t.Errorf("outcomes %v; want the other family's without an error, then this family's failure", out)
	}
	if cur, seq := cursor(other); cur != seq {
		t.Errorf("the other family: cursor %d, seq %d; want it processed despite this family's failure", cur, seq)
	}
	if cur, seq := cursor(e.family); cur == seq {
		t.Errorf("the failed family's cursor moved to %d", cur)
	}
}
