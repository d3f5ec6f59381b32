package assistant

import (
	"context"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// An undo, the button's (Service.Undo) or a spoken one (undoSpoken), has
// one deadline from its arrival for all of it (Service.budget,
// undoBudget): a pool connection, the locks of every try, every
// statement. Its COMMIT, once sent, is not cut by that deadline (the
// undo may have landed then, and "busy" would say nothing was done): it
// gets undoCommitWait more. A COMMIT that ends without PostgreSQL's word
// on it is neither done nor busy but unknown (unavailable, which the app
// treats as "may have been done").

// undoCommitWait bounds an undo's COMMIT past its deadline: the budget
// and this stay inside the 30 s the app waits (TestUndoBudgetInsideAppTimeout).
const undoCommitWait = 3 * time.Second

// undoRun is one undo under its deadline.
type undoRun struct {
	req      context.Context // the caller's
	ctx      context.Context // req, ending at deadline: every statement's
	commit   context.Context // req, ending undoCommitWait after deadline: the COMMIT's
	deadline time.Time
	unknown  bool // a COMMIT was sent and its outcome is unknown
}

// startUndo starts the deadline of an undo that arrived at arrived;
// cancel releases it.
func (s *Service) startUndo(req context.Context, arrived time.Time) (r *undoRun, cancel func()) {
	r = &undoRun{req: req, deadline: arrived.Add(s.budget)}
	var stop, stopCommit context.CancelFunc
	r.ctx, stop = context.WithDeadline(req, r.deadline)
	r.commit, stopCommit = context.WithDeadline(req, r.deadline.Add(s.commitWait))
	return r, func() { stop(); stopCommit() }
}

// tx runs fn in one transaction, its statements under r's deadline (the
// ctx fn gets), again after a deadlock (the categoriser filing the same
// items in another order) while time is left, db.TxTries tries at most.
// Its own loop, not db.Store.TxRetry: the deadline is checked before a
// try takes a connection, and whether a COMMIT was sent is the last
// try's alone (a try that fails before fn runs must not keep an earlier
// try's "committing", or an undo that wrote nothing answers "unknown").
func (r *undoRun) tx(store *db.Store, fn func(ctx context.Context, tx *db.Tx) error) error {
	var err error
	for try := 0; try == 0 || db.Retryable(err) && try < db.TxTries; try++ {
		if try > 0 && time.Until(r.deadline) < time.Millisecond {
			return db.ErrAssistantBusy // a deadlock, and no time left to run again
		}
		committing := false
		err = store.Tx(r.commit, func(tx *db.Tx) error {
			if err := fn(r.ctx, tx); err != nil {
				return err
			}
			if err := r.ctx.Err(); err != nil {
				return err // its time ran out as fn ended: no COMMIT
			}
			committing = true
			return nil
		})
		if committing && err != nil && db.CommitUnknown(err) {
			r.unknown = true
			return err
		}
	}
	return err
}

// busy reports whether err came from r's deadline (not the caller's
// end, nor a COMMIT of unknown outcome): nothing of the undo was written.
func (r *undoRun) busy(err error) bool {
	return !r.unknown && (familyhub.ErrorCode(err) == familyhub.EBUSY || err != nil && r.ctx.Err() != nil && r.req.Err() == nil)
}

// answer is err as the undo's answer, said by say: unknown when its
// COMMIT's outcome is, busy when its deadline cut it off.
func (r *undoRun) answer(err error, say *speaker) error {
	switch {
	case r.unknown:
		return say.refuseCode(familyhub.EUNAVAILABLE, "", "undo.unknown")
	case r.busy(err):
		return db.ErrAssistantBusy
	}
	return say.localize(err)
}
