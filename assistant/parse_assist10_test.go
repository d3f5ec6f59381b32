package assistant

import (
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
)

func evAllDayRec(title, day, next, rule string) string {
	return `{"slots":{"all_day":true,"ends_at":"` + next + `T00:00","recurrence":"` + rule + `","starts_at":"` + day + `T00:00","title":"` + title + `"},"type":"calendar.create"}`
}

// TestNameOffWithoutMembers: without the family's members (ParseIntent
// alone) "tim is off on friday" was read as "the party is off on Friday"
// and cancelled Friday's event matching "Tim". A bare word that could be
// a name and names no activity is a person's day off: nothing.
func TestNameOffWithoutMembers(t *testing.T) {
	cancel := func(title, date string) string {
		return `{"slots":{"date":"` + date + `","title":"` + title + `"},"type":"calendar.cancel"}`
	}
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "tim is off on friday", ""},
		{"en", "Tim is off on Friday", ""},
		{"en", "tim's off on friday", ""},
		{"en", "tim and mia are off on friday", ""},
		{"en", "grandma is off on friday", ""},
		{"en", "tim is away on friday", ""},
		{"en", "tim is sick on friday", ""},
		{"en", "tim home at 6", ""},
		{"en", "Tim back at 6", ""},
		{"en", "Tim is off sick on Friday", ""},
		{"en", "night out on saturday", evAllDay("Night out", "2026-03-14", "2026-03-15")},
		{"en", "day off on monday", evAllDay("Day off", "2026-03-16", "2026-03-17")},
		// activities are cancelled
		{"en", "football is off on friday", cancel("Football", "2026-03-13")},
		{"en", "swimming is off on friday", cancel("Swimming", "2026-03-13")},
		{"en", "the party is off on friday", cancel("Party", "2026-03-13")},
		{"en", "tim's football is off on saturday", cancel("Tim's football", "2026-03-14")},
		{"en", "Mia's swimming is off on Friday", cancel("Mia's swimming", "2026-03-13")},
	})
	// off sick is no cancel, with the members known too ("Tim sick" was cancelled)
	parseCases(t, []string{"Tim", "Mia"}, []struct{ locale, text, want string }{
		{"en", "Tim is off sick on Friday", ""},
		{"en", "mia's off school on monday", ""},
		{"en", "football is off on friday", cancel("Football", "2026-03-13")},
	})
}

// TestQuestionsWithoutQuestionMark: speech recognisers write no "?", and
// a German question with its verb first was read as a proposal: "fahren
// wir morgen zu oma" was the event "Fahren wir zu oma", "gehen wir heute
// schwimmen" the event "Gehen wir schwimmen". They are questions, as "are
// we going to grandma tomorrow" is; imperatives keep working.
func TestQuestionsWithoutQuestionMark(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "fahren wir morgen zu oma", ""},
			{"de", "gehen wir heute schwimmen", ""},
			{"de", "gehen wir am samstag ins kino", ""},
			{"de", "spielen wir morgen fußball", ""},
			{"de", "kommst du morgen um 3", ""},
			{"de", "machen wir am freitag pizza", ""},
			{"de", "gibt es morgen pizza", ""},
			{"de", "hole ich Tim um 3 ab", ""},
			{"de", "sind wir am samstag bei oma", ""},
			{"en", "are we going to grandma tomorrow", ""},
			{"en", "is grandma coming over on saturday", ""},
			{"en", "do we have swimming on friday at 5", ""},
			{"en", "can we go to the zoo on saturday", ""},
			{"en", "shall we have pizza on friday", ""},
			// imperatives and statements stay
			{"de", "fahr am Sonntag zu Oma", taskDue("Zu Oma fahren", "2026-03-15T23:59")},
			{"de", "wir fahren am Samstag zu Oma", evAllDay("Fahrt zu Oma", "2026-03-14", "2026-03-15")},
			{"de", "hol Tim um 3 ab", taskDue("Tim abholen", "2026-03-11T15:00")},
			// "geh einkaufen" added an item "geh": an imperative is no item
			{"de", "geh einkaufen", ""},
			{"de", "geh morgen einkaufen", taskDue("Einkaufen gehen", "2026-03-12T23:59")},
			{"de", "bad putzen morgen", taskDue("Bad putzen", "2026-03-12T23:59")},
			{"de", "Milch einkaufen", addItems("Milch")},
			{"en", "do the dishes tomorrow", taskDue("Do the dishes", "2026-03-12T23:59")},
			{"en", "we're going to grandma's tomorrow", evAllDay("Go to grandma's", "2026-03-12", "2026-03-13")},
			{"en", "can we put the dentist on friday at 3", evTimed("Dentist", "2026-03-13T15:00", "2026-03-13T16:00")},
			{"en", "do we have anything on saturday", `{"slots":{"date":"2026-03-14"},"type":"query.today"}`},
		})
	}
	// ParseIntent says it was a question: the service words the refusal so.
	for _, text := range []string{"fahren wir morgen zu oma", "are we going to grandma tomorrow", "fahren wir morgen zu Oma?"} {
		_, err := ParseIntent(text, "de", parseNow(t))
		if !isAsked(err) || familyhub.ErrorCode(err) != familyhub.EINVALID || !strings.Contains(familyhub.ErrorMessage(err), "did not understand") {
			t.Errorf("%q: %v, want a question refused", text, err)
		}
	}
	if _, err := ParseIntent("colorless green ideas", "en", parseNow(t)); isAsked(err) {
		t.Errorf("nonsense refused as a question")
	}
}

