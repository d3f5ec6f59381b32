package assistant

import "testing"

func taskOfMe(title, due string) string {
	return `{"slots":{"assignee":"me","due_at":"` + due + `","title":"` + title + `"},"type":"task.create"}`
}

// TestGoingToAnActivity: "Tim goes to football on Tuesday" was the event
// "Tim: Go to Football", the activity capitalised as if it were a town.
// Going to an activity is the activity, for the person who goes ("Tim:
// Football"); a town stays a trip ("Tim: Go to Berlin"), and driving to an
// activity keeps it in lower case.
func TestGoingToAnActivity(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "Tim goes to football on Tuesday", evAllDay("Tim: Football", "2026-03-17", "2026-03-18")},
			{"en", "Tim goes to Football on Tuesday", evAllDay("Tim: Football", "2026-03-17", "2026-03-18")},
			{"en", "Tim is going to ballet on Saturday", evAllDay("Tim: Ballet", "2026-03-14", "2026-03-15")},
			{"en", "Tim goes to swimming on Tuesday at 5", evTimed("Tim: Swimming", "2026-03-17T17:00", "2026-03-17T18:00")},
			{"en", "Tim drives to football on Tuesday", evAllDay("Tim: Drive to football", "2026-03-17", "2026-03-18")},
			// places and the words of before stay
			{"en", "Tim goes to Berlin on Tuesday", evAllDay("Tim: Go to Berlin", "2026-03-17", "2026-03-18")},
			{"en", "Tim goes to practice every Tuesday", evAllDayRec("Tim: Go to practice", "2026-03-17", "2026-03-18", "FREQ=WEEKLY;BYDAY=TU")},
		})
	}
}

// TestSaidToSeveralByName: "Tim und Mia, geht um 8 ins Bett" was an event
// at 08:00, while "Kinder, geht um 8 ins Bett" is the bedtime task. Said
// to two children by name it is the same task (for nobody in particular:
// a task has one assignee).
func TestSaidToSeveralByName(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "Tim und Mia, geht um 8 ins Bett", taskDue("Ins Bett gehen", "2026-03-11T20:00")},
			{"de", "Tim und Mia: bringt am Dienstag den Müll raus", taskDue("Müll rausbringen", "2026-03-17T23:59")},
			{"en", "Tim and Mia, go to bed at 8", taskDue("Go to bed", "2026-03-11T20:00")},
			{"de", "Kinder, geht um 8 ins Bett", taskDue("Ins Bett gehen", "2026-03-11T20:00")},
			{"de", "Tim und Mia wechseln sich beim Abwasch ab", `{"slots":{"rotation":["Tim","Mia"],"title":"Abwasch"},"type":"task.rotate"}`},
		})
	}
}

// TestTellSomeone: "sag Tim, er soll das Zimmer aufräumen" was read as
// "sag … ab" and deleted an event matching "Tim, er soll das Zimmer
// aufräumen"; a message to Tim is his task, as "Tim soll das Zimmer
// aufräumen" is. A cancel says "ab".
func TestTellSomeone(t *testing.T) {
	taskOf := func(title, who string) string {
		return `{"slots":{"assignee":"` + who + `","title":"` + title + `"},"type":"task.create"}`
	}
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "sag Tim, er soll das Zimmer aufräumen", taskOf("Zimmer aufräumen", "Tim")},
			{"de", "sag Tim er soll das Zimmer aufräumen", taskOf("Zimmer aufräumen", "Tim")},
			{"de", "sag Mia, dass sie morgen die Blumen gießen soll", taskDueOf("Blumen gießen", "Mia", "2026-03-12T23:59")},
			{"en", "tell Tim to tidy his room", taskOf("Tidy his room", "Tim")},
			{"en", "ask Mia to water the plants tomorrow", taskDueOf("Water the plants", "Mia", "2026-03-12T23:59")},
			{"en", "tell me a joke", ""},
			{"de", "sag den Zahnarzt ab", `{"slots":{"title":"Zahnarzt"},"type":"calendar.delete"}`},
			{"de", "Zahnarzt absagen", `{"slots":{"title":"Zahnarzt"},"type":"calendar.delete"}`},
		})
	}
}

