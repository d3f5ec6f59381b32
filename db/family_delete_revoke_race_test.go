package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
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
	dev, _ := e.deviceWithSession(t, ctx)
	bg := context.Background()
	revoke := e.lockDevice(t, dev)
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
	revokeDevice(t, revoke, dev)
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

// deviceWithSession sets up a children's device with a live session of the
// caller on it.
func (e *pipelineEnv) deviceWithSession(t *testing.T, ctx context.Context) (dev, session uuid.UUID) {
	t.Helper()
	if err := e.store.Tx(ctx, func(tx *db.Tx) error {
		d, _, err := tx.ChildDeviceCreate(ctx, "tablet")
		if err != nil {
			return err
		}
		dev = d.ID
		_, sess, err := tx.SessionCreate(ctx, familyhub.AuthFromContext(ctx).UserID, db.SessionMeta{TTL: time.Hour, ChildDevice: &dev})
		session = sess.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return dev, session
}

// lockDevice begins a device's revoke as ChildDeviceDelete does (the device
// row first) in a transaction left open; revokeDevice runs its rest.
func (e *pipelineEnv) lockDevice(t *testing.T, dev uuid.UUID) pgx.Tx {
	t.Helper()
	revoke, err := e.pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { revoke.Rollback(context.Background()) }) //nolint:errcheck // after Commit, a no-op
	if _, err := revoke.Exec(context.Background(), `SELECT id FROM child_devices WHERE id = $1 FOR UPDATE`, dev); err != nil {
		t.Fatal(err)
	}
	return revoke
}

// revokeDevice runs the rest of the revoke lockDevice began and commits it.
func revokeDevice(t *testing.T, revoke pgx.Tx, dev uuid.UUID) {
	t.Helper()
	for _, q := range []string{`UPDATE sessions SET revoked_at = now() WHERE child_device_id = $1 AND revoked_at IS NULL`, `DELETE FROM child_devices WHERE id = $1`} {
		if _, err := revoke.Exec(context.Background(), q, dev); err != nil {
			t.Fatalf("revoking the device: %v", err)
		}
	}
	if err := revoke.Commit(context.Background()); err != nil {
		t.Fatalf("revoke: %v", err)
	}
}
