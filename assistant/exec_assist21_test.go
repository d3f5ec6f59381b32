package assistant

import (
	"strings"
	"testing"
)

// TestAssist21Replies: assist21's readings executed in a family (Ana, Ben,
// Mia, Tim), said by Ana: a correction said as news moves the event to the
// time said, a move "same time" keeps the time, a cancel with a joined 's
// cancels the day, whether an event still stands is answered without a
// write, a request with "when you get home" is the member's task, things
// nearly gone are added; people asked about, "call me when you get home",
// a person "at 4 not 3" and "it's at 4 not 3" (which
// event?) write nothing.
func TestAssist21Replies(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.wantExecuted(t, []saidCase{
		{"en", "dentist on Friday at 3", "15:00", nil},
		{"en", "the dentist is at 4 not 3", "16:00", nil},
		{"de", "Zahnarzt am Freitag um 3", "15:00", nil},
		{"de", "der Zahnarzt ist nicht um 3, sondern um 4", "16:00", nil},
		{"en", "swimming on Tuesday at 5", "17:00", nil},
		{"en", "can you move swimming to thursday same time", "17:00", nil},
		{"en", "football every Saturday at 10", "“Football”", nil},
		{"en", "football's cancelled this saturday", "“Football”", nil},
		{"en", "Mia can you empty the dishwasher when you get home", "“Empty the dishwasher”", f.mia},
		{"de", "Mia kannst du die Spülmaschine ausräumen wenn du heimkommst", "„Spülmaschine ausräumen“", f.mia},
		{"en", "uh the dishwasher tablets are nearly gone", "dishwasher tablets", nil},
		{"de", "die Spülmaschinentabs sind fast alle", "Spülmaschinentabs", nil},
		{"de", "ähm schreib mal Windeln Feuchttücher und Babybrei auf", "Babybrei", nil},
	})
	before := f.state(false)
	for _, s := range []string{"is the dentist still on friday", "ist der Zahnarzt noch am Freitag"} {
		a := f.do(s)
		if a.Intent.Type != IntentQueryWhen || !strings.Contains(a.Message, "16:00") {
			t.Errorf("%q: %s %q", s, a.Intent.Type, a.Message)
		}
	}
	if f.state(false) != before {
		t.Error("a question wrote")
	}
	f.wantRefused(t, [][2]string{
		{"en", "call me when you get home"},
		{"en", "Tim is at 4 not 3"},
		{"en", "is Tim still at school"},
		{"de", "Oma ist um 4 nicht um 3"},
		{"en", "it's at 4 not 3"},
	})
}
