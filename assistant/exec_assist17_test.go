package assistant

import (
	"strings"
	"testing"
	"time"
)

// TestAssist17Replies: the last closing note's misreadings executed in a
// family (Ana, Ben, Mia, Tim), said by Ana: a school closed said "no
// school" records the closed day when the family keeps no "School" that
// day (it was refused: nothing to cancel), a German trip by train with a
// day is the event, as the English one is (it was a task), English lists
// dictated without commas are split, and a need with a day is a task (it
// was an event named after the sentence).
func TestAssist17Replies(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.wantExecuted(t, []saidCase{
		{"en", "no school on Monday", "“School closed”", nil},
		{"de", "keine Schule am Dienstag", "„Schule geschlossen“", nil},
		{"de", "Schule fällt am Donnerstag aus", "„Schule geschlossen“", nil},
		{"de", "ich fahre morgen mit dem Zug nach Berlin", "„Zugfahrt nach Berlin“", nil},
		{"de", "am Freitag fahren wir mit dem Zug nach Hamburg", "„Zugfahrt nach Hamburg“", nil},
		{"en", "milk eggs bread and butter", "milk, eggs, bread and butter", nil},
		{"en", "we need apples bananas and yoghurt", "apples, bananas and yoghurt", nil},
		{"en", "for Friday we need a babysitter", "“Get a babysitter”", nil},
		{"de", "für Freitag brauchen wir einen Babysitter", "„Babysitter besorgen“", nil},
		// the held-out batch's misses
		{"en", "Mia's swimming gala is on Saturday at 9", "“Mia's swimming gala”", nil},
		{"de", "Tim schreibt am Donnerstag eine Mathearbeit", "„Tim: Mathearbeit“", nil},
		{"de", "Friseurtermin für Tim ausmachen", "„Friseurtermin für Tim ausmachen“", nil},
	})
	f.wantRefused(t, [][2]string{
		{"de", "ich fahre mit dem Zug nach Berlin"},
		{"en", "no swimming on Monday"},
	})
}

// TestNoSchoolCancelsTheFamilysSchool: a family that keeps "School" on the
// calendar has that day's occurrence cancelled by "no school on Friday",
// the series kept and no "School closed" added; an event that only starts
// with the word ("School play") is no such event, and the closed day is
// recorded beside it, and undone as the event it is. Said on a Wednesday: Friday's is the series' first.
func TestNoSchoolCancelsTheFamilysSchool(t *testing.T) {
	f := newTestFamily(t)
	wed := f.next(time.Wednesday, false)
	f.setNow(time.Date(wed.Year(), wed.Month(), wed.Day(), 10, 0, 0, 0, f.loc))
	series := f.do("School every Friday at 8").Result.Event.ID
	a := f.do("no school on Friday")
	if !strings.Contains(a.Message, "Cancelled “School”") || a.Intent.Type != IntentCalendarCancel || a.Result.Event == nil || a.Result.Event.ID != series || a.Result.Deleted {
		t.Fatalf("no school on Friday: %+v", a)
	}
	play := f.do("School play on Thursday at 6pm").Result.Event.ID
	a = f.do("no school on Thursday")
	if !strings.Contains(a.Message, "“School closed”") || a.Intent.Type != IntentCalendarCreate || a.Result.Event == nil || a.Result.Event.ID == play {
		t.Fatalf("no school on Thursday: %+v", a)
	}
	if s := f.state(false); !strings.Contains(s, "School play") || strings.Count(s, "School closed") != 1 {
		t.Errorf("state: %s", s)
	}
	// the closed day is recorded as the event it is: undo takes it back
	if _, err := f.undo(f.ana, a.ID); err != nil {
		t.Fatal(err)
	}
	if s := f.state(false); !strings.Contains(s, "School play") || strings.Contains(s, "School closed") {
		t.Errorf("state after undo: %s", s)
	}
}
