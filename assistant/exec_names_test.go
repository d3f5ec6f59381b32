package assistant

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestCompleteNotByNameAlone: a title said that shares only a member's name
// with a task ("done tim", dictated "well done Tim" without "well") does
// not complete "Pick up Tim"; a title that shares more than the name, or
// is the task's whole title, still does, and so do "done dishes" and
// "Müll erledigt".
func TestCompleteNotByNameAlone(t *testing.T) {
	f := newTestFamily(t)
	for _, title := range []string{"Pick up Tim", "Call Mia and Ben", "Dishes", "Müll rausbringen", "Ben"} {
		f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title})
			return err
		})
	}
	f.refused("done tim", familyhub.EINVALID, "No open task matches “Tim”.")
	f.refused("done mia and ben", familyhub.EINVALID, "No open task matches")
	f.refused("snooze tim until tomorrow", familyhub.EINVALID, "No open task matches “Tim”.")
	for text, want := range map[string]string{
		"done dishes":      "Marked “Dishes” as done.",
		"Müll erledigt":    "„Müll rausbringen“ ist erledigt.",
		"done pick up tim": "Marked “Pick up Tim” as done.",
		"done call mia":    "Marked “Call Mia and Ben” as done.",
		"done ben":         "Marked “Ben” as done.",
	} {
		if a := f.do(text); a.Message != want {
			t.Errorf("%q: %q, want %q", text, a.Message, want)
		}
	}
}
