package assistant

import "testing"

func evAllDay(title, day, next string) string {
	return `{"slots":{"all_day":true,"ends_at":"` + next + `T00:00","starts_at":"` + day + `T00:00","title":"` + title + `"},"type":"calendar.create"}`
}

func taskDue(title, due string) string {
	return `{"slots":{"due_at":"` + due + `","title":"` + title + `"},"type":"task.create"}`
}

// TestTripLowercase: speech recognisers often write places in lower case;
// "fahr am montag nach berlin" and "drive to berlin on monday" were tasks
// while the capitalised forms were trips (events). A place of one to three
// words is a trip's in any case, capitalised in the title, unless it is a
// routine's or errand's goal: "go to bed at 8", "drive to work on monday",
// "go to school" stay to-dos, and so does "go to Bed at 8", which the
// capitalised rule made an event.
func TestTripLowercase(t *testing.T) {
	mon, tue := "2026-03-16", "2026-03-17"
	parseCases(t, []string{"Ana", "Tim"}, []struct{ locale, text, want string }{
		{"de", "fahr am montag nach berlin", evAllDay("Fahrt nach Berlin", mon, tue)},
		{"de", "am montag nach berlin fahren", evAllDay("Fahrt nach Berlin", mon, tue)},
		{"de", "flieg am montag nach rom", evAllDay("Flug nach Rom", mon, tue)},
		{"de", "Tim, fahr am montag nach berlin", evAllDay("Fahrt nach Berlin", mon, tue)},
		{"en", "drive to berlin on monday", evAllDay("Drive to Berlin", mon, tue)},
		{"en", "fly to new york on monday", evAllDay("Fly to New York", mon, tue)},
		{"de", "drive to berlin on monday", evAllDay("Drive to Berlin", mon, tue)},
		{"en", "Tim, drive to berlin on monday", evAllDay("Drive to Berlin", mon, tue)},
		// capitalised, as before
		{"de", "fahr am Montag nach Berlin", evAllDay("Fahrt nach Berlin", mon, tue)},
		{"en", "drive to Berlin on Monday", evAllDay("Drive to Berlin", mon, tue)},
		// routines and errands stay to-dos, in any case
		{"en", "go to bed at 8", taskDue("Go to bed", "2026-03-11T20:00")}, // bedtime: TestBedtime
		{"en", "go to Bed at 8", taskDue("Go to Bed", "2026-03-11T20:00")},
		{"en", "drive to work on monday", taskDue("Drive to work", mon+"T23:59")},
		{"en", "drive to Work on Monday", taskDue("Drive to Work", mon+"T23:59")},
		{"en", "go to school on monday", taskDue("Go to school", mon+"T23:59")},
		{"en", "go to church on sunday", taskDue("Go to church", "2026-03-15T23:59")},
		{"en", "go to the doctor on monday", taskDue("Go to the doctor", mon+"T23:59")},
		{"en", "drive to pick up mia on monday", taskDue("Drive to pick up mia", mon+"T23:59")},
		{"de", "fahr am montag nach hause", taskDue("Nach hause fahren", mon+"T23:59")},
		{"de", "fahr am Montag nach Hause", taskDue("Nach Hause fahren", mon+"T23:59")},
		{"de", "fahr morgen nach oben", taskDue("Nach oben fahren", "2026-03-12T23:59")},
	})
}

// TestZuKeptBeforeAPlace: "am Sonntag zu Oma fahren" and "fahr am Sonntag
// zu Oma" were the task "Oma fahren" (driving grandma): the "zu" that
// leads into a task ("zu putzen") was taken off a preposition. A visit to
// a family member is a to-do in both languages, as "drive to grandma's on
// Sunday" is: "Zu Oma fahren".
func TestZuKeptBeforeAPlace(t *testing.T) {
	sun := "2026-03-15T23:59"
	me := func(title, due string) string {
		return `{"slots":{"assignee":"me","due_at":"` + due + `","title":"` + title + `"},"type":"task.create"}`
	}
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "am Sonntag zu Oma fahren", taskDue("Zu Oma fahren", sun)},
		{"de", "fahr am Sonntag zu Oma", taskDue("Zu Oma fahren", sun)},
		{"de", "am sonntag zu oma fahren", taskDue("Zu oma fahren", sun)},
		{"de", "geh am Sonntag zu Oma", taskDue("Zu Oma gehen", sun)},
		{"en", "am Sonntag zu Oma fahren", taskDue("Zu Oma fahren", sun)},
		{"en", "drive to grandma's on Sunday", taskDue("Drive to grandma's", sun)},
		{"de", "drive to grandma's on Sunday", taskDue("Drive to grandma's", sun)},
		// the zu of an infinitive still goes
		{"de", "erinnere mich morgen zu putzen", me("Putzen", "2026-03-12T23:59")},
		{"de", "erinnere mich morgen, zu Oma zu fahren", me("Zu Oma fahren", "2026-03-12T23:59")},
	})
}

// TestMemberStatusWithTime: "Tim home at 6", "Mum home at 6", "Tim um 6
// zuhause", "Tim back at 6", "home late tonight" were events ("Tim
// home"): the status rule caught only "Tim is home at 6". A member, a
// family role or a pronoun with a status, with or without a verb, writes
// nothing; an appointment of a member ("Tim football at 6", "Tim's dentist
// at 6") stays an event.
func TestMemberStatusWithTime(t *testing.T) {
	ev := func(title string) string {
		return `{"slots":{"ends_at":"2026-03-11T19:00","starts_at":"2026-03-11T18:00","title":"` + title + `"},"type":"calendar.create"}`
	}
	parseCases(t, []string{"Ana", "Tim", "Mia"}, []struct{ locale, text, want string }{
		{"en", "Tim home at 6", ""},
		{"de", "Tim home at 6", ""},
		{"en", "Mum home at 6", ""},
		{"en", "Tim's home at 6", ""},
		{"en", "Tim back at 6", ""},
		{"en", "Tim and Mia home at 6", ""},
		{"en", "home late tonight", ""},
		{"en", "Tim back late tonight", ""},
		{"de", "Tim um 6 zuhause", ""},
		{"en", "Tim um 6 zuhause", ""},
		{"de", "Mama um 6 zuhause", ""},
		{"de", "Tim kommt um 6 heim", ""},
		{"de", "Tim heute spät zuhause", ""},
		{"en", "Tim is home at 6", ""},
		// appointments stay events
		{"en", "Tim football at 6", ev("Tim football")},
		{"en", "Tim's dentist at 6", ev("Tim's dentist")},
		{"de", "Tim Fußball um 6", ev("Tim Fußball")},
		{"de", "Tim Zahnarzt um 6", ev("Tim Zahnarzt")},
		{"en", "Mum yoga at 6", ev("Mum yoga")},
	})
}
