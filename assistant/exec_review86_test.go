package assistant

import (
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// TestSpokenUndoSameIDAtOnce: a spoken undo whose id is sent twice at the
// same moment (a retry while the first is still running) undoes one
// command, and both answer the first one's answer. Before, the second
// waited for the undone command's row, found it undone and was refused
// ("That command is undone already."), though its id was executed.
func TestSpokenUndoSameIDAtOnce(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add bread to the weekly list")
	add := f.do("add milk to the weekly list")
	// hold the last command's row: both runs read it as the last command
	// and wait for it
	release := f.holdRow(`SELECT 1 FROM assistant_commands WHERE id = $1 FOR UPDATE`, add.ID)
	id := uuid.New()
	type result struct {
		ans Answer
		err error
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			ans, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id, Text: "undo that"})
			results <- result{ans, err}
		}()
	}
	if !f.waitLocks(2) {
		release()
		t.Fatal("the two runs did not wait for the last command's row")
	}
	release()
	for range 2 {
		r := <-results
		if r.err != nil || r.ans.ID != id || r.ans.Message != "Undone: "+add.Message {
			t.Errorf("undo that, id sent twice at once: %+v %v (%s)", r.ans, r.err, familyhub.ErrorMessage(r.err))
		}
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after undo that sent twice: %q, want bread (one command undone)", got)
	}
}