// TestErrandsSaidOtherwise: errands said as a plural imperative ("holt Tim
// um 3 ab"), said to someone by the speaker ("Mama ich hole Tim um 3
// ab"), as "denk an …", or driving someone with a time ("fahr Tim morgen
// um 5 zum Training") were events named after the sentence ("Holt Tim",
// "Mama ich hole Tim", "Denk an den Zahnarzt", "Fahr Tim zum Training").
// They are the to-dos they ask for, as "hol Tim um 3 ab", "ich hole Tim um
// 3 ab" and "vergiss nicht den Zahnarzt" are.
func TestErrandsSaidOtherwise(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "holt Tim um 3 ab", taskDue("Tim abholen", "2026-03-11T15:00")},
			{"de", "Mama ich hole Tim um 3 ab", taskOfMe("Tim abholen", "2026-03-11T15:00")},
			{"de", "Mama, ich hole Tim um 3 ab", taskOfMe("Tim abholen", "2026-03-11T15:00")},
			{"de", "Denk an den Zahnarzt morgen", taskOfMe("Zahnarzt", "2026-03-12T23:59")},
			{"de", "denk morgen an den Zahnarzt", taskOfMe("Zahnarzt", "2026-03-12T23:59")},
			{"de", "fahr Tim morgen um 5 zum Training", taskDue("Tim zum Training fahren", "2026-03-12T17:00")},
			{"de", "bring die Kinder um 8 zur Schule", taskDue("Kinder zur Schule bringen", "2026-03-12T08:00")},
			{"de", "ich fahre Tim morgen um 5 zum Training", taskOfMe("Tim zum Training fahren", "2026-03-12T17:00")},
			// neighbours stay
			{"de", "ich hole Tim um 3 ab", taskOfMe("Tim abholen", "2026-03-11T15:00")},
			{"de", "hol Tim um 3 ab", taskDue("Tim abholen", "2026-03-11T15:00")},
			{"de", "fahr am Montag nach Berlin", evAllDay("Fahrt nach Berlin", "2026-03-16", "2026-03-17")},
			{"de", "kommt Oma morgen an", ""},
			{"de", "geht ihr um 8 ins Bett", ""},
		})
	}
}

// TestMemberCalledMarkCalls: "Mark ruft morgen Oma an" was the event "Mark
// ruft Oma an" ("mark" is an English verb, so no name); in German it is
// Mark's task, as "Tim ruft morgen Oma an" is.
func TestMemberCalledMarkCalls(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "Mark ruft morgen Oma an", taskDueOf("Oma anrufen", "Mark", "2026-03-12T23:59")},
			{"de", "Tim ruft morgen Oma an", taskDueOf("Oma anrufen", "Tim", "2026-03-12T23:59")},
			{"de", "Oma ruft morgen um 3 an", evTimed("Oma ruft an", "2026-03-12T15:00", "2026-03-12T16:00")},
		})
	}
}

// TestPlacesOpenAndClose: "Kita macht am Freitag früher zu" and
// "Schwimmbad macht am Montag auf" were tasks of the place, while "Kita
// macht am Freitag zu" is the event "Kita geschlossen"; "Laden macht um 8
// zu" closed at 08:00. Opening and closing early are events too, and a
// closing hour from 7 to 11 is the evening's.
func TestPlacesOpenAndClose(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "Kita macht am Freitag früher zu", evAllDay("Kita schließt früher", "2026-03-13", "2026-03-14")},
		{"de", "Schwimmbad macht am Montag auf", evAllDay("Schwimmbad öffnet", "2026-03-16", "2026-03-17")},
		{"de", "das Schwimmbad macht am Montag wieder auf", evAllDay("Schwimmbad öffnet wieder", "2026-03-16", "2026-03-17")},
		{"de", "die Bibliothek hat am Samstag geöffnet", evAllDay("Bibliothek geöffnet", "2026-03-14", "2026-03-15")},
		{"de", "Laden macht um 8 zu", evTimed("Laden schließt", "2026-03-11T20:00", "2026-03-11T21:00")},
		{"de", "Laden macht um 8 auf", evTimed("Laden öffnet", "2026-03-12T08:00", "2026-03-12T09:00")},
		{"en", "the pool reopens on Monday", evAllDay("Pool reopens", "2026-03-16", "2026-03-17")},
		{"en", "the library closes at 8 on friday", evTimed("Library closes", "2026-03-13T20:00", "2026-03-13T21:00")},
		{"en", "school closes early on friday", evAllDay("School closes early", "2026-03-13", "2026-03-14")},
		// as before
		{"de", "Kita macht am Freitag zu", evAllDay("Kita geschlossen", "2026-03-13", "2026-03-14")},
		{"de", "Kita macht am Freitag um 12 zu", evTimed("Kita schließt", "2026-03-13T12:00", "2026-03-13T13:00")},
		{"de", "Tim macht am Freitag die Hausaufgaben", taskDueOf("Hausaufgaben machen", "Tim", "2026-03-13T23:59")},
	})
}

