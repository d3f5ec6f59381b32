package db_test

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestAssistantInflightMigration: 00047 adds assistant_inflight (a
// member's commands in flight, ordered by arrival, gone with their
// family) and assistant_commands.said_at; going down drops both, up
// again brings them back.
func TestAssistantInflightMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	p := poolSQL{t, dbtest.PoolFor(t, url)}
	must := p.must
	const fam, ana = "00000000-0000-0000-0000-0000000000f1", "00000000-0000-0000-0000-0000000000a1"
	must(`INSERT INTO families (id, name) VALUES ($1, 'F')`, fam)
	must(`INSERT INTO users (id, email, password_hash, display_name) VALUES ($1, 'ana@example.org', 'x', 'Ana')`, ana)
	must(`INSERT INTO assistant_inflight (family_id, user_id, command_id, replica, expires_at)
		VALUES ($1, $2, gen_random_uuid(), 'a', clock_timestamp() + interval '1 minute')`, fam, ana)
	if err := p.exec(`INSERT INTO assistant_inflight (family_id, user_id, command_id, replica, expires_at)
		VALUES ($1, $2, gen_random_uuid(), 'a', clock_timestamp() - interval '1 minute')`, fam, ana); err == nil {
		t.Error("a row expiring before it started was accepted")
	}
	must(`DELETE FROM families WHERE id = $1`, fam)
	if n := p.count(`SELECT count(*) FROM assistant_inflight`); n != 0 {
		t.Errorf("%d rows in flight left after their family was deleted", n)
	}
	schema := func() int {
		return p.count(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'assistant_inflight'`) +
			p.count(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'assistant_commands' AND column_name = 'said_at'`)
	}
	if schema() != 2 {
		t.Fatal("assistant_inflight or assistant_commands.said_at missing")
	}
	if _, err := provider.DownTo(ctx, 46); err != nil {
		t.Fatal(err)
	}
	if n := schema(); n != 0 {
		t.Fatalf("%d of the table and column left after going down", n)
	}
	if _, err := provider.UpTo(ctx, 47); err != nil {
		t.Fatal(err)
	}
	if schema() != 2 {
		t.Fatal("up again, the table or column is missing")
	}
}
