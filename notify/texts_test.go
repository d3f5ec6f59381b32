package notify

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/ical"
)

func TestTexts(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 2, 17, 45, 0, 0, berlin) // a Monday
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, berlin) }
	for _, tc := range []struct {
		name string
		got  Text
		want Text
	}{
		{"task now", taskText("Call grandma", now.Add(20*time.Second), now, "en"), Text{"Call grandma", "Due now"}},
		{"task now de", taskText("Oma anrufen", now, now, "de"), Text{"Oma anrufen", "Jetzt fällig"}},
		{"task later", taskText("Call grandma", at(2, 18, 0), now, "en"), Text{"Call grandma", "Due at 6:00 PM"}},
		{"task later de", taskText("Oma anrufen", at(2, 18, 0), now, "de"), Text{"Oma anrufen", "Fällig um 18:00"}},
		{"task tomorrow", taskText("Bins", at(3, 7, 30), now, "en"), Text{"Bins", "Due tomorrow at 7:30 AM"}},
		{"task overdue de", taskText("Müll", at(2, 17, 0), now, "de"), Text{"Müll", "War fällig um 17:00"}},
		{"event", eventText("Dentist", "Main St 1", at(2, 18, 0), now, false, "en"), Text{"Dentist", "Starts at 6:00 PM · Main St 1"}},
		{"event de in a week", eventText("Zahnarzt", "", at(9, 9, 30), now, false, "de"), Text{"Zahnarzt", "Beginnt am Mo. 9. März um 09:30"}},
		{"event en in a week", eventText("Dentist", "", at(9, 9, 30), now, false, "en"), Text{"Dentist", "Starts on Mon, Mar 9 at 9:30 AM"}},
		{"all day tomorrow", eventText("Grandma visits", "", at(3, 0, 0), now, true, "en"), Text{"Grandma visits", "Tomorrow, all day"}},
		{"all day today de", eventText("Oma kommt", "", at(2, 0, 0), now, true, "de"), Text{"Oma kommt", "Heute, ganztägig"}},
		{"list", listText("Weekly", []string{"Ben"}, 5, []string{"milk", "eggs", "bread", "jam", "tea"}, "en"),
			Text{"Weekly", "Ben added 5 items to Weekly: milk, eggs, bread, jam, tea"}},
		{"list more than shown", listText("Weekly", []string{"Ben", "Ana"}, 7, []string{"milk", "eggs"}, "en"),
			Text{"Weekly", "Ben and Ana added 7 items to Weekly: milk, eggs, …"}},
		{"list one de", listText("Wocheneinkauf", []string{"Ben"}, 1, []string{"Milch"}, "de"), Text{"Wocheneinkauf", "Ben hat Milch zu Wocheneinkauf hinzugefügt"}},
		{"list two de", listText("Wocheneinkauf", []string{"Ben", "Ana"}, 2, []string{"Milch", "Eier"}, "de"),
			Text{"Wocheneinkauf", "Ben und Ana haben 2 Artikel zu Wocheneinkauf hinzugefügt: Milch, Eier"}},
		{"list unknown", listText("Weekly", nil, 1, []string{"milk"}, "en"), Text{"Weekly", "Milk was added to Weekly"}},
		{"list unknown de", listText("Weekly", nil, 3, nil, "de"), Text{"Weekly", "3 Artikel wurden zu Weekly hinzugefügt"}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, tc.got, tc.want)
		}
	}
}

func TestDigestText(t *testing.T) {
	nine := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	events := []digestItem{{Title: "Grandma visits", AllDay: true}, {Title: "Dentist", At: &nine}}
	chores := []digestItem{{Title: "Take out the bins"}}
	if got, want := digestText(events, chores, "en"), (Text{"Today: 2 events, 1 chore", "All day: Grandma visits\n9:30 AM Dentist\n• Take out the bins"}); got != want {
		t.Errorf("en: %+v, want %+v", got, want)
	}
	if got, want := digestText(nil, chores, "de"), (Text{"Heute: 1 Aufgabe", "• Take out the bins"}); got != want {
		t.Errorf("de: %+v, want %+v", got, want)
	}
	var many []digestItem
	for range 12 {
		many = append(many, digestItem{Title: "x"})
	}
	got := digestText(nil, many, "de")
	if lines := strings.Split(got.Body, "\n"); len(lines) != maxBodyLines || lines[len(lines)-1] != "… und 5 weitere" {
		t.Errorf("12 chores: %q", got.Body)
	}
}

