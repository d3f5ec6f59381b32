package assistant

import "testing"

func addItems(names ...string) string {
	s := `{"slots":{"items":[`
	for i, n := range names {
		if i > 0 {
			s += ","
		}
		s += `{"name":"` + n + `"}`
	}
	return s + `]},"type":"shopping.add_items"}`
}

func evTimed(title, start, end string) string {
	return `{"slots":{"ends_at":"` + end + `","starts_at":"` + start + `","title":"` + title + `"},"type":"calendar.create"}`
}

// TestMayICanIAdd: "May I add milk" and "Can I add milk to the list" ask
// leave to add milk, a polite request; they were not understood, and
// "kann ich Milch auf die Liste setzen" added an item "kann ich Milch". A
// member called May changes nothing: "May I" is no address. Leave for
// anything else is no command.
func TestMayICanIAdd(t *testing.T) {
	for _, names := range [][]string{nil, {"May", "Tim"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "May I add milk", addItems("milk")},
			{"en", "may I add milk", addItems("milk")},
			{"en", "Can I add milk to the list", addItems("milk")},
			{"en", "could I please add milk", addItems("milk")},
			{"en", "can I put bread on the list", addItems("bread")},
			{"de", "kann ich Milch auf die Liste setzen", addItems("Milch")},
			{"de", "darf ich Brot auf die Liste schreiben", addItems("Brot")},
			{"en", "May, add milk", addItems("milk")},
			// leave for something else
			{"en", "May I go to the park", ""},
			{"en", "can I have a cookie", ""},
			{"en", "can I buy milk", ""},
			{"de", "kann ich ins Kino gehen", ""},
			{"de", "darf ich Milch kaufen", ""},
		})
	}
	// a modal is still no name without a comma
	parseCases(t, []string{"May", "Tim"}, []struct{ locale, text, want string }{
		{"en", "May add milk", ""},
	})
}

// TestMarkAndBillAreVerbsToo: members called Mark or Bill. "mark … as
// done" is the verb even when a member is called Mark (it was Mark's new
// task "Take out the bins as done"); "Mark the milk as bought" ticks;
// "Mark needs …" and "Mark take out the bins" are about and to Mark; "Bill
// Tim for the pizza" asks for nothing FamilyHub does.
func TestMarkAndBillAreVerbsToo(t *testing.T) {
	complete := `{"slots":{"title":"Take out the bins"},"type":"task.complete"}`
	check := `{"slots":{"items":[{"name":"milk"}]},"type":"shopping.check_items"}`
	task := func(who string) string {
		return `{"slots":{"assignee":"` + who + `","title":"Take out the bins"},"type":"task.create"}`
	}
	for _, names := range [][]string{nil, {"Mark", "Bill", "Tim"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "mark take out the bins as done", complete},
			{"en", "Mark take out the bins as done", complete},
			{"en", "Mark the milk as bought", check},
			{"en", "mark milk as bought", check},
			{"en", "Bill Tim for the pizza", ""},
			{"en", "Mark needs new shoes", ""},
			{"en", "Mark needs to mow the lawn on Saturday", `{"slots":{"assignee":"Mark","due_at":"2026-03-14T23:59","title":"Mow the lawn"},"type":"task.create"}`},
			{"en", "Bill pays the bills every month", `{"slots":{"assignee":"Bill","recurrence":"FREQ=MONTHLY","title":"Pay the bills"},"type":"task.create"}`},
		})
	}
	parseCases(t, []string{"Mark", "Bill", "Tim"}, []struct{ locale, text, want string }{
		{"en", "Mark take out the bins", task("Mark")},
		{"en", "mark take out the bins", task("Mark")},
		{"en", "Bill take out the bins", task("Bill")},
		// a task is never "… as done"
		{"en", "Mark, take out the bins as done", ""},
		{"en", "take out the bins as done", ""},
		{"en", "Tim, mark the bins as done", `{"slots":{"title":"Bins"},"type":"task.complete"}`},
		{"en", "remind me to mark the bins as done", `{"slots":{"assignee":"me","title":"Mark the bins as done"},"type":"task.create"}`},
	})
}

