package assistant

import (
	"testing"
	"time"
)

// TestMoveWeekdayThatIsToday: a bare weekday that is today, said in a
// move, is today's while the occurrence (or the new time) is still to
// come, else next week's, as a cancel's is (57c721e). "move Friday's
// football to Saturday" said on a Friday evening after football moved
// today's, which was over, to tomorrow (or was refused when the series
// starts next week); "move the dentist to Friday" said on a Friday
// evening moved it to today at a time that had passed.
func TestMoveWeekdayThatIsToday(t *testing.T) {
	for _, tc := range []struct {
		name, now, say string
		wantDay        int // December day the occurrence moves to
		wantHour       int
	}{
		{"possessive, morning", "2026-12-04T09:00:00+01:00", "move Friday's football to Saturday", 5, 17},
		{"possessive, evening", "2026-12-04T20:30:00+01:00", "move Friday's football to Saturday", 12, 17},
		{"from, evening", "2026-12-04T20:30:00+01:00", "move football from Friday to Saturday", 12, 17},
		{"German, evening", "2026-12-04T20:30:00+01:00", "verschieb Fußball vom Freitag auf Samstag", 12, 17},
		{"target, evening", "2026-12-04T20:30:00+01:00", "move the dentist to friday", 11, 15},
		{"target, morning", "2026-12-04T09:00:00+01:00", "move the dentist to friday", 4, 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newTestFamily(t)
			now, _ := time.Parse(time.RFC3339, tc.now)
			f.setNow(now)
			// a series whose first occurrence is today's (the morning) or,
			// made in the evening, next week's; and a dentist on Wednesday
			f.setNow(time.Date(2026, 12, 1, 9, 0, 0, 0, f.loc))
			f.do("Football every Friday at 5pm")
			f.do("Fußball jeden Freitag um 17 Uhr")
			f.do("dentist on Wednesday December 9 at 3pm")
			f.setNow(now)
			a := f.do(tc.say)
			if a.Intent.Type != IntentCalendarMove || a.Result.Occurrence == nil {
				t.Fatalf("%q: %s %+v", tc.say, a.Intent.Type, a.Result)
			}
			got := a.Result.Occurrence.Start.In(f.loc)
			want := time.Date(2026, 12, tc.wantDay, tc.wantHour, 0, 0, 0, f.loc)
			if !got.Equal(want) {
				t.Errorf("%q moved to %s, want %s", tc.say, got, want)
			}
		})
	}
}
