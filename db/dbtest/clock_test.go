package dbtest

import (
	"testing"
	"time"
)

// TestMidnightWithin: the midnight a test waits for is the next one in
// any of the zones it names (UTC when none), also on the days of 23 and
// 25 hours and at the turn of a year, and none when all lie further ahead.
func TestMidnightWithin(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		now  string
		locs []*time.Location
		want string // "" when none within two minutes
	}{
		{"2026-12-04T23:59:00Z", nil, "2026-12-05T00:00:00Z"},
		{"2026-12-04T23:57:00Z", nil, ""},
		{"2026-12-04T22:59:30Z", nil, ""},
		{"2026-12-04T22:59:30Z", []*time.Location{berlin}, "2026-12-04T23:00:00Z"},
		{"2026-12-04T22:59:30Z", []*time.Location{time.UTC, berlin}, "2026-12-04T23:00:00Z"},
		{"2026-12-04T23:59:30Z", []*time.Location{time.UTC, berlin}, "2026-12-05T00:00:00Z"},
		{"2026-12-31T22:58:30Z", []*time.Location{berlin}, "2026-12-31T23:00:00Z"},
		{"2027-03-27T22:59:00Z", []*time.Location{berlin}, "2027-03-27T23:00:00Z"}, // before the 23-hour Sunday
		{"2027-03-28T21:59:00Z", []*time.Location{berlin}, "2027-03-28T22:00:00Z"}, // its end, in summer time
		{"2027-10-30T21:59:00Z", []*time.Location{berlin}, "2027-10-30T22:00:00Z"}, // before the 25-hour Sunday
		{"2027-10-31T22:59:00Z", []*time.Location{berlin}, "2027-10-31T23:00:00Z"}, // its end, in winter time
		{"2027-10-31T21:59:00Z", []*time.Location{berlin}, ""},                     // 25 hours: an hour to go
	} {
		got, ok := MidnightWithin(at(tc.now), 2*time.Minute, tc.locs...)
		if tc.want == "" {
			if ok {
				t.Errorf("%s: midnight %v, want none", tc.now, got)
			}
			continue
		}
		if !ok || !got.Equal(at(tc.want)) {
			t.Errorf("%s: midnight %v %v, want %s", tc.now, got, ok, tc.want)
		}
	}
}
