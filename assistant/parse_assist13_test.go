package assistant

import "testing"

// TestGoingToAnActivityDE: "Tim geht am Dienstag zum Fußball" was Tim's
// task "Zum Fußball gehen", while "Tim goes to football on Tuesday" is the
// event "Tim: Football". Going to a sport or lesson is the event in German
// too; going to bed or to school stays what it was.
func TestGoingToAnActivityDE(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "Tim geht am Dienstag zum Fußball", evAllDay("Tim: Fußball", "2026-03-17", "2026-03-18")},
			{"de", "Tim geht jeden Dienstag zum Fußball", evAllDayRec("Tim: Fußball", "2026-03-17", "2026-03-18", "FREQ=WEEKLY;BYDAY=TU")},
			{"de", "Mia geht am Freitag um 4 zum Ballett", evTimed("Mia: Ballett", "2026-03-13T16:00", "2026-03-13T17:00")},
			{"de", "wir gehen am Samstag zum Schwimmtraining", evAllDay("Schwimmtraining", "2026-03-14", "2026-03-15")},
			// not an activity: as before
			{"de", "Tim geht um 8 ins Bett", taskDueOf("Ins Bett gehen", "Tim", "2026-03-11T20:00")},
			{"de", "Tim geht am Dienstag zum Training", taskDueOf("Zum Training gehen", "Tim", "2026-03-17T23:59")},
		})
	}
	// said day first, and denied: with the members known (as the server
	// does), as for the other trips said of someone
	parseCases(t, []string{"Tim", "Mia"}, []struct{ locale, text, want string }{
		{"de", "am Dienstag geht Tim zum Fußball", evAllDay("Tim: Fußball", "2026-03-17", "2026-03-18")},
		{"de", "Tim geht am Dienstag nicht zum Fußball", ""},
	})
}

// TestFetchingAFamilyRole: "holt Oma um 3 ab" was the event "Holt Oma",
// while "holt Tim um 3 ab" is the task "Tim abholen": a family role after
// a verb that takes someone is the one fetched, as a name is. "kommt Oma
// morgen an" stays a question.
func TestFetchingAFamilyRole(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "holt Oma um 3 ab", taskDue("Oma abholen", "2026-03-11T15:00")},
			{"de", "nehmt Opa morgen mit", taskDue("Opa mitnehmen", "2026-03-12T23:59")},
			{"de", "holt Oma um 3 ab?", ""},
			{"de", "kommt Oma morgen an", ""},
		})
	}
}

// TestMessagePassedOn: "sag Oma, dass wir morgen kommen" was the event
// "Sag Oma dass wir kommen", "tell grandma we're coming tomorrow" the task
// "Tell grandma we're": a message FamilyHub cannot pass on, and no task
// for Oma. A message asking someone to do something stays their task.
func TestMessagePassedOn(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "sag Oma, dass wir morgen kommen", ""},
			{"de", "sag Oma wir kommen morgen um 3", ""},
			{"en", "tell grandma we're coming tomorrow", ""},
			{"en", "tell grandma that I'll call at 3", ""},
			{"de", "sag Mia, dass sie morgen die Blumen gießen soll", taskDueOf("Blumen gießen", "Mia", "2026-03-12T23:59")},
			{"de", "sag Tim, er soll das Zimmer aufräumen", `{"slots":{"assignee":"Tim","title":"Zimmer aufräumen"},"type":"task.create"}`},
			{"de", "sag den Zahnarzt ab", `{"slots":{"title":"Zahnarzt"},"type":"calendar.delete"}`},
		})
	}
}

// TestOpeningInTheMorning: "Kita macht um 7 auf" was at 19:00 (the hour
// rule's 1–7 in the afternoon); an opening hour from 5 to 11 is the
// morning's, as a closing hour from 7 to 11 is the evening's.
func TestOpeningInTheMorning(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "Kita macht um 7 auf", evTimed("Kita öffnet", "2026-03-12T07:00", "2026-03-12T08:00")},
		{"de", "das Schwimmbad macht am Samstag um 6 auf", evTimed("Schwimmbad öffnet", "2026-03-14T06:00", "2026-03-14T07:00")},
		{"en", "the pool opens at 7", evTimed("Pool opens", "2026-03-12T07:00", "2026-03-12T08:00")},
		{"de", "Laden macht um 8 auf", evTimed("Laden öffnet", "2026-03-12T08:00", "2026-03-12T09:00")},
		{"de", "Kita macht um 7 zu", evTimed("Kita schließt", "2026-03-11T19:00", "2026-03-11T20:00")},
		{"de", "Laden macht um 3 auf", evTimed("Laden öffnet", "2026-03-11T15:00", "2026-03-11T16:00")},
		{"en", "the pool opens at 7pm", evTimed("Pool opens", "2026-03-11T19:00", "2026-03-11T20:00")},
	})
}

// TestBuyingWithPronounsAndForSomeone: "I will buy it" added an item "it";
// "I'll buy Tim a present" an item "Tim a present". A pronoun names no
// thing; a present chosen for someone is the speaker's errand.
func TestBuyingWithPronounsAndForSomeone(t *testing.T) {
	me := func(title string) string {
		return `{"slots":{"assignee":"me","title":"` + title + `"},"type":"task.create"}`
	}
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "I will buy it", ""},
			{"en", "I will buy them", ""},
			{"en", "I will buy it tomorrow", ""},
			{"en", "buy it", ""},
			{"en", "I'll buy Tim a present", me("Buy Tim a present")},
			{"en", "I'll buy grandma a new scarf", me("Buy grandma a new scarf")},
			{"en", "I will buy milk", `{"slots":{"items":[{"name":"milk"}]},"type":"shopping.add_items"}`},
			{"en", "I'll buy a present", `{"slots":{"items":[{"name":"present"}]},"type":"shopping.add_items"}`},
		})
	}
}

// TestYouSaidToSomeone: "Tim I will pick you up at 3" was the speaker's
// task "Pick you up"; "you" is the one spoken to: "Pick up Tim". "I'll" is
// "I will" ("I'll pick up Tim at 3" was the event "I'll pick up Tim").
func TestYouSaidToSomeone(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "Tim I will pick you up at 3", taskOfMe("Pick up Tim", "2026-03-11T15:00")},
			{"en", "Tim, I'll pick you up at 3", taskOfMe("Pick up Tim", "2026-03-11T15:00")},
			{"en", "Mum I'll call you at 3", taskOfMe("Call Mum", "2026-03-11T15:00")},
			{"en", "I'll pick up Tim at 3", taskOfMe("Pick up Tim", "2026-03-11T15:00")},
			{"en", "I'll call the dentist tomorrow", taskOfMe("Call the dentist", "2026-03-12T23:59")},
			{"en", "I'll be home at 6", ""},
		})
	}
}

// TestGoingToAnActivityEN: "we're going to swim on Saturday" was the event
// "We're going to swim"; it is the plan "Swim", as "we're playing football
// on Saturday" is "Play football". Without a day it says no plan.
func TestGoingToAnActivityEN(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "we're going to swim on Saturday", evAllDay("Swim", "2026-03-14", "2026-03-15")},
		{"en", "I'm going to visit grandma on Sunday", evAllDay("Visit grandma", "2026-03-15", "2026-03-16")},
		{"en", "we're going swimming on Saturday", evAllDay("Swimming", "2026-03-14", "2026-03-15")},
		{"en", "Visiting grandma on Sunday", evAllDay("Visiting grandma", "2026-03-15", "2026-03-16")},
		{"en", "we're going to swim", ""},
		{"en", "we're going to be late on Friday", ""},
	})
}
