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
// value outside the four is refused. Going down keeps each session's
// value and makes the default 'legacy' (the previous release hands out
// the old name's cookie); up again keeps them, and only the sessions made
// while down are legacy. Before, Down dropped the column and Up made
// every session there was legacy once more: sessions made over HTTPS,
// over plain HTTP or as bearer tokens became plantable under the old
// name over HTTPS for another session lifetime.
func TestSessionIssuedAsMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	p := poolSQL{t, dbtest.PoolFor(t, url)}
	must := p.must
	if _, err := provider.DownTo(ctx, 39); err != nil {
		t.Fatal(err)
	}
	// A database migrated before 00040 has no column (Down keeps it):
	// the first Up.
	must(`ALTER TABLE sessions DROP COLUMN IF EXISTS issued_as`)
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
	// The previous release's insert, which names no issued_as.
	must(`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (sha256('while down'::bytea), '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day')`)
	if _, err := provider.UpTo(ctx, 40); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"1": "legacy", "2": "legacy", "3": "legacy", "new": "none", "host": "host", "plain": "plain", "while down": "legacy"}
	for tok, issued := range want {
		if n := p.count(`SELECT count(*) FROM sessions WHERE token_hash = sha256($1::text::bytea) AND issued_as = $2`, tok, issued); n != 1 {
			t.Errorf("after going down and up again the session %q is not %s", tok, issued)
		}
	}
	must(`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (sha256('after'::bytea), '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day')`)
	if n := p.count(`SELECT count(*) FROM sessions WHERE token_hash = sha256('after'::bytea) AND issued_as = 'none'`); n != 1 {
		t.Fatal("after going down and up again a new session is not 'none'")
	}
}
