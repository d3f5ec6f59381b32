package assistant

import (
	"strings"
	"testing"
	"time"
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
