package main

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSeedDemo: `familyhub dev`'s demo family gets its sign-ins and a
// lived-in week (lists, rotating chores, events, recipes), once: a second
// start finds it and adds nothing.
func TestSeedDemo(t *testing.T) {
	parallelInQuickLoop(t)
	m := startMain(t, dbtest.URL(t))
	dir := t.TempDir()
	creds, err := seedDemo(t.Context(), m.Store, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(creds, "alice@demo.familyhub.test") || !strings.Contains(creds, "bob@demo.familyhub.test") {
		t.Fatalf("credentials: %q", creds)
	}
	counts := func() map[string]int {
		out := map[string]int{}
		for _, table := range []string{"shopping_lists", "shopping_items", "tasks WHERE recurrence IS NOT NULL", "tasks WHERE rotation IS NOT NULL", "calendar_events", "recipes", "memberships"} {
			var n int
			if err := m.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[table] = n
		}
		return out
	}
	first := counts()
	for table, min := range map[string]int{"shopping_lists": 2, "shopping_items": 8, "tasks WHERE recurrence IS NOT NULL": 3,
		"tasks WHERE rotation IS NOT NULL": 1, "calendar_events": 5, "recipes": 2, "memberships": 2} {
		if first[table] < min {
			t.Errorf("%s: %d, want at least %d", table, first[table], min)
		}
	}
	again, err := seedDemo(t.Context(), m.Store, dir)
	if err != nil || again != creds {
		t.Fatalf("second start: %q, %v", again, err)
	}
	if second := counts(); second["shopping_items"] != first["shopping_items"] || second["recipes"] != first["recipes"] {
		t.Fatalf("the second start added data: %v then %v", first, second)
	}
}

// holdUsers locks the users table against inserts until release is called,
// and returns a function that reports whether someone waits for that lock:
// a seed of the demo family stops at its first sign-up, deterministically.
func holdUsers(t *testing.T, url string) (waiting func() bool, release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE users IN EXCLUSIVE MODE"); err != nil { // reads go on, inserts wait
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if err := tx.Commit(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(release)
	waiting = func() bool {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_locks
			WHERE relation = 'users'::regclass AND NOT granted`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	return waiting, release
}

// TestDevSeedsBeforeServing: `familyhub dev` listens (so /readyz answers)
// only once the demo family exists: `make run` followed by a script or a
// browser that waits for /readyz finds the family, and a Ctrl-C after
// ready never interrupts the seed.
func TestDevSeedsBeforeServing(t *testing.T) {
	parallelInQuickLoop(t)
	url := dbtest.URL(t)
	addr := freeAddr(t)
	waiting, release := holdUsers(t, url)
	m := NewMain(Config{DatabaseURL: url, Addr: addr, Signup: "open"}, testLogger())
	t.Cleanup(func() { m.Close() })
	type result struct {
		creds string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		creds, err := startDev(t.Context(), m, t.TempDir())
		done <- result{creds, err}
	}()
	waitUntil(t, "the seed to wait for the users table", 30*time.Second, waiting)
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatalf("%s accepts connections while the demo family is being seeded", addr)
	}
	release()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.creds, "alice@demo.familyhub.test") {
		t.Fatalf("credentials: %q", r.creds)
	}
	// Ready once the listener has its connection too, which it makes on
	// its own after the server listens: on a loaded machine not yet at the
	// first request. Whoever waits for /readyz polls it.
	waitReady(t, m.URL(), 30*time.Second)
}

// TestDevInterruptedSeed: Ctrl-C while the demo family is being seeded
// ends `familyhub dev` cleanly (nil: exit status 0, so `make run` does not
// report an error), and leaves no half-seeded family: the next start
// seeds it whole.
func TestDevInterruptedSeed(t *testing.T) {
	parallelInQuickLoop(t)
	url := dbtest.URL(t)
	waiting, release := holdUsers(t, url)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runDev(ctx, []string{"--database-url", url, "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()})
	}()
	waitUntil(t, "the seed to wait for the users table", 30*time.Second, waiting)
	cancel() // Ctrl-C
	if err := <-done; err != nil {
		t.Fatalf("interrupted while seeding: %v, want a clean exit", err)
	}
	release()
	pool := dbtest.PoolFor(t, url)
	var users int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM users").Scan(&users); err != nil {
		t.Fatal(err)
	}
	if users != 0 {
		t.Fatalf("%d users after an interrupted seed, want none", users)
	}
}
