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
		{"en", "will buy milk", ""},
		{"en", "may buy milk", ""},
		{"en", "May call the dentist tomorrow", ""},
		{"de", "muss morgen Oma anrufen", ""},
		{"de", "will Oma anrufen", ""},
		// no member called so: no name
		{"en", "Can clean your room", ""},
	})
}
