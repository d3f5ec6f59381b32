package db

import "testing"

func TestURLCarriesSecret(t *testing.T) {
	for _, tc := range []struct {
		url    string
		secret bool
	}{
		{"https://example.org/club.ics", false},
		{"https://calendar.google.com/calendar/ical/en.german%23holiday%40group.v.calendar.google.com/public/basic.ics", false},
		{"https://calendar.google.com/calendar/ical/ana%40gmail.com/public/basic.ics", false},
		{"https://www.schulferien.org/media/ical/deutschland/ferien_berlin_2026.ics", false},
		{"https://example.org/calendars/school-holidays-2026-2027.ics", false},
		{"https://example.org/2026/01/02/events.ics", false},
		{"https://calendar.google.com/calendar/ical/ana%40gmail.com/private-0f1e2d3c4b5a69788796a5b4c3d2e1f0/basic.ics", true},
		{"https://p23-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw", true},
		{"https://outlook.office365.com/owa/calendar/1b4e28ba2fa111d2883f0000f8fa7bcd@example.org/9c8b7a6d5e4f3a2b1c0d9e8f7a6b5c4d/calendar.ics", true},
		{"https://example.org/feeds/1b4e28ba-2fa1-11d2-883f-0000f8fa7bcd.ics", true},
		{"https://user.fm/calendar/v1-3a9f0c1b7d2e4f6a8b0c2d4e6f8a0b1c/Calendar.ics", true},
		{"https://cloud.example.org/remote.php/dav/public-calendars/AbCdEfGhIjKlMnOp?export", true},
		{"https://example.org/club.ics?token=x", true},
		{"https://example.org/club.ics?", true},
		{"https://ana:pw@example.org/club.ics", true},
		{"https://ana@example.org/club.ics", true},
		{"http://[::1", true},
	} {
		if got := URLCarriesSecret(tc.url); got != tc.secret {
			t.Errorf("URLCarriesSecret(%q) = %v, want %v", tc.url, got, tc.secret)
		}
	}
}
