package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSessionChangesMigration: after 00028 every change to what a session
// token stands for, made in psql, reaches the listeners of
// familyhub_sessions (what clears the replicas' session caches): a role
// changed, an expiry or id moved, live sessions deleted (one notice for
// the statement), sessions, memberships or users emptied by TRUNCATE; the
// last-seen note and the prune job's DELETE of sessions ended long ago
// send nothing. Going down removes the triggers and their function, and
// up again brings them back.
func TestSessionChangesMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	p := poolSQL{t, dbtest.PoolFor(t, url)}
	must := p.must
	must(`INSERT INTO families (id, name) VALUES ('00000000-0000-0000-0000-0000000000f1', 'F')`)
	must(`INSERT INTO users (id, email, password_hash, display_name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'ana@example.org', 'x', 'Ana')`)
	must(`INSERT INTO memberships (family_id, user_id, role) VALUES ('00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-0000000000a1', 'owner')`)
	must(`INSERT INTO sessions (token_hash, user_id, expires_at) SELECT sha256(g::text::bytea), '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day' FROM generate_series(1, 3) g`)

	listener, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(ctx)
	if _, err := listener.Exec(ctx, "LISTEN familyhub_sessions"); err != nil {
		t.Fatal(err)
	}
	// next returns the next notice's payload; the sentinel, sent after a
	// statement, proves that statement sent nothing (notices arrive in
	// commit order).
	next := func() string {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		n, err := listener.WaitForNotification(wctx)
		if err != nil {
			t.Fatal(err)
		}
		return n.Payload
	}
	const changed = `{"reason":"changed"}`
	expect := func(sql string, want ...string) {
		t.Helper()
		must(sql)
		must(`NOTIFY familyhub_sessions, 'sentinel'`)
		for _, w := range append(want, "sentinel") {
			if got := next(); got != w {
				t.Fatalf("after %s: notice %q, want %q", sql, got, w)
			}
		}
	}
	expect(`UPDATE sessions SET last_seen_at = now()`)
	// Since 00033 a membership's notice names the user and family, so
	// the replicas re-check that user's open sockets (realtime/recheck.go).
	expect(`UPDATE memberships SET role = 'member'`,
		`{"reason" : "changed", "user_id" : "00000000-0000-0000-0000-0000000000a1", "family_id" : "00000000-0000-0000-0000-0000000000f1"}`)
	expect(`UPDATE memberships SET role = 'member'`) // no change
	expect(`UPDATE sessions SET expires_at = expires_at + interval '1 hour'`, changed)
	expect(`DELETE FROM sessions WHERE token_hash <> sha256('1'::bytea)`, changed)
	expect(`UPDATE sessions SET id = gen_random_uuid()`, changed)

	// What no replica keeps: the prune job's sessions, revoked or ended
	// long ago, go without a notice (nor a trigger per row).
	expect(`INSERT INTO sessions (token_hash, user_id, expires_at, revoked_at)
		SELECT sha256(('old' || g)::bytea), '00000000-0000-0000-0000-0000000000a1',
		       now() + CASE WHEN g % 2 = 0 THEN interval '1 day' ELSE interval '-40 days' END,
		       CASE WHEN g % 2 = 0 THEN now() - interval '40 days' END
		FROM generate_series(1, 10) g`)
	expect(`DELETE FROM sessions WHERE expires_at < now() - interval '30 days' OR revoked_at < now() - interval '30 days'`)
	// A session that ended a minute ago may still be kept somewhere.
	expect(`UPDATE sessions SET expires_at = now() - interval '1 minute'`, changed)
	expect(`DELETE FROM sessions`, changed)

	// TRUNCATE fires no row trigger: its own, once per statement, also
	// when a TRUNCATE of users empties sessions and memberships.
	session := `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (sha256('t'::bytea), '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day')`
	must(session)
	expect(`TRUNCATE sessions CASCADE`, changed)
	expect(`TRUNCATE memberships CASCADE`, changed)
	must(`INSERT INTO memberships (family_id, user_id, role) VALUES ('00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-0000000000a1', 'owner')`)
	must(session)
	expect(`TRUNCATE users CASCADE`, changed)
	must(`INSERT INTO users (id, email, password_hash, display_name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'ana@example.org', 'x', 'Ana')`)
	must(session)

	count := func() int {
		// By name: a regprocedure constant would be resolved once, in the
		// pool's prepared statement, to the first function's oid.
		return p.count(`SELECT count(*) FROM pg_trigger t JOIN pg_proc f ON f.oid = t.tgfoid
			WHERE f.proname = 'familyhub_session_changed_notify'`)
	}
	if n := count(); n != 4 { // the memberships' one is 00033's own since
		t.Fatalf("%d triggers, want 4", n)
	}
	if _, err := provider.DownTo(ctx, 27); err != nil {
		t.Fatal(err)
	}
	if n := p.count(`SELECT count(*) FROM pg_proc WHERE proname = 'familyhub_session_changed_notify'`); n != 0 {
		t.Fatal("the function is left after going down")
	}
	expect(`DELETE FROM sessions`)
	must(session)
	expect(`TRUNCATE sessions CASCADE`)
	if _, err := provider.UpTo(ctx, 28); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 5 {
		t.Fatalf("%d triggers after going up again, want 5", n)
	}
}
