package db

import (
	"context"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// Collection limits (familyhub.MaxShoppingLists and the rest, limits.go
// of the root package): a create counts its collection and refuses with
// ELIMIT at the limit. Two creates at the limit must not both see room, so
// the count is made under a lock that every create of that collection and
// owner takes first (LimitLock, an advisory lock until the transaction
// ends): the second waits for the first to commit and then counts its row.
// Deletes take no lock: they only make room.

// The names of the limit locks: one per collection, keyed by its owner (a
// family, a member or a list).
const (
	limitInvites       = "invites"
	limitAppPasswords  = "app-passwords"
	limitFeeds         = "ical-feeds"
	limitSubscriptions = "calendar-subscriptions"
	limitChildDevices  = "child-devices"
	limitPush          = "push-subscriptions"
	limitLists         = "shopping-lists"
	limitItems         = "shopping-items"
	limitRecipes       = "recipes"
	limitTemplates     = "task-templates"
	limitOpenTasks     = "open-tasks"
	limitEvents        = "calendar-events"
	limitTickets       = "realtime-tickets" // keyed by the session
)

// Aliases kept for the callers that name them in this package.
const (
	MaxOpenInvites                = familyhub.MaxOpenInvites
	MaxCalendarSubscriptions      = familyhub.MaxCalendarSubscriptions
	MaxPushSubscriptionsPerMember = familyhub.MaxPushSubscriptionsPerMember
)

// shoppingItemsMargin is how far below familyhub.MaxShoppingItemsPerList
// an add proves room on its own, without the list's limit lock (the
// statements of ShoppingItemInsert and ShoppingItemAddOne, queries/
// shopping.sql): a list within it of the limit is counted exactly under
// the lock. Adds that proved room concurrently can each add one item
// unseen by the others, so the limit holds while fewer than this many
// transactions run at once (far more than PostgreSQL's connections).
const shoppingItemsMargin = 1000

// limitLock takes the lock of one collection's limit for owner until the
// transaction ends.
func (tx *Tx) limitLock(ctx context.Context, kind string, owner uuid.UUID) error {
	return Err(tx.q.LimitLock(ctx, tx, kind+":"+owner.String()), "")
}

// underLimit takes the lock of kind's limit for owner and counts: it
// returns over when count says the collection holds max already.
func (tx *Tx) underLimit(ctx context.Context, kind string, owner uuid.UUID, max int, count func() (int32, error), over *familyhub.Error) error {
	if err := tx.limitLock(ctx, kind, owner); err != nil {
		return err
	}
	n, err := count()
	if err != nil {
		return Err(err, "")
	}
	if int(n) >= max {
		return over
	}
	return nil
}