func TestMessageClipped(t *testing.T) {
	long := strings.Repeat("ä", 2000)
	m := Message{EN: Text{Title: long + "\n", Body: long}, DE: Text{Title: "x", Body: "y"}}.clipped()
	if n := len([]rune(m.EN.Title)); n != maxTitleRunes {
		t.Errorf("title %d runes", n)
	}
	if n := len([]rune(m.EN.Body)); n != maxBodyRunes {
		t.Errorf("body %d runes", n)
	}
}

func clockAt(t *testing.T, v string) pgtype.Time {
	c, err := db.ParseClock("x", v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestQuietUntil(t *testing.T) {
	day := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		start, end string
		now        time.Time
		until      time.Time // zero: not quiet
	}{
		{"22:00", "07:00", day(23, 0), day(31, 0)}, // 07:00 next day
		{"22:00", "07:00", day(6, 59), day(7, 0)},
		{"22:00", "07:00", day(7, 0), time.Time{}},
		{"22:00", "07:00", day(12, 0), time.Time{}},
		{"22:00", "07:00", day(22, 0), day(31, 0)},
		{"13:00", "14:30", day(13, 30), day(14, 30)},
		{"13:00", "14:30", day(14, 30), time.Time{}},
	} {
		m := &dbsqlc.NotifyMemberSettingsListRow{QuietStart: clockAt(t, tc.start), QuietEnd: clockAt(t, tc.end)}
		until, quiet := quietUntil(m, tc.now)
		if quiet != !tc.until.IsZero() || !until.Equal(tc.until) {
			t.Errorf("%s-%s at %s: quiet=%v until %s, want %s", tc.start, tc.end, tc.now.Format("15:04"), quiet, until, tc.until)
		}
	}
	if _, quiet := quietUntil(&dbsqlc.NotifyMemberSettingsListRow{}, day(23, 0)); quiet {
		t.Error("no quiet hours: quiet")
	}
}

func TestEventAlarms(t *testing.T) {
	ev := func(alarms string) dbsqlc.CalendarEvent {
		s := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a@b\r\nDTSTAMP:20260301T000000Z\r\n" +
			"DTSTART:20260302T100000Z\r\nDTEND:20260302T110000Z\r\nSUMMARY:Dentist\r\n" + alarms + "END:VEVENT\r\nEND:VCALENDAR\r\n"
		return dbsqlc.CalendarEvent{Ical: &s}
	}
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	occ := db.Occurrence{Start: start, End: start.Add(time.Hour)}
	fires := func(e dbsqlc.CalendarEvent) []time.Time {
		var out []time.Time
		for _, a := range eventAlarms(e) {
			if f, ok := a.fire(occ, false); ok {
				out = append(out, f)
			}
		}
		return out
	}
	alarm := func(lines string) string {
		return "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\n" + lines + "END:VALARM\r\n"
	}
	if got := eventAlarms(ev("")); got != nil {
		t.Errorf("no VALARM: %v", got)
	}
	got := fires(ev(alarm("TRIGGER:-PT30M\r\n") + alarm("TRIGGER;RELATED=END:PT5M\r\n") + alarm("TRIGGER;VALUE=DATE-TIME:20260302T080000Z\r\n")))
	want := []time.Time{start.Add(-30 * time.Minute), start.Add(65 * time.Minute), time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	if len(got) != len(want) {
		t.Fatalf("fires %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("fire %d: %s, want %s", i, got[i], want[i])
		}
	}
	// Apple's "no alert" and a far-away trigger are not reminders; an
	// event with only those has alarms but none fire.
	none := ev("BEGIN:VALARM\r\nACTION:NONE\r\nTRIGGER;VALUE=DATE-TIME:19760401T005545Z\r\nEND:VALARM\r\n" + alarm("TRIGGER:-P30D\r\n"))
	if got := eventAlarms(none); got == nil || len(got) != 0 {
		t.Errorf("ACTION:NONE and -P30D: alarms %v, want none (and no lead-time reminder either)", got)
	}
	bad := "not iCalendar BEGIN:VALARM"
	if got := eventAlarms(dbsqlc.CalendarEvent{Ical: &bad}); got != nil {
		t.Errorf("garbage: %v", got)
	}
}

func TestCheckOutsideURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		private bool
		ok      bool
	}{
		{"https://fcm.googleapis.com/fcm/send/abc", false, true},
		{"https://updates.push.services.mozilla.com/wpush/v2/x", false, true},
		{"http://fcm.googleapis.com/x", false, false},
		{"https://127.0.0.1/push", false, false},
		{"https://localhost:8443/push", false, false},
		{"https://10.0.0.5/push", false, false},
		{"https://169.254.169.254/latest", false, false},
		{"https://[::1]/push", false, false},
		{"https://user:pw@push.example/x", false, false},
		{"ftp://push.example/x", false, false},
		{"http://127.0.0.1:9/push", true, true},
		{"", true, false},
	} {
		_, err := checkOutsideURL("endpoint", tc.url, tc.private)
		if (err == nil) != tc.ok {
			t.Errorf("%q (private %v): err %v, want ok=%v", tc.url, tc.private, err, tc.ok)
		}
	}
	c := Config{}
	if _, err := c.CheckNtfyURL("https://ntfy.sh/"); err == nil {
		t.Error("ntfy URL without a topic accepted")
	}
	u, err := c.CheckNtfyURL("https://ntfy.example/sub/path/family-topic")
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := checkOutsideURL("u", u, false)
	if base, topic := ntfySplit(pu); base != "https://ntfy.example/sub/path" || topic != "family-topic" {
		t.Errorf("split: %q %q", base, topic)
	}
}

