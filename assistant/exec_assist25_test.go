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

// said is a command's answer or refusal, from a goroutine.
type said struct {
	ans Answer
	err error
}

// sayAsync says req as a in a goroutine of its own.
func (f *testFamily) sayAsync(a *familyhub.Auth, req Request) <-chan said {
	ch := make(chan said, 1)
	go func() {
		ans, err := f.svc.Command(f.ctx(a), req)
		ch <- said{ans, err}
	}()
	return ch
}

// waitDoneOrLocks waits until ch has an answer (taken and returned) or at
// least n lock requests wait: a command started while another is held
// has either finished without waiting or waits for a lock.
func (f *testFamily) waitDoneOrLocks(ch <-chan said, n int) *said {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case r := <-ch:
			return &r
		default:
		}
		if f.waitLocksNow(n) {
			return nil
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("neither an answer nor %d lock waits within 10 s", n)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, with a deadline
	}
}

// waitLocksNow says whether at least n lock requests wait now. A pool
// whose every connection waits for a lock fails the test within 10 s,
// saying so, rather than hanging it until the package's timeout.
func (f *testFamily) waitLocksNow(n int) bool {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var waiting int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted
		AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())`).Scan(&waiting); err != nil {
		if st := f.pool.Stat(); ctx.Err() != nil {
			f.t.Fatalf("no look at pg_locks within 10 s, %d of the pool's %d connections taken (a starved pool?): %v", st.AcquiredConns(), st.MaxConns(), err)
		}
		f.t.Fatal(err)
	}
	return waiting >= n
}

// holdCommit starts req as a and holds it at its commit (the family's
// event counter, which every writing transaction takes last, is locked)
// until the returned release: it has written everything and holds every
// lock it took.
func (f *testFamily) holdCommit(a *familyhub.Auth, req Request) (<-chan said, func()) {
	f.t.Helper()
	release := f.holdRow(`SELECT 1 FROM family_event_seq WHERE family_id = $1 FOR UPDATE`, f.id)
	ch := f.sayAsync(a, req)
	if !f.waitLocks(1) {
		release()
		f.t.Fatal("the held command does not wait at its commit")
	}
	return ch, release
}

// TestSpokenUndoWaitsForRunningCommand: "undo that" arriving while the
// speaker's previous command is still running (held at its commit) waits
// for it and undoes it, not the command before it.
func TestSpokenUndoWaitsForRunningCommand(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add bread to the weekly list")

	running, release := f.holdCommit(f.ana, Request{Text: "add milk to the weekly list", Lang: "en"})
	undo := f.sayAsync(f.ana, Request{Text: "undo that", Lang: "en"})
	early := f.waitDoneOrLocks(undo, 2)
	release()
	add := <-running
	if add.err != nil {
		t.Fatalf("add milk: %v", add.err)
	}
	u := early
	if u == nil {
		r := <-undo
		u = &r
	}
	if u.err != nil || u.ans.Message != undoneOf(add.ans.Message) {
		t.Fatalf("undo that while %q ran: %q %v, want it undone", add.ans.Message, u.ans.Message, u.err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after the undo: %q, want bread only", got)
	}
}

// TestRepeatedIDAtOnceReplays: the same command id sent twice at once
// (a client's retry while the first still ran) runs once; the second waits
// for the first and answers its answer, also when a second run would be
// refused by what the first wrote (a daily chore's instance of today,
// made by the first, is unique).
func TestRepeatedIDAtOnceReplays(t *testing.T) {
	f := newTestFamily(t)
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		rule := "FREQ=DAILY"
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Dishes", Recurrence: &rule})
		return err
	})
	id := uuid.New()
	req := Request{ID: &id, Text: "the dishes are done", Lang: "en"}
	first, release := f.holdCommit(f.ana, req)
	second := f.sayAsync(f.ana, req)
	early := f.waitDoneOrLocks(second, 2)
	release()
	a := <-first
	b := early
	if b == nil {
		r := <-second
		b = &r
	}
	if a.err != nil || a.ans.Outcome != OutcomeExecuted {
		t.Fatalf("first: %+v %v", a.ans, a.err)
	}
	if b.err != nil || b.ans.Message != a.ans.Message || !b.ans.Replayed {
		t.Fatalf("the same id at once: %q %v (replayed %v), want the first's answer %q", b.ans.Message, b.err, b.ans.Replayed, a.ans.Message)
	}
}

// TestSpokenUndoRefusalReplayed: a spoken undo's id that was refused
// ("nothing to undo") and is sent again later, after another command,
// answers its first refusal: it does not undo the command said since.
func TestSpokenUndoRefusalReplayed(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	for _, lang := range []string{"en", "de"} {
		text := map[string]string{"en": "undo that", "de": "mach das rückgängig"}[lang]
		id := uuid.New()
		_, first := f.svc.Command(f.ctx(f.ana), Request{ID: &id, Text: text, Lang: lang})
		if !isCode(first, familyhub.ECONFLICT) {
			t.Fatalf("%q with nothing to undo: %v", text, first)
		}
		f.do("add milk to the weekly list")
		ans, again := f.svc.Command(f.ctx(f.ana), Request{ID: &id, Text: text, Lang: lang})
		if !isCode(again, familyhub.ECONFLICT) || familyhub.ErrorMessage(again) != familyhub.ErrorMessage(first) || ans.Lang != lang {
			t.Fatalf("%q sent again: %+v %v, want the first refusal %v", text, ans, again, first)
		}
		if got := itemNamesOf(f.items(weekly.ID)); got == "" {
			t.Fatalf("%q sent again undid the command said since", text)
		}
		f.do("undo that") // the next language's first try finds it undone already
	}
}

// TestSpokenUndoAgeFromSaidAt: the 30 minutes of a spoken undo count from
// when it was said (said_at, as a client holding it offline sends it),
// not from its arrival; said_at in the future counts from the arrival.
func TestSpokenUndoAgeFromSaidAt(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add butter to the weekly list")
	said := f.now.Add(time.Minute)
	f.setNow(f.now.Add(SpokenUndoMaxAge + 10*time.Minute))
	ans, err := f.svc.Command(f.ctx(f.ana), Request{Text: "mach das rückgängig", Lang: "de", SaidAt: &said})
	if err != nil || ans.Message != "Taken back: butter came off “Weekly” again." { // in the undone command's language
		t.Fatalf("undo said a minute after the command, sent 40 minutes later: %+v %v", ans, err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "" {
		t.Fatalf("after the undo: %q", got)
	}
	// said too late, even if sent with a said_at ahead of the clock
	f.do("add cheese to the weekly list")
	f.setNow(f.now.Add(SpokenUndoMaxAge + time.Minute))
	ahead := f.now.Add(2 * time.Minute)
	if _, err := f.svc.Command(f.ctx(f.ana), Request{Text: "undo that", Lang: "en", SaidAt: &ahead}); !isCode(err, familyhub.ECONFLICT) ||
		!strings.Contains(familyhub.ErrorMessage(err), "more than 30 minutes ago") {
		t.Fatalf("undo 31 minutes later, said_at ahead: %v", err)
	}
}

// TestNightWords: "tonight" ("heute Abend") said after the evening's usual
// hour is due in the rest of this evening (the next quarter hour, at the
// latest 23:59), not at 19:00 gone; "tomorrow" ("morgen", "übermorgen")
// said before 04:00 counts from the day just begun, and the answer names
// the date. Each at a pinned clock in Berlin.
func TestNightWords(t *testing.T) {
	f := newTestFamily(t)
	cases := []struct {
		at         time.Time
		lang, text string
		due        time.Time
		msg        string
	}{
		{time.Date(2026, 12, 4, 23, 30, 0, 0, f.loc), "en", "remind me to take out the bins tonight",
			time.Date(2026, 12, 4, 23, 45, 0, 0, f.loc), "Added the task “Take out the bins”, due today at 23:45."},
		{time.Date(2026, 12, 4, 20, 30, 0, 0, f.loc), "de", "erinnere mich heute Abend an den Müll",
			time.Date(2026, 12, 4, 20, 45, 0, 0, f.loc), "Neue Aufgabe „Müll“, fällig heute um 20:45 Uhr."},
		{time.Date(2026, 12, 6, 23, 50, 0, 0, f.loc), "en", "remind me to take out the bins tonight",
			time.Date(2026, 12, 6, 23, 59, 0, 0, f.loc), "Added the task “Take out the bins”, due today."},
		{time.Date(2026, 12, 4, 18, 0, 0, 0, f.loc), "en", "remind me to take out the bins tonight",
			time.Date(2026, 12, 4, 19, 0, 0, 0, f.loc), "Added the task “Take out the bins”, due today at 19:00."},
		{time.Date(2026, 12, 5, 0, 30, 0, 0, f.loc), "en", "remind me to call grandma tomorrow at 6pm",
			time.Date(2026, 12, 5, 18, 0, 0, 0, f.loc), "Added the task “Call grandma”, due today (Sat, Dec 5) at 18:00."},
		{time.Date(2026, 12, 7, 0, 30, 0, 0, f.loc), "de", "Erinnere mich morgen um 18 Uhr, Oma anzurufen",
			time.Date(2026, 12, 7, 18, 0, 0, 0, f.loc), "Neue Aufgabe „Oma anrufen“, fällig heute (Mo., 7. Dezember) um 18:00 Uhr."},
		{time.Date(2026, 12, 5, 1, 30, 0, 0, f.loc), "de", "Erinnere mich übermorgen um 18 Uhr, Oma anzurufen",
			time.Date(2026, 12, 6, 18, 0, 0, 0, f.loc), "Neue Aufgabe „Oma anrufen“, fällig morgen (So., 6. Dezember) um 18:00 Uhr."},
		{time.Date(2026, 12, 5, 4, 30, 0, 0, f.loc), "en", "remind me to call grandma tomorrow at 6pm",
			time.Date(2026, 12, 6, 18, 0, 0, 0, f.loc), "Added the task “Call grandma”, due tomorrow at 18:00."},
	}
	for _, c := range cases {
		f.setNow(c.at)
		ans, err := f.svc.Command(f.ctx(f.ana), Request{Text: c.text, Lang: c.lang})
		if err != nil || ans.Result.Task == nil {
			t.Errorf("%s, %q: %+v %v", c.at.Format("Mon 15:04"), c.text, ans, err)
			continue
		}
		if due := ans.Result.Task.DueAt; due == nil || !due.Equal(c.due) || ans.Message != c.msg {
			t.Errorf("%s, %q: due %v, %q\nwant due %v, %q", c.at.Format("Mon 15:04"), c.text, due, ans.Message, c.due, c.msg)
		}
	}
}

// TestNoSchoolOnTodaysWeekday: "no school on Friday" said on a Friday with
// no School event closes next Friday once today's school day is over
// (from 17:00), today while it is not; "School" kept as a series is
// cancelled on next Friday instead.
func TestNoSchoolOnTodaysWeekday(t *testing.T) {
	f := newTestFamily(t)
	cases := []struct {
		at         time.Time
		lang, text string
		day        time.Time
		msg        string
	}{
		{time.Date(2026, 12, 4, 20, 30, 0, 0, f.loc), "en", "no school on friday", time.Date(2026, 12, 11, 0, 0, 0, 0, f.loc),
			"Added “School closed” to the calendar on Fri, Dec 11 (all day)."},
		{time.Date(2026, 12, 4, 17, 0, 0, 0, f.loc), "de", "keine Kita am Freitag", time.Date(2026, 12, 11, 0, 0, 0, 0, f.loc),
			"„Kita geschlossen“ am Fr., 11. Dezember (ganztägig) eingetragen."},
		{time.Date(2026, 12, 4, 7, 30, 0, 0, f.loc), "en", "no kindergarten on friday", time.Date(2026, 12, 4, 0, 0, 0, 0, f.loc),
			"Added “Kindergarten closed” to the calendar today (all day)."},
	}
	for _, c := range cases {
		f.setNow(c.at)
		ans, err := f.svc.Command(f.ctx(f.ana), Request{Text: c.text, Lang: c.lang})
		if err != nil || ans.Result.Event == nil {
			t.Errorf("%s, %q: %+v %v", c.at.Format("Mon 15:04"), c.text, ans, err)
			continue
		}
		if got := ans.Result.Event.StartsAt; !got.Equal(c.day) || ans.Message != c.msg {
			t.Errorf("%s, %q: closed on %v, %q\nwant %v, %q", c.at.Format("Mon 15:04"), c.text, got, ans.Message, c.day, c.msg)
		}
	}

	// School kept as a series on Fridays: next Friday's is cancelled.
	g := newTestFamily(t)
	g.setNow(time.Date(2026, 12, 4, 20, 30, 0, 0, g.loc))
	g.tx(g.ana, func(ctx context.Context, tx *db.Tx) error {
		rule := "FREQ=WEEKLY;BYDAY=FR"
		start := time.Date(2026, 11, 6, 8, 0, 0, 0, g.loc)
		_, _, err := tx.CalendarEventAdd(ctx, db.CalendarEventFields{Title: "School", StartsAt: start, EndsAt: start.Add(5 * time.Hour), RRule: &rule})
		return err
	})
	ans, err := g.svc.Command(g.ctx(g.ana), Request{Text: "no school on friday", Lang: "en"})
	if err != nil || ans.Result.Occurrence == nil || !ans.Result.Occurrence.Start.Equal(time.Date(2026, 12, 11, 8, 0, 0, 0, g.loc)) {
		t.Fatalf("no school on friday, with School every Friday: %+v %v", ans, err)
	}
}
