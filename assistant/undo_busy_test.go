package assistant

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db"
)

// TestUndoDeadlockBusyNamesAnotherChange: an undo whose try deadlocked
// with another member's change and had no time left to run again, or
// whose every try deadlocked (rolled back as a whole), is busy with the
// undo's own words (ErrUndoBusy: "Another change got in the way"). It
// said db.ErrAssistantBusy's "Your previous command is still running"
// though the member had sent no command before it (the Undo button).
// The deadlock is PostgreSQL's error as a try returns it (40P01).
func TestUndoDeadlockBusyNamesAnotherChange(t *testing.T) {
	f := newTestFamily(t)
	ctx := f.ctx(f.ana)
	for _, c := range []struct {
		name     string
		deadline time.Time // the undo's: past means no time left for another try
		tries    int       // the tries wanted
	}{
		{"no time left", time.Now().Add(-time.Second), 1},
		{"every try", time.Now().Add(time.Hour), db.TxTries},
	} {
		t.Run(c.name, func(t *testing.T) {
			// its contexts without that deadline: the try runs, and
			// only its deadlock ends it
			r := &undoRun{req: ctx, ctx: ctx, commit: ctx, deadline: c.deadline}
			tries := 0
			err := r.tx(f.store, nil, func(context.Context, *db.Tx) error {
				tries++
				return &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
			})
			if tries != c.tries {
				t.Errorf("%d tries, want %d", tries, c.tries)
			}
			// ErrUndoBusy is db.ErrOtherChange, which db.Err also makes
			// of any deadlock: errors.Is alone holds without the undo's
			// mapping. The mapping's own mark is that the answer is
			// ErrUndoBusy itself, the deadlock dropped, so that nothing
			// runs the undo again past its deadline (Err's translation
			// still wraps PostgreSQL's error: Retryable).
			if err != ErrUndoBusy || db.Retryable(err) {
				t.Fatalf("an undo that deadlocked (%s): %v (Retryable %v), want %v itself", c.name, err, db.Retryable(err), ErrUndoBusy)
			}
		})
	}
}
