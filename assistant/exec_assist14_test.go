package assistant

import (
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
)

// TestAssist14Replies: assist14's readings executed in a family (Ana, Ben,
// Mia, Tim): shopping told to Tim is his task, groceries bought for him go
// on the list, taking the dog out is Ana's task, and a goodbye or opening
// hours write nothing.
func TestAssist14Replies(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	for _, tc := range []struct {
		locale, text, want string
		assignee           *familyhub.Auth
	}{
		{"de", "sag Tim, dass er Milch kaufen soll", "„Milch kaufen“ für Tim", f.tim},
		{"en", "tell Tim he should buy milk", "“Buy milk” for Tim", f.tim},
		{"en", "I'll take the dog out", "“Take the dog out”", f.ana},
		{"en", "I'll buy Tim some milk", "Added milk to Weekly.", nil},
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
		{"en", "I'll see you tomorrow"},
		{"de", "Tim ich sehe dich morgen"},
		{"de", "Bank macht um 9 auf und um 4 zu"},
		{"en", "I'll buy it tomorrow"},
		{"en", "I will buy milk and it"},
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
