package assistant

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestCreateManyEvents: one sentence of several events makes every one in
// one command, answered in one reply (en, de) that names each; one undo
// takes them all back, and refuses (undoing none) when one was changed
// since. More than MaxIntentEvents is refused and writes nothing.
func TestCreateManyEvents(t *testing.T) {
	f := newTestFamily(t)
	f.setNow(parseNow(t)) // Wednesday 11 March 2026, 10:00
	titles := func() string {
		var out []string
		f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
			from := time.Date(2026, 3, 1, 0, 0, 0, 0, f.loc)
			occs, _, err := tx.CalendarOccurrences(ctx, from, from.AddDate(0, 1, 0))
			for _, o := range occs {
				out = append(out, o.Event.Title+" "+o.Start.In(f.loc).Format("02 15:04"))
			}
			return err
		})
		return strings.Join(out, ", ")
	}

	a := f.do("dentist Monday at 9 and physio Wednesday at 4")
	if want := "Added 2 events to the calendar: “Dentist” on Monday at 09:00 and “Physio” today at 16:00."; a.Message != want {
		t.Errorf("message %q, want %q", a.Message, want)
	}
	if a.Intent.Type != IntentCalendarCreateMany || len(a.Result.Created) != 2 || !a.Undoable {
		t.Fatalf("answer %+v", a)
	}
	if got := titles(); got != "Physio 11 16:00, Dentist 16 09:00" {
		t.Errorf("calendar %q", got)
	}
	u, err := f.undo(f.ana, a.ID)
	if err != nil || u.Message != undoneOf(a.Message) {
		t.Fatalf("undo %q %v", u.Message, err)
	}
	if got := titles(); got != "" {
		t.Errorf("after undo %q", got)
	}

	de, err := f.svc.Command(f.ctx(f.ana), Request{Text: "Tim hat am Freitag Geburtstag und Mia am Samstag", Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "2 Termine eingetragen: „Tim: Geburtstag“ übermorgen (ganztägig) und „Mia: Geburtstag“ am Samstag (ganztägig)."; de.Message != want {
		t.Errorf("message %q, want %q", de.Message, want)
	}
	f.do("Elternabend am 12. um 19 Uhr und am 19.")
	if got := titles(); got != "Elternabend 12 19:00, Tim: Geburtstag 13 00:00, Mia: Geburtstag 14 00:00, Elternabend 19 19:00" {
		t.Errorf("calendar %q", got)
	}

	// Ben deletes one of the two: the undo puts back nothing.
	f.tx(f.ben, func(ctx context.Context, tx *db.Tx) error {
		return tx.CalendarEventDelete(ctx, de.Result.Created[1].ID)
	})
	if _, err := f.undo(f.ana, de.ID); !isCode(err, familyhub.ECONFLICT) || !strings.Contains(familyhub.ErrorMessage(err), "„Mia: Geburtstag“") {
		t.Errorf("undo after a change: %v", err)
	}
	if got := titles(); !strings.Contains(got, "Tim: Geburtstag") {
		t.Errorf("the refused undo deleted: %q", got)
	}

	// Undone the next day: each day named again from then, in its place.
	two := f.do("Zahnarzt morgen um 9 und Physio am Freitag um 16 Uhr")
	if want := "2 Termine eingetragen: „Zahnarzt“ morgen um 09:00 Uhr und „Physio“ übermorgen um 16:00 Uhr."; two.Message != want {
		t.Errorf("message %q, want %q", two.Message, want)
	}
	f.setNow(parseNow(t).AddDate(0, 0, 1))
	if u, err := f.undo(f.ana, two.ID); err != nil || u.Message != "Rückgängig gemacht: 2 Termine eingetragen: „Zahnarzt“ heute um 09:00 Uhr und „Physio“ morgen um 16:00 Uhr." {
		t.Errorf("undo the next day %q %v", u.Message, err)
	}
	f.setNow(parseNow(t))

	before := f.state(true)
	many := "swim on the 20th at 9 and on the 21st at 9 and on the 22nd at 9 and on the 23rd at 9 and on the 24th at 9 and " +
		"on the 25th at 9 and on the 26th at 9 and on the 27th at 9 and on the 28th at 9 and on the 29th at 9 and on the 30th at 9"
	f.refused(many, familyhub.EINVALID, "more than 10 events: I can add at most 10 at a time.")
	if f.state(true) != before {
		t.Error("a refused command wrote")
	}
	a, err = f.svc.Command(f.ctx(f.ana), Request{Text: "Schwimmen am 20. um 9, am 21. um 9, am 22. um 9, am 23. um 9, am 24. um 9, am 25. um 9, " +
		"am 26. um 9, am 27. um 9, am 28. um 9, am 29. um 9 und am 30. um 9", Lang: "en"})
	if err == nil || a.Lang != "de" || !strings.Contains(familyhub.ErrorMessage(err), "mehr als 10 Termine: ich trage höchstens 10 auf einmal ein.") {
		t.Errorf("German refusal %s %v", a.Lang, err)
	}
}
