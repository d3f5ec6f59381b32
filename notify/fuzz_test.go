package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Input from the network: the iCalendar a CalDAV client PUT (its alarms),
// a browser's subscription, a member's ntfy URL. None may panic, and what
// is accepted must be what the sender may use.

func FuzzEventAlarms(f *testing.F) {
	for _, seed := range []string{
		"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n",
		"BEGIN:VALARM\r\nTRIGGER;RELATED=END:PT0S\r\nEND:VALARM\r\n",
		"BEGIN:VALARM\r\nTRIGGER;VALUE=DATE-TIME:20260302T080000Z\r\nEND:VALARM\r\n",
		"BEGIN:VALARM\r\nTRIGGER:-P1W2DT3H\r\nEND:VALARM\r\n",
		"BEGIN:VALARM\r\nTRIGGER:garbage\r\nEND:VALARM\r\n",
		"BEGIN:VALARM\r\nX;A=\r\nEND:VALARM\r\n",
		"BEGIN:VALARM\r\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, alarms string) {
		s := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//f//EN\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260302T100000Z\r\n" +
			"DTEND:20260302T110000Z\r\n" + alarms + "END:VEVENT\r\nEND:VCALENDAR\r\n"
		start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		for _, a := range eventAlarms(dbsqlc.CalendarEvent{Ical: &s}) {
			if fire, ok := a.fire(db.Occurrence{Start: start, End: start.Add(time.Hour)}, false); ok && a.absolute.IsZero() &&
				(fire.Before(start.Add(-maxAlarmSpan)) || fire.After(start.Add(25*time.Hour))) {
				t.Fatalf("alarm %+v fires at %s, outside the bounds", a, fire)
			}
		}
	})
}

func FuzzPushSubscription(f *testing.F) {
	f.Add("https://fcm.googleapis.com/fcm/send/x", "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", "tBHItJI5svbpez7KI4CCXg")
	f.Add("https://127.0.0.1/x", "BA", "AA==")
	f.Add("http://[::1]:80/x", "+/+/", "////")
	f.Fuzz(func(t *testing.T, endpoint, p256dh, auth string) {
		if u, err := (Config{}).CheckEndpoint(endpoint); err == nil && !strings.HasPrefix(u, "https://") {
			t.Fatalf("accepted endpoint %q", u)
		}
		p := db.PushSubscriptionNew{Endpoint: endpoint, P256dh: p256dh, Auth: auth}
		if err := p.Normalize(); err == nil && (len(p.P256dh) != 87 || len(p.Auth) != 22) {
			t.Fatalf("accepted keys %q %q", p.P256dh, p.Auth)
		}
		_, _ = (Config{}).CheckNtfyURL(endpoint)
	})
}
