package assistant

import (
	"context"
	"strings"
	"testing"
	"time"

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

// TestNameAloneFindsNoEventRecipeOrRole: the name rule held for tasks
// only, so "cancel Tim" deleted "Tim's football" and "add the ingredients
// for Tim" added "Tim's lasagne"; and a family role was no name, so "done
// mum" completed "Call mum". A title that shares only a member's name or
// a family role with a record does not find it; the whole title still
// does, and so does more than the name.
func TestNameAloneFindsNoEventRecipeOrRole(t *testing.T) {
	f := newTestFamily(t)
	start := f.now.AddDate(0, 0, 2).Truncate(time.Hour)
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		for _, title := range []string{"Tim's football", "Oma"} {
			if _, _, err := tx.CalendarEventAdd(ctx, db.CalendarEventFields{Title: title, StartsAt: start, EndsAt: start.Add(time.Hour)}); err != nil {
				return err
			}
		}
		for _, title := range []string{"Call mum", "Oma anrufen"} {
			if _, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title}); err != nil {
				return err
			}
		}
		_, _, err := tx.RecipeCreate(ctx, db.RecipeNew{Title: "Tim's lasagne", Servings: 2, Ingredients: []db.Ingredient{{Name: "pasta"}}})
		return err
	})
	f.do("add milk to a new list called Camping")
	f.refused("cancel Tim", familyhub.EINVALID, "I found no event “Tim” in the calendar.")
	f.refused("when is Tim", familyhub.EINVALID, "I found no task or event “Tim”.")
	f.refused("add the ingredients for Tim", familyhub.EINVALID, "I found no recipe “Tim”.")
	f.refused("done mum", familyhub.EINVALID, "No open task matches “Mum”.")
	f.refused("done oma", familyhub.EINVALID, "No open task matches “Oma”.")
	for _, tc := range []struct{ text, want string }{
		{"when is Tim's football", "“Tim's football” is"},
		{"done call mum", "Marked “Call mum” as done."},
		{"Oma anrufen erledigt", "„Oma anrufen“ ist erledigt."},
		{"when is oma", "“Oma” is"},
		{"add everything for Tim's lasagne to the camping list", "Added 1 ingredient of “Tim's lasagne”"},
		{"cancel Tim's football", "Deleted “Tim's football” from the calendar."},
	} {
		if a := f.do(tc.text); !strings.Contains(a.Message, tc.want) {
			t.Errorf("%q: %q, want %q", tc.text, a.Message, tc.want)
		}
	}
}
