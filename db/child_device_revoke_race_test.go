package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/google/uuid"
)

// TestChildDeviceRevokeRace: revoking a children's device while a PIN
// sign-in on it has inserted its session but not yet committed waits for
// that sign-in and revokes its session too (before, the revoke missed it
// and the delete cleared its child_device_id: a valid session on a revoked
// device). A sign-in after the revoke answers ErrDeviceRevoked, not 422.
func TestChildDeviceRevokeRace(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 4)
	ctx := e.owner(t, "revoke-race")
	user := familyhub.AuthFromContext(ctx).UserID
	newDevice := func(name string) uuid.UUID {
		var id uuid.UUID
		if err := e.store.Tx(ctx, func(tx *db.Tx) error {
			dev, _, err := tx.ChildDeviceCreate(ctx, name)
			id = dev.ID
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	revoke := func(id uuid.UUID) error {
		return e.store.Tx(ctx, func(tx *db.Tx) error { return tx.ChildDeviceDelete(ctx, id) })
	}
	signIn := func(tx *db.Tx, id uuid.UUID) (uuid.UUID, error) {
		_, sess, err := tx.SessionCreate(context.Background(), user, db.SessionMeta{TTL: time.Hour, ChildDevice: &id})
		return sess.ID, err
	}

	// The sign-in's insert first, left open until the revoke waits for it.
	dev := newDevice("tablet")
	inserted, commit, signedIn := make(chan uuid.UUID, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		signedIn <- e.store.Tx(context.Background(), func(tx *db.Tx) error {
			sess, err := signIn(tx, dev)
			inserted <- sess
			if err == nil {
				<-commit
			}
			return err
		})
	}()
	// signedIn too: a Tx that fails before the sign-in never sends on inserted.
	var sess uuid.UUID
	select {
	case sess = <-inserted:
	case err := <-signedIn:
		t.Fatalf("sign-in's transaction: %v", err)
	}
	revoked := make(chan error, 1)
	go func() { revoked <- revoke(dev) }()
	waited := e.lockWaiter(t, "")
	close(commit)
	if err := <-signedIn; err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if err := <-revoked; err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if !waited {
		t.Error("the revoke did not wait for the sign-in's transaction")
	}
	var ended bool
	if err := e.pool.QueryRow(context.Background(), `SELECT revoked_at IS NOT NULL FROM sessions WHERE id = $1`, sess).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if !ended {
		t.Error("the session signed in while the device was revoked is still valid")
	}

	// The revoke first: the sign-in is told the device is revoked.
	dev = newDevice("tablet 2")
	if err := revoke(dev); err != nil {
		t.Fatal(err)
	}
	err := e.store.Tx(context.Background(), func(tx *db.Tx) error { _, err := signIn(tx, dev); return err })
	if !errors.Is(err, db.ErrDeviceRevoked) {
		t.Errorf("signing in on a revoked device: %v, want ErrDeviceRevoked", err)
	}
}

// TestSessionRotateOnRevokedDevice: a refresh whose new session waits for
// the device's revoke (the device row, locked by the revoke) answers that
// the session has ended (401 unauthorized, as a refresh after a logout),
// not device_revoked (the PIN page's answer for a revoked device key).
func TestSessionRotateOnRevokedDevice(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 4)
	ctx := e.owner(t, "rotate-revoked")
	a := *familyhub.AuthFromContext(ctx)
	var dev uuid.UUID
	dev, a.SessionID = e.deviceWithSession(t, ctx)
	// The revoke, committed once the refresh waits for the device.
	bg := context.Background()
	revoke := e.lockDevice(t, dev)
	sctx := familyhub.NewContextWithAuth(bg, &a)
	rotated := make(chan error, 1)
	go func() {
		rotated <- e.store.Tx(sctx, func(tx *db.Tx) error { _, _, err := tx.SessionRotate(sctx, db.SessionMeta{TTL: time.Hour}); return err })
	}()
	waited := e.lockWaiter(t, "")
	revokeDevice(t, revoke, dev)
	err := <-rotated
	if !waited {
		t.Fatalf("the refresh did not wait for the revoke (it answered %v)", err)
	}
	var fe *familyhub.Error
	if !errors.As(err, &fe) || fe.Code != familyhub.EUNAUTHORIZED {
		t.Fatalf("refreshing a session while its device is revoked: %v, want %s", err, familyhub.EUNAUTHORIZED)
	}
}
