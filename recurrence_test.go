package familyhub

import (
	"strings"
	"testing"
	"time"
)

func TestRecurrenceParse(t *testing.T) {
	t.Parallel()
	valid := []struct{ in, want string }{
		{"FREQ=DAILY", "FREQ=DAILY"},
		{" rrule:freq=weekly;byday=mo,th ", "FREQ=WEEKLY;BYDAY=MO,TH"},
		{"FREQ=WEEKLY;INTERVAL=2;COUNT=10", "FREQ=WEEKLY;INTERVAL=2;COUNT=10"},
		{"FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=-1"},
		{"FREQ=MONTHLY;BYDAY=1SA", "FREQ=MONTHLY;BYDAY=1SA"},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"},
		{"FREQ=DAILY;UNTIL=20261231T000000Z", "FREQ=DAILY;UNTIL=20261231T000000Z"},
		{"FREQ=DAILY;UNTIL=20261231", "FREQ=DAILY;UNTIL=20261231"},
	}
	for _, tc := range valid {
		r, err := ParseRecurrence("recurrence", tc.in)
		if err != nil {
			t.Errorf("ParseRecurrence(%q): %v", tc.in, err)
		} else if r.String() != tc.want {
			t.Errorf("ParseRecurrence(%q) = %q, want %q", tc.in, r.String(), tc.want)
		}
	}
	invalid := []string{
		"",
		"   ",
		"FREQ=SECONDLY",
		"FREQ=MINUTELY",
		"FREQ=HOURLY",
		"FREQ=FORTNIGHTLY",
		"FREQ=DAILY;BYHOUR=8",
		"FREQ=DAILY;BYMINUTE=0",
		"FREQ=DAILY;BYSECOND=0",
		"BYDAY=MO",
		"FREQ=WEEKLY;BYDAY=XX",
		"FREQ=DAILY;COUNT=0",
		"FREQ=DAILY;COUNT=-1",
		"FREQ=DAILY;COUNT=100000",
		"FREQ=DAILY;INTERVAL=0",
		"FREQ=DAILY;INTERVAL=5000",
		"FREQ=DAILY;COUNT=2;UNTIL=20261231T000000Z",
		"FREQ=DAILY;UNTIL=tomorrow",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", // never occurs
		"FREQ=MONTHLY;BYMONTH=13",
		"FREQ=MONTHLY;BYDAY=10FR", // rrule-go panics on it
		"FREQ=WEEKLY;BYDAY=2MO",
		"FREQ=YEARLY;BYDAY=54MO",
		"FREQ=MONTHLY;BYDAY=XX",
		"FREQ=DAILY;FREQ=WEEKLY",
		"FREQ=DAILY\nFREQ=WEEKLY",
		"DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY",
		"FREQ=DAILY;DTSTART=20260101T000000Z",
		"FREQ=DAILY;X-NAME=1",
		"FREQ=DAILY;",
		"FREQ",
		"FREQ=DAILY;BYMONTHDAY=" + strings.Repeat("1,", 300) + "1",
	}
	for _, in := range invalid {
		_, err := ParseRecurrence("recurrence", in)
		if ErrorCode(err) != EINVALID {
			t.Errorf("ParseRecurrence(%q) = %v, want an invalid error", in, err)
			continue
		}
		if e := err.(*Error); e.Field != "recurrence" {
			t.Errorf("ParseRecurrence(%q): field %q", in, e.Field)
		}
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestRecurrenceBetweenDST expands series across Europe/Berlin's changes
// (2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00): the local time
// of day stays, the UTC instant moves.
func TestRecurrenceBetweenDST(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	cases := []struct {
		name     string
		rule     string
		start    time.Time
		from, to time.Time
		want     []string // RFC 3339 in Berlin
	}{
		{
			name: "weekly Sunday 10:00 into summer time", rule: "FREQ=WEEKLY",
			start: time.Date(2026, 3, 22, 10, 0, 0, 0, berlin),
			from:  time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC),
			want: []string{"2026-03-22T10:00:00+01:00", "2026-03-29T10:00:00+02:00", "2026-04-05T10:00:00+02:00"},
		},
		{
			name: "daily 07:30 out of summer time", rule: "FREQ=DAILY",
			start: time.Date(2026, 10, 24, 7, 30, 0, 0, berlin),
			from:  time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC),
			want: []string{"2026-10-24T07:30:00+02:00", "2026-10-25T07:30:00+01:00", "2026-10-26T07:30:00+01:00"},
		},
		{
			// 02:30 does not exist on 2026-03-29: that day's occurrence moves
			// forward by the gap, the next day is back at 02:30.
			name: "daily 02:30 through the gap", rule: "FREQ=DAILY",
			start: time.Date(2026, 3, 28, 2, 30, 0, 0, berlin),
			from:  time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
			want: []string{"2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"},
		},
		{
			name: "start given in UTC is expanded in the zone", rule: "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4",
			start: time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC), // 09:00 in Berlin
			from:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
			want: []string{"2026-03-23T09:00:00+01:00", "2026-03-26T09:00:00+01:00", "2026-03-30T09:00:00+02:00", "2026-04-02T09:00:00+02:00"},
		},
		{
			name: "range cuts the series", rule: "FREQ=DAILY",
			start: time.Date(2020, 1, 1, 12, 0, 0, 0, berlin),
			from:  time.Date(2026, 3, 29, 10, 0, 0, 0, time.UTC), to: time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC),
			want: []string{"2026-03-29T12:00:00+02:00", "2026-03-30T12:00:00+02:00"},
		},
		{
			name: "until in the local zone", rule: "FREQ=DAILY;UNTIL=20260330T120000",
			start: time.Date(2026, 3, 28, 12, 0, 0, 0, berlin),
			from:  time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC),
			want: []string{"2026-03-28T12:00:00+01:00", "2026-03-29T12:00:00+02:00", "2026-03-30T12:00:00+02:00"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRecurrence("rrule", tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			got := r.Between(tc.start, berlin, tc.from, tc.to, 100)
			var gotS []string
			for _, g := range got {
				gotS = append(gotS, g.Format(time.RFC3339))
			}
			if strings.Join(gotS, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("got  %v\nwant %v", gotS, tc.want)
			}
		})
	}
}

