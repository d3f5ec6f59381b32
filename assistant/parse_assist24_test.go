package assistant

import "testing"

// assist24Reads checks that each text, said at parseNow in the test family
// (corpusMembers), is read as want (the corpus's canonical form).
func assist24Reads(t *testing.T, cases []struct{ text, locale, want string }) {
	t.Helper()
	now := parseNow(t)
	for _, c := range cases {
		got := "none"
		if in, err := parseIntent(c.text, c.locale, now, corpusMembers); err == nil {
			got = canonicalIntent(in, now.Location())
		}
		want := c.want
		if want != "none" {
			w, _, err := expectedIntent(want)
			if err != nil {
				t.Fatalf("%q: %v", c.want, err)
			}
			want = w
		}
		if got != want {
			t.Errorf("%q:\n got %s\nwant %s", c.text, got, want)
		}
	}
}

// TestMoveSaidAsWhatWeDo: a move said as what the speaker does ("wir
// verschieben den Zahnarzt auf Freitag", "we're moving the dentist to
// friday") moves the event; it was a new event "Wir verschieben den
// Zahnarzt auf" on Friday.
func TestMoveSaidAsWhatWeDo(t *testing.T) {
	assist24Reads(t, []struct{ text, locale, want string }{
		{"wir verschieben den Zahnarzt auf Freitag", "de", `calendar.move {"title":"Zahnarzt","date":"2026-03-13"}`},
		{"verschieben wir den Zahnarzt auf Freitag", "de", `calendar.move {"title":"Zahnarzt","date":"2026-03-13"}`},
		{"Wir verlegen das Elterngespräch auf Montag um 17 Uhr", "de", `calendar.move {"title":"Elterngespräch","date":"2026-03-16","time":"17:00"}`},
		{"we're moving the dentist to friday", "en", `calendar.move {"title":"Dentist","date":"2026-03-13"}`},
		{"we've moved swimming to thursday at 5", "en", `calendar.move {"title":"Swimming","date":"2026-03-12","time":"17:00"}`},
	})
}

// TestRotationFirstNameIsNoAddress: "Tim, Mia and Ben take turns …" in a
// family with a Tim rotates all three; knowing the members, Tim was read
// as the one spoken to and left out.
func TestRotationFirstNameIsNoAddress(t *testing.T) {
	assist24Reads(t, []struct{ text, locale, want string }{
		{"Tim, Mia and Ben take turns taking out the bins every Tuesday", "en", `task.rotate {"title":"Take out the bins","rotation":["Tim","Mia","Ben"],"recurrence":"FREQ=WEEKLY;BYDAY=TU"}`},
		{"Tim, Mia und Ben wechseln sich beim Tischdecken ab", "de", `task.rotate {"title":"Tischdecken","rotation":["Tim","Mia","Ben"]}`},
	})
}

// TestEveryTwoWeeksOnPluralDay: "alle zwei Wochen montags" runs every
// other Monday; the plural day without "am"/"on" was lost (the series ran
// from today, "montags" in the title), and said before the interval
// ("montags alle zwei Wochen") the interval was lost.
func TestEveryTwoWeeksOnPluralDay(t *testing.T) {
	const mo = `"starts_at":"2026-03-16T00:00","ends_at":"2026-03-17T00:00","all_day":true,"recurrence":"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"}`
	assist24Reads(t, []struct{ text, locale, want string }{
		{"alle zwei Wochen montags Gelbe Tonne", "de", `calendar.create {"title":"Gelbe Tonne",` + mo},
		{"Gelbe Tonne alle zwei Wochen montags", "de", `calendar.create {"title":"Gelbe Tonne",` + mo},
		{"montags alle zwei Wochen Gelbe Tonne", "de", `calendar.create {"title":"Gelbe Tonne",` + mo},
		{"recycling every other week mondays", "en", `calendar.create {"title":"Recycling",` + mo},
		{"recycling mondays every two weeks", "en", `calendar.create {"title":"Recycling",` + mo},
	})
}

// TestTrailingDayIsEveryEvents: "dentist at 3 and physio at 4 on Friday"
// puts both on Friday (the dentist was today at 3); a day said with an
// earlier event stays its own.
func TestTrailingDayIsEveryEvents(t *testing.T) {
	assist24Reads(t, []struct{ text, locale, want string }{
		{"dentist at 3 and physio at 4 on Friday", "en", `calendar.create_many {"events":[{"title":"Dentist","starts_at":"2026-03-13T15:00","ends_at":"2026-03-13T16:00"},{"title":"Physio","starts_at":"2026-03-13T16:00","ends_at":"2026-03-13T17:00"}]}`},
		{"Zahnarzt um 3 und Physio um 4 am Freitag", "de", `calendar.create_many {"events":[{"title":"Zahnarzt","starts_at":"2026-03-13T15:00","ends_at":"2026-03-13T16:00"},{"title":"Physio","starts_at":"2026-03-13T16:00","ends_at":"2026-03-13T17:00"}]}`},
		{"dentist at 3, physio at 4 and swimming at 6 on Friday", "en", `calendar.create_many {"events":[{"title":"Dentist","starts_at":"2026-03-13T15:00","ends_at":"2026-03-13T16:00"},{"title":"Physio","starts_at":"2026-03-13T16:00","ends_at":"2026-03-13T17:00"},{"title":"Swimming","starts_at":"2026-03-13T18:00","ends_at":"2026-03-13T19:00"}]}`},
		{"dentist at 3 tomorrow and physio at 4 on Friday", "en", `calendar.create_many {"events":[{"title":"Dentist","starts_at":"2026-03-12T15:00","ends_at":"2026-03-12T16:00"},{"title":"Physio","starts_at":"2026-03-13T16:00","ends_at":"2026-03-13T17:00"}]}`},
	})
}

