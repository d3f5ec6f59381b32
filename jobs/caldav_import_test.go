package jobs

import (
	"flag"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestCalDAVImportGone: the job for one subscription that is not there
// (deleted after the job was queued) is done, nothing to retry; run by
// hand (`familyhub jobs run caldav-import --subscription <id>`) the same id
// is an error that says there is no such subscription.
func TestCalDAVImportGone(t *testing.T) {
	pool := dbtest.Pool(t)
	e := newTestEngine(t, pool, Config{})
	id := uuid.New()
	if err := e.runCalDAVImport(t.Context(), CalDAVImportArgs{SubscriptionID: &id}); err != nil {
		t.Errorf("the job for a deleted subscription: %v, want done quietly", err)
	}

	fs := flag.NewFlagSet("caldav-import", flag.ContinueOnError)
	cmd, err := e.Command("caldav-import", fs)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--subscription", id.String()}); err != nil {
		t.Fatal(err)
	}
	err = cmd.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "no calendar subscription "+id.String()) {
		t.Errorf("by hand: %v, want it to say there is no calendar subscription %s", err, id)
	}
}