// TestTripStatements: a trip said of a member, a family role, "we" or
// "I", with a day or time, is a plan for the calendar, named after the
// trip with the member before it. "Tim fährt morgen um 8 zum Training"
// was Tim's task "Zum Training fahren", "wir fahren am Samstag zu Oma"
// the event "Wir fahren zu Oma", "Tim is driving to practice tomorrow at
// 8" not understood. Someone driven, going home, "going to" a verb and
// instructions stay what they were (a weekly trip is a repeating event:
// TestWeeklyTripIsARepeatingEvent).
func TestTripStatements(t *testing.T) {
	sat, mon := "2026-03-14", "2026-03-16"
	for _, names := range [][]string{nil, {"Ana", "Tim", "Mia"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"de", "Tim fährt morgen um 8 zum Training", evTimed("Tim: Fahrt zum Training", "2026-03-12T08:00", "2026-03-12T09:00")},
			{"de", "Tim fährt morgen zum Training", evAllDay("Tim: Fahrt zum Training", "2026-03-12", "2026-03-13")},
			{"de", "wir fahren am Samstag zu Oma", evAllDay("Fahrt zu Oma", sat, "2026-03-15")},
			{"de", "Wir fahren Sonntag um 10 an den See", evTimed("Fahrt an den See", "2026-03-15T10:00", "2026-03-15T11:00")},
			{"de", "ich fahre morgen um 8 zum Training", evTimed("Fahrt zum Training", "2026-03-12T08:00", "2026-03-12T09:00")},
			{"de", "Tim und Mia fliegen am Samstag nach Rom", evAllDay("Tim und Mia: Flug nach Rom", sat, "2026-03-15")},
			{"de", "Mama fährt morgen um 8 zur Arbeit", evTimed("Mama: Fahrt zur Arbeit", "2026-03-12T08:00", "2026-03-12T09:00")},
			{"en", "Tim is driving to practice tomorrow at 8", evTimed("Tim: Drive to practice", "2026-03-12T08:00", "2026-03-12T09:00")},
			{"en", "Tim's driving to practice tomorrow at 8", evTimed("Tim: Drive to practice", "2026-03-12T08:00", "2026-03-12T09:00")},
			{"en", "Tim drives to practice tomorrow at 8", evTimed("Tim: Drive to practice", "2026-03-12T08:00", "2026-03-12T09:00")},
			{"en", "we're driving to grandma's on Saturday", evAllDay("Drive to grandma's", sat, "2026-03-15")},
			{"en", "we are going to the lake on Sunday at 10", evTimed("Go to the lake", "2026-03-15T10:00", "2026-03-15T11:00")},
			{"en", "I'm flying to Rome on Monday", evAllDay("Fly to Rome", mon, "2026-03-17")},
			// not trips of the statement
			{"de", "Tim fährt Mia morgen zum Training", `{"slots":{"assignee":"Tim","due_at":"2026-03-12T23:59","title":"Mia zum Training fahren"},"type":"task.create"}`},
			{"en", "Tim drives Mia to practice tomorrow at 8", `{"slots":{"assignee":"Tim","due_at":"2026-03-12T08:00","title":"Drive Mia to practice"},"type":"task.create"}`},
			// an errand after "to" is a to-do (the progressive of an errand
			// is the member's task: TestProgressivePlans); it was not understood
			{"en", "Tim is driving to pick up Mia at 3", `{"slots":{"assignee":"Tim","due_at":"2026-03-11T15:00","title":"Drive to pick up Mia"},"type":"task.create"}`},
			{"en", "Tim is driving to practice", ""},
			{"de", "Tim fährt zum Training", ""},
			{"de", "fahr am Sonntag zu Oma", taskDue("Zu Oma fahren", "2026-03-15T23:59")},
			{"de", "am Sonntag zu Oma fahren", taskDue("Zu Oma fahren", "2026-03-15T23:59")},
			{"en", "drive to Berlin on Monday", evAllDay("Drive to Berlin", mon, "2026-03-17")},
		})
	}
}

