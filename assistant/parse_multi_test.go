package assistant

import (
	"strings"
	"testing"
)

// TestSplitEvents: a sentence of events is cut at "and", "und" and
// commas, not at the comma of a weekday and its date.
func TestSplitEvents(t *testing.T) {
	for text, want := range map[string]string{
		"dentist Monday at 9 and physio Wednesday at 4":                 "dentist Monday at 9|physio Wednesday at 4",
		"Elternabend am 12., am 19. und am 26.":                         "Elternabend am 12.|am 19.|am 26.",
		"Zahnarzt am Montag, 16. März um 9 und Physio am Mittwoch um 4": "Zahnarzt am Montag, 16. März um 9|Physio am Mittwoch um 4",
		"dentist on Monday, March 16 at 9, physio on Wednesday":         "dentist on Monday, March 16 at 9|physio on Wednesday",
		"swimming on Friday, and football on Saturday":                  "swimming on Friday|football on Saturday",
	} {
		if got := strings.Join(splitEvents(text), "|"); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}
