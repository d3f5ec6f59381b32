package assistant

import (
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
)

// TestAssist23Replies runs assist23's fixes in a family (Ana, Ben, Mia,
// Tim), said by Ana as dictated, in lower case: members' names are written
// with their capital, "mia's got ballet" is what Mia has, a quarter of an
// hour is a delay, and two statements of different kinds write nothing.
func TestAssist23Replies(t *testing.T) {
	f := newTestFamily(t)
	for _, c := range []struct{ text, want string }{
		{"ask ben to pick up mia at 3 tomorrow", "“Pick up Mia”"},
		{"mia's got ballet every monday and wednesday at 5", "“Mia: Ballet”"},
		{"tim has swimming every thursday at half 5", "“Tim: Swimming”"},
		{"mia hat jeden Montag und Mittwoch um 5 Ballett", "„Mia: Ballett“"},
		{"in a quarter of an hour remind me to check the oven", "“Check the oven”"},
	} {
		if a := f.do(c.text); !strings.Contains(a.Message, c.want) {
			t.Errorf("%q: %q, want %s", c.text, a.Message, c.want)
		}
	}
	before := f.state(true)
	f.refused("we're out of milk and tim needs his pe kit washed", familyhub.EINVALID, "did not understand")
	f.refused("wir brauchen Windeln und der Zahnarzt ist auf Freitag verschoben", familyhub.EINVALID, "nicht verstanden")
	if f.state(true) != before {
		t.Error("two statements of different kinds wrote")
	}
}
