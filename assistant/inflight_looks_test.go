package assistant

import (
	"log/slog"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db"
)

// TestSpokenUndoWaitLooksBounded: "undo that" on replica B waits 3 s for
// the speaker's command held by the model on replica A, and looks whether
// it has ended (AssistantInflightEarlier, a read of pg_locks) less and
// less often: about 10 times in those 3 s. It looked every 100 ms: 30
// times (150 over its longest wait of 15 s).
func TestSpokenUndoWaitLooksBounded(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add bread to the weekly list")
	model, asked, release := heldModel(t)
	looks := &namedStatements{name: "AssistantInflightEarlier"}
	a := NewService(f.store, model, slog.New(slog.DiscardHandler))
	b := NewService(db.NewStore(f.tracedPool(t, looks)), nil, slog.New(slog.DiscardHandler))
	a.now, b.now = f.svc.now, f.svc.now
	held := 3 * time.Second // inside b's wait (db.AssistantCommandWait without a model)
	f.undoWhileMilkWithModel(t, a, b, asked, release, weekly.ID, func() {
		<-time.After(held) // the looks are counted over a wait of this long
	})
	if n := looks.n.Load(); n > 12 || n < 2 {
		t.Errorf("the undo looked %d times for the command before it in %v, want about 10 (every 50 ms, doubling to 500 ms)", n, held)
	}
}
