package assistant

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
)

// TestSerializeLockOrder: the one statement of AssistantCommandSerialize
// takes the member's lock before the command's, as the five statements
// before it did. Replicas of both versions run side by side during a
// rollout; taken in the other order, a command and its retry by id on
// the two versions could each hold one lock and wait for the other. With
// the command's lock held elsewhere, the statement waits for it holding
// the member's lock already.
func TestSerializeLockOrder(t *testing.T) {
	f := newTestFamily(t)
	id := uuid.New()
	release := f.holdRow(`SELECT 1 FROM pg_advisory_xact_lock(hashtextextended('familyhub.assistant:' || $1::text, 0))`, "command:"+id.String())
	released := false
	defer func() {
		if !released {
			release()
		}
	}()
	done := make(chan error, 1)
	go func() {
		done <- f.store.Tx(f.ctx(f.ana), func(tx *db.Tx) error {
			return tx.AssistantCommandSerialize(context.Background(), id, db.AssistantCommandWait)
		})
	}()
	if !f.waitLocks(1) {
		t.Fatal("the command's lock was not waited for within 10 s")
	}
	var free bool
	if err := f.pool.QueryRow(context.Background(), `SELECT pg_try_advisory_xact_lock(hashtextextended('familyhub.assistant:' || $1::text, 0))`,
		"user:"+f.ana.UserID.String()).Scan(&free); err != nil {
		t.Fatal(err)
	}
	release()
	released = true
	if err := <-done; err != nil {
		t.Fatalf("serialize after the command's lock was released: %v", err)
	}
	if free {
		t.Error("waiting for the command's lock, the member's lock was not held: the member's must be taken first")
	}
}
