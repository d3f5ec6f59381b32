package assistant

import "testing"

// TestModalNameSpokenTo: with members called Will and May, dictation
// without a comma lost commands that can only be said to them: "Will
// clean your room" ("your": someone is spoken to, no one says "will clean
// your room" of themselves to the family's assistant), and in German
// "Will räum dein Zimmer auf", "Will kauf Milch", "May kauf Milch" (a
// German modal takes an infinitive, never the imperative "kauf"; "May" is
// no German word). Before the modal rule these were tasks for Will and
// May; they were refused. A bare modal before a verb stays no name ("will
// take out the bins", "will buy milk").
func TestModalNameSpokenTo(t *testing.T) {
	names := []string{"Ben", "Will Smith", "May", "Tim"}
	room := func(who, title string) string {
		return `{"slots":{"assignee":"` + who + `","title":"` + title + `"},"type":"task.create"}`
	}
	milch := `{"slots":{"items":[{"name":"Milch"}]},"type":"shopping.add_items"}`
	parseCases(t, names, []struct{ locale, text, want string }{
		{"en", "Will clean your room", room("Will", "Clean your room")},
		{"en", "will clean your room", room("Will", "Clean your room")},
		{"en", "May tidy your room", room("May", "Tidy your room")},
		{"en", "Will do your homework", room("Will", "Do your homework")},
		{"de", "Will räum dein Zimmer auf", room("Will", "Dein Zimmer aufräumen")},
		{"de", "May räum dein Zimmer auf", room("May", "Dein Zimmer aufräumen")},
		{"de", "Will kauf Milch", milch},
		{"de", "May kauf Milch", milch},
		// still no name: a modal before a verb with no one spoken to
		{"en", "Will take out the bins", ""},
		{"en", "will buy milk", addItems("milk")}, // assist12: the list's either way
		{"en", "may buy milk", ""},
		{"en", "May call the dentist tomorrow", ""},
		{"de", "muss morgen Oma anrufen", ""},
		{"de", "will Oma anrufen", ""},
		// no member called so: no name
		{"en", "Can clean your room", ""},
	})
}

// TestCopulaIsNoTitle: "bin morgen um 10 beim Zahnarzt" and "I'm at the
// dentist tomorrow at 10" were events called "Bin" and "I'm" at the place
// "Zahnarzt"; "bin bis 5 im Büro" the event "Bin". "I am" names nothing:
// the place is the appointment ("Zahnarzt" at 10), and being at work or
// in the office is a status, which writes nothing (as "bin um 6 zuhause").
func TestCopulaIsNoTitle(t *testing.T) {
	ev := func(title, start, end string) string {
		return `{"slots":{"ends_at":"` + end + `","starts_at":"` + start + `","title":"` + title + `"},"type":"calendar.create"}`
	}
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "bin morgen um 10 beim Zahnarzt", ev("Zahnarzt", "2026-03-12T10:00", "2026-03-12T11:00")},
		{"de", "ich bin morgen um 10 beim Zahnarzt", ev("Zahnarzt", "2026-03-12T10:00", "2026-03-12T11:00")},
		{"en", "I'm at the dentist tomorrow at 10", ev("Dentist", "2026-03-12T10:00", "2026-03-12T11:00")},
		{"en", "we're at the vet on Friday at 3", ev("Vet", "2026-03-13T15:00", "2026-03-13T16:00")},
		{"de", "bin bis 5 im Büro", ""},
		{"de", "ich bin bis 17 Uhr in der Arbeit", ""},
		{"de", "bin morgen bis 5 auf der Arbeit", ""},
		{"en", "I'm at work until 5", ""},
		{"en", "I'm at the office until 5", ""},
		// a title of its own stays
		{"de", "Zahnarzt morgen um 10", ev("Zahnarzt", "2026-03-12T10:00", "2026-03-12T11:00")},
		// assist22: "bis 5" says when it ends, not when it starts (it was
		// 17:00-18:00): nothing is written
		{"de", "bis 5 im Büro", ""},
	})
}
