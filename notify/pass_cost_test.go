package notify

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// roundTrips counts the statements the pool's connections send while on:
// without pipelines, as the notifier's pass sends them, each is a round
// trip (BEGIN and COMMIT included).
type roundTrips struct {
	on atomic.Bool
	n  atomic.Int64
	// txs counts the transactions among them: the statements sent
	// outside one (BEGIN, or a statement on its own).
	txs atomic.Int64
}

func (r *roundTrips) TraceQueryStart(ctx context.Context, c *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	// The announcer's connection is made from the pool's settings, tracer
	// included: what it sends for earlier commits is not the pass's.
	if r.on.Load() && c.Config().RuntimeParams["application_name"] != "familyhub-announcer" {
		r.n.Add(1)
		if c.PgConn().TxStatus() == 'I' {
			r.txs.Add(1)
		}
	}
	return ctx
}

// countedPool returns a pool set up as Open sets it up (announcing after
// commit), whose statements count is told while count.on.
func countedPool(t *testing.T) (*pgxpool.Pool, *roundTrips) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	count := &roundTrips{}
	cfg.ConnConfig.Tracer = count
	cfg.AfterConnect = db.AfterConnect
	cfg.MaxConns = 1 // the settings' statement is prepared once, before counting
	db.ConfigureAnnounce(cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db.MarkAnnouncing(pool)
	return pool, count
}

func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestPassCounted pins what the notifier's pass over a family's new events
// costs PostgreSQL, on a pool set up as Open sets it up (announcing after
// commit): one transaction, and its round trips from BEGIN to COMMIT. The
// pass runs for nearly every few writes under load (docs/benchmarks.md,
// seventeenth round, "transactions per write"): 8 round trips for a list
// addition nobody else wants to hear of before this round, 4 now (BEGIN
// with the settings and the generic plans, the cursor with its events,
// the cursor's move, COMMIT). The notices are still made for whoever
// wants them.
func TestPassCounted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, count := countedPool(t)
	e := newEnvOn(t, pool, Config{})
	e.realClock()
	list := e.newList("Weekly")
	e.process()
	pass := func() (int64, []queued) {
		t.Helper()
		count.n.Store(0)
		count.on.Store(true)
		err := e.s.ProcessFamily(ctx, e.family)
		count.on.Store(false)
		if err != nil {
			t.Fatal(err)
		}
		return count.n.Load(), e.q.take()
	}
	setListChanges := func(user uuid.UUID, on bool) {
		t.Helper()
		if _, err := pool.Exec(ctx, `UPDATE notify_member_settings SET list_changes = $2 WHERE user_id = $1`, user, on); err != nil {
			t.Fatal(err)
		}
	}

	// Ana adds to a list; Ben does not want list-change notices, and Ana
	// is not told of her own: the pass reads no members and makes nothing.
	setListChanges(e.ben, false)
	e.addItems(list, "milk", "eggs", "bread")
	if n, jobs := pass(); n != 4 || len(jobs) != 0 {
		t.Errorf("additions nobody else watches: %d round trips, %d notices; want 4 and none", n, len(jobs))
	}
	// Nothing new: the cursor is looked at, no pruned events skipped, in
	// the same four (five when a family alone had a path of its own, which
	// asked NotifyCursorLock why no event came back).
	if n, jobs := pass(); n != 4 || len(jobs) != 0 {
		t.Errorf("nothing new: %d round trips, %d notices; want 4 and none", n, len(jobs))
	}
	// Ben wants them again: his notice is made, with the members read
	// (no time zone: a list notice does not need it), the list, its
	// items' names, his open notice (none) and the new one.
	setListChanges(e.ben, true)
	e.addItems(list, "jam")
	n, jobs := pass()
	if n != 9 || len(jobs) != 1 {
		t.Errorf("an addition Ben watches: %d round trips, %d notices; want 9 and 1", n, len(jobs))
	}
	var user uuid.UUID
	if len(jobs) == 1 {
		if err := pool.QueryRow(ctx, `SELECT user_id FROM notify_notices WHERE id = $1 AND kind = 'list'`, jobs[0].id).Scan(&user); err != nil || user != e.ben {
			t.Errorf("the notice is %v's (%v), want Ben's", user, err)
		}
	}
}

// TestWokenFamiliesShareAPass counts what the leader's passes cost when
// several families are woken close together, as under load (1,000
// families writing 100 times a second: a different family nearly every
// wake-up): eight families each add an item to a list nobody else wants
// to hear of, and are woken while the gap after the last pass lasts. Their
// passes are one transaction of 4 round trips (BEGIN with the settings,
// the cursors with their events, the cursors' moves, COMMIT); before, a
// pass each: 8 transactions, 32 round trips (docs/benchmarks.md,
// "Passes over several families").
func TestWokenFamiliesShareAPass(t *testing.T) {
	old := passGap
	passGap = 3 * time.Second // the wake-ups below come well within it, on a busy machine too
	t.Cleanup(func() { passGap = old })
	ctx := context.Background()
	pool, count := countedPool(t)
	// A window of a millisecond: the first sweep opens every family's
	// window, and with the default 10 s the first family's pass below came
	// at its end, 10 s after the sweep, as waitFor gave up (it failed so on
	// a busy machine). Only the gap gathers the wake-ups here.
	e := newEnvOn(t, pool, Config{PollEvery: time.Hour, CrossCheckEvery: time.Hour, PresenceFlush: time.Hour, Coalesce: time.Millisecond})
	if _, err := e.s.VAPIDPublicKey(ctx); err != nil { // Run makes it first
		t.Fatal(err)
	}
	// Polled on a connection of its own, not counted.
	look, err := pgx.Connect(ctx, pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { look.Close(context.Background()) })
	caughtUp := func(ids ...uuid.UUID) func() bool {
		return func() bool {
			var behind bool
			err := look.QueryRow(ctx, `SELECT EXISTS (SELECT FROM family_event_seq e JOIN notify_cursors c USING (family_id)
				WHERE family_id = ANY($1) AND e.seq > c.seq)`, ids).Scan(&behind)
			return err == nil && !behind
		}
	}
	// Families with a list and nobody to tell of additions (no members:
	// the items are added from psql, say).
	const n = 8
	families, lists := make([]uuid.UUID, n+1), make([]uuid.UUID, n+1)
	for i := range families {
		families[i] = e.scalarUUID(`INSERT INTO families (name) VALUES ('F') RETURNING id`)
		lists[i] = e.scalarUUID(`INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id`, families[i])
	}
	add := func(i int) {
		t.Helper()
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'milk')`, families[i], lists[i]); err != nil {
			t.Fatal(err)
		}
	}
	e.run(t, RunOpts{})
	waitFor(t, "the first sweep to catch every family up", caughtUp(families...))
	for i := range families {
		add(i)
	}
	// The first family's pass: the gap starts at its end.
	e.s.Wake(families[0])
	waitFor(t, "the first family's pass", caughtUp(families[0]))
	count.n.Store(0)
	count.txs.Store(0)
	count.on.Store(true)
	passes := e.s.passes.Load()
	for _, id := range families[1:] {
		e.s.Wake(id)
	}
	waitFor(t, "the other families' passes", caughtUp(families[1:]...))
	waitFor(t, "the passes counted", func() bool { return e.s.passes.Load()-passes >= n })
	count.on.Store(false)
	if p, txs, rt := e.s.passes.Load()-passes, count.txs.Load(), count.n.Load(); p != n || txs != 1 || rt != 4 {
		t.Errorf("%d families woken together: %d passes, %d transactions, %d round trips; want %d, 1 and 4", n, p, txs, rt, n)
	}
}
