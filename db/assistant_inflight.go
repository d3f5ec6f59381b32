package db

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// The assistant's commands in flight (00047_assistant_inflight.sql): what
// a spoken "undo that" waits for, whichever replica answers them.

// AssistantInflightStart notes the caller's command commandID, answered
// by replica, as in flight for ttl at most (a killed replica's row counts
// no longer), and deletes the family's expired rows. It returns the
// command's place in the order of arrival (AssistantInflightEarlier);
// 0 and nothing noted when the caller is no user. The row is visible to
// the other replicas once tx commits.
func (tx *Tx) AssistantInflightStart(ctx context.Context, commandID uuid.UUID, replica string, ttl time.Duration) (int64, error) {
	family, err := tx.family()
	if err != nil {
		return 0, err
	}
	user := tx.user()
	if user == nil {
		return 0, nil
	}
	seq, err := tx.q.AssistantInflightStart(ctx, tx, dbsqlc.AssistantInflightStartParams{FamilyID: family, UserID: *user,
		CommandID: commandID, Replica: replica, Ttl: pgtype.Interval{Microseconds: ttl.Microseconds(), Valid: true}})
	return seq, Err(err, "assistant command")
}

// AssistantInflightEnd deletes the row seq of AssistantInflightStart: its
// command has ended.
func (s *Store) AssistantInflightEnd(ctx context.Context, seq int64) error {
	return Err(s.Q.AssistantInflightEnd(ctx, s.Pool, seq), "assistant command")
}

// AssistantInflightEarlier counts user's commands in flight, not expired,
// that arrived before the one noted as seq and do not hold their
// command's lock yet (AssistantCommandSerialize).
func (s *Store) AssistantInflightEarlier(ctx context.Context, user uuid.UUID, seq int64) (int64, error) {
	n, err := s.Q.AssistantInflightEarlier(ctx, s.Pool, dbsqlc.AssistantInflightEarlierParams{UserID: user, Seq: seq})
	return n, Err(err, "assistant command")
}
