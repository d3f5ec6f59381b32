package assistant

import (
	"strings"
	"testing"
)

// TestSplitEvents: a sentence of events is cut at "and", "und" and
// commas, not at the comma of a weekday and its date.
func TestSplitEvents(t *testing.T) {
	for text, want := range map[string]string{
		"dentist Monday at 9 and physio Wednesday at 4":                 "dentist Monday at 9|physio Wednesday at 4",
		"Elternabend am 12., am 19. und am 26.":                         "Elternabend am 12.|am 19.|am 26.",
		"Zahnarzt am Montag, 16. März um 9 und Physio am Mittwoch um 4": "Zahnarzt am Montag, 16. März um 9|Physio am Mittwoch um 4",
		"dentist on Monday, March 16 at 9, physio on Wednesday":         "dentist on Monday, March 16 at 9|physio on Wednesday",
		"swimming on Friday, and football on Saturday":                  "swimming on Friday|football on Saturday",
	} {
		if got := strings.Join(splitEvents(text), "|"); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

// TestShortEventPerson: a part said short stands in for the person the
// first part names, not for a word that starts it ("Essen am Samstag" is
// an event of its own, not the cinema again; "Mia on Saturday" after
// "lunch with Tim" is lunch with Mia); a weekday whose time is gone
// today is next week's, as said alone. With and without the members.
func TestShortEventPerson(t *testing.T) {
	now := parseNow(t) // Wednesday 11 March 2026, 10:00
	for _, names := range [][]string{nil, {"Tim", "Mia", "Ben"}} {
		for text, want := range map[string]string{
			"Kino am Freitag um 20 Uhr und Essen am Samstag":   "Kino 03-13 20:00|Essen 03-14 00:00",
			"lunch with Tim on Friday and Mia on Saturday":     "Lunch with Tim 03-13 00:00|Lunch with Mia 03-14 00:00",
			"Kino mit Oma am Freitag um 5 und Opa am Samstag":  "Kino mit Oma 03-13 17:00|Kino mit Opa 03-14 17:00",
			"Tim hat am Freitag Geburtstag und Mia am Samstag": "Tim: Geburtstag 03-13 00:00|Mia: Geburtstag 03-14 00:00",
			"Arzttermin Montag 9 Uhr und Mittwoch":             "Arzttermin 03-16 09:00|Arzttermin 03-18 09:00",
			"dentist Monday at 9 and Wednesday":                "Dentist 03-16 09:00|Dentist 03-18 09:00",
		} {
			in, err := parseIntent(text, "de", now, names)
			if err != nil {
				t.Errorf("%q (%v): %v", text, names, err)
				continue
			}
			var got []string
			for _, e := range in.Slots.Events {
				got = append(got, e.Title+" "+e.StartsAt.Format("01-02 15:04"))
			}
			if g := strings.Join(got, "|"); g != want {
				t.Errorf("%q (%v): %q, want %q", text, names, g, want)
			}
		}
	}
}

// TestCommaListedEvents: events listed with commas only are several
// ("swimming Saturday at 10, football Sunday at 11" was the one event
// "Swimming football Sunday at 11"); a comma before more about one event
// keeps it one.
func TestCommaListedEvents(t *testing.T) {
	now := parseNow(t) // Wednesday 11 March 2026, 10:00
	for text, want := range map[string]string{
		"swimming Saturday at 10, football Sunday at 11":       "calendar.create_many Swimming 03-14 10:00|Football 03-15 11:00",
		"Schwimmen am Samstag um 10, Fußball am Sonntag um 11": "calendar.create_many Schwimmen 03-14 10:00|Fußball 03-15 11:00",
		"Zahnarzt am Freitag, 10 Uhr":                          "calendar.create Zahnarzt 03-13 10:00",
		"dentist Friday at 3, bring the insurance card":        "calendar.create Dentist bring the insurance card 03-13 15:00",
	} {
		in, err := parseIntent(text, "en", now, nil)
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		var got []string
		for _, e := range in.Slots.Events {
			got = append(got, e.Title+" "+e.StartsAt.Format("01-02 15:04"))
		}
		if in.Type == IntentCalendarCreate {
			got = append(got, in.Slots.Title+" "+in.Slots.StartsAt.Format("01-02 15:04"))
		}
		if g := in.Type + " " + strings.Join(got, "|"); g != want {
			t.Errorf("%q: %q, want %q", text, g, want)
		}
	}
}

// TestWeekdayThenDate: a date said after its weekday is that day, not
// part of the title ("Zahnarzt am Montag, 16. März um 9" was the event
// "Zahnarzt 16. März"); a date that is not that weekday stays said.
func TestWeekdayThenDate(t *testing.T) {
	now := parseNow(t) // Wednesday 11 March 2026, 10:00
	for text, want := range map[string]string{
		"Zahnarzt am Montag, 16. März um 9":  "Zahnarzt 03-16 09:00",
		"Zahnarzt am Montag, den 16.3. um 9": "Zahnarzt 03-16 09:00",
		"dentist on Monday, March 16 at 9":   "Dentist 03-16 09:00",
		"dentist Monday the 16th at 9":       "Dentist 03-16 09:00",
		"Zahnarzt am Montag, 17. März um 9":  "Zahnarzt 17. März 03-16 09:00",
	} {
		in, err := parseIntent(text, "de", now, nil)
		if err != nil || in.Type != IntentCalendarCreate {
			t.Errorf("%q: %s %v", text, in.Type, err)
			continue
		}
		if g := in.Slots.Title + " " + in.Slots.StartsAt.Format("01-02 15:04"); g != want {
			t.Errorf("%q: %q, want %q", text, g, want)
		}
	}
}

// TestSwallowedEventRefused: a sentence of events that cannot be cut
// writes no event whose title holds another's day and time; a title with
// "and" and no day after it stays one event.
func TestSwallowedEventRefused(t *testing.T) {
	now := parseNow(t)
	text := "dentist Monday at 9 and physio Wednesday at 4 and Ben and Jerry Friday"
	if in, err := parseIntent(text, "en", now, nil); err == nil {
		t.Errorf("%q: %s %q", text, in.Type, in.Slots.Title)
	}
	for _, text := range []string{"Tom and Jerry on Friday", "rock and roll class Monday at 5", "Mama und Papa kommen am Samstag"} {
		if in, err := parseIntent(text, "en", now, nil); err != nil || in.Type != IntentCalendarCreate {
			t.Errorf("%q: %s %v", text, in.Type, err)
		}
	}
}
