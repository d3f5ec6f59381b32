package assistant

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// waitingOrDone waits until the undo said on svc (ch) waits for the
// speaker's earlier commands (nil) or has answered (its answer), at most
// 10 s.
func waitingOrDone(t *testing.T, svc *Service, ch <-chan said) *said {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for svc.flight.waiting.Load() == 0 {
		select {
		case r := <-ch:
			return &r
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the undo neither answered nor waited within 10 s")
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, with a deadline
	}
	return nil
}

// undoWhileMilkWithModel says "add milk to the weekly list" on the
// replica withModel, whose model (heldModel: asked, release) holds it,
// then "undo that" on the replica undoer; once the undo waits (or has
// answered), during (if any) runs and the model answers. The undo must
// have undone the milk, not the bread before it, on the list weekly. It
// returns the milk's answer.
func (f *testFamily) undoWhileMilkWithModel(t *testing.T, withModel, undoer *Service, asked <-chan string, release func(),
	weekly uuid.UUID, during func()) Answer {
	t.Helper()
	milk := f.sayOn(withModel, f.ana, Request{Text: "add milk to the weekly list", Lang: "en"})
	if got := <-asked; got != "add milk to the weekly list" {
		t.Fatalf("the model was asked %q", got)
	}
	undo := f.sayOn(undoer, f.ana, Request{Text: "undo that", Lang: "en"})
	early := waitingOrDone(t, undoer, undo)
	if during != nil {
		during()
	}
	release()
	m := <-milk
	if m.err != nil || m.ans.Outcome != OutcomeExecuted {
		t.Fatalf("add milk: %+v %v", m.ans, m.err)
	}
	u := early
	if u == nil {
		r := <-undo
		u = &r
	}
	if u.err != nil || u.ans.Message != undoneOf(m.ans.Message) {
		t.Fatalf("undo that while %q was with the model: %q %v, want it undone", m.ans.Message, u.ans.Message, u.err)
	}
	if got := itemNamesOf(f.items(weekly)); got != "bread" {
		t.Fatalf("after the undo: %q, want bread only", got)
	}
	return m.ans
}

// sayOn says req as a on the replica svc, answering on the channel.
func (f *testFamily) sayOn(svc *Service, a *familyhub.Auth, req Request) <-chan said {
	ch := make(chan said, 1)
	go func() {
		ans, err := svc.Command(f.ctx(a), req)
		ch <- said{ans, err}
	}()
	return ch
}

// killedInflight notes a command of a's as in flight on a replica that
// was killed: its row stays until it expires, expires from now.
func (f *testFamily) killedInflight(a *familyhub.Auth, started, expires time.Duration) {
	f.t.Helper()
	if _, err := f.pool.Exec(context.Background(), `INSERT INTO assistant_inflight
		(family_id, user_id, command_id, replica, started_at, expires_at)
		VALUES ($1, $2, gen_random_uuid(), 'killed', clock_timestamp() + $3 * interval '1 millisecond', clock_timestamp() + $4 * interval '1 millisecond')`,
		a.FamilyID, a.UserID, started.Milliseconds(), expires.Milliseconds()); err != nil {
		f.t.Fatal(err)
	}
}

// TestSpokenUndoWaitsAcrossReplicas: two replicas share the database.
// "add milk" on replica A is still with the model when "undo that"
// arrives at replica B: B waits for it and undoes it once it is done, not
// "add bread" before it. The wait was in A's memory only, and B undid
// bread.
func TestSpokenUndoWaitsAcrossReplicas(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add bread to the weekly list")
	model, asked, release := heldModel(t)
	a := NewService(f.store, model, slog.New(slog.DiscardHandler))
	b := NewService(db.NewStore(f.tracedPool(t, nil)), nil, slog.New(slog.DiscardHandler))
	a.now, b.now = f.svc.now, f.svc.now

	f.undoWhileMilkWithModel(t, a, b, asked, release, weekly.ID, nil)
	var left int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM assistant_inflight`).Scan(&left); err != nil || left != 0 {
		t.Errorf("rows in flight after both ended: %d %v, want none", left, err)
	}
}

// TestSpokenUndoKilledReplicaExpires: a command of the speaker's left in
// flight by a killed replica is waited for only until its row expires
// (1.5 s here), not for the undo's whole wait (5 s); a row expired
// already is not waited for, and the family's next command deletes it.
func TestSpokenUndoKilledReplicaExpires(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.killedInflight(f.ana, -time.Minute, -time.Second) // expired
	f.do("add bread to the weekly list")
	var gone int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM assistant_inflight`).Scan(&gone); err != nil || gone != 0 {
		t.Fatalf("expired rows after the family's next command: %d %v, want none", gone, err)
	}
	f.do("add milk to the weekly list")
	f.killedInflight(f.ana, -time.Second, 1500*time.Millisecond)

	start := time.Now()
	ans, err := f.svc.Command(f.ctx(f.ana), Request{Text: "undo that", Lang: "en"})
	took := time.Since(start)
	if err != nil || ans.Outcome != OutcomeExecuted {
		t.Fatalf("undo that: %q %v", ans.Message, err)
	}
	if took > 3500*time.Millisecond {
		t.Errorf("undo that waited %v for a row that expired after 1.5 s (its own bound: %v)", took, f.svc.undoWait())
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after the undo: %q, want bread", got)
	}
}

