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

// TestPassOverSeveralFamiliesLeavesAHeldCursor: a cursor another pass
// holds and has moved, not yet committed (two replicas that both believe
// they lead, for the seconds until one notices), is left to that pass:
// the pass over several families neither waits for it nor makes it, and
// the other families are processed. Making missing cursors (an INSERT ...
// ON CONFLICT DO NOTHING) waited for the other pass's commit: every family
// of the pass waited with it, and two such passes, each holding a cursor
// of the other's families, deadlocked.
func TestPassOverSeveralFamiliesLeavesAHeldCursor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	other := e.scalarUUID(`INSERT INTO families (name) VALUES ('F') RETURNING id`)
	for _, f := range []uuid.UUID{e.family, other} {
		if _, err := e.pool.Exec(ctx, `INSERT INTO tasks (family_id, title) VALUES ($1, 'from psql')`, f); err != nil {
			t.Fatal(err)
		}
	}
	// Another pass over this family: its cursor taken and moved.
	held, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback(ctx)
	if _, err := held.Exec(ctx, `SELECT seq FROM notify_cursors WHERE family_id = $1 FOR UPDATE`, e.family); err != nil {
		t.Fatal(err)
	}
	if _, err := held.Exec(ctx, `UPDATE notify_cursors SET seq = seq, updated_at = now() WHERE family_id = $1`, e.family); err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := held.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	done := make(chan []passOutcome, 1)
	go func() { done <- e.s.processFamiliesInto(ctx, nil, []uuid.UUID{e.family, other}) }()
	var out []passOutcome
	blocked := false
	waitFor(t, "the pass to end or wait for the other", func() bool {
		select {
		case out = <-done:
			return true
		default:
		}
		err := e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted AND $1 = ANY(pg_blocking_pids(pid)))`, pid).Scan(&blocked)
		return err == nil && blocked
	})
	if blocked {
		held.Rollback(ctx) // lets the pass end
		<-done
		t.Fatal("the pass waits for the other pass's commit")
	}
	for _, o := range out {
		if o.err != nil || (o.id == e.family && o.through != 0) {
			t.Errorf("family %s: read through %d, %v; want no error (and 0 for the held one)", o.id, o.through, o.err)
		}
	}
	var cur, seq int64
	if err := e.pool.QueryRow(ctx, `SELECT c.seq, e.seq FROM notify_cursors c JOIN family_event_seq e USING (family_id) WHERE family_id = $1`, other).Scan(&cur, &seq); err != nil {
		t.Fatal(err)
	}
	if cur != seq {
		t.Errorf("the other family: cursor %d, seq %d; want it processed", cur, seq)
	}
}

// TestPassOverSeveralFamiliesReadsOnPastABatch: a family with more new
// events than one batch (eventBatch) in a pass over several families is
// read to its end in the same turn (its rest on its own), not left
// behind until a sweep.
func TestPassOverSeveralFamiliesReadsOnPastABatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	other := e.scalarUUID(`INSERT INTO families (name) VALUES ('F') RETURNING id`)
	if _, err := e.pool.Exec(ctx, `INSERT INTO tasks (family_id, title) SELECT $1, 'task ' || g FROM generate_series(1, $2::int) g`, e.family, eventBatch+20); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(ctx, `INSERT INTO tasks (family_id, title) VALUES ($1, 'x')`, other); err != nil {
		t.Fatal(err)
	}
	out := e.s.processFamiliesInto(ctx, nil, []uuid.UUID{e.family, other})
	for _, o := range out {
		var cur, seq int64
		if err := e.pool.QueryRow(ctx, `SELECT c.seq, e.seq FROM notify_cursors c JOIN family_event_seq e USING (family_id) WHERE family_id = $1`, o.id).Scan(&cur, &seq); err != nil {
			t.Fatal(err)
		}
		if o.err != nil || cur != seq || o.through != seq {
			t.Errorf("family %s: %v, read through %d, cursor %d; want all %d events read", o.id, o.err, o.through, cur, seq)
		}
	}
	if len(out) != 2 {
		t.Errorf("%d outcomes, want 2", len(out))
	}
}
