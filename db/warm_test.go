package db_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestWarmPool counts what db.Warm costs and saves on a pool from Open:
// it opens the URL's pool_max_conns connections and prepares the hot
// statements on each (a round trip per statement and connection, nothing
// for a connection already warm); a connection the pool opens later is
// prepared as it opens, so its first session lookup prepares nothing.
func TestWarmPool(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, err := db.Open(ctx, dbtest.URL(t)+"&pool_max_conns=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	logger := slog.New(slog.DiscardHandler)

	r := db.Warm(ctx, pool, logger)
	if r.Err != nil || r.Failed != 0 || r.Conns != 2 {
		t.Fatalf("Warm = %+v, want 2 connections (pool_max_conns) warmed without error", r)
	}
	perConn := r.Prepared / 2
	if perConn == 0 || r.Prepared != 2*perConn {
		t.Fatalf("Warm prepared %d statements on 2 connections, want the same number on each", r.Prepared)
	}
	t.Logf("statements prepared per connection: %d (one round trip each)", perConn)

	if again := db.Warm(ctx, pool, logger); again.Conns != 2 || again.Opened != 0 || again.Prepared != 0 {
		t.Errorf("Warm on a warm pool = %+v, want its 2 connections, none opened, nothing sent", again)
	}

	// Connections the pool opens later (here: after Reset closed them
	// all; in production after MaxConnLifetime) are warmed as they open.
	pool.Reset()
	before := db.Parses(pool)
	store := db.NewStore(pool)
	if _, err := store.SessionAuthenticate(ctx, "no such token"); err != nil {
		t.Fatal(err)
	}
	if got := db.Parses(pool) - before; got != uint64(perConn) {
		t.Errorf("a new connection's first session lookup sent %d statements to prepare, want its warm-up's %d and nothing more", got, perConn)
	}
	before = db.Parses(pool)
	if _, err := store.SessionAuthenticate(ctx, "no such token"); err != nil {
		t.Fatal(err)
	}
	if got := db.Parses(pool) - before; got != 0 {
		t.Errorf("the second session lookup prepared %d statements, want 0", got)
	}
}

// TestWarmNeverFailsTheStart: on a database without FamilyHub's schema no
// statement prepares, and Warm says so and leaves a pool that works; with
// its context over, it returns at once.
func TestWarmNeverFailsTheStart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, err := db.Open(ctx, dbtest.EmptyURL(t)+"&pool_max_conns=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	r := db.Warm(ctx, pool, slog.New(slog.DiscardHandler))
	if r.Err == nil || r.Conns != 2 {
		t.Errorf("Warm on an empty database = %+v, want its 2 connections and the statements' errors", r)
	}
	if err := pool.Ping(ctx); err != nil {
		t.Errorf("the pool after a failed warm-up: %v", err)
	}

	done, cancel := context.WithCancel(ctx)
	cancel()
	if r := db.Warm(done, pool, slog.New(slog.DiscardHandler)); r.Err == nil {
		t.Errorf("Warm with its context over = %+v, want its error", r)
	}
}

// TestOpenJittersLifetimes: the connections Warm opens together do not
// all expire together (pgxpool's MaxConnLifetimeJitter, 0 by default).
func TestOpenJittersLifetimes(t *testing.T) {
	t.Parallel()
	pool, err := db.Open(t.Context(), dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	cfg := pool.Config()
	if cfg.MaxConnLifetimeJitter <= 0 || cfg.MaxConnLifetimeJitter >= cfg.MaxConnLifetime {
		t.Errorf("MaxConnLifetimeJitter = %v with MaxConnLifetime %v, want a part of it", cfg.MaxConnLifetimeJitter, cfg.MaxConnLifetime)
	}
}

// TestWarmDoesNotWaitForBusyConnections: a connection held elsewhere all
// along (River's, a request's) is not waited for: Warm warms the others
// and returns, saying one was busy; it used to wait for its context's end
// (10 s at a replica's start) and then report the warm-up failed. The
// busy one is warmed when it is next handed out.
func TestWarmDoesNotWaitForBusyConnections(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, err := db.Open(ctx, dbtest.URL(t)+"&pool_max_conns=3")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	held, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	r := db.Warm(wctx, pool, slog.New(slog.DiscardHandler))
	if r.Err != nil || r.Conns != 2 || r.Busy != 1 || r.Executed != 2 {
		t.Errorf("Warm with one connection held elsewhere = %+v, want 2 warmed, 1 busy, no error", r)
	}

	// The busy one is warmed the first time the pool hands it out again
	// (PrepareConn), before its user runs anything on it.
	held.Release()
	before := db.Parses(pool)
	var conns []*pgxpool.Conn
	for range 3 {
		c, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	perConn := uint64(r.Prepared / 2)
	if got := db.Parses(pool) - before; got != perConn {
		t.Errorf("handing out the 3 connections again prepared %d statements, want the busy one's warm-up, %d", got, perConn)
	}
	// (A Warm now would report that warm-up: what the pool warmed since.)
	if again := db.Warm(ctx, pool, slog.New(slog.DiscardHandler)); again.Conns != 3 || again.Prepared != int(perConn) || again.Executed != 1 {
		t.Errorf("Warm afterwards = %+v, want its 3 connections and the one warmed since", again)
	}
}

// TestWarmWarnsOfANewerSchema: on a database a newer build migrated in a
// way that breaks one of this build's statements (here it renamed a
// column FamilySeqGet reads; a replica runs on it with
// FAMILYHUB_ALLOW_NEWER_SCHEMA), the warm-up's warning says that the
// schema is not this build's and that the requests using the statement
// fail the same way. Before, it said "its first requests prepare what is
// missing", as for a warm-up cut short, which is wrong here: no request
// prepares that statement. A warm-up cut short keeps that text
// (db.SchemaRefused tells them apart).
func TestWarmWarnsOfANewerSchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := dbtest.URL(t)
	newer, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newer.Exec(ctx, `ALTER TABLE family_event_seq RENAME COLUMN seq TO last_seq`)
	newer.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := db.Open(ctx, url+"&pool_max_conns=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var logged bytes.Buffer // slog's handler serialises the writes; read after Warm
	r := db.Warm(ctx, pool, slog.New(slog.NewTextHandler(&logged, nil)))
	if r.Err == nil || !db.SchemaRefused(r.Err) {
		t.Fatalf("Warm on a newer schema = %+v; want the statement's error, refused for the schema", r)
	}
	logs := logged.String()
	if !strings.Contains(logs, "the database's schema is not this build's") || !strings.Contains(logs, "fail the same way") {
		t.Errorf("the warm-up's warning on a newer schema does not say so:\n%s", logs)
	}
	if strings.Contains(logs, "prepare what is missing") {
		t.Errorf("the warm-up's warning on a newer schema says its first requests prepare what is missing:\n%s", logs)
	}

	// A warm-up cut short is not the schema's fault.
	for _, err := range []error{context.DeadlineExceeded, errors.Join(context.Canceled, &pgconn.PgError{Code: "57014"})} {
		if db.SchemaRefused(err) {
			t.Errorf("SchemaRefused(%v) = true, want false", err)
		}
	}
	if !db.SchemaRefused(fmt.Errorf("warm: %w", errors.Join(context.Canceled, &pgconn.PgError{Code: "42703"}))) {
		t.Error("SchemaRefused misses an undefined column joined behind another error")
	}
}

// TestWarmWaitsForSlowHandout: a connection the pool has handed to Warm
// is "acquired" while Acquire still runs its PrepareConn (a warm-up or
// ping, slow under load), so a full pool with nothing idle is not yet a
// connection held elsewhere. Warm gave such acquisitions up as busy after
// one 5 ms look (CI under load: 1 warmed, 2 busy of 3 with one held).
func TestWarmWaitsForSlowHandout(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg, err := pgxpool.ParseConfig(dbtest.URL(t) + "&pool_max_conns=2")
	if err != nil {
		t.Fatal(err)
	}
	// Each handout takes 100 ms: a hold standing for a slow warm-up.
	cfg.PrepareConn = func(ctx context.Context, _ *pgx.Conn) (bool, error) {
		select {
		case <-time.After(100 * time.Millisecond):
			return true, nil
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	r := db.Warm(wctx, pool, slog.New(slog.DiscardHandler))
	if r.Err != nil || r.Conns != 2 || r.Busy != 0 {
		t.Errorf("Warm with slow handouts = %+v, want 2 warmed, none busy, no error", r)
	}
}
