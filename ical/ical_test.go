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
		// NAT64 (RFC 6052) and 6to4 (RFC 3056) carry an IPv4 address a
		// gateway delivers to: judged by it.
		"64:ff9b::7f00:1": false, "64:ff9b::a9fe:a9fe": false, "64:ff9b::10.0.0.1": false, "64:ff9b::192.168.1.1": false,
		"64:ff9b::5db8:d822": true, "64:ff9b:1::a00:1": false,
		"2002:7f00:1::1": false, "2002:a9fe:a9fe::": false, "2002:c0a8:101::1": false, "2002:0a00:0001::": false,
		"2002:5db8:d822::1": true,
		// IPv4-compatible (deprecated) and Teredo.
		"::127.0.0.1": false, "::10.1.2.3": false, "2001:0:4136:e378:8000:63bf:3fff:fdd2": false,
		"0.1.2.3": false, "198.18.0.1": false, "240.0.0.1": false,
	} {
		if got := PublicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}
