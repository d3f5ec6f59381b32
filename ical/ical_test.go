package ical

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/ical/caldavtest"
)

func TestICalParse(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		name, body string
		wantErr    string
		check      func(t *testing.T, ev ICalEvent)
	}{
		{name: "floating time in family zone", body: "DTSTART:20260301T090000\nDTEND:20260301T100000", check: func(t *testing.T, ev ICalEvent) {
			if !ev.StartsAt.Equal(time.Date(2026, 3, 1, 9, 0, 0, 0, berlin)) || ev.EndsAt.Sub(ev.StartsAt) != time.Hour {
				t.Fatal(ev.StartsAt, ev.EndsAt)
			}
		}},
		{name: "duration", body: "DTSTART:20260301T090000Z\nDURATION:PT90M", check: func(t *testing.T, ev ICalEvent) {
			if ev.EndsAt.Sub(ev.StartsAt) != 90*time.Minute {
				t.Fatal(ev.EndsAt)
			}
		}},
		{name: "all-day without end is one day", body: "DTSTART;VALUE=DATE:20260329", check: func(t *testing.T, ev ICalEvent) {
			if !ev.AllDay || ev.EndsAt.Sub(ev.StartsAt) != 23*time.Hour {
				t.Fatal(ev.StartsAt, ev.EndsAt)
			}
		}},
		{name: "unknown TZID falls back to family zone", body: "DTSTART;TZID=W. Europe Standard Time:20260301T090000", check: func(t *testing.T, ev ICalEvent) {
			if !ev.StartsAt.Equal(time.Date(2026, 3, 1, 9, 0, 0, 0, berlin)) {
				t.Fatal(ev.StartsAt)
			}
		}},
		{name: "date EXDATE on timed series", body: "DTSTART:20260301T090000Z\nRRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20260303", check: func(t *testing.T, ev ICalEvent) {
			if len(ev.Exdates) != 1 || !ev.Exdates[0].Equal(time.Date(2026, 3, 3, 10, 0, 0, 0, berlin)) {
				t.Fatal(ev.Exdates)
			}
		}},
		{name: "no summary", body: "DTSTART:20260301T090000Z", check: func(t *testing.T, ev ICalEvent) {
			if ev.Title != "Untitled" {
				t.Fatal(ev.Title)
			}
		}},
		{name: "no dtstart", body: "SUMMARY:x", wantErr: "DTSTART"},
		{name: "end before start", body: "DTSTART:20260301T090000Z\nDTEND:20260301T080000Z", wantErr: "before"},
		{name: "hourly rule", body: "DTSTART:20260301T090000Z\nRRULE:FREQ=HOURLY", wantErr: "FREQ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:u1\nDTSTAMP:20260101T000000Z\n" + tc.body + "\nEND:VEVENT\nEND:VCALENDAR\n"
			ev, err := ParseICalEvent(caldavtest.ParseICal(t, body), berlin, ICalParseOpts{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, ev)
		})
	}
}

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "2606:4700::1111": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fd00::1": false, "100.64.0.1": false,
		"0.0.0.0": false, "::": false, "224.0.0.1": false, "::ffff:127.0.0.1": false, "::ffff:93.184.216.34": true,
	} {
		if got := PublicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}