func TestRecurrenceBetweenMax(t *testing.T) {
	t.Parallel()
	r, _ := ParseRecurrence("rrule", "FREQ=DAILY")
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	if n := len(r.Between(start, time.UTC, start, start.AddDate(1, 0, 0), 10)); n != 10 {
		t.Fatalf("%d occurrences, want the max 10", n)
	}
}

func TestRecurrenceOnDate(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	r, err := ParseRecurrence("recurrence", "FREQ=WEEKLY;BYDAY=MO,TH")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 23, 23, 30, 0, 0, berlin) // Monday 23:30, Monday 22:30 UTC
	cases := []struct {
		date string
		want string // "" for no occurrence
	}{
		{"2026-03-22", ""}, // before the start
		{"2026-03-23", "2026-03-23T23:30:00+01:00"},
		{"2026-03-24", ""},
		{"2026-03-26", "2026-03-26T23:30:00+01:00"},
		{"2026-03-30", "2026-03-30T23:30:00+02:00"}, // after the change
		{"2026-03-31", ""},
	}
	for _, tc := range cases {
		d, _ := time.Parse(time.DateOnly, tc.date)
		occ, ok := r.OnDate(start, berlin, d)
		got := ""
		if ok {
			got = occ.Format(time.RFC3339)
		}
		if got != tc.want {
			t.Errorf("OnDate(%s) = %q, want %q", tc.date, got, tc.want)
		}
	}
}

func TestDayBounds(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	for _, tc := range []struct {
		date  string
		hours float64
	}{{"2026-03-28", 24}, {"2026-03-29", 23}, {"2026-10-25", 25}} {
		d, _ := time.Parse(time.DateOnly, tc.date)
		start, end := DayBounds(d, berlin)
		if start.Format(time.DateTime) != tc.date+" 00:00:00" || end.Sub(start).Hours() != tc.hours {
			t.Errorf("DayBounds(%s) = %s..%s", tc.date, start, end)
		}
	}
	if got := CivilDate(time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC), berlin); got.Format(time.DateOnly) != "2026-03-29" {
		t.Errorf("CivilDate = %s", got)
	}
}
