package db_test

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestFamilyCalendarEventsMigration: migration 00023 adds the feeds' and
// subscriptions' FAMILY_UPDATED triggers as deferred constraint triggers
// (numbered at commit, 00019), and going down removes exactly those.
// What they announce is tested over HTTP (TestFeedAndSubscriptionEvents).
func TestFamilyCalendarEventsMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	triggers := func() (n int) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_trigger
			WHERE tgrelid IN ('ical_feeds'::regclass, 'calendar_subscriptions'::regclass)
			  AND tgfoid = 'familyhub_capture_event()'::regprocedure
			  AND tgconstraint <> 0 AND tgdeferrable AND tginitdeferred`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := triggers(); n != 4 {
		t.Fatalf("%d deferred capture triggers on ical_feeds and calendar_subscriptions, want 4", n)
	}
	if _, err := provider.DownTo(ctx, 22); err != nil {
		t.Fatal(err)
	}
	if n := triggers(); n != 0 {
		t.Fatalf("%d left after going down, want 0", n)
	}
	if _, err := provider.UpTo(ctx, 23); err != nil {
		t.Fatal(err)
	}
	if n := triggers(); n != 4 {
		t.Fatalf("%d after going up again, want 4", n)
	}
}
