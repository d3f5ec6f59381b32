package assistant

import (
	"errors"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestLocalizeKeepsBusy: a German command's busy answer (a deadlock whose
// retries ran out, db.ErrOtherChange) keeps its code and its reason, for
// the HTTP layer words it from its catalogue and the PWA from the reason.
// Before, localize made it a new error without the reason, worded as
// "invalid" (the catalogue has no error.busy).
func TestLocalizeKeepsBusy(t *testing.T) {
	err := newSpeaker("de", time.UTC, time.Now()).localize(db.ErrOtherChange)
	var fe *familyhub.Error
	if !errors.As(err, &fe) || fe.Code != familyhub.EBUSY || fe.Reason != "other_change" {
		t.Fatalf("localize(ErrOtherChange) in German = %#v, want code busy, reason other_change", err)
	}
}
