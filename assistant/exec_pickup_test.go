package assistant

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db"
)

// TestPickupQuestion: "who's picking up Tim" / "wer holt Tim ab" answers
// from today's and tomorrow's tasks and events whose title says picking
// Tim up: who (the task's assignee, a member named in an event's title,
// "you" for the speaker) and when, that nobody is down for one, or that
// nothing is planned. Other people's pick-ups, done tasks and Tim's own
// events do not count; nothing is written.
func TestPickupQuestion(t *testing.T) {
	f := newTestFamily(t)
	f.setNow(parseNow(t)) // Wednesday 11 March 2026, 10:00
	at := func(day, h int) *time.Time {
		v := time.Date(2026, 3, day, h, 0, 0, 0, f.loc)
		return &v
	}
	says := func(lang, text, want string) {
		t.Helper()
		before := f.state(true)
		a, err := f.svc.Command(f.ctx(f.ana), Request{Text: text, Lang: lang})
		if err != nil || a.Message != want || a.Intent.Type != IntentQueryPickup || a.Undoable {
			t.Errorf("%q: %s %q %v, want %q", text, a.Intent.Type, a.Message, err, want)
		}
		if f.state(true) != before {
			t.Errorf("%q wrote", text)
		}
	}
	says("en", "who's picking up Tim", "Nobody is down to pick up Tim today or tomorrow.")
	says("de", "wer holt Tim ab", "Niemand ist eingetragen, um Tim heute oder morgen abzuholen.")

	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		for _, tn := range []db.TaskNew{
			{Title: "Pick up Tim", DueAt: at(11, 15), AssigneeID: &f.ben.UserID},
			{Title: "Pick up Mia", DueAt: at(12, 15), AssigneeID: &f.ana.UserID},
			{Title: "Pick up Tim", DueAt: at(13, 15), AssigneeID: &f.mia.UserID}, // Friday: not asked
		} {
			if _, _, err := tx.TaskCreate(ctx, tn); err != nil {
				return err
			}
		}
		old, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Tim abholen", DueAt: at(11, 8), AssigneeID: &f.mia.UserID})
		if err != nil {
			return err
		}
		if _, err := tx.TaskComplete(ctx, old.ID); err != nil { // done: no answer
			return err
		}
		for _, e := range []struct {
			title string
			day   int
		}{{"Tim abholen", 12}, {"Tim: Football", 12}, {"Oma holt Mia ab", 13}} {
			if _, _, err := tx.CalendarEventAdd(ctx, db.CalendarEventFields{Title: e.title, StartsAt: *at(e.day, 16), EndsAt: *at(e.day, 17)}); err != nil {
				return err
			}
		}
		return nil
	})
	says("en", "who's picking up Tim", "Ben is picking up Tim today at 15:00. “Tim abholen” is tomorrow at 16:00, but nobody is down for it.")
	says("de", "wer holt Tim ab", "Ben holt Tim heute um 15:00 Uhr ab. „Tim abholen“ ist morgen um 16:00 Uhr, aber niemand ist dafür eingetragen.")
	says("en", "who is picking up Mia tomorrow?", "You are picking up Mia tomorrow at 15:00.")
	says("de", "wer holt Mia heute ab?", "Niemand ist eingetragen, um Mia heute abzuholen.")
	says("de", "wer holt Mia am Freitag ab?", "Oma holt Mia übermorgen um 16:00 Uhr ab.")
}

// TestPickupOtherFamily: another family's pick-ups (a task and an event
// that say picking Tim up) are never named to this family.
func TestPickupOtherFamily(t *testing.T) {
	f := newTestFamily(t)
	f.setNow(parseNow(t)) // Wednesday 11 March 2026, 10:00
	other := newTestFamilyIn(t, f)
	at := time.Date(2026, 3, 11, 15, 0, 0, 0, f.loc)
	f.tx(other, func(ctx context.Context, tx *db.Tx) error {
		if _, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Pick up Tim", DueAt: &at, AssigneeID: &other.UserID}); err != nil {
			return err
		}
		_, _, err := tx.CalendarEventAdd(ctx, db.CalendarEventFields{Title: "Oma holt Tim ab", StartsAt: at.Add(24 * time.Hour), EndsAt: at.Add(25 * time.Hour)})
		return err
	})
	for lang, text := range map[string]string{"en": "who's picking up Tim", "de": "wer holt Tim ab"} {
		a, err := f.svc.Command(f.ctx(f.ana), Request{Text: text, Lang: lang})
		if err != nil || a.Intent.Type != IntentQueryPickup || strings.Contains(a.Message, "Zoe") || strings.Contains(a.Message, "Oma") ||
			!strings.HasPrefix(a.Message, map[string]string{"en": "Nobody", "de": "Niemand"}[lang]) {
			t.Errorf("%q: %q %v", text, a.Message, err)
		}
	}
}