// TestSpokenUndoWaitFromArrival: the undo's wait for the speaker's
// earlier commands (5 s without a model) counts from its arrival, not
// from when it begins to wait: held 3 s before it could note itself in
// flight (the speaker's user row locked), it waits about 2 s more for a
// command that never ends, not 5.
func TestSpokenUndoWaitFromArrival(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.do("add bread to the weekly list")
	f.killedInflight(f.ana, 0, time.Minute) // never ends while the undo waits
	release := f.holdRow(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, f.ana.UserID)
	start := time.Now()
	undo := f.sayAsync(f.ana, Request{Text: "undo that", Lang: "en"})
	if !f.waitLocks(1) {
		release()
		t.Fatal("the undo does not wait for the held user row")
	}
	held := time.AfterFunc(3*time.Second, release) // the undo's late start, not a wait for a condition
	defer held.Stop()
	u := <-undo
	took := time.Since(start)
	if u.err != nil {
		t.Fatalf("undo that: %v", u.err)
	}
	if limit := f.svc.undoWait() + 1500*time.Millisecond; took > limit {
		t.Errorf("undo that answered after %v, want within %v of its arrival", took, limit)
	}
}

// TestSpokenUndoOneDeadline: a spoken undo's whole time, from its arrival
// over its locks and their tries, is one budget; when it is up the undo
// is busy (503 with Retry-After in http). With 1.5 s left and the
// member's lock held elsewhere, it is busy within the budget, not after
// a full lock wait (5 s).
func TestSpokenUndoOneDeadline(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.do("add bread to the weekly list")
	f.svc.budget = 1500 * time.Millisecond
	release := f.holdRow(`SELECT 1 FROM pg_advisory_xact_lock(hashtextextended('familyhub.assistant:' || $1::text, 0))`, "user:"+f.ana.UserID.String())
	defer release()
	start := time.Now()
	_, err := f.svc.Command(f.ctx(f.ana), Request{Text: "undo that", Lang: "en"})
	took := time.Since(start)
	if !isCode(err, familyhub.EBUSY) || !errors.Is(err, db.ErrAssistantBusy) {
		// the wait for the member's own earlier command keeps its words
		t.Fatalf("undo that with the member's lock held: %v, want busy: %v", err, db.ErrAssistantBusy)
	}
	if took > 3*time.Second {
		t.Errorf("busy after %v, want within the undo's 1.5 s (and a little)", took)
	}
}

// TestUndoBudgetInsideAppTimeout: an undo's budget, its wait for
// earlier commands and its locks, and its COMMIT's wait past it
// (undoCommitWait) stay inside the app's 30 s.
func TestUndoBudgetInsideAppTimeout(t *testing.T) {
	if app := appCommandTimeout(t); undoBudget+undoCommitWait >= app || undoWaitMax+2*db.AssistantCommandWait > undoBudget {
		t.Errorf("undo budget %v and its COMMIT's %v more: want the wait (%v) and two lock waits inside it, and both inside the app's %v",
			undoBudget, undoCommitWait, undoWaitMax, app)
	}
}

