package jobs

import (
	"context"
	"time"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// PruneEventsArgs are prune-events' arguments (none).
type PruneEventsArgs struct{}

// Kind implements river.JobArgs.
func (PruneEventsArgs) Kind() string { return "prune-events" }

// pruneBlocks bounds each DELETE of event_log to 256 pages (2 MiB, about
// 10,000 events), keeping transactions short.
const pruneBlocks = 256

// authFailureRetention is well beyond the login rate limit's window.
const authFailureRetention = 24 * time.Hour

// runPruneEvents deletes what is kept only for a while: event_log rows
// older than EventRetention (a client resuming from before that is told to
// resync), realtime tickets expired over an hour ago, login failures older
// than a day, sessions expired or revoked more than SessionRetention ago,
// the client ids of creates older than EventRetention, expired claims on
// the classifier's questions, and, like ended sessions, invites used or
// expired and calendar feeds revoked more than SessionRetention ago (a
// revoked feed only once no app has asked for it for as long). Deleting is
// idempotent: concurrent runs delete each row once.
func (e *Engine) runPruneEvents(ctx context.Context, _ PruneEventsArgs) error {
	now := e.cfg.Now()
	// event_log range by range (it has no time index: 00045); pages added
	// meanwhile hold new events.
	blocks, err := e.store.Q.EventLogBlocks(ctx, e.store.Pool)
	if err != nil {
		return err
	}
	var events int64
	for from := int64(0); from < blocks; from += pruneBlocks {
		n, err := e.store.Q.EventLogPruneBlocks(ctx, e.store.Pool, dbsqlc.EventLogPruneBlocksParams{
			Before: now.Add(-e.cfg.EventRetention), FromBlock: from, ToBlock: from + pruneBlocks,
		})
		if err != nil {
			return err
		}
		events += n
	}
	tickets, err := e.store.Q.RealtimeTicketPrune(ctx, e.store.Pool)
	if err != nil {
		return err
	}
	failures, err := e.store.Q.AuthFailurePrune(ctx, e.store.Pool, authFailureRetention.Seconds())
	if err != nil {
		return err
	}
	sessions, err := e.store.Q.SessionPrune(ctx, e.store.Pool, now.Add(-e.cfg.SessionRetention))
	if err != nil {
		return err
	}
	// Credentials that no longer let anyone in are kept as long as ended
	// sessions: invites used or expired, feeds revoked.
	invites, err := e.store.Q.InvitePrune(ctx, e.store.Pool, now.Add(-e.cfg.SessionRetention))
	if err != nil {
		return err
	}
	feeds, err := e.store.Q.ICalFeedPrune(ctx, e.store.Pool, now.Add(-e.cfg.SessionRetention))
	if err != nil {
		return err
	}
	// Client ids of creates are remembered as long as the event log: a
	// client that was offline longer resyncs anyway.
	creates, err := e.store.Q.ClientCreatePrune(ctx, e.store.Pool, now.Add(-e.cfg.EventRetention))
	if err != nil {
		return err
	}
	// Claims on the classifier's questions are released by their run; only
	// a run that died leaves one, expired after its lease.
	claims, err := e.store.Q.ShoppingClassifierClaimPrune(ctx, e.store.Pool)
	if err != nil {
		return err
	}
	Logger(ctx).Info("pruned", "events", events, "tickets", tickets, "auth_failures", failures, "sessions", sessions,
		"invites", invites, "ical_feeds", feeds, "client_creates", creates, "classifier_claims", claims,
		"event_retention", e.cfg.EventRetention)
	return nil
}
