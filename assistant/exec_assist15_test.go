package assistant

import "testing"

// TestAssist15Replies: assist15's readings executed in a family (Ana, Ben,
// Mia, Tim), said by Ana: "you" is Ana, so her task; "tell Tim they
// should …" is Tim's; pens go on the list as pens; "ich kaufe morgen
// Milch" is Ana's task; taking the train, a goodbye and a forbidden to-do
// write nothing.
func TestAssist15Replies(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.wantExecuted(t, []saidCase{
		{"en", "you'll have to pick up Tim", "“Pick up Tim”", f.ana},
		{"en", "tell Tim they should tidy up", "“Tidy up” for Tim", f.tim},
		{"de", "ich kaufe morgen Milch", "„Milch kaufen“", f.ana},
		{"en", "add pens", "Added pens to “Weekly”.", nil},
	})
	f.wantRefused(t, [][2]string{
		{"en", "I'll take the train"},
		{"en", "I'll take a shower"},
		{"en", "bye Tim, see you tomorrow at 3"},
		{"de", "Tim soll nicht den Müll rausbringen"},
	})
}
