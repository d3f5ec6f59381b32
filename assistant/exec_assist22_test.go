package assistant

import (
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
)

// TestAssist22NotAtTime: a correction said as news ("the dentist is at 4
// not 3") moves only an event that is at the time it says it is not
// (3: 15:00 or 03:00); an event found at another time, or none on the
// day it is not on ("on sunday not friday"), is answered in the
// command's language and nothing is written.
func TestAssist22NotAtTime(t *testing.T) {
	f := newTestFamily(t)
	f.do("dentist on Friday at 11")
	f.do("Zahnarzt am Freitag um 11")
	f.do("party on Saturday")
	before := f.state(true)
	f.refused("the dentist is at 4 not 3", familyhub.EINVALID, "at 11:00, not at 15:00, so I did not move it.")
	f.refused("der Zahnarzt ist um 4 nicht um 3", familyhub.EINVALID, "um 11:00 Uhr, nicht um 15:00 Uhr, darum habe ich nichts verschoben.")
	f.refused("der Zahnarzt ist nicht um 3, sondern um 4", familyhub.EINVALID, "nicht um 15:00 Uhr")
	f.refused("the party is on sunday not friday", familyhub.EINVALID, "I found no “Party”")
	if f.state(true) != before {
		t.Error("a correction of an event not at the time it names wrote")
	}
	if a := f.do("the dentist is at 4 not 11"); !strings.Contains(a.Message, "16:00") {
		t.Errorf("at the time named: %q", a.Message)
	}
	if a := f.do("the party is on sunday not saturday"); a.Intent.Type != IntentCalendarMove {
		t.Errorf("on the day named: %s %q", a.Intent.Type, a.Message)
	}
}
