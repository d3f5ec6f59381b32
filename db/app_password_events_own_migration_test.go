package db_test

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestAppPasswordEventsOwnMigration: after 00042 an app password made or
// revoked is an event for its member alone (event_log.for_user_id), in
// the family's gapless seq, numbered at commit; a member in no family
// makes none; every other event is for the whole family (NULL). Going
// down brings back 00038's staged event for the whole family and drops
// the column; up again, the member's own once more.
func TestAppPasswordEventsOwnMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	p := poolSQL{t, dbtest.PoolFor(t, url)}
	must := p.must
	const fam, ana, ben = "00000000-0000-0000-0000-0000000000f1", "00000000-0000-0000-0000-0000000000a1", "00000000-0000-0000-0000-0000000000b1"
	must(`INSERT INTO families (id, name) VALUES ($1, 'F')`, fam)
	must(`INSERT INTO users (id, email, password_hash, display_name) VALUES ($1, 'ana@example.org', 'x', 'Ana'), ($2, 'ben@example.org', 'x', 'Ben')`, ana, ben)
	must(`INSERT INTO memberships (family_id, user_id, role) VALUES ($1, $2, 'owner')`, fam, ana) // Ben is in no family
	seq := func() int { return p.count(`SELECT seq::int FROM family_event_seq WHERE family_id = $1`, fam) }

	before := seq()
	must(`INSERT INTO dav_app_passwords (user_id, name, secret_hash) VALUES ($1, 'Phone', '\x01'), ($2, 'Phone', '\x02')`, ana, ben)
	must(`INSERT INTO tasks (family_id, title) VALUES ($1, 'Bins out')`, fam)
	if n := seq() - before; n != 2 {
		t.Fatalf("an app password of Ana's, one of Ben's (in no family) and a task made %d events, want 2", n)
	}
	if n := p.count(`SELECT count(*) FROM event_log WHERE family_id = $1 AND seq = $2 + 1 AND type = 'FAMILY_UPDATED' AND op = 'insert' AND for_user_id = $3`, fam, before, ana); n != 1 {
		t.Fatal("Ana's app password made no event for her alone")
	}
	if n := p.count(`SELECT count(*) FROM event_log WHERE family_id = $1 AND seq = $2 + 2 AND type = 'TASK_UPDATED' AND for_user_id IS NULL`, fam, before); n != 1 {
		t.Fatal("the task's event is not for the whole family")
	}
	must(`DELETE FROM dav_app_passwords WHERE user_id = $1`, ana)
	if n := p.count(`SELECT count(*) FROM event_log WHERE family_id = $1 AND seq = $2 + 3 AND op = 'delete' AND for_user_id = $3`, fam, before, ana); n != 1 {
		t.Fatal("Ana's app password revoked made no event for her alone")
	}

	if _, err := provider.DownTo(ctx, 41); err != nil {
		t.Fatal(err)
	}
	if n := p.count(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'event_log' AND column_name = 'for_user_id'`); n != 0 {
		t.Fatal("for_user_id is left after going down")
	}
	before = seq()
	must(`INSERT INTO dav_app_passwords (user_id, name, secret_hash) VALUES ($1, 'Tablet', '\x03')`, ana)
	if n := p.count(`SELECT count(*) FROM event_log WHERE family_id = $1 AND seq = $2 + 1 AND type = 'FAMILY_UPDATED'`, fam, before); n != 1 || seq() != before+1 {
		t.Fatal("after going down an app password made no (staged) event")
	}
	if _, err := provider.UpTo(ctx, 42); err != nil {
		t.Fatal(err)
	}
	before = seq()
	must(`DELETE FROM dav_app_passwords WHERE user_id = $1`, ana)
	if n := p.count(`SELECT count(*) FROM event_log WHERE family_id = $1 AND seq = $2 + 1 AND for_user_id = $3`, fam, before, ana); n != 1 {
		t.Fatal("up again, an app password revoked made no event for its member alone")
	}
}
