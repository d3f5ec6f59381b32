package assistant

import "testing"

// TestNoExamOnADay: "Tim schreibt morgen keine Mathearbeit" cancels that
// day's "Mathearbeit", as "Tim hat morgen kein Training" cancels
// "Training" (it was the cancel of an event "Tim schreibt Mathearbeit");
// something written that is no test is neither a cancel nor a to-do.
func TestNoExamOnADay(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "Tim schreibt morgen keine Mathearbeit", `{"slots":{"date":"2026-03-12","title":"Mathearbeit"},"type":"calendar.cancel"}`},
			{"de", "Mia schreibt am Freitag keinen Vokabeltest", `{"slots":{"date":"2026-03-13","title":"Vokabeltest"},"type":"calendar.cancel"}`},
			{"de", "Tim schreibt morgen keinen Brief", ""},
			{"de", "Tim schreibt am Donnerstag eine Mathearbeit", `{"slots":{"all_day":true,"ends_at":"2026-03-13T00:00","starts_at":"2026-03-12T00:00","title":"Tim: Mathearbeit"},"type":"calendar.create"}`},
		})
	}
}

// TestAppointmentArranged: "Termin vereinbaren" alone, or with whom, is the
// task to arrange it, as "Zahnarzttermin vereinbaren" is ("Termin" was
// read as the command word that starts "Termin morgen um 3").
func TestAppointmentArranged(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "Termin vereinbaren", `{"slots":{"title":"Termin vereinbaren"},"type":"task.create"}`},
		{"de", "Termin beim Zahnarzt vereinbaren", `{"slots":{"title":"Termin beim Zahnarzt vereinbaren"},"type":"task.create"}`},
		{"de", "Termin ausmachen", `{"slots":{"title":"Termin ausmachen"},"type":"task.create"}`},
		{"de", "Zahnarzttermin vereinbaren", `{"slots":{"title":"Zahnarzttermin vereinbaren"},"type":"task.create"}`},
	})
}

// TestNeedOfRest: a need no errand meets (a break, rest, time, "eine
// Pause") is how someone is, not understood: "I need a break tomorrow" was
// the task "Get a break", "I need a rest" the item "rest". Needs of things
// stay errands or shopping.
func TestNeedOfRest(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "I need a break tomorrow", ""},
		{"en", "I need a rest", ""},
		{"en", "i really need a nap", ""},
		{"en", "we need a holiday", ""},
		{"de", "ich brauche morgen eine Pause", ""},
		{"de", "morgen brauche ich mal Ruhe", ""},
		{"de", "wir brauchen Urlaub", ""},
		{"en", "I need a haircut tomorrow", `{"slots":{"assignee":"me","due_at":"2026-03-12T23:59","title":"Get a haircut"},"type":"task.create"}`},
		{"en", "we need milk", addItems("milk")},
		{"en", "we need brake pads", addItems("brake pads")},
		{"de", "wir brauchen Milch", `{"slots":{"items":[{"name":"Milch"}]},"type":"shopping.add_items"}`},
	})
}

// TestSpanWithoutFrom: bare hours joined by "to"/"bis" after a day, or
// ending in "Uhr", and hours joined by "and"/"und" after "between"/
// "zwischen", are the event's span ("dentist thursday 3 to 4" was the
// all-day "Dentist 3 to 4", "Zahnarzt Donnerstag 15 bis 16 Uhr"
// "Zahnarzt 15" at 16:00).
func TestSpanWithoutFrom(t *testing.T) {
	ev := func(title, start, end string) string {
		return `{"slots":{"ends_at":"2026-03-` + end + `","starts_at":"2026-03-` + start + `","title":"` + title + `"},"type":"calendar.create"}`
	}
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "dentist thursday 3 to 4", ev("Dentist", "12T15:00", "12T16:00")},
		{"en", "dentist on friday between 3 and 4", ev("Dentist", "13T15:00", "13T16:00")},
		{"de", "Zahnarzt Donnerstag 15 bis 16 Uhr", ev("Zahnarzt", "12T15:00", "12T16:00")},
		{"de", "Zahnarzt am Freitag zwischen 15 und 16 Uhr", ev("Zahnarzt", "13T15:00", "13T16:00")},
		{"de", "der Heizungsmonteur kommt am Dienstag zwischen 8 und 12", ev("Heizungsmonteur kommt", "17T08:00", "17T12:00")},
		{"en", "dentist on friday from 3 to 4", ev("Dentist", "13T15:00", "13T16:00")},
	})
}

// TestRunOut: "we've got no more toilet roll", "there's no milk left" put
// what has run out on the list (the first asked to tick "no more toilet
// roll"); no more time is no shopping, and "there's no piano lesson
// tomorrow" stays the cancel.
func TestRunOut(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "we've got no more toilet roll", addItems("toilet roll")},
		{"en", "there's no milk left", addItems("milk")},
		{"en", "we have no more eggs", addItems("eggs")},
		{"en", "i've got no more nappies left", addItems("nappies")},
		{"en", "we've got no more time", ""},
		{"en", "there's no piano lesson tomorrow", `{"slots":{"date":"2026-03-12","title":"Piano lesson"},"type":"calendar.cancel"}`},
		{"en", "we've got milk", `{"slots":{"items":[{"name":"milk"}]},"type":"shopping.check_items"}`},
	})
}