// TestActivityIsEvery: a member's activity said as when it is, as a
// series ("tim's football is every saturday at 10"), is that series, named
// as a one-off said so is ("Mia's swimming gala is on Saturday at 9"); it
// was not understood.
func TestActivityIsEvery(t *testing.T) {
	assist24Reads(t, []struct{ text, locale, want string }{
		{"tim's football is every saturday at 10", "en", `calendar.create {"title":"Tim's football","starts_at":"2026-03-14T10:00","ends_at":"2026-03-14T11:00","recurrence":"FREQ=WEEKLY;BYDAY=SA"}`},
		{"Mia's ballet is every Monday at 5", "en", `calendar.create {"title":"Mia's ballet","starts_at":"2026-03-16T17:00","ends_at":"2026-03-16T18:00","recurrence":"FREQ=WEEKLY;BYDAY=MO"}`},
		{"Tims Fußball ist jeden Samstag um 10", "de", `calendar.create {"title":"Tims Fußball","starts_at":"2026-03-14T10:00","ends_at":"2026-03-14T11:00","recurrence":"FREQ=WEEKLY;BYDAY=SA"}`},
		{"Mias Ballett ist montags um 17 Uhr", "de", `calendar.create {"title":"Mias Ballett","starts_at":"2026-03-16T17:00","ends_at":"2026-03-16T18:00","recurrence":"FREQ=WEEKLY;BYDAY=MO"}`},
		{"Tim's football is off on friday", "en", `calendar.cancel {"title":"Tim's football","date":"2026-03-13"}`},
	})
}

// TestGotToIsATask: "Tim's got to tidy his room by friday" is Tim's task
// due Friday (it was the all-day event "Tim's got to tidy his room"), as
// "Tim has to …" is.
func TestGotToIsATask(t *testing.T) {
	assist24Reads(t, []struct{ text, locale, want string }{
		{"Tim's got to tidy his room by friday", "en", `task.create {"title":"Tidy his room","assignee":"Tim","due_at":"2026-03-13T23:59"}`},
		{"tim's got to tidy his room by friday", "en", `task.create {"title":"Tidy his room","assignee":"Tim","due_at":"2026-03-13T23:59"}`},
		{"Tim has got to tidy his room by friday", "en", `task.create {"title":"Tidy his room","assignee":"Tim","due_at":"2026-03-13T23:59"}`},
		{"dad's got to pay the gas bill by monday", "en", `task.create {"title":"Pay the gas bill","assignee":"Dad","due_at":"2026-03-16T23:59"}`},
		{"Tim muss bis Freitag sein Zimmer aufräumen", "de", `task.create {"title":"Sein Zimmer aufräumen","assignee":"Tim","due_at":"2026-03-13T23:59"}`},
	})
}

// TestSpokenUndoParsed: a whole command asking to undo the last one is
// command.undo (it was not understood); "undo" with a thing named is not.
func TestSpokenUndoParsed(t *testing.T) {
	assist24Reads(t, []struct{ text, locale, want string }{
		{"undo that", "en", `command.undo {}`},
		{"Undo!", "en", `command.undo {}`},
		{"undo my last command", "en", `command.undo {}`},
		{"take that back please", "en", `command.undo {}`},
		{"mach das rückgängig", "de", `command.undo {}`},
		{"Rückgängig.", "de", `command.undo {}`},
		{"kannst du das bitte rückgängig machen", "de", `command.undo {}`},
		{"nimm das zurück", "de", `command.undo {}`},
		{"undo the milk", "en", `none`},
	})
	now := parseNow(t)
	for text, lang := range map[string]string{"undo that": "en", "mach das rückgängig": "de", "rückgängig": "de"} {
		if in, err := ParseIntent(text, "en", now); err != nil || in.Lang != lang {
			t.Errorf("%q: %+v %v, want lang %s", text, in, err, lang)
		}
	}
}

// TestDeleteOnADay: "delete the dentist on Friday" deletes that day's
// event (it was the all-day event "Delete the dentist"); without a day it
// stays a question (task or event).
func TestDeleteOnADay(t *testing.T) {
	assist24Reads(t, []struct{ text, locale, want string }{
		{"delete the dentist on friday", "en", `calendar.delete {"title":"Dentist","date":"2026-03-13"}`},
		{"lösch den Zahnarzt am Freitag", "de", `calendar.delete {"title":"Zahnarzt","date":"2026-03-13"}`},
		{"delete the dentist", "en", `choice [{"type":"task.delete","slots":{"title":"Dentist"}},{"type":"calendar.delete","slots":{"title":"Dentist"}}]`},
	})
}

// TestTakeOntoTheList: "nimm Brot und Milch auf die Liste" adds bread and
// milk (the first item was "Nimm Brot").
func TestTakeOntoTheList(t *testing.T) {
	assist24Reads(t, []struct{ text, locale, want string }{
		{"Nimm Brot und zwei Liter Milch auf die Liste", "de", `shopping.add_items {"items":[{"name":"Brot"},{"name":"Milch","quantity":"2 Liter"}]}`},
		{"nimm Windeln auf die Aldi-Liste", "de", `shopping.add_items {"list":"Aldi","items":[{"name":"Windeln"}]}`},
		{"nimm den Zahnarzt aus dem Kalender", "de", `calendar.delete {"title":"Zahnarzt"}`},
	})
}
