package assistant

import "testing"

// TestAssist18Replies: assist18's readings executed in a family (Ana, Ben,
// Mia, Tim), said by Ana: whose turn a chore is reassigns it to that
// member, a move said as news moves the event, a test not written cancels
// the day's "Tim: Mathearbeit" found by "Mathearbeit", and a need of rest
// writes nothing.
func TestAssist18Replies(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.wantExecuted(t, []saidCase{
		{"en", "add a task: dishes", "“Dishes”", nil},
		{"en", "Mia is on dishes this week", "“Dishes”", f.mia},
		{"de", "Aufgabe: Staubsaugen", "„Staubsaugen“", nil},
		{"de", "Ben ist heute dran mit Staubsaugen", "„Staubsaugen“", f.ben},
		{"en", "dentist on Thursday at 10", "“Dentist”", nil},
		{"en", "the dentist has moved to friday at 2", "“Dentist”", nil},
		{"de", "Tim schreibt morgen eine Mathearbeit", "„Tim: Mathearbeit“", nil},
		{"de", "Tim schreibt morgen keine Mathearbeit", "„Tim: Mathearbeit“", nil},
		{"en", "we've got no more toilet roll", "toilet roll", nil},
		{"de", "Termin vereinbaren", "„Termin vereinbaren“", nil},
	})
	f.wantRefused(t, [][2]string{
		{"en", "I need a break tomorrow"},
		{"de", "ich brauche morgen eine Pause"},
		{"de", "Tim schreibt morgen keinen Brief"},
	})
}
