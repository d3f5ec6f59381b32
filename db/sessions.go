package db

import (
	"context"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// A person's own sessions ("my devices"). Ending a session closes its
// sockets on every replica (the trigger of 00007_realtime.sql).

// SessionList returns the caller's live sessions, the most recently seen
// first.
func (tx *Tx) SessionList(ctx context.Context) ([]dbsqlc.SessionListByUserRow, error) {
	a, err := tx.caller()
	if err != nil {
		return nil, err
	}
	return tx.q.SessionListByUser(ctx, tx, a.UserID)
}

// SessionEnd ends one of the caller's sessions (the current one too): not
// found when it is not theirs or ended already.
func (tx *Tx) SessionEnd(ctx context.Context, id uuid.UUID) error {
	a, err := tx.caller()
	if err != nil {
		return err
	}
	tx.markAuthChanged()
	n, err := tx.q.SessionRevokeOfUser(ctx, tx, dbsqlc.SessionRevokeOfUserParams{ID: id, UserID: a.UserID})
	return deleted(n, err, "session")
}

// SessionEndOthers ends every session of the caller but the current one
// and returns how many it ended.
func (tx *Tx) SessionEndOthers(ctx context.Context) (int64, error) {
	a, err := tx.caller()
	if err != nil {
		return 0, err
	}
	keep := a.SessionID
	tx.markAuthChanged()
	return tx.q.SessionRevokeAllOfUser(ctx, tx, dbsqlc.SessionRevokeAllOfUserParams{UserID: a.UserID, Keep: &keep})
}
