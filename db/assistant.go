package db

import (
	"context"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// AssistantCommandRecord records a command and its outcome. Recorded as
// executed with a device, its commit sends AI_INTENT_EXECUTED to that
// device (a trigger, 00010_assistant.sql).
func (tx *Tx) AssistantCommandRecord(ctx context.Context, rec dbsqlc.AssistantCommandInsertParams) error {
	return Err(tx.q.AssistantCommandInsert(ctx, tx, rec), "assistant command")
}
