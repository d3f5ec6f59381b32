package assistant

import (
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
)

// TestAssist15Replies: assist15's readings executed in a family (Ana, Ben,
// Mia, Tim), said by Ana: "you" is Ana, so her task; "tell Tim they
// should …" is Tim's; pens go on the list as pens; "ich kaufe morgen
// Milch" is Ana's task; taking the train, a goodbye and a forbidden to-do
// write nothing.
func TestAssist15Replies(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	for _, tc := range []struct {
		locale, text, want string
		assignee           *familyhub.Auth
	}{
		{"en", "you'll have to pick up Tim", "“Pick up Tim”", f.ana},
		{"en", "tell Tim they should tidy up", "“Tidy up” for Tim", f.tim},
		{"de", "ich kaufe morgen Milch", "„Milch kaufen“", f.ana},
		{"en", "add pens", "Added pens to Weekly.", nil},
	} {
		a, err := f.svc.Command(f.ctx(f.ana), Request{Text: tc.text, Lang: tc.locale})
		if err != nil || a.Outcome != OutcomeExecuted {
			t.Fatalf("%q: %+v %v", tc.text, a, err)
		}
		if !strings.Contains(a.Message, tc.want) || a.Lang != tc.locale {
			t.Errorf("%q: %s %q, want %s %q", tc.text, a.Lang, a.Message, tc.locale, tc.want)
		}
		if tc.assignee != nil && (a.Result.Task == nil || a.Result.Task.AssigneeID == nil || *a.Result.Task.AssigneeID != tc.assignee.UserID) {
			t.Errorf("%q: task %+v, want it assigned to %v", tc.text, a.Result.Task, tc.assignee.UserID)
		}
	}
	for _, tc := range []struct{ locale, text string }{
		{"en", "I'll take the train"},
		{"en", "I'll take a shower"},
		{"en", "bye Tim, see you tomorrow at 3"},
		{"de", "Tim soll nicht den Müll rausbringen"},
	} {
		before := f.state(false)
		_, err := f.svc.Command(f.ctx(f.ana), Request{Text: tc.text, Lang: tc.locale})
		if familyhub.ErrorCode(err) != familyhub.EINVALID {
			t.Errorf("%q: %v, want not understood", tc.text, err)
		}
		if f.state(false) != before {
			t.Errorf("%q wrote", tc.text)
		}
	}
}
