package assistant

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
)

// parseNow is Wednesday 11 March 2026, 10:00 in Berlin (UTC+1).
func parseNow(t testing.TB) time.Time {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 3, 11, 10, 0, 0, 0, loc)
}

func TestParseIntent(t *testing.T) {
	now := parseNow(t)
	at := func(day, hour, min int) string {
		return time.Date(2026, 3, day, hour, min, 0, 0, now.Location()).Format(time.RFC3339)
	}
	// want is the intent as JSON: compact and easy to read in a table.
	for _, tc := range []struct {
		text, lang, want string
	}{
		// shopping.add_items
		{"add milk and eggs to the groceries list", "en", `{"type":"shopping.add_items","slots":{"list":"groceries","items":[{"name":"milk"},{"name":"eggs"}]}}`},
		{"Please add 2 litres of milk, a dozen eggs and bread to the shopping list.", "en", `{"type":"shopping.add_items","slots":{"list":"shopping","items":[{"name":"milk","quantity":"2 litres"},{"name":"eggs","quantity":"1 dozen"},{"name":"bread"}]}}`},
		{"put 3 apples on the Costco list", "en", `{"type":"shopping.add_items","slots":{"list":"Costco","items":[{"name":"apples","quantity":"3"}]}}`},
		{"add milk", "en", `{"type":"shopping.add_items","slots":{"items":[{"name":"milk"}]}}`},
		{"we need 2l oat milk & some coffee", "en", `{"type":"shopping.add_items","slots":{"items":[{"name":"oat milk","quantity":"2l"},{"name":"coffee"}]}}`},
		{"we're out of toilet paper", "en", `{"type":"shopping.add_items","slots":{"items":[{"name":"toilet paper"}]}}`},
		{"buy two bottles of wine", "en", `{"type":"shopping.add_items","slots":{"items":[{"name":"wine","quantity":"2 bottles"}]}}`},
		{"add eggs to the list", "en", `{"type":"shopping.add_items","slots":{"items":[{"name":"eggs"}]}}`},
		{"setz Milch und Eier auf die Einkaufsliste", "de", `{"type":"shopping.add_items","slots":{"list":"Einkauf","items":[{"name":"Milch"},{"name":"Eier"}]}}`},
		{"wir brauchen 2 Liter Milch", "de", `{"type":"shopping.add_items","slots":{"items":[{"name":"Milch","quantity":"2 Liter"}]}}`},

		// shopping.check_items
		{"check off milk and eggs", "en", `{"type":"shopping.check_items","slots":{"items":[{"name":"milk"},{"name":"eggs"}]}}`},
		{"tick off bread from the groceries list", "en", `{"type":"shopping.check_items","slots":{"list":"groceries","items":[{"name":"bread"}]}}`},
		{"I bought milk", "en", `{"type":"shopping.check_items","slots":{"items":[{"name":"milk"}]}}`},
		{"mark 2 litres of milk as bought", "en", `{"type":"shopping.check_items","slots":{"items":[{"name":"milk"}]}}`},
		{"hake Milch ab", "de", `{"type":"shopping.check_items","slots":{"items":[{"name":"Milch"}]}}`},

		// task.create: relative days, weekdays, clock times, delays
		{"remind me to call grandma tomorrow at 6pm", "en", `{"type":"task.create","slots":{"title":"Call grandma","due_at":"` + at(12, 18, 0) + `"}}`},
		{"remind me tomorrow at 18:30 to call grandma", "en", `{"type":"task.create","slots":{"title":"Call grandma","due_at":"` + at(12, 18, 30) + `"}}`},
		{"remind me to water the plants in 2 hours", "en", `{"type":"task.create","slots":{"title":"Water the plants","due_at":"` + at(11, 12, 0) + `"}}`},
		{"remind me to pay rent on Friday", "en", `{"type":"task.create","slots":{"title":"Pay rent","due_at":"` + at(13, 23, 59) + `"}}`},
		{"remind me to take the bins out tonight", "en", `{"type":"task.create","slots":{"title":"Take the bins out","due_at":"` + at(11, 19, 0) + `"}}`},
		{"remind me at 9 to stretch", "en", `{"type":"task.create","slots":{"title":"Stretch","due_at":"` + at(12, 9, 0) + `"}}`},
		{"remind me to buy stamps next wednesday at 8am", "en", `{"type":"task.create","slots":{"title":"Buy stamps","due_at":"` + at(18, 8, 0) + `"}}`},
		{"remind me to book flights on the 20th", "en", `{"type":"task.create","slots":{"title":"Book flights","due_at":"` + at(20, 23, 59) + `"}}`},
		{"remind me to renew passport on March 2", "en", `{"type":"task.create","slots":{"title":"Renew passport","due_at":"2027-03-02T23:59:00+01:00"}}`},
		{"add a task: fix the bike", "en", `{"type":"task.create","slots":{"title":"Fix the bike"}}`},
		{"I need to call the plumber today at noon", "en", `{"type":"task.create","slots":{"title":"Call the plumber","due_at":"` + at(11, 12, 0) + `"}}`},
		{"add clean the car to my todo list", "en", `{"type":"task.create","slots":{"title":"Clean the car"}}`},
		{"remind me to feed the cat in half an hour", "en", `{"type":"task.create","slots":{"title":"Feed the cat","due_at":"` + at(11, 10, 30) + `"}}`},
		{"erinnere mich morgen um 18 Uhr an Oma anrufen", "de", `{"type":"task.create","slots":{"title":"Oma anrufen","due_at":"` + at(12, 18, 0) + `"}}`},

		// task.complete
		{"mark take out the trash as done", "en", `{"type":"task.complete","slots":{"title":"Take out the trash"}}`},
		{"I finished the laundry", "en", `{"type":"task.complete","slots":{"title":"Laundry"}}`},
		{"the dishes are done", "en", `{"type":"task.complete","slots":{"title":"Dishes"}}`},
		{"complete task call grandma", "en", `{"type":"task.complete","slots":{"title":"Call grandma"}}`},
		{"Müll rausbringen ist erledigt", "de", `{"type":"task.complete","slots":{"title":"Müll rausbringen"}}`},

		// calendar.create
		{"put dentist on Friday at 3", "en", `{"type":"calendar.create","slots":{"title":"Dentist","starts_at":"` + at(13, 15, 0) + `","ends_at":"` + at(13, 16, 0) + `"}}`},
		{"schedule parents evening on 2026-03-19 at 19:00 for 2 hours", "en", `{"type":"calendar.create","slots":{"title":"Parents evening","starts_at":"` + at(19, 19, 0) + `","ends_at":"` + at(19, 21, 0) + `"}}`},
		{"add swimming to the calendar tomorrow at 7 in the morning", "en", `{"type":"calendar.create","slots":{"title":"Swimming","starts_at":"` + at(12, 7, 0) + `","ends_at":"` + at(12, 8, 0) + `"}}`},
		{"book haircut on 14 March", "en", `{"type":"calendar.create","slots":{"title":"Haircut","starts_at":"` + at(14, 0, 0) + `","ends_at":"` + at(15, 0, 0) + `","all_day":true}}`},
		{"put school trip on Wednesday at 9", "en", `{"type":"calendar.create","slots":{"title":"School trip","starts_at":"` + at(18, 9, 0) + `","ends_at":"` + at(18, 10, 0) + `"}}`},
		{"trag Zahnarzt am Freitag um 15 Uhr ein", "de", `{"type":"calendar.create","slots":{"title":"Zahnarzt","starts_at":"` + at(13, 15, 0) + `","ends_at":"` + at(13, 16, 0) + `"}}`},

		// query.today
		{"what's on today?", "en", `{"type":"query.today","slots":{"date":"2026-03-11"}}`},
		{"What do we have tomorrow", "en", `{"type":"query.today","slots":{"date":"2026-03-12"}}`},
		{"what's happening on Friday", "en", `{"type":"query.today","slots":{"date":"2026-03-13"}}`},
		{"show me today's agenda", "en", `{"type":"query.today","slots":{"date":"2026-03-11"}}`},
		{"was steht heute an", "de", `{"type":"query.today","slots":{"date":"2026-03-11"}}`},
		// The other language is tried too.
		{"was steht heute an", "en", `{"type":"query.today","slots":{"date":"2026-03-11"}}`},
	} {
		t.Run(tc.text, func(t *testing.T) {
			in, err := ParseIntent(tc.text, tc.lang, now)
			if err != nil {
				t.Fatalf("ParseIntent: %v", err)
			}
			got, _ := json.Marshal(in)
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseIntentRefuses(t *testing.T) {
	now := parseNow(t)
	for _, text := range []string{
		"colorless green ideas sleep furiously",
		"asdf",
		"hello",
		"what's the weather like",
		"mark as done",
		"remind me",
		"add",
		"add to the groceries list",
		"put on Friday at 3",
		"12345",
	} {
		_, err := ParseIntent(text, "en", now)
		if familyhub.ErrorCode(err) != familyhub.EINVALID || !strings.Contains(familyhub.ErrorMessage(err), "did not understand") {
			t.Errorf("%q: got %v, want not understood", text, err)
		}
	}
}

// TestParseIntentTimeZone: the same words mean the family's local time,
// whatever the zone.
func TestParseIntentTimeZone(t *testing.T) {
	for _, zone := range []string{"UTC", "America/Los_Angeles", "Asia/Tokyo", "Australia/Adelaide"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 11, 22, 30, 0, 0, loc)
		in, err := ParseIntent("remind me to call grandma tomorrow at 6pm", "en", now)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 12, 18, 0, 0, 0, loc); !in.Slots.DueAt.Equal(want) || in.Slots.DueAt.Location() != loc {
			t.Errorf("%s: due %v, want %v", zone, in.Slots.DueAt, want)
		}
		// A time that has passed today means tomorrow.
		in, err = ParseIntent("remind me to lock up at 9pm", "en", now)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 12, 21, 0, 0, 0, loc); !in.Slots.DueAt.Equal(want) {
			t.Errorf("%s: due %v, want %v", zone, in.Slots.DueAt, want)
		}
	}
	// Across a daylight-saving change: 18:00 local on the day after.
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, ny) // DST starts 8 March
	in, err := ParseIntent("remind me to call grandma tomorrow at 6pm", "en", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Slots.DueAt.Format(time.RFC3339); got != "2026-03-08T18:00:00-04:00" {
		t.Errorf("DST: due %s", got)
	}
}

func TestIntentValidate(t *testing.T) {
	when := time.Date(2026, 3, 13, 15, 0, 0, 0, time.UTC)
	before := when.Add(-time.Hour)
	ancient := time.Date(1200, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		in   Intent
		ok   bool
	}{
		{"add", Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{Items: []IntentItem{{Name: "milk"}}}}, true},
		{"unknown type", Intent{Type: "shopping.delete_everything"}, false},
		{"no items", Intent{Type: IntentShoppingAddItems}, false},
		{"blank item", Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{Items: []IntentItem{{Name: " "}}}}, false},
		{"too many items", Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{Items: make([]IntentItem, MaxIntentItems+1)}}, false},
		{"long name", Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{Items: []IntentItem{{Name: strings.Repeat("x", 201)}}}}, false},
		{"check with quantity", Intent{Type: IntentShoppingCheckItems, Slots: IntentSlots{Items: []IntentItem{{Name: "milk", Quantity: "2"}}}}, false},
		{"task with items", Intent{Type: IntentTaskCreate, Slots: IntentSlots{Title: "x", Items: []IntentItem{{Name: "milk"}}}}, false},
		{"task without title", Intent{Type: IntentTaskCreate}, false},
		{"task in 1200", Intent{Type: IntentTaskCreate, Slots: IntentSlots{Title: "x", DueAt: &ancient}}, false},
		{"event", Intent{Type: IntentCalendarCreate, Slots: IntentSlots{Title: "x", StartsAt: &when}}, true},
		{"event without start", Intent{Type: IntentCalendarCreate, Slots: IntentSlots{Title: "x"}}, false},
		{"event ending before start", Intent{Type: IntentCalendarCreate, Slots: IntentSlots{Title: "x", StartsAt: &when, EndsAt: &before}}, false},
		{"query", Intent{Type: IntentQueryToday, Slots: IntentSlots{Date: "2026-03-11"}}, true},
		{"query bad date", Intent{Type: IntentQueryToday, Slots: IntentSlots{Date: "tomorrow"}}, false},
		{"control characters", Intent{Type: IntentTaskComplete, Slots: IntentSlots{Title: "a\x00b"}}, false},
	} {
		err := tc.in.Validate()
		if (err == nil) != tc.ok || (err != nil && familyhub.ErrorCode(err) != familyhub.EINVALID) {
			t.Errorf("%s: Validate = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestAssistantTextAndLanguage(t *testing.T) {
	if got, err := AssistantText("  add\tmilk\n "); err != nil || got != "add milk" {
		t.Errorf("AssistantText = %q, %v", got, err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("x", MaxAssistantTextLen+1), "add \x00milk", "\xff"} {
		if _, err := AssistantText(bad); familyhub.ErrorCode(err) != familyhub.EINVALID {
			t.Errorf("AssistantText(%q) = %v, want invalid", bad, err)
		}
	}
	if _, err := AssistantText(strings.Repeat("ä", MaxAssistantTextLen)); err != nil {
		t.Errorf("500 characters (1000 bytes) refused: %v", err)
	}
	for locale, want := range map[string]string{"": "en", "en": "en", "en-GB": "en", "de_DE": "de", "DE": "de"} {
		if got, err := AssistantLanguage(locale); err != nil || got != want {
			t.Errorf("AssistantLanguage(%q) = %q, %v", locale, got, err)
		}
	}
	if _, err := AssistantLanguage("fr-FR"); familyhub.ErrorCode(err) != familyhub.EINVALID {
		t.Errorf("fr-FR: %v", err)
	}
}

// FuzzParseIntent: no input panics, and whatever the parser returns is a
// valid intent or a not-understood error.
func FuzzParseIntent(f *testing.F) {
	for _, s := range []string{
		"add milk and eggs to the groceries list", "remind me to call grandma tomorrow at 6pm",
		"put dentist on Friday at 3", "mark take out the trash as done", "what's on today",
		"add 2 litres of milk", "remind me in 2 hours to x", "on the 31st", "in half an hour at 25:99",
		"remind me on february 30 at 13pm", "at at at on on the the", "in 1000 weeks", "for 2 hours",
		"put x on 2999-12-31 at 24:00", "erinnere mich übermorgen früh um 7", "check off , , and",
		"add and and and", "remind me to x next sun at midnight", "schedule y 9999-01-01",
	} {
		f.Add(s, "en")
	}
	now := parseNow(f)
	f.Fuzz(func(t *testing.T, text, locale string) {
		lang, err := AssistantLanguage(locale)
		if err != nil {
			lang = "en"
		}
		text, err = AssistantText(text)
		if err != nil {
			return
		}
		in, err := ParseIntent(text, lang, now)
		if err != nil {
			if familyhub.ErrorCode(err) != familyhub.EINVALID {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("ParseIntent returned an invalid intent %+v: %v", in, err)
		}
		if _, err := json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	})
}
