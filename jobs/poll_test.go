package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// pingArgs is a job that reports that it ran.
type pingArgs struct {
	N int `json:"n"`
}

func (pingArgs) Kind() string { return "test-ping" }

func startTestEngine(t *testing.T, e *Engine) {
	t.Helper()
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Stop(ctx)
	})
}

// TestEngineNeitherListensNorNotifies: PostgreSQL wakes every listening
// backend of the database, in a transaction, for every notifying
// transaction on any channel, so a replica's job client LISTENs to nothing
// (it polls), and a job inserted in a transaction sends no NOTIFY
// river_insert (nobody would hear it; it would only hold the notify lock
// to the commit and wake the realtime listeners). The job still runs.
func TestEngineNeitherListensNorNotifies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	pool := dbtest.PoolFor(t, url)
	if err := Migrate(ctx, pool, testLogger(t)); err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, pool, Config{})
	ran := make(chan int, 1)
	if err := Register(e, Job[pingArgs]{Run: func(_ context.Context, a pingArgs) error { ran <- a.N; return nil }}); err != nil {
		t.Fatal(err)
	}

	// What a River client that listens would hear (a previous release's
	// replica during a rolling deploy).
	listen, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listen.Close(context.Background()) })
	var schema string
	if err := listen.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	channel := pgx.Identifier{schema + ".river_insert"}.Sanitize()
	if _, err := listen.Exec(ctx, "LISTEN "+channel); err != nil {
		t.Fatal(err)
	}

	startTestEngine(t, e)
	// Start returns once River's services run: a notifier would have sent
	// its LISTENs by now (River's Listen is synchronous), and pings only
	// after 5 s without a notification of its own.
	if n := scalar[int](t, pool, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> $1 AND query ILIKE 'listen%'`, int(listen.PgConn().PID())); n != 0 {
		t.Errorf("%d backends of the engine LISTEN, want none", n)
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client().InsertTx(ctx, tx, pingArgs{N: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	case <-time.After(30 * time.Second):
		t.Fatal("the job inserted in a transaction did not run within 30 s")
	}

	// The first notification heard is the marker sent after the insert.
	exec(t, pool, `SELECT pg_notify($1, 'marker')`, schema+".river_insert")
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := listen.WaitForNotification(wctx)
	if err != nil {
		t.Fatal(err)
	}
	if n.Payload != "marker" {
		t.Errorf("the job's insert sent NOTIFY %s %q, want no notification", n.Channel, n.Payload)
	}
}

// TestLeaderMovesWithoutListening: replicas that poll still elect one
// leader (river_leader), and when it stops another takes over (its elector
// asks every 5 s, rather than on the resigning leader's NOTIFY).
func TestLeaderMovesWithoutListening(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.PoolFor(t, dbtest.URL(t))
	if err := Migrate(ctx, pool, testLogger(t)); err != nil {
		t.Fatal(err)
	}
	a, b := newTestEngine(t, pool, Config{}), newTestEngine(t, pool, Config{})
	startTestEngine(t, a)
	startTestEngine(t, b)
	leader := func() string {
		var id string
		pool.QueryRow(ctx, `SELECT leader_id FROM river_leader`).Scan(&id)
		return id
	}
	waitFor(t, "a leader", func() bool { id := leader(); return id == a.Client().ID() || id == b.Client().ID() })
	first, other := a, b
	if leader() == b.Client().ID() {
		first, other = b, a
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := first.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other replica to lead", func() bool { return leader() == other.Client().ID() })
}
