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

// TestWhoseTurn: whose turn a chore is gives it to them ("Mia is on
// dishes this week", "it's Tim's turn to empty the dishwasher", "Ben ist
// heute dran mit Staubsaugen" were not understood), and "take it in
// turns" rotates it, as "take turns" does; being on something that is no
// chore, or "dran" without one, says nothing to write.
func TestWhoseTurn(t *testing.T) {
	re := func(title, who string) string {
		return `{"slots":{"assignee":"` + who + `","title":"` + title + `"},"type":"task.reassign"}`
	}
	for _, names := range [][]string{nil, {"Tim", "Mia", "Ben"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "Mia is on dishes this week", re("Dishes", "Mia")},
			{"en", "it's Tim's turn to empty the dishwasher", re("Empty the dishwasher", "Tim")},
			{"en", "it's my turn to do the laundry", re("Laundry", "me")},
			{"en", "Tim and Mia take it in turns to feed the cat", `{"slots":{"rotation":["Tim","Mia"],"title":"Feed the cat"},"type":"task.rotate"}`},
			{"de", "Mia ist diese Woche mit dem Abwasch dran", re("Abwasch", "Mia")},
			{"de", "Ben ist heute dran mit Staubsaugen", re("Staubsaugen", "Ben")},
			{"en", "Tim is on holiday this week", ""},
			{"en", "Mia is on the phone", ""},
			{"de", "Tim ist dran", ""},
		})
	}
}

// TestMoveAsNews: a move said as news, not as a command, is the move
// ("the dentist has moved to friday at 2", "der Zahnarzt ist auf Freitag
// um 14 Uhr verschoben" were not understood).
func TestMoveAsNews(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "the dentist has moved to friday at 2", `{"slots":{"date":"2026-03-13","time":"14:00","title":"Dentist"},"type":"calendar.move"}`},
		{"en", "football was moved to 5", `{"slots":{"time":"17:00","title":"Football"},"type":"calendar.move"}`},
		{"en", "the parents evening has been rescheduled to thursday", `{"slots":{"date":"2026-03-12","title":"Parents evening"},"type":"calendar.move"}`},
		{"de", "der Zahnarzt ist auf Freitag um 14 Uhr verschoben", `{"slots":{"date":"2026-03-13","time":"14:00","title":"Zahnarzt"},"type":"calendar.move"}`},
		{"de", "das Training wurde auf Donnerstag verlegt", `{"slots":{"date":"2026-03-12","title":"Training"},"type":"calendar.move"}`},
	})
}

// TestDictatedCounts: a count in a dictated list starts the next item
// ("add 3 tins of beans 2 loaves of bread and a bag of rice" had the item
// "beans 2 loaves of bread"; "drei Dosen Tomaten zwei Gurken und eine
// Tüte Reis" was not understood), when what is before it is a grocery.
func TestDictatedCounts(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "add 3 tins of beans 2 loaves of bread and a bag of rice", `{"slots":{"items":[{"name":"beans","quantity":"3 tins"},{"name":"bread","quantity":"2 loaves"},{"name":"rice","quantity":"1 bag"}]},"type":"shopping.add_items"}`},
		{"de", "drei Dosen Tomaten zwei Gurken und eine Tüte Reis", `{"slots":{"items":[{"name":"Tomaten","quantity":"3 Dosen"},{"name":"Gurken","quantity":"2"},{"name":"Reis","quantity":"1 Tüte"}]},"type":"shopping.add_items"}`},
		{"de", "kauf Milch 6 Eier und Brot", `{"slots":{"items":[{"name":"Milch"},{"name":"Eier","quantity":"6"},{"name":"Brot"}]},"type":"shopping.add_items"}`},
		{"en", "add size 4 nappies", addItems("size 4 nappies")},
	})
}

// TestRotateVerbInErnDE: German infinitives in -ern and -eln rotate as
// those in -en do ("Tim und Mia füttern abwechselnd die Katze" was not
// understood, "machen abwechselnd den Abwasch" was read).
func TestRotateVerbInErnDE(t *testing.T) {
	rot := func(title string) string {
		return `{"slots":{"rotation":["Tim","Mia"],"title":"` + title + `"},"type":"task.rotate"}`
	}
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "Tim und Mia füttern abwechselnd die Katze", rot("Katze füttern")},
		{"de", "Tim und Mia bügeln abwechselnd die Hemden", rot("Hemden bügeln")},
		{"de", "Tim und Mia machen abwechselnd den Abwasch", rot("Abwasch machen")},
	})
}

// TestAnythingOnADayDE: "ist am Samstag irgendwas", as dictated without
// "los", asks what is on that day (it was not understood).
func TestAnythingOnADayDE(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "ist am Samstag irgendwas", `{"slots":{"date":"2026-03-14"},"type":"query.today"}`},
		{"de", "ist morgen etwas", `{"slots":{"date":"2026-03-12"},"type":"query.today"}`},
		{"de", "ist am Samstag irgendwas los", `{"slots":{"date":"2026-03-14"},"type":"query.today"}`},
		{"de", "Tim ist morgen irgendwas", ""},
	})
}

// TestPlanWithALength: how long a plan someone has lasts is its length,
// not part of what they have ("Tim has his eye test on monday at 9 for
// half an hour" was not understood).
func TestPlanWithALength(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "ok so Tim has his eye test on monday at 9 for half an hour", `{"slots":{"ends_at":"2026-03-16T09:30","starts_at":"2026-03-16T09:00","title":"Tim: Eye test"},"type":"calendar.create"}`},
			{"en", "Mia has piano on Friday at 4 for 45 minutes", `{"slots":{"ends_at":"2026-03-13T16:45","starts_at":"2026-03-13T16:00","title":"Mia: Piano"},"type":"calendar.create"}`},
			{"de", "Tim hat am Montag um 9 für eine halbe Stunde Augenarzt", `{"slots":{"ends_at":"2026-03-16T09:30","starts_at":"2026-03-16T09:00","title":"Tim: Augenarzt"},"type":"calendar.create"}`},
		})
	}
}

// TestTradeComing: someone named by their trade in two words coming is
// the event, as "the plumber is coming" is ("the boiler man is coming
// between 8 and 12 on tuesday" was not understood); their status stays
// nothing to write.
func TestTradeComing(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "the boiler man is coming between 8 and 12 on tuesday", `{"slots":{"ends_at":"2026-03-17T12:00","starts_at":"2026-03-17T08:00","title":"Boiler man coming"},"type":"calendar.create"}`},
		{"en", "the gas engineer is coming on friday at 9", `{"slots":{"ends_at":"2026-03-13T10:00","starts_at":"2026-03-13T09:00","title":"Gas engineer coming"},"type":"calendar.create"}`},
		{"en", "the boiler man is working late tonight", ""},
	})
}

// TestGroceriesNoted: groceries noted without a list ("zwei Packungen
// Windeln aufschreiben", "schreib Milch auf") are added to the default
// list (they were not understood); anything else noted is no shopping.
func TestGroceriesNoted(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "ähm kannst du zwei Packungen Windeln aufschreiben", `{"slots":{"items":[{"name":"Windeln","quantity":"2 Packungen"}]},"type":"shopping.add_items"}`},
		{"de", "schreib Milch auf", `{"slots":{"items":[{"name":"Milch"}]},"type":"shopping.add_items"}`},
		{"de", "Milch und Eier aufschreiben", `{"slots":{"items":[{"name":"Milch"},{"name":"Eier"}]},"type":"shopping.add_items"}`},
		{"de", "Zahnarzt aufschreiben", ""},
		{"de", "schreib den Termin auf", ""},
	})
}