// TestHalfHourBritish: "go to bed at half 8" was not understood; British
// "half 8" is half past eight, read as "half past 8" is (the hour rule,
// bedtime in the evening).
func TestHalfHourBritish(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "go to bed at half 8", taskDue("Go to bed", "2026-03-11T20:30")},
		{"en", "go to bed at half eight", taskDue("Go to bed", "2026-03-11T20:30")},
		{"en", "dentist on friday at half 10", evTimed("Dentist", "2026-03-13T10:30", "2026-03-13T11:30")},
		{"en", "remind me at half 7 to call grandma", taskDueOf("Call grandma", "me", "2026-03-11T19:30")},
		{"de", "geh um halb 9 ins Bett", taskDue("Ins Bett gehen", "2026-03-11T20:30")},
		{"en", "push football back half an hour", `{"slots":{"shift_minutes":30,"title":"Football"},"type":"calendar.move"}`},
	})
}

// TestSeparableVerbsKeepTheirParticle: "ich hole tim um 3 ab" lost its
// particle as the event "Ich hole tim", "schalte um 8 den ofen an" as an
// event "Schalte den ofen", "komm um 6 an" as "Komm". What the speaker
// will do is their task, its verb whole; arriving is a status.
func TestSeparableVerbsKeepTheirParticle(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "ich hole tim um 3 ab", taskDueOf("Tim abholen", "me", "2026-03-11T15:00")},
			{"de", "ich rufe morgen oma an", taskDueOf("Oma anrufen", "me", "2026-03-12T23:59")},
			{"de", "wir räumen am samstag den keller auf", taskDue("Keller aufräumen", "2026-03-14T23:59")},
			{"de", "ich gehe um 8 ins bett", taskDueOf("Ins bett gehen", "me", "2026-03-11T20:00")},
			{"de", "ich kaufe morgen ein", taskDueOf("Einkaufen", "me", "2026-03-12T23:59")},
			{"de", "ich räume morgen auf", taskDueOf("Aufräumen", "me", "2026-03-12T23:59")},
			{"de", "wir fangen am Montag an", evAllDay("Wir fangen an", "2026-03-16", "2026-03-17")},
			{"de", "schalte um 8 den ofen an", taskDue("Ofen anschalten", "2026-03-12T08:00")},
			{"de", "komm um 6 an", ""},
			{"de", "ich komme um 6 an", ""},
			{"de", "wir kommen morgen um 6 an", ""},
			// still events
			{"de", "Oma kommt morgen um 3 an", evTimed("Oma kommt an", "2026-03-12T15:00", "2026-03-12T16:00")},
			{"de", "wir ziehen am 1. Mai um", evAllDay("Wir ziehen um", "2026-05-01", "2026-05-02")},
			{"de", "ich fahre morgen um 8 zum Training", evTimed("Fahrt zum Training", "2026-03-12T08:00", "2026-03-12T09:00")},
		})
	}
}

