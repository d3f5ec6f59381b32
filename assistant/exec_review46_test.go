package assistant

import (
	"strings"
	"testing"

	familyhub "github.com/familyhub/familyhub"
)

// TestReview46Replies: the sentences of review 46 executed in a family
// (Ana, Ben, Mia, Tim), answered in the command's language: "May I add
// milk" adds milk, a trip said of Tim is an event named for him, "geh um
// 8 ins Bett" a task at 20:00 (Tim's when said to him), and a status with
// a day is refused as not understood and writes nothing.
func TestReview46Replies(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	for _, tc := range []struct{ locale, text, want string }{
		{"en", "May I add milk", "Added milk to “Weekly”."},
		{"en", "Can I add bread to the list", "Added bread to “Weekly”."},
		{"de", "kann ich Eier auf die Liste setzen", "Ich habe Eier auf „Weekly“ gesetzt."},
		{"de", "Tim fährt morgen um 8 zum Training", "„Tim: Fahrt zum Training“"},
		{"en", "Tim is driving to practice tomorrow at 8", "“Tim: Drive to practice”"},
		{"de", "geh um 8 ins Bett", "„Ins Bett gehen“"},
		{"de", "Tim, geh um 8 ins Bett", "„Ins Bett gehen“ für Tim"},
		{"en", "Tim, go to bed at 8", "“Go to bed” for Tim"},
	} {
		a, err := f.svc.Command(f.ctx(f.ana), Request{Text: tc.text, Lang: tc.locale})
		if err != nil || a.Outcome != OutcomeExecuted {
			t.Fatalf("%q: %+v %v", tc.text, a, err)
		}
		if !strings.Contains(a.Message, tc.want) || a.Lang != tc.locale {
			t.Errorf("%q: %s %q, want %s %q", tc.text, a.Lang, a.Message, tc.locale, tc.want)
		}
		if strings.Contains(tc.text, "Bett") || strings.Contains(tc.text, "bed") {
			if a.Result.Task == nil || a.Result.Task.DueAt == nil || a.Result.Task.DueAt.In(f.loc).Hour() != 20 {
				t.Errorf("%q: task %+v, want due at 20:00", tc.text, a.Result.Task)
			}
		}
	}
	for _, tc := range []struct{ locale, text, want string }{
		{"en", "back on Monday", "I did not understand"},
		{"de", "bin am Montag zurück", "Das habe ich leider nicht verstanden"},
		{"en", "Mark needs new shoes", "I did not understand"},
	} {
		before := f.state(false)
		_, err := f.svc.Command(f.ctx(f.ana), Request{Text: tc.text, Lang: tc.locale})
		if familyhub.ErrorCode(err) != familyhub.EINVALID || !strings.Contains(familyhub.ErrorMessage(err), tc.want) {
			t.Errorf("%q: %v, want a refusal %q", tc.text, err, tc.want)
		}
		if f.state(false) != before {
			t.Errorf("%q wrote", tc.text)
		}
	}
}
