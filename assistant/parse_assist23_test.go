package assistant

import "testing"

// TestEveryOtherStartsNext: "every other Monday" said on Wednesday 11 March
// starts on Monday 16 March (it was the 23rd: the interval was counted from
// the week it was said in, which had no Monday left).
func TestEveryOtherStartsNext(t *testing.T) {
	now := parseNow(t)
	for _, c := range []struct{ text, locale, want string }{
		{"bin day every other monday", "en", "2026-03-16T00:00"},
		{"swimming every other monday at 5", "en", "2026-03-16T17:00"},
		{"jeden zweiten Freitag Altpapier", "de", "2026-03-13T00:00"},
		{"bin collection every other Thursday", "en", "2026-03-12T00:00"},
	} {
		in, err := ParseIntent(c.text, c.locale, now)
		if err != nil || in.Slots.StartsAt == nil {
			t.Fatalf("%q: %+v %v", c.text, in, err)
		}
		if got := in.Slots.StartsAt.Format("2006-01-02T15:04"); got != c.want {
			t.Errorf("%q starts %s, want %s", c.text, got, c.want)
		}
	}
}

// TestQuarterOfAnHour: a quarter of an hour said as a delay is 15 minutes,
// three quarters 45 (the English was not understood, the German a task
// titled "In einer Viertelstunde an den Herd" without a time).
func TestQuarterOfAnHour(t *testing.T) {
	now := parseNow(t)
	for _, c := range []struct{ text, locale, title, want string }{
		{"in a quarter of an hour remind me to check the oven", "en", "Check the oven", "2026-03-11T10:15"},
		{"remind me in three quarters of an hour to take the bread out", "en", "Take the bread out", "2026-03-11T10:45"},
		{"erinner mich in einer Viertelstunde an den Herd", "de", "Herd", "2026-03-11T10:15"},
	} {
		in, err := ParseIntent(c.text, c.locale, now)
		if err != nil || in.Slots.DueAt == nil {
			t.Errorf("%q: %+v %v", c.text, in, err)
			continue
		}
		if got := in.Slots.DueAt.Format("2006-01-02T15:04"); got != c.want || in.Slots.Title != c.title {
			t.Errorf("%q: %q due %s, want %q due %s", c.text, in.Slots.Title, got, c.title, c.want)
		}
	}
}

// TestTransferByADay: money to transfer by a day is a to-do due that day
// (it was an all-day event "Essensgeld überweisen"), as "bezahlen" is.
func TestTransferByADay(t *testing.T) {
	in, err := ParseIntent("Essensgeld bis Montag überweisen", "de", parseNow(t))
	if err != nil || in.Type != IntentTaskCreate || in.Slots.Title != "Essensgeld überweisen" || in.Slots.DueAt == nil ||
		in.Slots.DueAt.Format("2006-01-02T15:04") != "2026-03-16T23:59" {
		t.Errorf("got %+v %v, want the task Essensgeld überweisen due Monday", in, err)
	}
}

// TestMemberNamesCapitalised: a member's name dictated in lower case is
// written capitalised in the title (it was "Pick up mia"); a name that is an
// ordinary word too stays as said, and without the members nothing changes.
func TestMemberNamesCapitalised(t *testing.T) {
	now := parseNow(t)
	names := []string{"Tim", "Mia", "Will"}
	for _, c := range []struct{ text, locale, want string }{
		{"ask mum to pick up mia at 3 tomorrow", "en", "Pick up Mia"},
		{"remind me to buy tim's present", "en", "Buy Tim's present"},
		{"erinner mich morgen an mias Geschenk", "de", "Mias Geschenk"},
	} {
		in, err := parseIntent(c.text, c.locale, now, names)
		if err != nil || in.Slots.Title != c.want {
			t.Errorf("%q: title %q (%v), want %q", c.text, in.Slots.Title, err, c.want)
		}
	}
	if in, err := parseIntent("ask mum to pick up mia at 3 tomorrow", "en", now, nil); err != nil || in.Slots.Title != "Pick up mia" {
		t.Errorf("without members: %q %v, want it as said", in.Slots.Title, err)
	}
	if got := capitaliseMembers("Ask if it will rain", "en", names); got != "Ask if it will rain" {
		t.Errorf("a member called Will: %q", got)
	}
	if got := capitaliseMembers("Pay the bills", "en", []string{"Bill"}); got != "Pay the bills" {
		t.Errorf("a member called Bill: %q", got)
	}
}

// TestGotIsHas: "Mia's got ballet" and "Mia has got ballet" are what Mia
// has, "Mia: Ballet" (the first was the event "Mia's got ballet", the second
// not understood); with the members known, said in lower case too.
func TestGotIsHas(t *testing.T) {
	now := parseNow(t)
	for _, c := range []struct {
		text  string
		names []string
	}{
		{"Mia's got ballet every Monday and Wednesday at 5", nil},
		{"Mia has got ballet every Monday and Wednesday at 5", nil},
		{"mia's got ballet every monday and wednesday at 5", []string{"Tim", "Mia"}},
	} {
		in, err := parseIntent(c.text, "en", now, c.names)
		if err != nil || in.Type != IntentCalendarCreate || in.Slots.Title != "Mia: Ballet" || in.Slots.Recurrence != "FREQ=WEEKLY;BYDAY=MO,WE" {
			t.Errorf("%q: %s %+v %v, want Mia: Ballet on Mondays and Wednesdays", c.text, in.Type, in.Slots.Title, err)
		}
	}
}

// TestTwoKindsNotUnderstood: two statements of different kinds joined by
// "and" are not understood, since no one intent does both (they were an
// item "tim needs his pe kit washed", a move of "Wir brauchen Windeln und
// der Zahnarzt" and the all-day event "Bread and tim has football"); a
// list stays a list.
func TestTwoKindsNotUnderstood(t *testing.T) {
	now := parseNow(t)
	for _, c := range []struct{ text, locale string }{
		{"we're out of milk and tim needs his pe kit washed", "en"},
		{"wir brauchen Windeln und der Zahnarzt ist auf Freitag verschoben", "de"},
		{"add bread and tim has football on saturday", "en"},
	} {
		if in, err := ParseIntent(c.text, c.locale, now); err == nil {
			t.Errorf("%q: %s %+v, want not understood", c.text, in.Type, in.Slots)
		}
	}
	in, err := ParseIntent("we're out of milk and bread", "en", now)
	if err != nil || in.Type != IntentShoppingAddItems || len(in.Slots.Items) != 2 {
		t.Errorf("a list: %s %+v %v", in.Type, in.Slots.Items, err)
	}
}
