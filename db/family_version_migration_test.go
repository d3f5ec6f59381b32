package db_test

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestFamilyVersionMigration: migration 00043 gives every family there is
// version 1; the database moves it on by one for every UPDATE that changes
// the row, also a DBA's in psql, keeps it for one that changes nothing or
// writes only the version, and keeps updated_at as before. The
// FAMILY_UPDATED of such an UPDATE carries the version it made, and none
// when the version stayed. Down takes the column away and gives back the
// event without a version and the touch of updated_at; Up again works.
func TestFamilyVersionMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	p := poolSQL{t, dbtest.PoolFor(t, url)}
	must := p.must
	const fam = "00000000-0000-0000-0000-0000000000f1"
	if _, err := provider.DownTo(ctx, 42); err != nil {
		t.Fatal(err)
	}
	must(`INSERT INTO families (id, name) VALUES ($1, 'Rivera')`, fam)
	if _, err := provider.UpTo(ctx, 43); err != nil {
		t.Fatal(err)
	}
	// stamp is the family's updated_at in microseconds.
	stamp := func() int {
		return p.count(`SELECT (extract(epoch FROM updated_at) * 1000000)::bigint FROM families WHERE id = $1`, fam)
	}
	version := func() int { return p.count(`SELECT version FROM families WHERE id = $1`, fam) }
	if v := version(); v != 1 {
		t.Fatalf("a family made before the migration has version %d, want 1", v)
	}
	// lastEvent is the version of the family's last FAMILY_UPDATED about
	// its own row (-1: none; 0: without a version).
	lastEvent := func() int {
		return p.count(`SELECT coalesce((SELECT coalesce(version, 0) FROM event_log WHERE family_id = $1 AND entity_id = $1 AND type = 'FAMILY_UPDATED' ORDER BY seq DESC LIMIT 1), -1)`, fam)
	}

	before := stamp()
	must(`UPDATE families SET name = 'The Riveras' WHERE id = $1`, fam)
	if v, e := version(), lastEvent(); v != 2 || e != 2 {
		t.Fatalf("a DBA's rename: version %d, event version %d, want 2 and 2", v, e)
	}
	if stamp() <= before {
		t.Fatal("a rename kept updated_at")
	}
	must(`UPDATE families SET version = 99 WHERE id = $1`, fam)
	must(`UPDATE families SET name = 'The Riveras', time_zone = 'UTC' WHERE id = $1`, fam)
	if v := version(); v != 2 {
		t.Fatalf("UPDATEs that change nothing but the version made version %d, want 2", v)
	}
	must(`UPDATE families SET time_zone = 'Europe/Berlin', version = 7 WHERE id = $1`, fam)
	if v, e := version(), lastEvent(); v != 3 || e != 3 {
		t.Fatalf("a new time zone (and a version written by hand): version %d, event version %d, want 3 and 3", v, e)
	}
	if err := p.exec(`INSERT INTO families (name, version) VALUES ('Zero', 0)`); err == nil {
		t.Fatal("a family with version 0 was accepted")
	}

	if _, err := provider.DownTo(ctx, 42); err != nil {
		t.Fatal(err)
	}
	if n := p.count(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'families' AND column_name = 'version'`); n != 0 {
		t.Fatal("Down kept families.version")
	}
	before = stamp()
	must(`UPDATE families SET name = 'Rivera' WHERE id = $1`, fam)
	if e := lastEvent(); e != 0 {
		t.Fatalf("after Down a rename's event has version %d, want none", e)
	}
	if stamp() <= before {
		t.Fatal("after Down a rename kept updated_at")
	}
	if _, err := provider.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != 1 {
		t.Fatalf("after Down and Up the family has version %d, want 1", v)
	}
}
