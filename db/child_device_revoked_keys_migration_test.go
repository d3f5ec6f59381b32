package db_test

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/google/uuid"
)

// TestChildDeviceRevokedKeysMigration: 00048 keeps the key hash of a
// revoked children's device (ChildDeviceRevoke); the revoke still deletes
// the device's row, with the same FAMILY_UPDATED "delete" event, and the
// sessions made on it lose their link to it as before. Going down drops
// the table, up again brings it back.
func TestChildDeviceRevokedKeysMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	p := poolSQL{t, pool}
	must := p.must
	const fam, ana, dev = "00000000-0000-0000-0000-0000000000f1", "00000000-0000-0000-0000-0000000000a1", "00000000-0000-0000-0000-0000000000d1"
	must(`INSERT INTO families (id, name) VALUES ($1, 'F')`, fam)
	must(`INSERT INTO users (id, email, password_hash, display_name) VALUES ($1, 'ana@example.org', 'x', 'Ana')`, ana)
	must(`INSERT INTO child_devices (id, family_id, name, token_hash) VALUES ($1, $2, 'Tablet', 'key-hash')`, dev, fam)
	must(`INSERT INTO sessions (token_hash, user_id, expires_at, child_device_id, revoked_at) VALUES ('s', $1, now() + interval '1 day', $2, now())`, ana, dev)
	q := dbsqlc.New()
	if n, err := q.ChildDeviceRevoke(ctx, pool, dbsqlc.ChildDeviceRevokeParams{ID: uuid.MustParse(dev), FamilyID: uuid.MustParse(fam)}); err != nil || n != 1 {
		t.Fatalf("revoke: %d %v", n, err)
	}
	if n := p.count(`SELECT count(*) FROM child_devices`); n != 0 {
		t.Errorf("%d devices left after the revoke", n)
	}
	if revoked, err := q.ChildDeviceKeyRevoked(ctx, pool, []byte("key-hash")); err != nil || !revoked {
		t.Errorf("the key is not kept as revoked: %v %v", revoked, err)
	}
	if n := p.count(`SELECT count(*) FROM sessions WHERE child_device_id IS NULL AND revoked_at IS NOT NULL`); n != 1 {
		t.Errorf("the device's session: %d ended and unlinked, want 1", n)
	}
	if n := p.count(`SELECT count(*) FROM event_log WHERE family_id = $1 AND entity_id = $2 AND type = 'FAMILY_UPDATED' AND op = 'delete'`, fam, dev); n != 1 {
		t.Errorf("%d FAMILY_UPDATED delete events of the device, want 1", n)
	}
	// Revoking it again finds nothing.
	if n, err := q.ChildDeviceRevoke(ctx, pool, dbsqlc.ChildDeviceRevokeParams{ID: uuid.MustParse(dev), FamilyID: uuid.MustParse(fam)}); err != nil || n != 0 {
		t.Fatalf("second revoke: %d %v", n, err)
	}
	table := func() int {
		return p.count(`SELECT count(*) FROM information_schema.tables WHERE table_name = 'child_device_revoked_keys'`)
	}
	if _, err := provider.DownTo(ctx, 47); err != nil {
		t.Fatal(err)
	}
	if table() != 0 {
		t.Fatal("child_device_revoked_keys left after going down")
	}
	if _, err := provider.UpTo(ctx, 48); err != nil {
		t.Fatal(err)
	}
	if table() != 1 {
		t.Fatal("up again, child_device_revoked_keys is missing")
	}
}
