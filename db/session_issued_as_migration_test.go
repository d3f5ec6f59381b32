package db_test

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSessionIssuedAsMigration: migration 00040 makes every session
// there is 'legacy' (made before the cookie had its __Host- name: the
// only ones let in under the old name over HTTPS), and a session inserted
// afterwards without saying how it was issued 'none', never 'legacy'; a
// value outside the four is refused. Going down drops the column, and up
// again makes the sessions there are legacy once more.
func TestSessionIssuedAsMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	p := poolSQL{t, dbtest.PoolFor(t, url)}
	must := func(sql string, args ...any) {
		t.Helper()
		if err := p.exec(sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if _, err := provider.DownTo(ctx, 39); err != nil {
		t.Fatal(err)
	}
	if n := p.count(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'sessions' AND column_name = 'issued_as'`); n != 0 {
		t.Fatal("issued_as is left after going down")
	}
	must(`INSERT INTO users (id, email, password_hash, display_name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'ana@example.org', 'x', 'Ana')`)
	must(`INSERT INTO sessions (token_hash, user_id, expires_at) SELECT sha256(g::text::bytea), '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day' FROM generate_series(1, 3) g`)
	if _, err := provider.UpTo(ctx, 40); err != nil {
		t.Fatal(err)
	}
	if n := p.count(`SELECT count(*) FROM sessions WHERE issued_as = 'legacy'`); n != 3 {
		t.Fatalf("%d of 3 sessions made before the migration are legacy", n)
	}
	must(`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (sha256('new'::bytea), '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day')`)
	if n := p.count(`SELECT count(*) FROM sessions WHERE token_hash = sha256('new'::bytea) AND issued_as = 'none'`); n != 1 {
		t.Fatal("a session inserted after the migration without issued_as is not 'none'")
	}
	for _, v := range []string{"host", "plain"} {
		must(`INSERT INTO sessions (token_hash, user_id, expires_at, issued_as) VALUES (sha256($2::text::bytea), '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day', $1)`, v, v)
	}
	if err := p.exec(`INSERT INTO sessions (token_hash, user_id, expires_at, issued_as) VALUES (sha256('x'::bytea), '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day', 'cookie')`); err == nil {
		t.Fatal("issued_as 'cookie' was accepted")
	}
	if _, err := provider.DownTo(ctx, 39); err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, 40); err != nil {
		t.Fatal(err)
	}
	if n := p.count(`SELECT count(*) FROM sessions WHERE issued_as = 'legacy'`); n != 6 {
		t.Fatalf("after going down and up again %d of 6 sessions are legacy", n)
	}
}
