package assistant

import (
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
)

// saidCase: a sentence Ana says to the family's assistant, what its reply
// must contain, and whose task it makes (nil: no task to check).
type saidCase struct {
	locale, text, want string
	assignee           *familyhub.Auth
}

// wantExecuted: each sentence is executed, in its language, with the
// reply and the task's assignee asked for.
func (f *testFamily) wantExecuted(t *testing.T, cases []saidCase) {
	t.Helper()
	for _, tc := range cases {
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
}

// wantRefused: each sentence ({locale, text}) is not understood, and the
// family's data is as it was.
func (f *testFamily) wantRefused(t *testing.T, cases [][2]string) {
	t.Helper()
	for _, tc := range cases {
		before := f.state(false)
		_, err := f.svc.Command(f.ctx(f.ana), Request{Text: tc[1], Lang: tc[0]})
		if familyhub.ErrorCode(err) != familyhub.EINVALID {
			t.Errorf("%q: %v, want not understood", tc[1], err)
		}
		if f.state(false) != before {
			t.Errorf("%q wrote", tc[1])
		}
	}
}
