package assistant

import (
	"testing"

	"github.com/familyhub/familyhub"
)

// TestSpokenUndoWaitsForQuestionRecord: a command that ends in a question
// records the question under the member's lock, in its one transaction.
// "undo that" said while the question is being recorded (held at its
// insert: the speaker's user row is locked) waits for it, finds the
// question as the last command and undoes nothing; the command before
// the question stays. Recorded in a second transaction without the lock,
// the undo ran in between and undid the command before the question.
func TestSpokenUndoWaitsForQuestionRecord(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add bread to the weekly list")

	release := f.holdRow(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, f.ana.UserID)
	released := false
	defer func() {
		if !released {
			release()
		}
	}()
	question := f.sayAsync(f.ana, Request{Text: "add fish and chips to the weekly list", Lang: "en"})
	if !f.waitLocks(1) {
		t.Fatal("the question's record does not wait for the held user row")
	}
	undo := f.sayAsync(f.ana, Request{Text: "undo that", Lang: "en"})
	early := f.waitDoneOrLocks(undo, 2)
	release()
	released = true
	q := <-question
	if q.err != nil || q.ans.Outcome != OutcomeQuestion {
		t.Fatalf("fish and chips: %+v %v, want a question", q.ans, q.err)
	}
	u := early
	if u == nil {
		r := <-undo
		u = &r
	}
	if !isCode(u.err, familyhub.ECONFLICT) {
		t.Fatalf("undo that while the question was recorded: %q %v, want a conflict (the question changed nothing)", u.ans.Message, u.err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after the undo: %q, want bread (the command before the question not undone)", got)
	}
}
