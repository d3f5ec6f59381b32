package assistant

import "testing"

// TestDailyTripStaysARoutine: assist10 made a trip said with a
// recurrence a repeating all-day event, so that "Tim fährt jeden Dienstag
// zum Training" shows in the calendar; but the same rule put daily
// routines there too: "Tim fährt jeden Tag zur Schule", "Mark goes to
// work every day" became all-day events on every day of the calendar. A
// repeating trip is an event only on named weekdays (fewer than five a
// week); a daily or every-weekday trip is the person's routine, the
// repeating task it was before.
func TestDailyTripStaysARoutine(t *testing.T) {
	routine := func(who, title, rule string) string {
		return `{"slots":{"assignee":"` + who + `","recurrence":"` + rule + `","title":"` + title + `"},"type":"task.create"}`
	}
	const daily, weekdays = "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			// daily and every-weekday routines: the repeating task of before
			{"de", "Tim fährt jeden Tag zur Schule", routine("Tim", "Zur Schule fahren", daily)},
			{"en", "Tim goes to school every day", routine("Tim", "Go to school", daily)},
			{"en", "Mark goes to work every day", routine("Mark", "Go to work", daily)},
			{"de", "Mark fährt jeden Tag zur Arbeit", routine("Mark", "Zur Arbeit fahren", daily)},
			{"de", "Tim fährt täglich zur Schule", routine("Tim", "Zur Schule fahren", daily)},
			{"de", "Tim fährt jeden Tag um 7 zur Schule", `{"slots":{"assignee":"Tim","due_at":"2026-03-11T19:00","recurrence":"FREQ=DAILY","title":"Zur Schule fahren"},"type":"task.create"}`},
			{"en", "Mark drives to work every morning", `{"slots":{"assignee":"Mark","due_at":"2026-03-12T09:00","recurrence":"FREQ=DAILY","title":"Drive to work"},"type":"task.create"}`},
			{"de", "Tim fährt werktags zur Schule", routine("Tim", "Zur Schule fahren", weekdays)},
			{"de", "Tim fährt montags bis freitags zur Schule", routine("Tim", "Zur Schule fahren", weekdays)},
			{"en", "Tim goes to school on weekdays", routine("Tim", "Go to school", weekdays)},
			{"en", "Tim goes to school every weekday", routine("Tim", "Go to school", weekdays)},
			// named weekdays stay repeating events
			{"de", "Tim fährt jeden Dienstag zum Training", evAllDayRec("Tim: Fahrt zum Training", "2026-03-17", "2026-03-18", "FREQ=WEEKLY;BYDAY=TU")},
			{"en", "Tim goes to practice every Tuesday", evAllDayRec("Tim: Go to practice", "2026-03-17", "2026-03-18", "FREQ=WEEKLY;BYDAY=TU")},
			{"de", "Tim fährt montags zum Training", evAllDayRec("Tim: Fahrt zum Training", "2026-03-16", "2026-03-17", "FREQ=WEEKLY;BYDAY=MO")},
			{"en", "Tim goes to practice on Tuesdays", evAllDayRec("Tim: Go to practice", "2026-03-17", "2026-03-18", "FREQ=WEEKLY;BYDAY=TU")},
			{"en", "Tim goes to practice every Monday and Thursday", evAllDayRec("Tim: Go to practice", "2026-03-12", "2026-03-13", "FREQ=WEEKLY;BYDAY=MO,TH")},
			// assist23: the next Tuesday, 17 March (it was the 24th, a week late)
			{"en", "Tim goes to practice every other Tuesday", evAllDayRec("Tim: Go to practice", "2026-03-17", "2026-03-18", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")},
		})
	}
}