// TestHalfHourWithoutAt: "dinner half eight" lost its time ("half" was an
// hour only after "at"); it is half past eight, then the hour rule, and
// dinner is the evening's as breakfast is the morning's: "dinner at 8" and
// "move dinner with the Smiths to 8" were at 08:00.
func TestHalfHourWithoutAt(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "dinner half eight", evTimed("Dinner", "2026-03-11T20:30", "2026-03-11T21:30")},
		{"en", "dinner at 8", evTimed("Dinner", "2026-03-11T20:00", "2026-03-11T21:00")},
		{"en", "dentist friday half eight", evTimed("Dentist", "2026-03-13T08:30", "2026-03-13T09:30")},
		{"en", "dentist friday half 3", evTimed("Dentist", "2026-03-13T15:30", "2026-03-13T16:30")},
		{"de", "Abendessen mit Oma um 8", evTimed("Abendessen mit Oma", "2026-03-11T20:00", "2026-03-11T21:00")},
		{"en", "move dinner with the Smiths to 8", `{"slots":{"time":"20:00","title":"Dinner with the Smiths"},"type":"calendar.move"}`},
		{"en", "dinner at 8am", evTimed("Dinner", "2026-03-12T08:00", "2026-03-12T09:00")},
		{"en", "snooze the bins for half an hour", `{"slots":{"title":"Bins","until":"2026-03-11T10:30"},"type":"task.snooze"}`},
	})
}

// TestTitlesNotTheSentence: statements of the speaker or "we" were events
// named after the sentence ("Ich treffe oma", "Wir essen Pizza",
// "Visiting grandma"); they are named as a plan is: "Oma treffen", "Pizza
// essen", "Visit grandma".
func TestTitlesNotTheSentence(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "ich treffe Oma um 3", evTimed("Oma treffen", "2026-03-11T15:00", "2026-03-11T16:00")},
		{"de", "Ich treffe oma um 3", evTimed("Oma treffen", "2026-03-11T15:00", "2026-03-11T16:00")},
		{"de", "heute Abend essen wir Pizza", evTimed("Pizza essen", "2026-03-11T19:00", "2026-03-11T20:00")},
		{"de", "wir essen am Freitag Pizza", evAllDay("Pizza essen", "2026-03-13", "2026-03-14")},
		{"en", "we're visiting grandma on Sunday", evAllDay("Visit grandma", "2026-03-15", "2026-03-16")},
		// as before
		{"de", "wir ziehen am 1. Mai um", evAllDay("Wir ziehen um", "2026-05-01", "2026-05-02")},
		{"en", "grandma is visiting on Sunday", evAllDay("Grandma visiting", "2026-03-15", "2026-03-16")},
		{"en", "we're having pizza on Friday", evAllDay("Pizza", "2026-03-13", "2026-03-14")},
	})
}

// TestWillBuy: "Will buy milk" (the speaker's "I will buy milk", or said
// to a member called Will) was not understood; either way it puts milk on
// the list.
func TestWillBuy(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Will"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "Will buy milk", addItems("milk")},
			{"en", "will buy milk and eggs", addItems("milk", "eggs")},
			{"en", "I will buy milk", addItems("milk")},
			{"en", "may call the dentist tomorrow", ""},
		})
	}
}
