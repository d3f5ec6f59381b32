package http

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/familyhub/familyhub/realtime"
)

// A socket's writer goroutine (wsConn.flush), where the replica's shared
// writers do not take it (realtime_ws_pool.go), lingers after its last
// message for the next one, and exits when none comes; events arrive in
// order through both paths (docs/realtime.md, "Fan-out").

// writeEvents makes n events in one transaction (a rename, or n items
// added in one statement), announced by the trigger's own NOTIFY, as from
// psql (the test pool's connections otherwise leave that to the
// application's announcer). It returns the family's seq after them.
func writeEvents(t testing.TB, env *testEnv, list string, n int) float64 {
	t.Helper()
	ctx := context.Background()
	tx, err := env.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL familyhub.announce = ''`); err != nil {
		t.Fatal(err)
	}
	q := `UPDATE shopping_lists SET name = 'L' || left(md5(random()::text), 8) WHERE id = $1 AND $2::int = 1`
	if n > 1 {
		q = `INSERT INTO shopping_items (family_id, list_id, name)
			SELECT family_id, id, 'item ' || g FROM shopping_lists, generate_series(1, $2::int) g WHERE id = $1`
	}
	if _, err := tx.Exec(ctx, q, list, n); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var seq int64
	if err := env.pool.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = (SELECT family_id FROM shopping_lists WHERE id = $1)`, list).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return float64(seq)
}

// wantInOrder reads events through seq upto and checks each follows the
// last: seq one more, prev_seq the last seq. It returns upto.
func (s *testSocket) wantInOrder(last, upto float64) float64 {
	s.t.Helper()
	for last < upto {
		m := s.next()
		if m["seq"] != last+1 || m["prev_seq"] != last {
			s.t.Fatalf("got %v after seq %v", m, last)
		}
		last++
	}
	return last
}

// TestWSWriterLingers: events one at a time, and a burst larger than the
// socket's queue (read from the log in pages), are written by the one
// writer goroutine that lingers between them, in order. Before, every
// event started a writer (about 60 here).
func TestWSWriterLingers(t *testing.T) {
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	env.server.rt.linger = &tickClock{period: time.Hour} // never idle long enough to exit
	env.server.rt.pool = nil                             // a writer goroutine per socket, as for a socket over TLS
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	ws := ana.socket(t, "")
	hello := ws.want("hello", map[string]any{"type": "hello"})
	start := env.server.rt.writersStarted.Load() // serve's first kick may be one
	last := hello["seq"].(float64)
	for range 50 {
		last = ws.wantInOrder(last, writeEvents(t, env, list.ID, 1))
	}
	// Over QueueMessages: paged from the log.
	last = ws.wantInOrder(last, writeEvents(t, env, list.ID, 1200))
	ws.wantInOrder(last, writeEvents(t, env, list.ID, 1))
	if n := env.server.rt.writersStarted.Load() - start; n > 2 {
		t.Fatalf("%d writer goroutines started for 52 writes, want the one that lingers", n)
	}
}

// TestWSWriterExitsWhenIdle: with a short linger the writer exits between
// events (an idle socket holds no writer goroutine) and a new one starts
// for the next event, which still follows the last.
func TestWSWriterExitsWhenIdle(t *testing.T) {
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	env.server.rt.linger = &tickClock{period: time.Millisecond}
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	ws := ana.socket(t, "")
	last := ws.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
	// The socket looks for queued messages once after its hello.
	waitCond(t, "the first writer", func() bool { return env.server.rt.writersStarted.Load() == 1 })
	for i := range 20 {
		waitCond(t, "the socket's writer gone", func() bool { return env.server.rt.writers.Load() == 0 })
		started := env.server.rt.writersStarted.Load()
		last = ws.wantInOrder(last, writeEvents(t, env, list.ID, 1+i%3))
		if env.server.rt.writersStarted.Load() == started {
			t.Fatal("an event was written without a writer started after the last one exited")
		}
	}
}

// TestWSLingeringWritersSleepThroughTicks: the linger clock wakes a
// socket's lingering writer only when its linger ends, to exit; a writer
// that wrote since its last tick sleeps through the tick. The clock's
// ticks are the test's own (fire), so the counts are exact. Before, every
// tick woke every lingering writer of the replica (at 1,000 sockets that
// get an event every 100 ms or so, 10,000 wake-ups a second for nothing):
// here 5 ticks between events woke each of 20 writers 5 times.
func TestWSLingeringWritersSleepThroughTicks(t *testing.T) {
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	clock := &tickClock{period: time.Hour} // ticks only when the test fires it
	rt := env.server.rt
	rt.linger = clock
	rt.pool = nil // a writer goroutine per socket, as for a socket over TLS
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	const sockets = 20
	var ws []*testSocket
	var last float64
	for range sockets {
		s := ana.socket(t, "")
		last = s.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
		ws = append(ws, s)
	}
	// Each socket looks for queued messages once after its hello, finds
	// none, and its writer exits without lingering.
	waitCond(t, "the first writers gone", func() bool {
		return rt.writersStarted.Load() == sockets && rt.writers.Load() == 0
	})

	// An event, then a tick, five times: every writer wrote since the
	// last tick.
	wakes := rt.lingerWakes.Load()
	for range 5 {
		upto := writeEvents(t, env, list.ID, 1)
		for _, s := range ws {
			s.wantInOrder(last, upto)
		}
		last = upto
		waitCond(t, "every writer lingering", func() bool { return rt.lingering.Load() == sockets })
		clock.fire()
	}
	waitCond(t, "every writer lingering", func() bool { return rt.lingering.Load() == sockets })
	if n := rt.lingerWakes.Load() - wakes; n != 0 {
		t.Errorf("%d wake-ups of %d writers by 5 ticks, each after an event they wrote; want none", n, sockets)
	}

	// No more events: the next tick ends each linger (1-2 ticks after
	// the last message), waking each writer once, to exit.
	wakes = rt.lingerWakes.Load()
	clock.fire()
	waitCond(t, "the writers gone", func() bool { return rt.writers.Load() == 0 })
	if n := rt.lingerWakes.Load() - wakes; n != sockets {
		t.Errorf("%d wake-ups when the lingers of %d writers ended; want one each", n, sockets)
	}
	if n := rt.writersStarted.Load(); n != 2*sockets {
		t.Errorf("%d writers started for 5 events to %d sockets, want one each after its hello and one lingering", n, sockets)
	}
}

// TestWSWriterStartAllocatesNothing: starting a socket's writer, which
// happens for every event on a socket that gets one less often than its
// writer lingers (under load, when an event takes the replica longer to
// send to a large family than a writer lingers), allocates nothing.
// Before, each start allocated the go statement's closure.
func TestWSWriterStartAllocatesNothing(t *testing.T) {
	rt := &realtimeState{linger: &tickClock{period: time.Hour}}
	w := &wsConn{rt: rt, c: &realtime.Client{}, ctx: context.Background(), wake: make(chan struct{}, 1)}
	w.flushFn = w.flush
	allocs := testing.AllocsPerRun(200, func() {
		w.kick() // nothing queued: the writer looks, finds nothing and exits
		for rt.writers.Load() != 0 {
			runtime.Gosched()
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per start of a socket's writer, want 0", allocs)
	}
	if n := rt.writersStarted.Load(); n != 201 {
		t.Errorf("%d writers started, want 201 (one per kick)", n)
	}
}
