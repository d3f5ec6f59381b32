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
