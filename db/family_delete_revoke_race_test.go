package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/google/uuid"
)

// TestFamilyDeleteWhileDeviceRevoked: deleting the family while a children's
// device with a live session is being revoked finishes both, one after the
// other. Before, the deletion ended the member's sessions (endAccess) and
// then waited for the device (the cascade) while the revoke held the device
// and waited for the session: PostgreSQL failed one of them (40P01, a 500).
// The revoke is its own statements (ChildDeviceDelete's, in its order) in a
// transaction held open between them, so that the deletion runs in between.
func TestFamilyDeleteWhileDeviceRevoked(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 4)
	ctx := e.owner(t, "delete-revoke-race")
	user := familyhub.AuthFromContext(ctx).UserID
	var dev uuid.UUID
	if err := e.store.Tx(ctx, func(tx *db.Tx) error {
		d, _, err := tx.ChildDeviceCreate(ctx, "tablet")
		if err != nil {
			return err
		}
		dev = d.ID
		_, _, err = tx.SessionCreate(ctx, user, db.SessionMeta{TTL: time.Hour, ChildDevice: &dev})
		return err
	}); err != nil {
		t.Fatal(err)
	}

	bg := context.Background()
	revoke, err := e.pool.Begin(bg)
	if err != nil {
		t.Fatal(err)
	}
	defer revoke.Rollback(bg) //nolint:errcheck // after Commit, a no-op
	if _, err := revoke.Exec(bg, `SELECT id FROM child_devices WHERE id = $1 FOR UPDATE`, dev); err != nil {
		t.Fatal(err)
	}
	deleted := make(chan error, 1)
	go func() {
		deleted <- e.store.Tx(ctx, func(tx *db.Tx) error { return tx.FamilyDelete(ctx, "delete-revoke-race") })
	}()
	if !e.lockWaiter(t, "") {
		select {
		case err := <-deleted:
			t.Fatalf("the family's deletion did not wait for the revoke: %v", err)
		default:
			t.Fatal("the family's deletion did not wait for the revoke")
		}
	}
	if _, err := revoke.Exec(bg, `UPDATE sessions SET revoked_at = now() WHERE child_device_id = $1 AND revoked_at IS NULL`, dev); err != nil {
		t.Fatalf("revoking the device's sessions during the family's deletion: %v", err)
	}
	if _, err := revoke.Exec(bg, `DELETE FROM child_devices WHERE id = $1`, dev); err != nil {
		t.Fatalf("deleting the device during the family's deletion: %v", err)
	}
	if err := revoke.Commit(bg); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if err := <-deleted; err != nil {
		t.Fatalf("deleting the family while a device is revoked: %v", err)
	}
	var n int
	if err := e.pool.QueryRow(bg, `SELECT count(*) FROM families WHERE id = $1`, familyhub.AuthFromContext(ctx).FamilyID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("the family was not deleted")
	}
}
