package assistant

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
)

// parseNow is Wednesday 11 March 2026, 10:00 in Berlin (UTC+1): the
// moment every corpus command is said.
func parseNow(t testing.TB) time.Time {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 3, 11, 10, 0, 0, 0, loc)
}

// mustParse parses text said at parseNow and returns the intent in the
// corpus's canonical form.
func mustParse(t *testing.T, text, locale string) string {
	t.Helper()
	now := parseNow(t)
	in, err := ParseIntent(text, locale, now)
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return canonicalIntent(in, now.Location())
}

// TestRecurrencePhrases: what people say about repetition, as RRULEs in
// FamilyHub's subset (Validate checks each with familyhub.ParseRecurrence).
func TestRecurrencePhrases(t *testing.T) {
	for phrase, want := range map[string]string{
		"every day": "FREQ=DAILY", "daily": "FREQ=DAILY", "every other day": "FREQ=DAILY;INTERVAL=2",
		"every 3 days": "FREQ=DAILY;INTERVAL=3", "every week": "FREQ=WEEKLY", "weekly": "FREQ=WEEKLY",
		"every other week": "FREQ=WEEKLY;INTERVAL=2", "fortnightly": "FREQ=WEEKLY;INTERVAL=2",
		"every two weeks": "FREQ=WEEKLY;INTERVAL=2", "every Tuesday": "FREQ=WEEKLY;BYDAY=TU",
		"on Tuesdays": "FREQ=WEEKLY;BYDAY=TU", "every Monday and Thursday": "FREQ=WEEKLY;BYDAY=MO,TH",
		"every other Saturday": "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", "on weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
		"every weekend": "FREQ=WEEKLY;BYDAY=SA,SU", "every month": "FREQ=MONTHLY", "monthly": "FREQ=MONTHLY",
		"every month on the 15th": "FREQ=MONTHLY;BYMONTHDAY=15", "on the first of every month": "FREQ=MONTHLY;BYMONTHDAY=1",
		"every last Friday of the month": "FREQ=MONTHLY;BYDAY=-1FR", "every year": "FREQ=YEARLY",
		"every 2 weeks on Friday": "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
		"jeden Tag":               "FREQ=DAILY", "täglich": "FREQ=DAILY", "jeden zweiten Tag": "FREQ=DAILY;INTERVAL=2",
		"alle zwei Wochen": "FREQ=WEEKLY;INTERVAL=2", "alle 14 Tage": "FREQ=WEEKLY;INTERVAL=2",
		"jeden Dienstag": "FREQ=WEEKLY;BYDAY=TU", "dienstags und donnerstags": "FREQ=WEEKLY;BYDAY=TU,TH",
		"montags bis freitags": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "werktags": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
		"jeden zweiten Donnerstag": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "monatlich": "FREQ=MONTHLY",
		"jeden ersten Samstag im Monat": "FREQ=MONTHLY;BYDAY=1SA", "jedes Jahr": "FREQ=YEARLY",
	} {
		lang := detectLanguage(phrase, "en")
		text := "water the plants " + phrase
		if lang == "de" {
			text = phrase + " Blumen gießen"
		}
		got := mustParse(t, text, lang)
		if !strings.Contains(got, `"recurrence":"`+want+`"`) {
			t.Errorf("%q: %s, want recurrence %s", text, got, want)
		}
	}
}

// TestTimePhrases: clock times, ranges and dates in both languages.
func TestTimePhrases(t *testing.T) {
	for _, tc := range []struct{ text, lang, want string }{
		{"remind me at half past six to start dinner", "en", `"due_at":"2026-03-11T18:30"`},
		{"remind me at quarter to 8 to lock up", "en", `"due_at":"2026-03-11T19:45"`},
		{"remind me at 7 in the morning to jog", "en", `"due_at":"2026-03-12T07:00"`},
		{"remind me at 9 at night to lock up", "en", `"due_at":"2026-03-11T21:00"`},
		{"remind me the day after tomorrow to call the bank", "en", `"due_at":"2026-03-13T23:59"`},
		{"remind me on March 2 to renew the passport", "en", `"due_at":"2027-03-02T23:59"`},
		{"erinnere mich um Viertel nach 5 an den Kuchen", "de", `"due_at":"2026-03-11T17:15"`},
		{"erinnere mich um halb acht an den Elternabend", "de", `"due_at":"2026-03-11T19:30"`},
		{"erinnere mich um 8 Uhr an den Bus", "de", `"due_at":"2026-03-12T08:00"`},
		{"erinnere mich um 3 Uhr an den Bus", "de", `"due_at":"2026-03-11T15:00"`},
		{"erinnere mich am 18.3. an die Steuer", "de", `"due_at":"2026-03-18T23:59"`},
		{"erinnere mich am 02.01.2027 an die Steuer", "de", `"due_at":"2027-01-02T23:59"`},
		{"dentist from 2 to 3:30", "en", `"ends_at":"2026-03-11T15:30","starts_at":"2026-03-11T14:00"`},
		{"party 6-11pm on Saturday", "en", `"ends_at":"2026-03-14T23:00","starts_at":"2026-03-14T18:00"`},
		{"camping from Friday to Sunday", "en", `"all_day":true,"ends_at":"2026-03-16T00:00","starts_at":"2026-03-13T00:00"`},
		{"Urlaub vom 30. März bis 2. April", "de", `"all_day":true,"ends_at":"2026-04-03T00:00","starts_at":"2026-03-30T00:00"`},
	} {
		if got := mustParse(t, tc.text, tc.lang); !strings.Contains(got, tc.want) {
			t.Errorf("%q: %s, want %s", tc.text, got, tc.want)
		}
	}
}

