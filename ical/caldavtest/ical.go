package caldavtest

import (
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

// ParseICal decodes an iCalendar text written with LF line ends.
func ParseICal(t testing.TB, s string) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(strings.ReplaceAll(s, "\n", "\r\n"))).Decode()
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return cal
}

// RecurringICal is a weekly series with an EXDATE and an alarm.
const RecurringICal = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:swim-1@example.org
DTSTAMP:20260301T000000Z
DTSTART;TZID=Europe/Berlin:20260322T100000
DTEND;TZID=Europe/Berlin:20260322T110000
SUMMARY:Swimming
LOCATION:Pool
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=Europe/Berlin:20260405T100000
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Swim
TRIGGER:-PT15M
END:VALARM
END:VEVENT
END:VCALENDAR
`

// AllDayICal is a two-day all-day event with a property FamilyHub does not model.
const AllDayICal = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:trip-1@example.org
DTSTAMP:20260301T000000Z
DTSTART;VALUE=DATE:20260329
DTEND;VALUE=DATE:20260331
SUMMARY:Trip
X-CUSTOM:kept
END:VEVENT
END:VCALENDAR
`