// TestInflightSeenInOrder: a command's row takes its place in the order
// (seq) when it is inserted but is seen by the other replicas only when
// its transaction commits. "undo that" noted at the same moment as the
// speaker's command before it (two replicas, one round trip apart) must
// count that command as earlier: it waits to be noted until the earlier
// row is committed. Without that, the undo committed first, counted no
// earlier command and undid the one before.
func TestInflightSeenInOrder(t *testing.T) {
	f := newTestFamily(t)
	ctx := f.ctx(f.ana)
	noted, release, first := make(chan int64, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		first <- f.store.Tx(ctx, func(tx *db.Tx) error {
			seq, err := tx.AssistantInflightStart(ctx, uuid.New(), "a", time.Minute)
			if err != nil {
				return err
			}
			noted <- seq
			<-release // inserted, not committed yet
			return nil
		})
	}()
	var seq1 int64
	select {
	case seq1 = <-noted:
	case err := <-first:
		t.Fatalf("the first command was not noted: %v", err)
	}
	type counted struct {
		seq, n int64
		err    error
	}
	second := make(chan counted, 1)
	go func() {
		var c counted
		c.err = f.store.Tx(ctx, func(tx *db.Tx) (err error) {
			c.seq, err = tx.AssistantInflightStart(ctx, uuid.New(), "b", time.Minute)
			return err
		})
		if c.err == nil {
			c.n, c.err = f.store.AssistantInflightEarlier(ctx, f.ana.UserID, c.seq)
		}
		second <- c
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !f.waitLocksNow(1) { // the second waits for the first to commit
		select {
		case c := <-second:
			close(release)
			t.Fatalf("noted while the earlier row (seq %d) was not committed: seq %d, %d earlier seen, %v", seq1, c.seq, c.n, c.err)
		default:
		}
		if time.Now().After(deadline) {
			close(release)
			t.Fatal("the second command neither waited nor was noted within 10 s")
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, with a deadline
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if c := <-second; c.err != nil || c.n != 1 || c.seq <= seq1 {
		t.Fatalf("second noted as seq %d after %d: %d earlier seen, %v; want 1", c.seq, seq1, c.n, c.err)
	}
}

// TestInflightEndsOnEveryExit: a command's row in assistant_inflight is
// deleted however the command ends: its client gone while it is with the
// model (the request's context cancelled: the delete runs on a context of
// its own) and refused before the model (said_at out of range). A row
// left behind would hold up the member's undos until it expires.
func TestInflightEndsOnEveryExit(t *testing.T) {
	f := newTestFamily(t)
	model, asked, _ := heldModel(t)
	svc := NewService(f.store, model, slog.New(slog.DiscardHandler))
	left := func() int {
		var n int
		if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM assistant_inflight`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ctx, cancel := context.WithCancel(f.ctx(f.ana))
	done := make(chan error, 1)
	go func() {
		_, err := svc.Command(ctx, Request{Text: "add milk to the weekly list", Lang: "en"})
		done <- err
	}()
	<-asked
	if n := left(); n != 1 {
		t.Fatalf("%d rows in flight while the command is with the model, want 1", n)
	}
	cancel() // the client has gone
	if err := <-done; err == nil {
		t.Fatal("the command ended without an error after its client had gone")
	}
	if n := left(); n != 0 {
		t.Errorf("%d rows in flight after the command's client had gone, want none", n)
	}
	long := f.now.Add(-30 * 24 * time.Hour)
	if _, err := svc.Command(f.ctx(f.ana), Request{Text: "add milk to the weekly list", Lang: "en", SaidAt: &long}); !isCode(err, familyhub.EINVALID) {
		t.Fatalf("said_at a month back: %v, want invalid", err)
	}
	if n := left(); n != 0 {
		t.Errorf("%d rows in flight after a refused command, want none", n)
	}
}
