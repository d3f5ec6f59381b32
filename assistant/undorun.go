package assistant

import (
	"context"
	"errors"
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

// ErrUndoBusy refuses an undo that another change got in the way of: a
// deadlock with another transaction (another member's or another
// device's) it had no time left to run again after, one that rolled the
// whole undo back (its lock, its COMMIT), or its deadline that ran out
// waiting (a row held elsewhere; also a slow or overloaded database).
// Nothing was undone, and the same undo sent again runs. Its code is
// busy, as db.ErrAssistantBusy's, whose words ("your previous command is
// still running") are kept for the wait for the member's own earlier
// commands: the button's undo never waits for those, and a spoken undo
// that waited too long for them is that error.
// Its reason, other_change, lets a client that words errors itself say
// so too (the PWA). It is what any write says whose deadlock retries ran
// out (db.ErrOtherChange): the same words for the same situation.
var ErrUndoBusy = db.ErrOtherChange

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
// ctx fn gets), after lock when not nil (a spoken undo's: the member's
// command lock, held to the end). fn runs in a savepoint, again after a
// deadlock (the categoriser filing the same items in another order)
// while time is left, db.TxTries tries at most: only the savepoint, as a
// command's (retryDeadlock), never the whole transaction, which would
// release the member's command lock between tries: a command said after
// the "undo that" could take it and commit, and a try after that would
// find it as the speaker's last command and undo it.
// Its own transaction, not db.Store.TxRetry: the deadline is checked
// before each try, and a COMMIT sent with no answer is unknown.
func (r *undoRun) tx(store *db.Store, lock, fn func(ctx context.Context, tx *db.Tx) error) error {
	committing := false
	err := store.Tx(r.commit, func(tx *db.Tx) error {
		if lock != nil {
			if err := lock(r.ctx, tx); err != nil {
				return err
			}
		}
		timeLeft := func() bool { return time.Until(r.deadline) >= time.Millisecond }
		err := savepointTries(timeLeft, func() error {
			return tx.Savepoint(r.ctx, func(tx *db.Tx) error { return fn(r.ctx, tx) })
		})
		if db.Deadlock(err) && !timeLeft() {
			return ErrUndoBusy // a deadlock, and no time left to run again
		}
		if err != nil {
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
	}
	if !r.unknown && db.Deadlock(err) {
		// a deadlock outside the savepoint (taking the lock, or at
		// COMMIT), or one in every try, rolled the whole undo back:
		// busy, sent again it runs, not an internal error
		return ErrUndoBusy
	}
	return err
}

// busy reports whether err came from r's deadline (not the caller's
// end, nor a COMMIT of unknown outcome): nothing of the undo was written.
func (r *undoRun) busy(err error) bool {
	return !r.unknown && (familyhub.ErrorCode(err) == familyhub.EBUSY || err != nil && r.ctx.Err() != nil && r.req.Err() == nil)
}

// answer is err as the undo's answer, said by say: unknown when its
// COMMIT's outcome is, busy when its deadline cut it off: the member's
// previous command still running when that was the wait
// (db.ErrAssistantBusy, a spoken undo's command lock), else another
// change in the way (ErrUndoBusy).
func (r *undoRun) answer(err error, say *speaker) error {
	switch {
	case r.unknown:
		return say.refuseCode(familyhub.EUNAVAILABLE, "", "undo.unknown")
	case r.busy(err) && errors.Is(err, db.ErrAssistantBusy):
		return db.ErrAssistantBusy
	case r.busy(err):
		return ErrUndoBusy
	}
	return say.localize(err)
}
