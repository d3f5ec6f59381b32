package assistant

import (
	"strings"
	"testing"
	"time"

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
		if r.err != nil || r.ans.ID != id || r.ans.Message != undoneOf(add.Message) {
			t.Errorf("undo that, id sent twice at once: %+v %v (%s)", r.ans, r.err, familyhub.ErrorMessage(r.err))
		}
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after undo that sent twice: %q, want bread (one command undone)", got)
	}
}

// TestWeekdayTodayAsksFirst: "move Friday's dentist to Saturday" or "the
// dentist is off on Friday", said on a Friday morning with two dentists
// still to come today, asks which of today's (before, next Friday's only
// dentist was moved or cancelled without a word, as when today had none).
func TestWeekdayTodayAsksFirst(t *testing.T) {
	for _, say := range []string{"move Friday's dentist to Saturday", "move the dentist from Friday to Saturday", "the dentist is off on Friday"} {
		t.Run(say, func(t *testing.T) {
			f := newTestFamily(t)
			f.setNow(time.Date(2026, 12, 1, 9, 0, 0, 0, f.loc))
			f.do("Ana's dentist on Friday December 4 at 10am")
			f.do("Ben's dentist on Friday December 4 at 11am")
			f.do("Ana's dentist on Friday December 11 at 10am")
			f.setNow(time.Date(2026, 12, 4, 8, 0, 0, 0, f.loc))
			a, err := f.svc.Command(f.ctx(f.ana), Request{Text: say})
			if err != nil || a.Outcome != OutcomeQuestion {
				t.Fatalf("%q: %s %+v %v, want a question", say, a.Outcome, a.Result.Occurrence, err)
			}
		})
	}
}

// TestDeleteWeekdayThatIsToday: "delete football on Friday" said on a
// Friday evening after football deletes next Friday's, as "football is
// off on Friday" cancels it (before, it deleted today's, which was over);
// said in the morning, today's. A one-off event today that has begun,
// with none next week, is still today's.
func TestDeleteWeekdayThatIsToday(t *testing.T) {
	for _, tc := range []struct {
		name, now, say string
		wantDay        int // December day of the occurrence deleted
	}{
		{"evening", "2026-12-04T20:30:00+01:00", "delete football on Friday", 11},
		{"morning", "2026-12-04T09:00:00+01:00", "delete football on Friday", 4},
		{"German, evening", "2026-12-04T20:30:00+01:00", "lösch den Termin Fußball am Freitag", 11},
		{"one-off, begun", "2026-12-04T10:30:00+01:00", "delete the dentist on Friday", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newTestFamily(t)
			f.setNow(time.Date(2026, 12, 1, 9, 0, 0, 0, f.loc))
			f.do("Football every Friday at 5pm")
			f.do("Fußball jeden Freitag um 17 Uhr")
			f.do("dentist on Friday December 4 at 10am")
			now, _ := time.Parse(time.RFC3339, tc.now)
			f.setNow(now)
			a := f.do(tc.say)
			var got time.Time
			switch {
			case a.Result.Occurrence != nil:
				got = a.Result.Occurrence.Start
			case a.Result.Event != nil:
				got = a.Result.Event.StartsAt
			default:
				t.Fatalf("%q: %s %+v", tc.say, a.Intent.Type, a.Result)
			}
			if d := got.In(f.loc); d.Day() != tc.wantDay {
				t.Errorf("%q deleted the one of %s, want December %d", tc.say, d, tc.wantDay)
			}
		})
	}
}

// TestSpokenUndoAfterAQuestion: a question is the speaker's last command:
// "undo that" after it is refused as the button on it is (it changed
// nothing), and the command before it is not undone instead. Another
// member's newer command, and a child's, are not the speaker's.
func TestSpokenUndoAfterAQuestion(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.list("Aldi")
	f.do("add milk to the weekly list")
	f.do("add milk to the aldi list")
	if a, err := f.svc.Command(f.ctx(f.ana), Request{Text: "tick off milk"}); err != nil || a.Outcome != OutcomeQuestion {
		t.Fatalf("tick off milk: %+v %v, want a question", a, err)
	}
	f.doAs(f.ben, "add bread to the weekly list")
	f.doAs(f.tim, "add crisps to the weekly list")
	f.refused("undo that", familyhub.ECONFLICT, "changed nothing")
	if got := itemNamesOf(f.items(weekly.ID)); got != "milk, bread, crisps" {
		t.Fatalf("after undo that: %q", got)
	}
}

// TestSpokenUndoTwoDevicesAtOnce: "undo that" said on two devices at the
// same moment (two ids) undoes the last command once; the second is
// refused as undone already, and no older command is undone.
func TestSpokenUndoTwoDevicesAtOnce(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add bread to the weekly list")
	add := f.do("add milk to the weekly list")
	release := f.holdRow(`SELECT 1 FROM assistant_commands WHERE id = $1 FOR UPDATE`, add.ID)
	errs := make(chan error, 2)
	for _, dev := range []string{"ana-phone", "ana-tablet"} {
		a := *f.ana
		a.DeviceID = dev
		go func() {
			_, err := f.svc.Command(f.ctx(&a), Request{Text: "undo that"})
			errs <- err
		}()
	}
	if !f.waitLocks(2) {
		release()
		t.Fatal("the two undos did not wait for the last command's row")
	}
	release()
	var undone, already int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			undone++
		case isCode(err, familyhub.ECONFLICT) && strings.Contains(familyhub.ErrorMessage(err), "undone already"):
			already++
		default:
			t.Errorf("undo that on two devices: %v", err)
		}
	}
	if undone != 1 || already != 1 {
		t.Errorf("undo that on two devices: %d undone, %d refused as undone already; want 1 and 1", undone, already)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after undo that on two devices: %q, want bread", got)
	}
}