// TestPluralBedtime: "geht um 8 ins bett" (said to several children) was
// an event at 08:00; it is the bedtime task in the evening, as "geh um 8
// ins Bett" is. With a subject it is a question.
func TestPluralBedtime(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "geht um 8 ins bett", taskDue("Ins bett gehen", "2026-03-11T20:00")},
			{"de", "geht heute um halb 9 ins Bett", taskDue("Ins Bett gehen", "2026-03-11T20:30")},
			{"de", "bringt am Dienstag den Müll raus", taskDue("Müll rausbringen", "2026-03-17T23:59")},
			{"de", "geht ihr um 8 ins bett", ""},
			{"de", "Kinder, geht um 8 ins Bett", taskDue("Ins Bett gehen", "2026-03-11T20:00")},
			{"de", "ihr zwei, räumt am Samstag eure Zimmer auf", taskDue("Eure Zimmer aufräumen", "2026-03-14T23:59")},
			{"de", "Tim geht um 8 ins Bett", taskDueOf("Ins Bett gehen", "Tim", "2026-03-11T20:00")},
		})
	}
}

// TestPlaceClosedIsAnEvent: "Kita macht am Freitag zu" was the task "Zu
// machen" for "Kita", as if the Kita were a member; a place the family
// depends on closing is an all-day event that day.
func TestPlaceClosedIsAnEvent(t *testing.T) {
	fri, sat := "2026-03-13", "2026-03-14"
	for _, names := range [][]string{nil, {"Tim", "Mia"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "Kita macht am Freitag zu", evAllDay("Kita geschlossen", fri, sat)},
			{"de", "kita macht am freitag zu", evAllDay("Kita geschlossen", fri, sat)},
			{"de", "die Kita ist am Freitag zu", evAllDay("Kita geschlossen", fri, sat)},
			{"de", "die Schule bleibt am Freitag geschlossen", evAllDay("Schule geschlossen", fri, sat)},
			{"de", "Kita macht am Freitag um 12 zu", evTimed("Kita schließt", "2026-03-13T12:00", "2026-03-13T13:00")},
			{"en", "the school is closed on Friday", evAllDay("School closed", fri, sat)},
			{"en", "nursery is closed on friday", evAllDay("Nursery closed", fri, sat)},
			{"en", "the library closes at 5 on friday", evTimed("Library closes", "2026-03-13T17:00", "2026-03-13T18:00")},
			// still what it was
			{"de", "Tim macht am Freitag die Hausaufgaben", taskDueOf("Hausaufgaben machen", "Tim", "2026-03-13T23:59")},
		})
	}
}