func TestClassify(t *testing.T) {
	resp := func(code int, h ...string) *http.Response {
		r := &http.Response{StatusCode: code, Header: http.Header{}, Body: http.NoBody}
		if len(h) == 2 {
			r.Header.Set(h[0], h[1])
		}
		return r
	}
	for _, tc := range []struct {
		r      *http.Response
		err    error
		status string
		after  time.Duration
	}{
		{resp(201), nil, "sent", 0},
		{resp(410), nil, "gone", 0},
		{resp(404), nil, "gone", 0},
		{resp(429, "Retry-After", "7"), nil, "pending", 7 * time.Second},
		{resp(503), nil, "pending", 0},
		{resp(413), nil, "failed", 0},
		{resp(403), nil, "failed", 0},
		{nil, errors.New("connection refused"), "pending", 0},
		{nil, ical.ErrPrivateAddress, "failed", 0},
	} {
		res := classify(tc.r, tc.err)
		if res.status != tc.status || res.after != tc.after {
			t.Errorf("%v %v: %s after %s, want %s after %s", tc.r, tc.err, res.status, res.after, tc.status, tc.after)
		}
	}
	if d := (result{}).retryAfter(20); d != 10*time.Minute {
		t.Errorf("backoff capped at %s", d)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{Subject: "admin@example.org"},
		{PublicURL: "family.example.org"},
		{PublicURL: "https://müller.example"}, // browsers send xn--mller-kva.example
		{SecretKey: "short"},
		{ScanEvery: 2 * time.Hour},
		{LeaderRetry: -time.Second},
		{LeaderRetry: time.Hour},
		{Coalesce: 2 * time.Minute},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: valid", c)
		}
	}
	for _, c := range []Config{
		{Subject: "https://family.example.org", PublicURL: "https://family.example.org"},
		{LeaderRetry: time.Minute, Coalesce: time.Minute},
		{Coalesce: -1}, // no coalescing
	} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	// Defaulting twice (a second Service made from the first one's Config)
	// keeps "no coalescing": it once became the 10 s default.
	if got := (Config{Coalesce: -1}).withDefaults().withDefaults().Coalesce; got >= 0 {
		t.Errorf("no coalescing, defaulted twice: window %s", got)
	}
}