// TestParseIntentTimeZone: the same words mean the family's local time,
// whatever the zone, across a daylight-saving change too.
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
		if in, err = ParseIntent("remind me to lock up at 9pm", "en", now); err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 12, 21, 0, 0, 0, loc); !in.Slots.DueAt.Equal(want) {
			t.Errorf("%s: due %v, want %v", zone, in.Slots.DueAt, want)
		}
	}
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, ny) // DST starts 8 March
	in, err := ParseIntent("remind me to call grandma tomorrow at 6pm", "en", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Slots.DueAt.Format(time.RFC3339); got != "2026-03-08T18:00:00-04:00" {
		t.Errorf("DST: due %s", got)
	}
	// A weekly event keeps its local time across the change: its first
	// occurrence is what the parser gives.
	in, err = ParseIntent("swimming every Monday at 5pm", "en", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Slots.StartsAt.Format(time.RFC3339); got != "2026-03-09T17:00:00-04:00" {
		t.Errorf("DST: starts %s", got)
	}
}

// TestParseRefuses: garbage and half-understood commands are not
// understood; the parser never guesses.
func TestParseRefuses(t *testing.T) {
	now := parseNow(t)
	for _, text := range []string{
		"colorless green ideas sleep furiously", "asdf", "hello", "what's the weather like", "mark as done",
		"remind me", "add", "add to the groceries list", "put on Friday at 3", "12345", "delete everything",
		"what time is it", "order a pizza", "add milk and remind me to call grandma", "wie spät ist es",
		"erinnere mich", "lösch alles", "no", "cancel", "move the dentist", "snooze", "Tim and Mia take turns",
		"call mum and buy milk", "pay the bill and then call grandma", "turn on the lights",
		// small talk: no event "Guten" tomorrow, no task "See you", no
		// "Wein" for "nein", "rice" for "nice", "wine" for "fine"
		"Guten Morgen", "guten Morgen Tim", "gute Nacht, Mia", "good morning", "see you tomorrow", "bis morgen",
		"nein", "nein danke", "jein", "toll", "nice", "fine",
	} {
		in, err := ParseIntent(text, "en", now)
		if familyhub.ErrorCode(err) != familyhub.EINVALID || !strings.Contains(familyhub.ErrorMessage(err), "did not understand") {
			b, _ := json.Marshal(in)
			t.Errorf("%q: got %s %v, want not understood", text, b, err)
		}
	}
}

// TestParseLanguage: the words decide the language; the locale breaks ties.
func TestParseLanguage(t *testing.T) {
	now := parseNow(t)
	for _, tc := range []struct{ text, locale, want string }{
		{"was steht heute an", "en", "de"}, {"what's on today", "de", "en"}, {"Milch", "en", "de"},
		{"milk", "de", "en"}, {"Pizza", "de", "de"}, {"Pizza", "en", "en"},
	} {
		in, err := ParseIntent(tc.text, tc.locale, now)
		if err != nil || in.Lang != tc.want {
			t.Errorf("%q (%s): lang %q, %v; want %s", tc.text, tc.locale, in.Lang, err, tc.want)
		}
	}
}

// TestParseChoice: a compound that may be one item or two is a question
// whose options are both readings; so is "delete X" for a task or event.
func TestParseChoice(t *testing.T) {
	now := parseNow(t)
	in, err := ParseIntent("add fish and chips and milk", "en", now)
	if err != nil {
		t.Fatal(err)
	}
	if in.Needs != NeedsChoice || in.Type != IntentShoppingAddItems || len(in.Options) != 2 ||
		len(in.Options[0].Slots.Items) != 2 || len(in.Options[1].Slots.Items) != 3 || in.Options[1].Lang != "en" {
		t.Errorf("fish and chips: %+v", in)
	}
	in, err = ParseIntent("lösch Schwimmen", "de", now)
	if err != nil {
		t.Fatal(err)
	}
	if in.Type != IntentClarify || in.Options[0].Type != IntentTaskDelete || in.Options[1].Type != IntentCalendarDelete || in.Lang != "de" {
		t.Errorf("lösch Schwimmen: %+v", in)
	}
}

func TestGermanMorphology(t *testing.T) {
	for in, want := range map[string]string{"anzurufen": "anrufen", "rauszubringen": "rausbringen", "aufzuräumen": "aufräumen", "abzuholen": "abholen"} {
		if got, ok := zuInfinitive(in); !ok || got != want {
			t.Errorf("zuInfinitive(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]string{"bringt": "bringen", "füttert": "füttern", "wechselt": "wechseln", "gießt": "gießen", "fährt": "fahren", "mäht": "mähen"} {
		if got, ok := thirdPersonDE(in); !ok || got != want {
			t.Errorf("thirdPersonDE(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]string{"rausgebracht": "rausbringen", "gemäht": "mähen", "angerufen": "anrufen", "repariert": "reparieren", "gegossen": "gießen", "ausgeräumt": "ausräumen"} {
		if got, ok := participleDE(in); !ok || got != want {
			t.Errorf("participleDE(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]string{"bring": "bringen", "ruf": "rufen", "räume": "räumen", "füttere": "füttern", "nimm": "nehmen", "gieß": "gießen"} {
		if got, ok := imperativeDE(in); !ok || got != want {
			t.Errorf("imperativeDE(%q) = %q", in, got)
		}
	}
	if got, _ := germanVerbSecond("bringt den Müll raus", thirdPersonDE); got != "den Müll rausbringen" {
		t.Errorf("germanVerbSecond = %q", got)
	}
	for in, want := range map[string]string{"takes": "take", "empties": "empty", "washes": "wash", "does": "do"} {
		if got, ok := thirdPersonBase(in); !ok || got != want {
			t.Errorf("thirdPersonBase(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]string{"took": "take", "walked": "walk", "mopped": "mop", "emptied": "empty", "baked": "bake"} {
		if got, ok := pastBase(in); !ok || got != want {
			t.Errorf("pastBase(%q) = %q", in, got)
		}
	}
}

// TestRemindDE: "erinnere mich ... daran, Oma anzurufen", as German says
// it (and the PWA's example does), and its common variants.
func TestRemindDE(t *testing.T) {
	want := mustParse(t, "remind me to call grandma tomorrow at 6pm", "en")
	want = strings.Replace(want, `"title":"Call grandma"`, `"title":"Oma anrufen"`, 1)
	for _, text := range []string{
		"erinnere mich morgen um 18 Uhr daran, Oma anzurufen",
		"erinnere mich morgen um 18 Uhr daran Oma anzurufen",
		"erinnere mich morgen um 18 Uhr, Oma anzurufen",
		"Erinnere mich morgen um 18 Uhr dran, Oma anzurufen",
		"erinnere mich daran, morgen um 18 Uhr Oma anzurufen",
		"erinnere mich, morgen um 18 Uhr Oma anzurufen",
		"erinnere mich morgen um 18 Uhr Oma anzurufen",
		"erinnere mich morgen um 18 Uhr an Oma anrufen",
		"kannst du mich morgen um 18 Uhr daran erinnern, Oma anzurufen",
	} {
		if got := mustParse(t, text, "de"); got != want {
			t.Errorf("%q: %s, want %s", text, got, want)
		}
	}
}

func TestItems(t *testing.T) {
	for _, tc := range []struct{ in, lang, want string }{
		{"2 litres of milk, a dozen eggs and bread", "en", "milk(2 litres) eggs(1 dozen) bread"},
		{"mac and cheese and salt and pepper crisps", "en", "mac and cheese, salt and pepper crisps"},
		{"salt and pepper", "en", "salt pepper"},
		{"red and white wine", "en", "red wine, white wine"},
		{"Rot- und Weißwein", "de", "Rotwein Weißwein"},
		{"Apfel- und Orangensaft", "de", "Apfelsaft Orangensaft"},
		{"Salz und Pfeffer Chips", "de", "Salz und Pfeffer Chips"},
		{"zwei Flaschen Apfelsaft und 500 g Hackfleisch", "de", "Apfelsaft(2 Flaschen) Hackfleisch(500 g)"},
		{"apples bananas and grapes", "en", "apples bananas grapes"},
		{"chocolate milk", "en", "chocolate milk"},
		{"tomatos", "en", "tomatoes"}, {"Milsh", "de", "Milch"}, {"tent pegs", "en", "tent pegs"},
	} {
		items, _ := splitItems(tc.in, tc.lang)
		var got []string
		for _, it := range items {
			s := it.Name
			if it.Quantity != "" {
				s += "(" + it.Quantity + ")"
			}
			got = append(got, s)
		}
		sep := " "
		if strings.Contains(tc.want, ", ") {
			sep = ", "
		}
		if g := strings.Join(got, sep); g != tc.want {
			t.Errorf("splitItems(%q) = %q, want %q", tc.in, g, tc.want)
		}
	}
}

func TestIntentValidate(t *testing.T) {
	when := time.Date(2026, 3, 13, 15, 0, 0, 0, time.UTC)
	before := when.Add(-time.Hour)
	ancient := time.Date(1200, 1, 1, 0, 0, 0, 0, time.UTC)
	milk := []IntentItem{{Name: "milk"}}
	for _, tc := range []struct {
		name string
		in   Intent
		ok   bool
	}{
		{"add", Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{Items: milk}}, true},
		{"unknown type", Intent{Type: "shopping.delete_everything"}, false},
		{"bad lang", Intent{Type: IntentShoppingAddItems, Lang: "fr", Slots: IntentSlots{Items: milk}}, false},
		{"no items", Intent{Type: IntentShoppingAddItems}, false},
		{"blank item", Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{Items: []IntentItem{{Name: " "}}}}, false},
		{"too many items", Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{Items: make([]IntentItem, MaxIntentItems+1)}}, false},
		{"long name", Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{Items: []IntentItem{{Name: strings.Repeat("x", 201)}}}}, false},
		{"new list without a name", Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{NewList: true, Items: milk}}, false},
		{"check with quantity", Intent{Type: IntentShoppingCheckItems, Slots: IntentSlots{Items: []IntentItem{{Name: "milk", Quantity: "2"}}}}, false},
		{"move without target", Intent{Type: IntentShoppingMoveItems, Slots: IntentSlots{Items: milk}}, false},
		{"recipe", Intent{Type: IntentShoppingAddRecipe, Slots: IntentSlots{Recipe: "pancakes", Servings: 6}}, true},
		{"recipe for 500", Intent{Type: IntentShoppingAddRecipe, Slots: IntentSlots{Recipe: "pancakes", Servings: 500}}, false},
		{"task with items", Intent{Type: IntentTaskCreate, Slots: IntentSlots{Title: "x", Items: milk}}, false},
		{"task without title", Intent{Type: IntentTaskCreate}, false},
		{"task in 1200", Intent{Type: IntentTaskCreate, Slots: IntentSlots{Title: "x", DueAt: &ancient}}, false},
		{"chore", Intent{Type: IntentTaskCreate, Slots: IntentSlots{Title: "x", Assignee: "Tim", Recurrence: "freq=weekly;byday=tu"}}, true},
		{"hourly chore", Intent{Type: IntentTaskCreate, Slots: IntentSlots{Title: "x", Recurrence: "FREQ=HOURLY"}}, false},
		{"rotation of one", Intent{Type: IntentTaskRotate, Slots: IntentSlots{Title: "x", Rotation: []string{"Tim"}}}, false},
		{"snooze without end", Intent{Type: IntentTaskSnooze, Slots: IntentSlots{Title: "x"}}, false},
		{"event", Intent{Type: IntentCalendarCreate, Slots: IntentSlots{Title: "x", StartsAt: &when}}, true},
		{"event without start", Intent{Type: IntentCalendarCreate, Slots: IntentSlots{Title: "x"}}, false},
		{"event ending before start", Intent{Type: IntentCalendarCreate, Slots: IntentSlots{Title: "x", StartsAt: &when, EndsAt: &before}}, false},
		{"move nowhere", Intent{Type: IntentCalendarMove, Slots: IntentSlots{Title: "x"}}, false},
		{"move to a bad time", Intent{Type: IntentCalendarMove, Slots: IntentSlots{Title: "x", Time: "25:00"}}, false},
		{"cancel without a day", Intent{Type: IntentCalendarCancel, Slots: IntentSlots{Title: "x"}}, false},
		{"query", Intent{Type: IntentQueryToday, Slots: IntentSlots{Date: "2026-03-11", Days: 2}}, true},
		{"query bad date", Intent{Type: IntentQueryToday, Slots: IntentSlots{Date: "tomorrow"}}, false},
		{"query for 40 days", Intent{Type: IntentQueryToday, Slots: IntentSlots{Date: "2026-03-11", Days: 40}}, false},
		{"control characters", Intent{Type: IntentTaskComplete, Slots: IntentSlots{Title: "a\x00b"}}, false},
		{"question", Intent{Type: IntentClarify, Needs: NeedsChoice, Options: []Intent{
			{Type: IntentTaskDelete, Slots: IntentSlots{Title: "x"}}, {Type: IntentCalendarDelete, Slots: IntentSlots{Title: "x"}}}}, true},
		{"question with one option", Intent{Type: IntentClarify, Needs: NeedsChoice, Options: []Intent{{Type: IntentTaskDelete, Slots: IntentSlots{Title: "x"}}}}, false},
		{"question of the wrong type", Intent{Type: IntentTaskDelete, Needs: NeedsChoice, Options: []Intent{
			{Type: IntentTaskDelete, Slots: IntentSlots{Title: "x"}}, {Type: IntentCalendarDelete, Slots: IntentSlots{Title: "x"}}}}, false},
		{"question with an invalid option", Intent{Type: IntentTaskDelete, Needs: NeedsChoice, Options: []Intent{
			{Type: IntentTaskDelete, Slots: IntentSlots{Title: "x"}}, {Type: IntentTaskDelete}}}, false},
		{"nested question", Intent{Type: IntentClarify, Needs: NeedsChoice, Options: []Intent{
			{Type: IntentTaskDelete, Slots: IntentSlots{Title: "x"}}, {Type: IntentClarify, Needs: NeedsChoice}}}, false},
		{"clarify without options", Intent{Type: IntentClarify}, false},
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

// TestIntentTypesDocumented: every intent type has its slot rules and a
// row in docs/assistant.md's table.
func TestIntentTypesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/assistant.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range append(IntentTypes, IntentClarify) {
		if _, ok := slotRules[typ]; !ok {
			t.Errorf("%s has no slot rules", typ)
		}
		if !strings.Contains(string(doc), "| `"+typ+"` |") {
			t.Errorf("%s is not in docs/assistant.md's table of intents", typ)
		}
	}
	if len(slotRules) != len(IntentTypes)+1 {
		t.Errorf("slotRules has %d types, IntentTypes %d (+ clarify)", len(slotRules), len(IntentTypes))
	}
}

// TestGermanVerbLast: a German note with its verb last ("Milch kaufen")
// adds items like "kauf Milch", and the rule reading it takes no sentence
// that means something else: what else a sentence is (a tick, a task) it
// stays, and what is no shopping note is not understood rather than an
// item ("Mia holen" is no item "Mia").
func TestGermanVerbLast(t *testing.T) {
	// English: the person spoken to is no item either.
	for _, text := range []string{"Dad, buy milk", "Ben: buy milk", "Ben, please buy milk", "Sarah please buy milk"} {
		if got, want := mustParse(t, text, "en"), mustParse(t, "buy milk", "en"); got != want {
			t.Errorf("%q: %s, want %s", text, got, want)
		}
	}
	now := parseNow(t)
	for _, tc := range []struct{ text, want string }{
		// the same intent as the imperative
		{"Milch kaufen", mustParse(t, "kauf Milch", "de")},
		{"noch 2 Liter Milch besorgen", mustParse(t, "besorg noch 2 Liter Milch", "de")},
		{"Eier auf die Aldi-Liste kaufen", mustParse(t, "setz Eier auf die Aldi-Liste", "de")},
		{"Butter holen", mustParse(t, "hol Butter", "de")},
		// what else it is, it stays
		{"Milch gekauft", `shopping.check_items`},
		{"wir haben Milch gekauft", `shopping.check_items`},
		{"Milch besorgt", `shopping.check_items`},
		{"vergiss nicht, Milch zu kaufen", `task.create`},
		{"morgen Milch kaufen", `task.create`},
		{"in einer halben Stunde Kuchen aus dem Ofen holen", `task.create`},
		// no shopping note: not understood
		{"Milch nicht mehr kaufen", ``},
		{"müssen wir Milch kaufen?", ``},
		{"Milch kaufen?", ``},
		{"soll ich Brot holen", ``},
		{"was soll ich kaufen", ``},
		{"keine Milch kaufen", ``},
		{"Oma anrufen und Milch kaufen", ``},
		{"Zutaten kaufen", ``},
		{"Mia holen", ``},
		{"Oma holen", ``},
		{"die Kinder holen", ``},
		{"Kuchen aus dem Ofen holen", ``},
		{"Paket von der Post holen", ``},
		{"Kuchen zur Party mitbringen", ``},
		// another verb: a to-do, without a time a task without a due time
		{"Zahnarzt anrufen", `{"slots":{"title":"Zahnarzt anrufen"},"type":"task.create"}`},
		{"Fahrrad reparieren", `{"slots":{"title":"Fahrrad reparieren"},"type":"task.create"}`},
		{"den Müll rausbringen", `{"slots":{"title":"Müll rausbringen"},"type":"task.create"}`},
		{"Zahnarzt anrufen?", ``},
		{"nicht Zahnarzt anrufen", ``},
		{"ich Zahnarzt anrufen", ``},
		{"anrufen", ``},
		// only errands and chores, as in English ("turn on the lights",
		// "set an alarm" are no to-dos)
		{"Licht anmachen", ``},
		{"Licht in der Küche anmachen", ``},
		{"Radio anmachen", ``},
		{"Musik lauter machen", ``},
		{"Wecker stellen", ``},
		{"Fernsehen schauen", ``},
		{"Tim bitte Licht anmachen", ``},
		{"Tim, mach das Licht an", ``},
		{"Brief einwerfen", `{"slots":{"title":"Brief einwerfen"},"type":"task.create"}`},
		// a to-do list named: the task, verb and all
		{"Milch kaufen auf die Aufgabenliste", `{"slots":{"title":"Milch kaufen"},"type":"task.create"}`},
		{"Brot kaufen auf die To-do-Liste", `{"slots":{"title":"Brot kaufen"},"type":"task.create"}`},
		// a command verb first is no part of an item
		{"streich Geschenk kaufen", ``},
		{"notiere Geschenk kaufen", ``},
		{"erstelle Aufgabe Geschenk kaufen", ``},
		// besorgen also arranges: only groceries; kaufen takes anything
		{"Babysitter besorgen", ``},
		{"Handwerker besorgen", ``},
		{"Visum besorgen", ``},
		{"Reisepass besorgen", ``},
		{"Milch besorgen", mustParse(t, "kauf Milch", "de")},
		// and so does the imperative "besorg"
		{"besorg einen Babysitter", ``},
		{"besorge einen Handwerker", ``},
		{"besorg ein Visum", ``},
		{"besorg Milch", mustParse(t, "kauf Milch", "de")},
		{"besorg noch 2 Liter Milch", mustParse(t, "kauf noch 2 Liter Milch", "de")},
		{"besorg ein Geschenk für die Aldi-Liste", mustParse(t, "kauf ein Geschenk für die Aldi-Liste", "de")},
		{"Geschenk kaufen", mustParse(t, "kauf Geschenk", "de")},
		// alles/Sachen für ...: a recipe only for a dish the lexicon knows
		{"Sachen für die Schule kaufen", ``},
		{"alles für den Geburtstag besorgen", ``},
		{"alles zum Grillen holen", ``},
		{"alles für den Apfelkuchen besorgen", `{"slots":{"recipe":"Apfelkuchen"},"type":"shopping.add_recipe"}`},
		// ... and with a list named, a note for that list, never a recipe
		// with the verb in its name
		{"Sachen für die Schule kaufen auf die Aldi-Liste", `{"slots":{"items":[{"name":"Sachen für die Schule"}],"list":"Aldi"},"type":"shopping.add_items"}`},
		{"Sachen für die Schule auf die Aldi-Liste kaufen", `{"slots":{"items":[{"name":"Sachen für die Schule"}],"list":"Aldi"},"type":"shopping.add_items"}`},
		{"Sachen für die Schule kaufen auf die Aufgabenliste", `{"slots":{"title":"Sachen für die Schule kaufen"},"type":"task.create"}`},
		{"Zutaten für Lasagne kaufen auf die Aldi-Liste", `{"slots":{"list":"Aldi","recipe":"Lasagne"},"type":"shopping.add_recipe"}`},
		{"alles für den Apfelkuchen besorgen auf die Aldi-Liste", `{"slots":{"list":"Aldi","recipe":"Apfelkuchen"},"type":"shopping.add_recipe"}`},
		// the person spoken to, or a heading, is no item
		{"Papa, Milch kaufen", mustParse(t, "kauf Milch", "de")},
		{"Ben, bitte Milch kaufen", mustParse(t, "kauf Milch", "de")},
		{"Ben: Brot kaufen", mustParse(t, "kauf Brot", "de")},
		{"Ben bitte Milch kaufen", mustParse(t, "kauf Milch", "de")},
		{"Einkaufsliste: Milch kaufen", mustParse(t, "kauf Milch", "de")},
		{"Papa, kauf Milch", mustParse(t, "kauf Milch", "de")},
		{"Oma, Milch und Brot kaufen", mustParse(t, "kauf Milch und Brot", "de")},
		{"Ben, Babysitter besorgen", ``},
		// but a first item, a heading that may name a list, an event's
		// title stay
		{"Milch, Brot kaufen", mustParse(t, "kauf Milch und Brot", "de")},
		{"Äpfel, Bananen und Trauben besorgen", mustParse(t, "kauf Äpfel, Bananen und Trauben", "de")},
		{"Aldi: Milch und Brot", ``},
		{"Zahnarzt: Montag 10 Uhr", `calendar.create`},
		{"Tim, Mia und Ben wechseln sich beim Tischdecken ab", `task.rotate`},
	} {
		in, err := ParseIntent(tc.text, "de", now)
		got := ""
		if err == nil {
			got = canonicalIntent(in, now.Location())
			if in.Lang != "de" {
				t.Errorf("%q: language %s, want de", tc.text, in.Lang)
			}
		}
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%q: %s, want not understood", tc.text, got)
		case strings.HasPrefix(tc.want, "{") && got != tc.want:
			t.Errorf("%q: %s, want %s", tc.text, got, tc.want)
		case tc.want != "" && !strings.HasPrefix(tc.want, "{") && !strings.Contains(got, `"type":"`+tc.want+`"`):
			t.Errorf("%q: %s, want a %s", tc.text, got, tc.want)
		}
	}
}

// TestFetchVerbs: the imperatives that fetch (hol, get, pick up, grab,
// fetch) fetch people and things from places too, so like holen with the
// verb last they add only groceries the lexicon knows: "hol Mia" and "pick
// up the kids" are no items. With a time they stay what they were (a task,
// an event); a statement of need is a task; without a time they are not
// understood. Buying is shopping whatever is bought ("besorg" only
// groceries, like "besorgen" last), and a list named makes it shopping.
// "Milch geholt" and "Milch mitgebracht" tick like "Milch gekauft"; what
// else is fetched is a question (the tick, or the task done) that
// execution answers by what exists.
func TestFetchVerbs(t *testing.T) {
	now := parseNow(t)
	for _, tc := range []struct{ lang, text, want string }{
		// groceries: items, as before
		{"de", "hol Milch", mustParse(t, "kauf Milch", "de")},
		{"de", "hole noch 2 Liter Milch", mustParse(t, "kauf noch 2 Liter Milch", "de")},
		{"en", "get milk", mustParse(t, "buy milk", "en")},
		{"en", "get the milk", mustParse(t, "buy milk", "en")},
		{"en", "pick up some bread", mustParse(t, "buy bread", "en")},
		{"en", "grab a few bananas", mustParse(t, "buy bananas", "en")},
		{"en", "fetch milk", mustParse(t, "buy milk", "en")},
		{"en", "get tomatos", mustParse(t, "buy tomatoes", "en")},
		{"en", "we need to get milk", mustParse(t, "buy milk", "en")},
		{"en", "we need to grab some milk", mustParse(t, "buy milk", "en")},
		{"de", "wir müssen noch Milch holen", mustParse(t, "kauf Milch", "de")},
		// buying takes anything; so does a list named
		{"de", "kauf ein Buch", `shopping.add_items`},
		{"en", "buy a present for grandma", `shopping.add_items`},
		{"en", "I need to buy a birthday card", `shopping.add_items`},
		{"en", "pick up a birthday card for the Aldi list", `shopping.add_items`},
		// ticks
		{"de", "Milch geholt", mustParse(t, "Milch gekauft", "de")},
		{"de", "die Milch geholt", mustParse(t, "Milch gekauft", "de")},
		{"de", "Milch mitgebracht", mustParse(t, "Milch gekauft", "de")},
		{"de", "Milch und Eier geholt", mustParse(t, "Milch und Eier gekauft", "de")},
		{"en", "picked up milk", mustParse(t, "I bought milk", "en")},
		{"en", "got the milk", mustParse(t, "I bought milk", "en")},
		{"en", "I got the milk", mustParse(t, "I bought milk", "en")},
		{"de", "ich habe Milch geholt", mustParse(t, "Milch gekauft", "de")},
		{"en", "I bought a present", `shopping.check_items`},
		{"de", "ich habe ein Geschenk gekauft", `shopping.check_items`},
		// a tick of what else is fetched: the item if it is on a list,
		// else the task done (execution sees which)
		{"en", "picked up the kids", `{"needs":"choice","options":[{"slots":{"items":[{"name":"kids"}]},"type":"shopping.check_items"},{"slots":{"title":"Pick up the kids"},"type":"task.complete"}],"type":"clarify"}`},
		{"en", "I picked up the kids", `{"needs":"choice","options":[{"slots":{"items":[{"name":"kids"}]},"type":"shopping.check_items"},{"slots":{"title":"Pick up the kids"},"type":"task.complete"}],"type":"clarify"}`},
		{"en", "we got the birthday card", mustParse(t, "I bought the birthday card", "en")},
		{"en", "we got the parcel", `{"needs":"choice","options":[{"slots":{"items":[{"name":"parcel"}]},"type":"shopping.check_items"},{"slots":{"title":"Get the parcel"},"type":"task.complete"}],"type":"clarify"}`},
		{"de", "ich habe die Kinder geholt", `{"needs":"choice","options":[{"slots":{"items":[{"name":"Kinder"}]},"type":"shopping.check_items"},{"slots":{"title":"Kinder holen"},"type":"task.complete"}],"type":"clarify"}`},
		{"de", "Mia geholt", `{"needs":"choice","options":[{"slots":{"items":[{"name":"Mia"}]},"type":"shopping.check_items"},{"slots":{"title":"Mia holen"},"type":"task.complete"}],"type":"clarify"}`},
		{"de", "Kinder mitgebracht", `{"needs":"choice","options":[{"slots":{"items":[{"name":"Kinder"}]},"type":"shopping.check_items"},{"slots":{"title":"Kinder mitbringen"},"type":"task.complete"}],"type":"clarify"}`},
		{"de", "Babysitter besorgt", `clarify`},
		{"de", "Tim hat die Kinder geholt", ``},
		// with a time, what it was; a need is a task
		{"en", "pick up the kids at 3", `task.create`},
		{"en", "pick up the kids tomorrow", `task.create`},
		{"en", "get the kids at 3", `task.create`},
		{"de", "hol Mia um 3", `calendar.create`},
		{"de", "hol die Kinder um 15 Uhr ab", `task.create`}, // as "pick up the kids at 3" (review 47; it was the event "Hol die Kinder")
		{"en", "we need to pick up the kids", `task.create`},
		{"en", "I need to get the kids", `task.create`},
		{"de", "wir müssen Mia holen", `task.create`},
		{"de", "Mia muss die Kinder holen", `task.create`},
		// no items: not understood
		{"de", "hol Mia", ``},
		{"de", "hol Oma", ``},
		{"de", "hol die Kinder", ``},
		{"de", "hol die Kinder ab", ``},
		{"de", "hol das Paket", ``},
		{"de", "besorg Blumen", mustParse(t, "kauf Blumen", "de")},
		{"de", "besorg einen Babysitter", ``},
		{"en", "pick up the kids", ``},
		{"en", "pick up Mia", ``},
		{"en", "please pick up the kids", ``},
		{"en", "get the kids", ``},
		{"en", "get Mia", ``},
		{"en", "grab the kids", ``},
		{"en", "fetch the kids", ``},
		{"en", "get the car", ``},
		{"en", "pick up the parcel", ``},
		{"en", "pick up the kids from school", ``},
		{"en", "get milk and a birthday card", mustParse(t, "buy milk and a birthday card", "en")},
		{"en", "get milk and a babysitter", ``},
	} {
		in, err := ParseIntent(tc.text, tc.lang, now)
		got := ""
		if err == nil {
			got = canonicalIntent(in, now.Location())
			if in.Lang != tc.lang {
				t.Errorf("%q: language %s, want %s", tc.text, in.Lang, tc.lang)
			}
		}
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%q: %s, want not understood", tc.text, got)
		case strings.HasPrefix(tc.want, "{") && got != tc.want:
			t.Errorf("%q: %s, want %s", tc.text, got, tc.want)
		case tc.want != "" && !strings.HasPrefix(tc.want, "{") && !strings.Contains(got, `"type":"`+tc.want+`"`):
			t.Errorf("%q: %s, want a %s", tc.text, got, tc.want)
		}
	}
}

// TestPersonSpokenTo: a command may start with the person it is said to
// ("Ben, Milch und Brot kaufen", "Tim, take out the bins on Tuesday"). The
// name is no item and no part of a title; a task said to a person is
// theirs. Before a list of items with the verb last the parser cannot tell
// a name from a first item: the family's members (names, as the service
// passes them) decide.
func TestPersonSpokenTo(t *testing.T) {
	now := parseNow(t)
	family := []string{"Ana Schmidt", "Ben", "Mia", "Tim"}
	for _, tc := range []struct {
		lang, text string
		names      []string
		want       string
	}{
		// shopping: the name is no item, whatever follows
		{"de", "Ben, Milch und Brot kaufen", family, mustParse(t, "kauf Milch und Brot", "de")},
		{"de", "Ben, Milch, Brot und Eier kaufen", family, mustParse(t, "kauf Milch, Brot und Eier", "de")},
		{"de", "Ana, Milch und Brot kaufen", family, mustParse(t, "kauf Milch und Brot", "de")},
		{"de", "Ben, kauf Milch und Brot", nil, mustParse(t, "kauf Milch und Brot", "de")},
		{"en", "Ben, buy milk and bread", nil, mustParse(t, "buy milk and bread", "en")},
		{"en", "Ben, buy milk and bread", family, mustParse(t, "buy milk and bread", "en")},
		{"en", "Dad, get milk, eggs and bread", nil, mustParse(t, "get milk, eggs and bread", "en")},
		// a first item that is no member stays an item
		{"de", "Geschenkpapier, Milch und Brot kaufen", family, mustParse(t, "kauf Geschenkpapier, Milch und Brot", "de")},
		{"de", "Ben, Milch und Brot kaufen", nil, mustParse(t, "kauf Ben, Milch und Brot", "de")},
		// a task said to a person is theirs, without the name in its title
		{"en", "Tim, take out the bins on Tuesday", nil, `{"slots":{"assignee":"Tim","due_at":"2026-03-17T23:59","title":"Take out the bins"},"type":"task.create"}`},
		{"en", "Tim, take out the bins and the recycling on Tuesday", nil, `{"slots":{"assignee":"Tim","due_at":"2026-03-17T23:59","title":"Take out the bins and the recycling"},"type":"task.create"}`},
		{"de", "Tim, bring am Dienstag den Müll raus", nil, `{"slots":{"assignee":"Tim","due_at":"2026-03-17T23:59","title":"Müll rausbringen"},"type":"task.create"}`},
		{"de", "Tim, bring bitte am Dienstag den Müll raus", family, `{"slots":{"assignee":"Tim","due_at":"2026-03-17T23:59","title":"Müll rausbringen"},"type":"task.create"}`},
		{"de", "Mia, ruf morgen um 18 Uhr Oma an", nil, `{"slots":{"assignee":"Mia","due_at":"2026-03-12T18:00","title":"Oma anrufen"},"type":"task.create"}`},
		{"de", "Tim, am Dienstag den Müll rausbringen", nil, `{"slots":{"assignee":"Tim","due_at":"2026-03-17T23:59","title":"Müll rausbringen"},"type":"task.create"}`},
		{"en", "Mia, call the dentist", nil, `{"slots":{"assignee":"Mia","title":"Call the dentist"},"type":"task.create"}`},
		{"de", "Papa, ruf morgen Oma an", family, `{"slots":{"due_at":"2026-03-12T23:59","title":"Oma anrufen"},"type":"task.create"}`},
		{"de", "Papa, ruf morgen Oma an", nil, `{"slots":{"assignee":"Papa","due_at":"2026-03-12T23:59","title":"Oma anrufen"},"type":"task.create"}`},
		// a member whose name the lexicon knows as a thing (Rose: rosé,
		// Kiwi) is spoken to all the same, before a verb or known as a member
		{"en", "Rose, buy milk", nil, mustParse(t, "buy milk", "en")},
		{"de", "Kiwi, kauf Milch", nil, mustParse(t, "kauf Milch", "de")},
		{"de", "Rose, Milch und Brot kaufen", []string{"Rose", "Tim"}, mustParse(t, "kauf Milch und Brot", "de")},
		{"de", "Rose, Milch und Brot kaufen", nil, mustParse(t, "kauf Rose, Milch und Brot", "de")},
		{"en", "Rose, take out the bins on Tuesday", []string{"Rose", "Tim"}, `{"slots":{"assignee":"Rose","due_at":"2026-03-17T23:59","title":"Take out the bins"},"type":"task.create"}`},
		// a name then ":" is spoken to before a verb, or when a member's
		{"en", "Tim: call the dentist", nil, `{"slots":{"assignee":"Tim","title":"Call the dentist"},"type":"task.create"}`},
		{"de", "Tim: Zahnarzt anrufen", family, `{"slots":{"assignee":"Tim","title":"Zahnarzt anrufen"},"type":"task.create"}`},
		{"de", "Zahnarzt: Montag 10 Uhr", family, `calendar.create`},
		// who is named in the task keeps it
		{"en", "Tim, don't forget the bins on Tuesday", nil, `{"slots":{"assignee":"Tim","due_at":"2026-03-17T23:59","title":"Bins"},"type":"task.create"}`},
		{"de", "Tim, vergiss nicht, am Dienstag den Müll rauszubringen", family, `{"slots":{"assignee":"Tim","due_at":"2026-03-17T23:59","title":"Müll rausbringen"},"type":"task.create"}`},
		{"de", "Papa, vergiss nicht, am Dienstag den Müll rauszubringen", family, `{"slots":{"due_at":"2026-03-17T23:59","title":"Müll rausbringen"},"type":"task.create"}`},
		{"de", "Tim, erinnere mich morgen daran, Oma anzurufen", family, mustParse(t, "erinnere mich morgen daran, Oma anzurufen", "de")},
		{"en", "Tim, remind me to call grandma tomorrow at 6pm", nil, mustParse(t, "remind me to call grandma tomorrow at 6pm", "en")},
		// events keep the word ("Mia: Geburtstag am 5. Mai" is Mia's)
		{"de", "Mia: Geburtstag am 5. Mai", nil, `calendar.create`},
		{"de", "Tim, Mia und Ben wechseln sich beim Tischdecken ab", family, `task.rotate`},
	} {
		in, err := parseIntent(tc.text, tc.lang, now, tc.names)
		got := ""
		if err == nil {
			got = canonicalIntent(in, now.Location())
			if in.Lang != tc.lang {
				t.Errorf("%q: language %s, want %s", tc.text, in.Lang, tc.lang)
			}
		}
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%q: %s, want not understood", tc.text, got)
		case strings.HasPrefix(tc.want, "{") && got != tc.want:
			t.Errorf("%q (names %v): %s, want %s", tc.text, tc.names, got, tc.want)
		case tc.want != "" && !strings.HasPrefix(tc.want, "{") && !strings.Contains(got, `"type":"`+tc.want+`"`):
			t.Errorf("%q: %s, want a %s", tc.text, got, tc.want)
		}
	}
}