// TestProgressivePlans: English statements in the progressive were not
// understood ("grandma is coming over on Saturday") while the simple
// present was an event ("grandma comes over on Saturday at 3"). A plan
// said so is an event that day; an errand of a member is their task, a
// status nothing.
func TestProgressivePlans(t *testing.T) {
	fri, sat := "2026-03-13", "2026-03-14"
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "grandma is coming over on Saturday", evAllDay("Grandma coming over", sat, "2026-03-15")},
		{"en", "Grandma's coming over on Saturday", evAllDay("Grandma coming over", sat, "2026-03-15")},
		{"en", "grandma's coming at 3", evTimed("Grandma coming", "2026-03-11T15:00", "2026-03-11T16:00")},
		{"en", "we're having pizza on Friday", evAllDay("Pizza", fri, sat)},
		{"en", "we are having dinner with the Smiths on friday at 7", evTimed("Dinner with the Smiths", "2026-03-13T19:00", "2026-03-13T20:00")},
		{"en", "we're going swimming on saturday", evAllDay("Swimming", sat, "2026-03-15")},
		{"en", "the plumber is coming on monday at 8", evTimed("Plumber coming", "2026-03-16T08:00", "2026-03-16T09:00")},
		{"en", "Tim and Mia are playing football on saturday", evAllDay("Tim and Mia playing football", sat, "2026-03-15")},
		{"en", "Tim is picking up Mia at 3", taskDueOf("Pick up Mia", "Tim", "2026-03-11T15:00")},
		{"en", "I'm picking up Mia at 3", taskDueOf("Pick up Mia", "me", "2026-03-11T15:00")},
		{"en", "I'm having a haircut at 3", evTimed("Haircut", "2026-03-11T15:00", "2026-03-11T16:00")},
		// statuses and what is no plan
		{"en", "I'm coming home at 6", ""},
		{"en", "Tim is working late tonight", ""},
		{"en", "I'm leaving at 5", ""},
		{"en", "we're not having pizza on friday", ""},
		{"en", "Mia's swimming lesson at 5", evTimed("Mia's swimming lesson", "2026-03-11T17:00", "2026-03-11T18:00")},
	})
}

// TestWeeklyTripIsARepeatingEvent: a trip said of someone with a
// recurrence ("Tim fährt jeden Dienstag zum Training") was Tim's weekly
// chore "Zum Training fahren" while the same trip on one day is an event;
// the calendar repeats events (RRULE), so it is a repeating event.
func TestWeeklyTripIsARepeatingEvent(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "Tim fährt jeden Dienstag zum Training", evAllDayRec("Tim: Fahrt zum Training", "2026-03-17", "2026-03-18", "FREQ=WEEKLY;BYDAY=TU")},
			{"de", "Tim fährt jeden Dienstag um 17 Uhr zum Training", `{"slots":{"ends_at":"2026-03-17T18:00","recurrence":"FREQ=WEEKLY;BYDAY=TU","starts_at":"2026-03-17T17:00","title":"Tim: Fahrt zum Training"},"type":"calendar.create"}`},
			{"en", "Tim drives to practice every Tuesday", evAllDayRec("Tim: Drive to practice", "2026-03-17", "2026-03-18", "FREQ=WEEKLY;BYDAY=TU")},
			// someone driven stays the driver's chore
			{"de", "Tim fährt Mia jeden Dienstag zum Training", `{"slots":{"assignee":"Tim","recurrence":"FREQ=WEEKLY;BYDAY=TU","title":"Mia zum Training fahren"},"type":"task.create"}`},
		})
	}
}

// TestDayFirstStatementDE: a German statement that starts with its day
// puts its verb before the subject, which the rules did not read: "morgen
// fahren wir zu oma" was the event "Fahren wir zu oma", "morgen um 3 hole
// ich Tim ab" an event that lost its particle. They are read as said
// subject first.
func TestDayFirstStatementDE(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "morgen fahren wir zu oma", evAllDay("Fahrt zu Oma", "2026-03-12", "2026-03-13")},
			{"de", "am Samstag holen wir Oma vom Bahnhof ab", taskDue("Oma vom Bahnhof abholen", "2026-03-14T23:59")},
			{"de", "Sonntag fliegt Oma nach Rom", evAllDay("Oma: Flug nach Rom", "2026-03-15", "2026-03-16")},
			{"de", "morgen um 3 hole ich Tim ab", taskDueOf("Tim abholen", "me", "2026-03-12T15:00")},
			{"de", "morgen fahren wir nicht zu oma", ""},
			{"de", "jeden Dienstag fährt Oma zum Yoga", evAllDayRec("Oma: Fahrt zum Yoga", "2026-03-17", "2026-03-18", "FREQ=WEEKLY;BYDAY=TU")},
			// a question stays one
			{"de", "morgen fahren wir zu oma?", ""},
		})
	}
}
