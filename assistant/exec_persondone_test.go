package assistant

import (
	"context"
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestPersonDoneNoTask: "Leo is done" in a family without a member Leo,
// with a task "Leo", does not complete it (a person being done, no task):
// the answer says so, in English and German, and how to complete it;
// "mark Leo as done" does. A chore said done ("Laundry's done", "Wäsche
// ist fertig") still completes its task.
func TestPersonDoneNoTask(t *testing.T) {
	f := newTestFamily(t)
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		for _, title := range []string{"Leo", "Laundry", "Wäsche"} {
			if _, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title}); err != nil {
				return err
			}
		}
		return nil
	})
	before := f.state(true)
	for _, text := range []string{"Leo is done", "Leo's finished"} {
		f.refused(text, familyhub.EINVALID, "“Leo” sounds like someone being done, not a task, so I did not complete anything. To complete the task “Leo”, say “mark Leo as done”.")
	}
	_, err := f.svc.Command(f.ctx(f.ana), Request{Text: "Leo ist fertig", Lang: "de"})
	if !strings.Contains(familyhub.ErrorMessage(err), "„Leo“ klingt nach jemandem, der fertig ist") {
		t.Errorf("German: %v", err)
	}
	if f.state(true) != before {
		t.Fatal("a refused command wrote")
	}
	if a := f.do("mark Leo as done"); a.Message != "Marked “Leo” as done." {
		t.Errorf("mark: %q", a.Message)
	}
	if a := f.do("Laundry's done"); a.Result.Task == nil || a.Result.Task.Title != "Laundry" {
		t.Errorf("laundry: %q", a.Message)
	}
	a, err := f.svc.Command(f.ctx(f.ana), Request{Text: "Wäsche ist fertig", Lang: "de"})
	if err != nil || a.Result.Task == nil || a.Result.Task.Title != "Wäsche" {
		t.Errorf("Wäsche: %q %v", a.Message, err)
	}
}

// TestCountRangeBeforeAnyNoun: "add 2-3 tent pegs" (no grocery the
// lexicon knows) adds 2-3 tent pegs; it was an event at 14:00.
func TestCountRangeBeforeAnyNoun(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	for _, text := range []string{"add 2-3 tent pegs", "buy 2 to 3 tarps"} {
		if a := f.do(text); a.Intent.Type != IntentShoppingAddItems {
			t.Errorf("%q: %s %q", text, a.Intent.Type, a.Message)
		}
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "2-3 tent pegs, 2-3 tarps" {
		t.Errorf("items %q", got)
	}
}
