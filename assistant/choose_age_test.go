package assistant

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db"
)

// TestChoiceOlderThanSaidAtMaxAge: a question's option runs as of when the
// question was asked only within SaidAtMaxAge (a week), the bound an
// outbox command's said_at has; answered later, it runs as of the choice.
// "move swimming to 6pm" asked on a Monday, answered nine days later:
// the occurrence moved is the next one from the choice, not the one of
// the week it was asked in, long past. Unbounded, the past one moved.
func TestChoiceOlderThanSaidAtMaxAge(t *testing.T) {
	f := newTestFamily(t)
	f.setNow(time.Date(2026, 11, 30, 9, 0, 0, 0, f.loc)) // a Monday
	f.do("Swimming Tim every Monday at 5pm")
	f.do("Swimming Mia every Monday at 5pm")
	f.setNow(time.Date(2026, 12, 7, 9, 0, 0, 0, f.loc)) // Monday
	q := f.ask("move swimming to 6pm")
	f.setNow(time.Date(2026, 12, 16, 9, 0, 0, 0, f.loc)) // nine days later, a Wednesday
	a, err := f.svc.Choose(f.ctx(f.ana), q.ID, 0, "en", Device{})
	if err != nil || a.Result.Occurrence == nil {
		t.Fatalf("choose: %+v %v", a, err)
	}
	if got, want := a.Result.Occurrence.Start.In(f.loc), time.Date(2026, 12, 21, 18, 0, 0, 0, f.loc); !got.Equal(want) {
		t.Errorf("moved the occurrence to %v (%q), want the next one from the choice, %v", got, a.Message, want)
	}
	if !strings.Contains(a.Message, "18:00") {
		t.Errorf("message %q", a.Message)
	}
}

// TestChoiceFromQuestionSaidAt: a question sent with said_at (a client's
// outbox) is answered as of when it was said, not when it arrived: said
// at 01:30 (before 04:00 "tomorrow" is the day just begun, and the answer
// names its date), arrived and answered after 04:00, the answer still
// names the date. said_at was not stored, and the answer ran as of the
// question's arrival (04:30): no date named.
func TestChoiceFromQuestionSaidAt(t *testing.T) {
	f := newTestFamily(t)
	for _, title := range []string{"Water the roses", "Water the lawn"} {
		f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title})
			return err
		})
	}
	day := f.dayAhead() // the snooze's end must be ahead of the wall clock
	said := time.Date(day.Year(), day.Month(), day.Day(), 1, 30, 0, 0, f.loc)
	f.setNow(time.Date(day.Year(), day.Month(), day.Day(), 4, 30, 0, 0, f.loc))
	q, err := f.svc.Command(f.ctx(f.ana), Request{Text: "snooze water the until tomorrow at 7pm", Lang: "en", SaidAt: &said})
	if err != nil || q.Outcome != OutcomeQuestion {
		t.Fatalf("the question: %+v %v", q, err)
	}
	f.setNow(f.now.Add(5 * time.Minute))
	a, err := f.svc.Choose(f.ctx(f.ana), q.ID, 0, "en", Device{})
	if want := " until today (" + day.Format("Mon, Jan 2") + ") at 19:00."; err != nil || !strings.HasSuffix(a.Message, want) {
		t.Errorf("said at 01:30, arrived 04:30, answered 04:35: %q %v, want it to end %q", a.Message, err, want)
	}
	// the option is recorded as said then, as the question (a question it
	// asks in turn counts from then too), and "undo that" said after it
	// undoes it, not the command before
	var stored *time.Time
	if err := f.pool.QueryRow(context.Background(), `SELECT said_at FROM assistant_commands WHERE id = $1`, a.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == nil || !stored.Equal(said) {
		t.Errorf("the chosen option's said_at %v, want the question's %v", stored, said)
	}
	f.setNow(f.now.Add(time.Minute))
	if u := f.do("undo that"); u.Message != undoneOf(a.Message) {
		t.Errorf("undo that after the choice: %q, want %q", u.Message, undoneOf(a.Message))
	}
}
