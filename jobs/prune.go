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

// pruneBatch bounds each DELETE of event_log to 10,000 seqs of one family,
// keeping transactions short.
const pruneBatch = 10000

// authFailureRetention is well beyond the login rate limit's window.
const authFailureRetention = 24 * time.Hour

// revokedDeviceKeyRetention is how long a revoked children's device key
// answers device_revoked (00048); later it is unknown again, counted once
// as a wrong key, and forgotten by the app anyway.
const revokedDeviceKeyRetention = 90 * 24 * time.Hour

// runPruneEvents deletes what is kept only for a while: event_log rows
// older than EventRetention (a client resuming from before that is told to
// resync), realtime tickets expired over an hour ago, login failures older
// than a day, sessions expired or revoked more than SessionRetention ago,
// the client ids of creates older than EventRetention, expired claims on
// the classifier's questions, and, like ended sessions, invites used or
// expired and calendar feeds revoked more than SessionRetention ago (a
// revoked feed only once no app has asked for it for as long), and the
// keys of children's devices revoked more than 90 days ago. Deleting is
// idempotent: concurrent runs delete each row once.
func (e *Engine) runPruneEvents(ctx context.Context, _ PruneEventsArgs) error {
	now := e.cfg.Now()
	events, err := e.pruneEventLog(ctx, now.Add(-e.cfg.EventRetention))
	if err != nil {
		return err
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
	deviceKeys, err := e.store.Q.ChildDeviceRevokedKeyPrune(ctx, e.store.Pool, now.Add(-revokedDeviceKeyRetention))
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
		"invites", invites, "ical_feeds", feeds, "revoked_device_keys", deviceKeys, "client_creates", creates, "classifier_claims", claims,
		"event_retention", e.cfg.EventRetention)
	return nil
}

// pruneEventLog deletes every family's events older than before, family by
// family through event_log's primary key (family_id, seq): it reads only
// the expired events' pages, plus a few for a family with none. A family's
// times follow its seqs (its events' at is taken after its counter is
// locked, 00027 and 00037), so its expired events are the seqs below its
// boundary, the first seq with at >= before. They go lowest first, at most
// pruneBatch seqs a statement, each statement its own transaction: a
// family's log never has a gap, not even while the prune runs. Two runs at
// once delete each event once (the second finds it gone).
func (e *Engine) pruneEventLog(ctx context.Context, before time.Time) (int64, error) {
	families, err := e.store.Q.PruneFamilyList(ctx, e.store.Pool)
	if err != nil {
		return 0, err
	}
	var events int64
	for _, family := range families {
		b, err := e.store.Q.EventLogPruneBounds(ctx, e.store.Pool, dbsqlc.EventLogPruneBoundsParams{FamilyID: family, Before: before})
		if err != nil {
			return events, err
		}
		for from := b.Lowest; from < b.Boundary; from += pruneBatch {
			n, err := e.store.Q.EventLogPruneRange(ctx, e.store.Pool, dbsqlc.EventLogPruneRangeParams{
				FamilyID: family, FromSeq: from, ToSeq: min(from+pruneBatch, b.Boundary), Before: before,
			})
			if err != nil {
				return events, err
			}
			events += n
		}
	}
	return events, nil
}
