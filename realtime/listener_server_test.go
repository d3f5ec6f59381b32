package realtime

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// TestListenerServerChanged: OnServerChanged is called after a reconnect
// to a server that is not the one before (here the server's name, read by
// the listener at each connect, is changed between two connects, as a
// restart, a restore or a failover changes its start time), and not on
// the first connect nor on a reconnect to the same server (a network
// blip). Before, nothing told the replica that the whole database may
// have gone back: push presence waited for each lost row's refresh.
func TestListenerServerChanged(t *testing.T) {
	pool, reconnect := countServerChanges(t, "SELECT name FROM server_name")
	ctx := context.Background()
	exec(t, pool, `CREATE TABLE server_name (name text)`, `INSERT INTO server_name VALUES ('one')`)
	// The first connect read no name (the table did not exist yet): the
	// first reconnect cannot tell, and counts as a change.
	if n := reconnect("the first reconnect"); n != 1 {
		t.Fatalf("after a reconnect from an unknown server: OnServerChanged called %d times, want 1", n)
	}
	if n := reconnect("a reconnect to the same server"); n != 1 {
		t.Fatalf("after a reconnect to the same server: OnServerChanged called %d times in all, want 1", n)
	}
	if _, err := pool.Exec(ctx, `UPDATE server_name SET name = 'two'`); err != nil {
		t.Fatal(err)
	}
	if n := reconnect("a reconnect to another server"); n != 2 {
		t.Fatalf("after a reconnect to another server: OnServerChanged called %d times in all, want 2", n)
	}
}

// countServerChanges starts a hub whose listener reads which server it
// reached with query ("": the real one, the server's start time). Each
// call of reconnect drops the listening connection, waits for the next
// connect, and returns how often OnServerChanged was called in all.
func countServerChanges(t *testing.T, query string) (*pgxpool.Pool, func(what string) int32) {
	t.Helper()
	var changed, connects atomic.Int32
	var l *Listener
	_, pool := startHubWith(t, func(ln *Listener) {
		l = ln
		if query != "" {
			ln.serverQuery = query
		}
		ln.OnServerChanged = func() { changed.Add(1) }
		ln.OnConnect = func() { connects.Add(1) }
	})
	return pool, func(what string) int32 {
		t.Helper()
		n := connects.Load()
		exec(t, pool, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'familyhub-listener' AND datname = current_database()`)
		waitFor(t, what, func() bool { return l.Connected() && connects.Load() > n })
		return changed.Load()
	}
}

// TestListenerSameServerNotChanged: with the real query (the server's
// start time), a reconnect to the same server is no change.
func TestListenerSameServerNotChanged(t *testing.T) {
	_, reconnect := countServerChanges(t, "")
	for i := range 2 {
		if n := reconnect("the reconnect"); n != 0 {
			t.Fatalf("reconnect %d to the same server: OnServerChanged called %d times", i+1, n)
		}
	}
}

// TestListenerTimeZoneNotChanged: a reconnect whose session has another
// TimeZone (set for the database between two connects) reaches the same
// server. Before, the start time was read as text, which carries the
// session's offset: a DBA's ALTER DATABASE … SET TimeZone looked like a
// restart, and every family's live presence rows were rewritten.
func TestListenerTimeZoneNotChanged(t *testing.T) {
	pool, reconnect := countServerChanges(t, "")
	for i, zone := range []string{"Asia/Tokyo", "America/Los_Angeles"} {
		exec(t, pool, `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET TimeZone = %L', current_database(), '`+zone+`'); END $$`)
		if n := reconnect("the reconnect"); n != 0 {
			t.Fatalf("reconnect %d to the same server in time zone %s: OnServerChanged called %d times", i+1, zone, n)
		}
	}
}
