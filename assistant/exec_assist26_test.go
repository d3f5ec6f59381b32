package assistant

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
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

// TestSerializeOneStatement: the member's and the command's locks, with
// their wait bounded (lock_timeout) and lock_timeout set back to what it
// was, are one statement (they were five: read lock_timeout, set it, two
// locks, set it back). After it both locks are held and lock_timeout is
// the transaction's again.
func TestSerializeOneStatement(t *testing.T) {
	f := newTestFamily(t)
	stmts := &statementCount{}
	pool := f.tracedPool(t, stmts)
	id := uuid.New()
	err := db.NewStore(pool).Tx(f.ctx(f.ana), func(tx *db.Tx) error {
		ctx := context.Background()
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '7s'`); err != nil {
			return err
		}
		stmts.on.Store(true)
		err := tx.AssistantCommandSerialize(ctx, id, db.AssistantCommandWait)
		stmts.on.Store(false)
		if err != nil {
			return err
		}
		var timeout string
		if err := tx.QueryRow(ctx, `SELECT current_setting('lock_timeout')`).Scan(&timeout); err != nil {
			return err
		}
		if timeout != "7s" {
			t.Errorf("lock_timeout after the locks: %q, want 7s as before", timeout)
		}
		for _, key := range []string{"user:" + f.ana.UserID.String(), "command:" + id.String()} {
			var free bool
			if err := f.pool.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtextextended('familyhub.assistant:' || $1::text, 0))`,
				key).Scan(&free); err != nil {
				return err
			}
			if free {
				t.Errorf("the lock %s is not held", key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := stmts.n.Load(); n != 1 {
		t.Errorf("the bounded locks took %d statements, want 1", n)
	}
}

// TestFailedSpokenUndoRetryUndoesWhatWasLast: "undo that" that failed (the
// database was away: recorded as failed, not refused) and is sent again
// under its id after the speaker gave another command undoes the command
// that was last when it was first said, not the newer one; a retry
// without a newer command undoes the same. It used to look for the last
// command again and undid the newer one.
func TestFailedSpokenUndoRetryUndoesWhatWasLast(t *testing.T) {
	f := newTestFamily(t)
	f.pastNight()
	weekly := f.list("Weekly")
	bread := f.do("add bread to the weekly list")

	f.setNow(f.now.Add(time.Minute))
	id := uuid.New()
	undo := Request{ID: &id, Text: "undo that", Lang: "en"}
	f.svc.recordRefusal(f.ctx(f.ana), command{id: id, text: undo.Text, lang: "en", source: "parser", receivedAt: f.now, loc: f.loc},
		&Intent{Type: IntentCommandUndo, Lang: "en"}, familyhub.Errorf(familyhub.EUNAVAILABLE, "The database is away."))

	f.setNow(f.now.Add(time.Minute))
	f.do("add milk to the weekly list")

	f.setNow(f.now.Add(time.Minute))
	ans, err := f.svc.Command(f.ctx(f.ana), undo)
	if err != nil || ans.Outcome != OutcomeExecuted || ans.Message != undoneOf(bread.Message) {
		t.Fatalf("the failed undo sent again: %q %v, want %q undone", ans.Message, err, bread.Message)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "milk" {
		t.Fatalf("after the retried undo: %q, want milk (given after the undo was said) kept", got)
	}
}

// TestChoiceNamesDateByQuestionTime: the night rule (before 04:00
// "tomorrow" is the day just begun, and the answer names its date) is
// decided by when the question was asked, not when it is answered: asked
// at 01:30, answered at 04:30, the answer still names the date; asked at
// 23:30, answered at 00:30, it does not (the option's day is the next
// one, as asked).
func TestChoiceNamesDateByQuestionTime(t *testing.T) {
	f := newTestFamily(t)
	for _, title := range []string{"Water the roses", "Water the lawn"} {
		f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title})
			return err
		})
	}
	day := f.dayAhead() // the snooze's end must be ahead of the wall clock
	at := func(d, h, m int) time.Time { return time.Date(day.Year(), day.Month(), day.Day()+d, h, m, 0, 0, f.loc) }
	for _, c := range []struct {
		asked, answered time.Time
		want            string
	}{
		{at(0, 1, 30), at(0, 4, 30), " until today (" + day.Format("Mon, Jan 2") + ") at 19:00."},
		{at(-1, 23, 30), at(0, 0, 30), " until today at 19:00."},
	} {
		f.setNow(c.asked)
		q := f.ask("snooze water the until tomorrow at 7pm")
		f.setNow(c.answered)
		a, err := f.svc.Choose(f.ctx(f.ana), q.ID, 0, "en", Device{})
		if err != nil || !strings.HasSuffix(a.Message, c.want) {
			t.Errorf("asked %s, answered %s: %q %v, want it to end %q", c.asked.Format("Mon 15:04"), c.answered.Format("Mon 15:04"), a.Message, err, c.want)
		}
	}
}
