package assistant

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestCommandBusyWhileEarlierStalls: while a member's command is stalled
// inside its transaction (held at its commit), the member's next commands
// (a plain one and a spoken undo) are refused as busy within
// db.AssistantCommandWait, write nothing and are not recorded: sent again
// under the same ids once the first is done, they run (the undo is not a
// replayed refusal), and the plain one only once.
func TestCommandBusyWhileEarlierStalls(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	first, release := f.holdCommit(f.ana, Request{Text: "add milk to the weekly list", Lang: "en"})
	released := false
	defer func() {
		if !released {
			release()
		}
	}()

	addID, undoID := uuid.New(), uuid.New()
	add := Request{ID: &addID, Text: "add bread to the weekly list", Lang: "en"}
	undo := Request{ID: &undoID, Text: "mach das rückgängig", Lang: "de"}
	for _, req := range []Request{add, undo} {
		start := time.Now()
		select {
		case r := <-f.sayAsync(f.ana, req):
			if !isCode(r.err, familyhub.EBUSY) {
				t.Fatalf("%q while the first is held: %+v %v, want busy", req.Text, r.ans, r.err)
			}
			if took := time.Since(start); took > db.AssistantCommandWait+2*time.Second {
				t.Fatalf("%q: busy after %v, want within %v", req.Text, took, db.AssistantCommandWait)
			}
		case <-time.After(db.AssistantCommandWait + 5*time.Second):
			t.Fatalf("%q: no answer within %v while the first is held", req.Text, db.AssistantCommandWait+5*time.Second)
		}
	}
	var recorded int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM assistant_commands WHERE id = ANY($1)`,
		[]uuid.UUID{addID, undoID}).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded != 0 {
		t.Fatalf("%d busy commands recorded, want none", recorded)
	}

	release()
	released = true
	if r := <-first; r.err != nil {
		t.Fatalf("add milk: %v", r.err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "milk" {
		t.Fatalf("after the busy ones: %q, want milk only", got)
	}
	ans, err := f.svc.Command(f.ctx(f.ana), add)
	if err != nil || ans.Outcome != OutcomeExecuted || ans.Replayed {
		t.Fatalf("the busy id sent again: %+v %v, want it run", ans, err)
	}
	if ans, err = f.svc.Command(f.ctx(f.ana), add); err != nil || !ans.Replayed {
		t.Fatalf("the same id once more: %+v %v, want its answer replayed", ans, err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread, milk" && got != "milk, bread" {
		t.Fatalf("after the repeat: %q, want bread once and milk", got)
	}
	if ans, err = f.svc.Command(f.ctx(f.ana), undo); err != nil || ans.Outcome != OutcomeExecuted || ans.Replayed {
		t.Fatalf("the busy undo sent again: %+v %v, want it run", ans, err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "milk" {
		t.Fatalf("after the undo: %q, want milk only", got)
	}
}