// TestBedtime: "geh um 8 ins Bett" was the event "Geh ins Bett" at 08:00
// tomorrow, "go to bed at 8" the task due at 08:00 tomorrow. An
// instruction to go to bed (to school, to sleep) is a to-do, the
// person's it is said to, and bed is in the evening: an hour from 7 to 11
// without am/pm is the evening's.
func TestBedtime(t *testing.T) {
	for_ := func(who, title, due string) string {
		return `{"slots":{"assignee":"` + who + `","due_at":"` + due + `","title":"` + title + `"},"type":"task.create"}`
	}
	parseCases(t, []string{"Ana", "Tim"}, []struct{ locale, text, want string }{
		{"de", "geh um 8 ins Bett", taskDue("Ins Bett gehen", "2026-03-11T20:00")},
		{"de", "geh um 8 schlafen", taskDue("Schlafen gehen", "2026-03-11T20:00")},
		{"de", "um 8 ins Bett gehen", taskDue("Ins Bett gehen", "2026-03-11T20:00")},
		{"de", "Tim, geh um 8 ins Bett", for_("Tim", "Ins Bett gehen", "2026-03-11T20:00")},
		{"de", "Tim geh um 8 ins Bett", for_("Tim", "Ins Bett gehen", "2026-03-11T20:00")},
		{"en", "go to bed at 8", taskDue("Go to bed", "2026-03-11T20:00")},
		{"en", "Tim, go to bed at 8", for_("Tim", "Go to bed", "2026-03-11T20:00")},
		{"en", "remind me to go to bed at 10", for_("me", "Go to bed", "2026-03-11T22:00")},
		// said otherwise, as said
		{"en", "go to bed at 8am", taskDue("Go to bed", "2026-03-12T08:00")},
		{"de", "geh morgen um 7 Uhr morgens ins Bett", taskDue("Ins Bett gehen", "2026-03-12T07:00")},
		{"de", "geh morgen um 8 zur Schule", taskDue("Zur Schule gehen", "2026-03-12T08:00")},
		{"de", "triff Oma morgen um 15 Uhr", evTimed("Triff Oma", "2026-03-12T15:00", "2026-03-12T16:00")},
		{"de", "geh ins Bett", ""},
	})
}

// TestStatusWithADay: a status with a day writes nothing, as one with a
// time does ("back on Monday", "bin am Montag zurück"); so do being off,
// out or working late ("I'm off on Monday", "ich hab am Montag frei",
// "working late tonight", "arbeite heute länger": they were events), and
// wishes before a day ("break a leg tomorrow", "Daumen drücken morgen").
// Events named after what happens stay events.
func TestStatusWithADay(t *testing.T) {
	parseCases(t, []string{"Ana", "Tim"}, []struct{ locale, text, want string }{
		{"en", "back on Monday", ""},
		{"en", "I'm back on Monday", ""},
		{"en", "Tim is back on Monday", ""},
		{"en", "Tim back on Monday", ""},
		{"de", "bin am Montag zurück", ""},
		{"de", "wir sind am Montag zurück", ""},
		{"de", "Tim ist am Montag zurück", ""},
		{"en", "I'm off on Monday", ""},
		{"en", "Tim off on Monday", ""},
		{"de", "ich hab am Montag frei", ""},
		{"en", "out tonight", ""},
		{"en", "working late tonight", ""},
		{"de", "arbeite heute länger", ""},
		{"en", "break a leg tomorrow", ""},
		{"en", "fingers crossed for tomorrow", ""},
		{"de", "Daumen drücken morgen", ""},
		{"de", "Hals- und Beinbruch morgen", ""},
		{"de", "toi toi toi morgen", ""},
		// events
		{"en", "back to school on Monday", evAllDay("Back to school", "2026-03-16", "2026-03-17")},
		{"en", "day off on Monday", evAllDay("Day off", "2026-03-16", "2026-03-17")},
		{"en", "night out on Saturday", evAllDay("Night out", "2026-03-14", "2026-03-15")},
		{"en", "eat out tonight", evTimed("Eat out", "2026-03-11T19:00", "2026-03-11T20:00")},
	})
}

// TestSeparableParticleKept: a German statement of what happens ends with
// its verb's particle, which the title dropped as a dangling preposition:
// "Oma kommt morgen um 3 an" was the event "Oma kommt", "wir ziehen am 1.
// Mai um" "Wir ziehen". A title without such a verb still loses a
// dangling word.
func TestSeparableParticleKept(t *testing.T) {
	parseCases(t, []string{"Ana", "Tim"}, []struct{ locale, text, want string }{
		{"de", "Oma kommt morgen um 3 an", evTimed("Oma kommt an", "2026-03-12T15:00", "2026-03-12T16:00")},
		{"de", "der Zahnarzt ruft morgen um 3 an", evTimed("Zahnarzt ruft an", "2026-03-12T15:00", "2026-03-12T16:00")},
		{"de", "Training fängt morgen um 5 an", evTimed("Training fängt an", "2026-03-12T17:00", "2026-03-12T18:00")},
		{"de", "die Schule fängt am Montag wieder an", evAllDay("Schule fängt wieder an", "2026-03-16", "2026-03-17")},
		{"de", "wir ziehen am 1. Mai um", evAllDay("Wir ziehen um", "2026-05-01", "2026-05-02")},
		{"de", "Treffen mit Oma morgen um 3", evTimed("Treffen mit Oma", "2026-03-12T15:00", "2026-03-12T16:00")},
		{"de", "Zahnarzt morgen um 3 an", evTimed("Zahnarzt", "2026-03-12T15:00", "2026-03-12T16:00")},
	})
}
