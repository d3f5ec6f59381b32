package jobs

import (
	"context"
	"flag"
	"fmt"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/ical"
)

// CalDAVImportArgs are the caldav-import job's arguments: one subscription,
// or (nil) every subscription that is due.
type CalDAVImportArgs struct {
	SubscriptionID *uuid.UUID `json:"subscription_id,omitempty"`
	// byHand: the id came from the command line (--subscription), where
	// one that no subscription has is a mistake to report; a queued job's
	// subscription may have been deleted since, which is nothing to report.
	byHand bool
}

// Kind implements river.JobArgs: the job's name.
func (CalDAVImportArgs) Kind() string { return "caldav-import" }

func calDAVImportFlags(fs *flag.FlagSet, args *CalDAVImportArgs) func() error {
	id := fs.String("subscription", "", "sync only this subscription (its id)")
	return func() error {
		if *id == "" {
			return nil
		}
		u, err := uuid.Parse(*id)
		if err != nil {
			return fmt.Errorf("--subscription %q is not a subscription id", *id)
		}
		args.SubscriptionID, args.byHand = &u, true
		return nil
	}
}

// runCalDAVImport syncs the external calendars families subscribed to,
// with the server's calendar configuration (secret key, private addresses).
func (e *Engine) runCalDAVImport(ctx context.Context, args CalDAVImportArgs) error {
	if args.SubscriptionID != nil {
		if args.byHand {
			// ImportSubscription takes a missing subscription for one
			// deleted meanwhile and stops quietly; by hand it is a wrong id.
			// (Deleted between here and there, it still stops quietly.)
			_, err := e.store.SubscriptionGet(ctx, *args.SubscriptionID)
			if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
				return fmt.Errorf("there is no calendar subscription %s (GET /api/calendar/subscriptions lists their ids)", *args.SubscriptionID)
			} else if err != nil {
				return err
			}
		}
		return ical.ImportSubscription(ctx, e.store, e.cfg.Calendar, Logger(ctx), *args.SubscriptionID)
	}
	return ical.ImportSubscriptions(ctx, e.store, e.cfg.Calendar, Logger(ctx))
}
