package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSessionIssuedAsNotice: after 00041 a session's issued_as changed in
// psql (an operator ending the legacy sessions' grace early) reaches the
// listeners of familyhub_sessions, which clear the replicas' session
// caches: a kept session carries whether it is legacy, and a replica that
// kept it would otherwise go on letting it in under the cookie's old name
// over HTTPS. An UPDATE that leaves issued_as as it was sends nothing.
// Going down to 00040 brings back the trigger that ignores issued_as.
func TestSessionIssuedAsNotice(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	p := poolSQL{t, dbtest.PoolFor(t, url)}
	must := p.must
	must(`INSERT INTO users (id, email, password_hash, display_name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'ana@example.org', 'x', 'Ana')`)
	must(`INSERT INTO sessions (token_hash, user_id, expires_at, issued_as) VALUES (sha256('1'::bytea), '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day', 'legacy')`)

	listener, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(ctx)
	if _, err := listener.Exec(ctx, "LISTEN familyhub_sessions"); err != nil {
		t.Fatal(err)
	}
	// expect runs sql and reads the notices up to a sentinel sent after
	// it (notices arrive in commit order): want, and nothing else.
	expect := func(sql string, want ...string) {
		t.Helper()
		must(sql)
		must(`NOTIFY familyhub_sessions, 'sentinel'`)
		for _, w := range append(want, "sentinel") {
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			n, err := listener.WaitForNotification(wctx)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if n.Payload != w {
				t.Fatalf("after %s: notice %q, want %q", sql, n.Payload, w)
			}
		}
	}
	const changed = `{"reason":"changed"}`
	expect(`UPDATE sessions SET issued_as = 'none' WHERE issued_as = 'legacy'`, changed)
	expect(`UPDATE sessions SET issued_as = 'none'`) // no change
	expect(`UPDATE sessions SET expires_at = expires_at + interval '1 hour'`, changed)

	if _, err := provider.DownTo(ctx, 40); err != nil {
		t.Fatal(err)
	}
	expect(`UPDATE sessions SET issued_as = 'legacy'`)
	expect(`UPDATE sessions SET expires_at = expires_at + interval '1 hour'`, changed)
	if _, err := provider.UpTo(ctx, 41); err != nil {
		t.Fatal(err)
	}
	expect(`UPDATE sessions SET issued_as = 'host'`, changed)
}
