package jobs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/familyhub/familyhub/notify"
)

// Notifications (notify/, docs/notifications.md): one job sends each
// notice when it is due; a periodic one schedules what falls due within
// the horizon.

// NotifyDeliverArgs are notify-deliver's arguments: the notice to send.
type NotifyDeliverArgs struct {
	NoticeID uuid.UUID `json:"notice_id"`
}

// Kind implements river.JobArgs.
func (NotifyDeliverArgs) Kind() string { return "notify-deliver" }

// NotifyScanArgs are notify-scan's arguments (none).
type NotifyScanArgs struct{}

// Kind implements river.JobArgs.
func (NotifyScanArgs) Kind() string { return "notify-scan" }

// registerNotify registers the notification jobs when the engine has a
// notifier, and makes the engine its queue.
func (e *Engine) registerNotify() error {
	n := e.cfg.Notifier
	if n == nil {
		return nil
	}
	n.SetQueue(e)
	return errors.Join(
		Register(e, Job[NotifyDeliverArgs]{Run: e.runNotifyDeliver, Flags: notifyDeliverFlags,
			Usage: "send one notice now if it is due (--notice ID)"}),
		Register(e, Job[NotifyScanArgs]{Run: func(ctx context.Context, _ NotifyScanArgs) error { return n.Scan(ctx) },
			Every: n.Config().ScanEvery, Usage: "schedule the reminders and morning digests due within the hour"}),
	)
}

func notifyDeliverFlags(fs *flag.FlagSet, a *NotifyDeliverArgs) func() error {
	id := fs.String("notice", "", "the notice's id (notify_notices.id)")
	return func() error {
		u, err := uuid.Parse(*id)
		if err != nil {
			return fmt.Errorf("--notice %q is not a notice id", *id)
		}
		a.NoticeID = u
		return nil
	}
}

// runNotifyDeliver sends a notice. Quiet hours and a push service's
// Retry-After snooze the job (no attempt counted); other failures are
// retried with River's backoff.
func (e *Engine) runNotifyDeliver(ctx context.Context, args NotifyDeliverArgs) error {
	err := e.cfg.Notifier.Deliver(ctx, args.NoticeID)
	var de *notify.DeferError
	var re *notify.RetryError
	switch {
	case errors.As(err, &de) && JobRow(ctx) != nil:
		Logger(ctx).Debug("notice waits for the end of quiet hours", "notice_id", args.NoticeID, "until", de.Until)
		return river.JobSnooze(max(time.Until(de.Until), time.Second))
	case errors.As(err, &re) && JobRow(ctx) != nil:
		Logger(ctx).Info("notice sent in part; retrying", "notice_id", args.NoticeID, "after", re.After, "err", re.Err)
		return river.JobSnooze(max(re.After, time.Second))
	}
	return err
}

// NotifyDeliverTx enqueues the sending of a notice in the caller's
// transaction, to run at at (at once when that has come). It implements
// notify.Queue. Before Start (`familyhub jobs run`), it inserts through a
// client that only inserts.
func (e *Engine) NotifyDeliverTx(ctx context.Context, tx pgx.Tx, noticeID uuid.UUID, at time.Time) error {
	client, err := e.inserter()
	if err != nil {
		return err
	}
	opts := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
	if time.Until(at) > time.Second {
		opts.ScheduledAt = at
	}
	_, err = client.InsertTx(ctx, tx, NotifyDeliverArgs{NoticeID: noticeID}, opts)
	return err
}

// inserter returns the running client, or an insert-only one.
func (e *Engine) inserter() (*river.Client[pgx.Tx], error) {
	if c := e.Client(); c != nil {
		return c, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.insertOnly == nil {
		c, err := river.NewClient(e.riverDriver(), &river.Config{Logger: e.logger.With("subsystem", "river")})
		if err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		e.insertOnly = c
	}
	return e.insertOnly, nil
}
