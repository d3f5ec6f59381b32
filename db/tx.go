package db

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Tx is one transaction on behalf of one caller (the familyhub.Auth the
// context carried when it began). The domain operations are its methods:
// each scopes every query to the caller's family, so another family's row
// is "not found", and writes only inside the transaction, so a refused
// request writes nothing.
//
// Tx embeds pgx.Tx: it is also a dbsqlc.DBTX, for the few low-level
// queries of jobs and tests.
type Tx struct {
	pgx.Tx
	store *Store
	auth  *familyhub.Auth
	q     *dbsqlc.Queries
}

// Tx runs fn in a transaction and commits when fn returns nil. When ctx
// carries a familyhub.Auth, it is the transaction's caller: it is told to
// PostgreSQL (familyhub.actor_id, familyhub.device_id) so that the event
// triggers record who made each change. On a pool from Open, the
// transaction's events are announced right after its commit rather than
// inside it (announce.go). Errors from fn and from PostgreSQL come back
// translated by Err.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	a := familyhub.AuthFromContext(ctx)
	conn, err := s.Pool.Acquire(ctx)
	if err != nil {
		return Err(err, "")
	}
	defer conn.Release()
	var owed *[]announcement
	if announces(s.Pool) {
		owed = new([]announcement)
		pc := conn.Conn().PgConn()
		collectors.Store(pc, owed)
		defer collectors.Delete(pc)
	}
	err = pgx.BeginFunc(ctx, conn, func(ptx pgx.Tx) error {
		actor, device := "", ""
		if a != nil && a.UserID != uuid.Nil {
			actor = a.UserID.String()
		}
		if a != nil {
			device = a.DeviceID
		}
		switch {
		case owed != nil:
			if _, err := ptx.Exec(ctx, "SELECT set_config('familyhub.actor_id', $1, true), set_config('familyhub.device_id', $2, true), set_config('familyhub.announce', 'after_commit', true)",
				actor, device); err != nil {
				return err
			}
		case actor != "" || device != "":
			if _, err := ptx.Exec(ctx, "SELECT set_config('familyhub.actor_id', $1, true), set_config('familyhub.device_id', $2, true)",
				actor, device); err != nil {
				return err
			}
		}
		return fn(&Tx{Tx: ptx, store: s, auth: a, q: s.Q})
	})
	if err == nil && owed != nil && len(*owed) > 0 {
		s.announce(conn.Conn(), *owed)
	}
	return Err(err, "")
}

// Auth returns the transaction's caller, or nil when it has none.
func (tx *Tx) Auth() *familyhub.Auth { return tx.auth }

// caller returns the caller, or EUNAUTHORIZED when the transaction has
// none: every family-scoped operation needs one.
func (tx *Tx) caller() (*familyhub.Auth, error) {
	if tx.auth == nil || tx.auth.FamilyID == uuid.Nil {
		return nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in first.")
	}
	return tx.auth, nil
}

// family returns the caller's family id (uuid.Nil with an error when there
// is no caller).
func (tx *Tx) family() (uuid.UUID, error) {
	a, err := tx.caller()
	if err != nil {
		return uuid.Nil, err
	}
	return a.FamilyID, nil
}

// user returns the calling person's id, or nil for the system.
func (tx *Tx) user() *uuid.UUID {
	if tx.auth == nil || tx.auth.UserID == uuid.Nil {
		return nil
	}
	id := tx.auth.UserID
	return &id
}

// WithAuth returns the transaction acting for another caller (the same
// transaction): for seeding and for jobs that act for several families.
func (tx *Tx) WithAuth(a *familyhub.Auth) *Tx {
	return &Tx{Tx: tx.Tx, store: tx.store, auth: a, q: tx.q}
}
