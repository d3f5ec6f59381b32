package assistant

import (
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
)

// TestQuestionSaysSo: a question about a plan ("fahren wir morgen zu
// Oma", said without "?") made the event "Fahren wir zu Oma"; it writes
// nothing, and the answer says it was taken for a question and how to
// say a plan, in the command's language, instead of "did not
// understand".
func TestQuestionSaysSo(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	for _, tc := range []struct{ locale, text, want string }{
		{"de", "fahren wir morgen zu oma", "„fahren wir morgen zu oma“ klingt nach einer Frage, darum habe ich nichts eingetragen."},
		{"de", "gehen wir heute schwimmen", "klingt nach einer Frage"},
		{"en", "are we going to grandma tomorrow", "“are we going to grandma tomorrow” sounds like a question, so I did not write anything."},
		{"en", "Tim is off on Friday", "I did not understand"},
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
