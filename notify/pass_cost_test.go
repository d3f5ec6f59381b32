package notify

import (
	"context"
	"sync/atomic"
	"testing"

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
}

func (r *roundTrips) TraceQueryStart(ctx context.Context, c *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	// The announcer's connection is made from the pool's settings, tracer
	// included: what it sends for earlier commits is not the pass's.
	if r.on.Load() && c.Config().RuntimeParams["application_name"] != "familyhub-announcer" {
		r.n.Add(1)
	}
	return ctx
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
	cfg, err := pgxpool.ParseConfig(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	count := &roundTrips{}
	cfg.ConnConfig.Tracer = count
	cfg.AfterConnect = db.AfterConnect
	cfg.MaxConns = 1 // the settings' statement is prepared once, before counting
	db.ConfigureAnnounce(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db.MarkAnnouncing(pool)
	e := newEnvOn(t, pool, Config{})
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
	// Nothing new: the cursor is looked at, no pruned events skipped.
	if n, jobs := pass(); n != 5 || len(jobs) != 0 {
		t.Errorf("nothing new: %d round trips, %d notices; want 5 and none", n, len(jobs))
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
