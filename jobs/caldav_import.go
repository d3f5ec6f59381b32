package jobs

import (
	"context"
	"flag"
	"fmt"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/ical"
)

// CalDAVImportArgs are the caldav-import job's arguments: one subscription,
// or (nil) every subscription that is due.
type CalDAVImportArgs struct {
	SubscriptionID *uuid.UUID `json:"subscription_id,omitempty"`
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
		args.SubscriptionID = &u
		return nil
	}
}

// runCalDAVImport syncs the external calendars families subscribed to,
// with the server's calendar configuration (secret key, private addresses).
func (e *Engine) runCalDAVImport(ctx context.Context, args CalDAVImportArgs) error {
	if args.SubscriptionID != nil {
		return ical.ImportSubscription(ctx, e.store, e.cfg.Calendar, Logger(ctx), *args.SubscriptionID)
	}
	return ical.ImportSubscriptions(ctx, e.store, e.cfg.Calendar, Logger(ctx))
}
