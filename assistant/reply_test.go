package assistant

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestReplyTables: both languages say the same things with the same
// placeholders; only German has its domain error sentences.
func TestReplyTables(t *testing.T) {
	ph := regexp.MustCompile(`\{[a-z]+\}`)
	placeholders := func(s string) string {
		m := ph.FindAllString(s, -1)
		sort.Strings(m)
		return strings.Join(m, "")
	}
	for key, en := range replyEN {
		de, ok := replyDE[key]
		if !ok {
			t.Errorf("%q has no German", key)
			continue
		}
		if placeholders(en) != placeholders(de) {
			t.Errorf("%q: placeholders %s (en) and %s (de)", key, placeholders(en), placeholders(de))
		}
	}
	for key := range replyDE {
		if _, ok := replyEN[key]; !ok && !strings.HasPrefix(key, "error.") && key != "day.after_tomorrow" {
			t.Errorf("%q has no English", key)
		}
	}
}

func TestSpeakerWords(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 11, 10, 0, 0, 0, loc) // a Wednesday
	en, de := newSpeaker("en", loc, now), newSpeaker("de", loc, now)
	for _, tc := range []struct{ got, want string }{
		{en.when(time.Date(2026, 3, 12, 18, 0, 0, 0, loc), true), "tomorrow at 18:00"},
		{de.when(time.Date(2026, 3, 12, 18, 0, 0, 0, loc), true), "morgen um 18:00 Uhr"},
		{en.when(time.Date(2026, 3, 13, 23, 59, 0, 0, loc), true), "on Friday"},
		{de.when(time.Date(2026, 3, 14, 15, 0, 0, 0, loc), true), "am Samstag um 15:00 Uhr"},
		{de.day(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), false), "Samstag"},
		{de.day(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), true), "am Samstag"},
		{en.day(time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), true), "on Wed, Mar 25"},
		{en.day(time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), false), "Mon, Jan 4, 2027"},
		{de.day(time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), true), "am Mo., 4. Januar 2027"},
		{de.day(time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC), true), "übermorgen"},
		{en.rule("FREQ=WEEKLY;BYDAY=TU"), "every Tuesday"},
		{de.rule("FREQ=WEEKLY;BYDAY=TU"), "jeden Dienstag"},
		{en.rule("FREQ=WEEKLY;INTERVAL=2"), "every other week"},
		{de.rule("FREQ=WEEKLY;INTERVAL=2"), "alle zwei Wochen"},
		{en.rule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"), "on weekdays"},
		{en.rule("FREQ=WEEKLY;BYDAY=MO,TH"), "every Monday and Thursday"},
		{de.rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"), "jeden zweiten Donnerstag"},
		{en.rule("FREQ=MONTHLY;BYMONTHDAY=15"), "every month on the 15th"},
		{de.rule("FREQ=MONTHLY;BYDAY=1SA"), "jeden ersten Samstag im Monat"},
		{en.rule("FREQ=MONTHLY;BYDAY=-1FR"), "on the last Friday of every month"},
		{en.rule("FREQ=DAILY;INTERVAL=2"), "every 2 days"},
		{en.rule("FREQ=YEARLY"), "every year"},
		{en.rule("FREQ=HOURLY"), "repeating"},
		{en.and([]string{"a", "b", "c"}), "a, b and c"},
		{de.or([]string{"a", "b"}), "a oder b"},
		{de.quote("Milch"), "„Milch“"},
		{en.count("items.cleared", 1, "list", "X"), "Cleared 1 ticked item from X."},
		{de.count("items.cleared", 3, "list", "X"), "3 abgehakte Einträge von X entfernt."},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestAcceptLanguage(t *testing.T) {
	for h, want := range map[string]string{
		"": "en", "de-DE,de;q=0.9,en;q=0.8": "de", "fr-FR, en;q=0.5, de;q=0.7": "de", "en-GB": "en", "fr": "en", "de;q=0": "en",
	} {
		if got := AcceptLanguage(h); got != want {
			t.Errorf("AcceptLanguage(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestTitleScore(t *testing.T) {
	for _, tc := range []struct {
		said, title string
		min, max    float64
	}{
		{"take out the trash", "Take out the trash", 1, 1},
		{"trash", "Take out the trash", 0.5, 0.8},
		{"take out trash", "Take out the trash", 1, 1},
		{"take out the trsh", "Take out the trash", 0.75, 0.8},
		{"call grandma", "Take out the trash", 0, 0.49},
		{"take out", "Take out the recycling", 0.5, 0.8},
		{"müll", "Müll rausbringen", 0.5, 0.8},
	} {
		if got := titleScore(tc.said, tc.title); got < tc.min || got > tc.max {
			t.Errorf("titleScore(%q, %q) = %.2f, want %.2f..%.2f", tc.said, tc.title, got, tc.min, tc.max)
		}
	}
	for said, display := range map[string]string{"tim": "Tim Rivera", "Mia S": "Mia Schmidt", "Jürgen": "Jürgen"} {
		if !nameMatches(said, display) {
			t.Errorf("%q should name %q", said, display)
		}
	}
	if nameMatches("Rivera", "Tim Rivera") || nameMatches("Tim", "Timo") {
		t.Error("names match too loosely")
	}
}

// TestClockFor: a time said without the half of the day is read against
// the event's current time; one said with it is taken as said.
func TestClockFor(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	at := func(h, m int) time.Time { return time.Date(2026, 3, 13, h, m, 0, 0, loc) }
	for _, tc := range []struct {
		lang, text, slot, title string
		cur                     time.Time
		want                    string
	}{
		{"en", "can we move dinner with the Smiths to 8", "08:00", "Dinner with the Smiths", at(19, 0), "20:00"},
		{"en", "move the breakfast club to 8", "08:00", "Breakfast club", at(7, 30), "08:00"},
		{"en", "move dinner to 8 in the morning", "08:00", "Dinner", at(19, 0), "08:00"},
		{"en", "move dinner to 9am", "09:00", "Dinner", at(19, 0), "09:00"},
		{"en", "move the dentist to 4", "16:00", "Dentist", at(9, 0), "16:00"},
		{"en", "move the party to 7", "19:00", "Party", at(9, 0), "07:00"},
		{"en", "move the dentist to 4", "16:00", "Dentist", at(15, 0), "16:00"},
		{"en", "move the dentist to 16:30", "16:30", "Dentist", at(9, 0), "16:30"},
		{"en", "move the dentist to 08:15", "08:15", "Dentist", at(19, 0), "08:15"},
		{"en", "move lunch to 12", "12:00", "Lunch", at(13, 0), "12:00"},
		{"de", "verschieb den Zahnarzt am Freitag auf 8", "08:00", "Zahnarzt", at(19, 0), "20:00"},
		{"de", "verschieb das Abendessen auf 8", "08:00", "Abendessen", at(19, 0), "20:00"},
		{"de", "verschieb den Zahnarzt auf 8 Uhr morgens", "08:00", "Zahnarzt", at(19, 0), "08:00"},
		{"de", "verschieb den Zahnarzt auf 20 Uhr", "20:00", "Zahnarzt", at(9, 0), "20:00"},
	} {
		x := &executor{text: tc.text, say: newSpeaker(tc.lang, loc, at(10, 0))}
		h, m := x.clockFor(tc.slot, tc.cur, tc.title)
		if got := fmt.Sprintf("%02d:%02d", h, m); got != tc.want {
			t.Errorf("%q (event at %s): %s, want %s", tc.text, tc.cur.Format("15:04"), got, tc.want)
		}
	}
}

// TestLocaleHour12: the hour cycle of a locale's Unicode extension.
func TestLocaleHour12(t *testing.T) {
	for locale, want := range map[string]bool{
		"en-US-u-hc-h12": true, "en-us-u-hc-h11": true, "en_US-u-hc-h12": true, "en-u-ca-gregory-hc-h12": true,
		"de-DE-u-hc-h12": true, // a 12-hour German device: the speaker still says 18:00 Uhr
		"en-GB-u-hc-h23": false, "en-US": false, "en": false, "": false, "en-x-hc-h12": false, "en-u-hc": false, "hc-h12": false,
	} {
		if got := LocaleHour12(locale); got != want {
			t.Errorf("LocaleHour12(%q) = %v, want %v", locale, got, want)
		}
	}
}

// TestLocaleDayFirst: English regions that write the day first (as Intl
// does for them); the others, and no region, write the month first.
func TestLocaleDayFirst(t *testing.T) {
	for locale, want := range map[string]bool{
		"en-GB": true, "en-GB-u-hc-h23": true, "en_AU": true, "en-IE": true, "en-IN-u-hc-h12": true, "en-Latn-NZ": true, "en-150": true,
		"en-US": false, "en-US-u-hc-h12": false, "en-CA": false, "en-PH": false, "en-JP": false, "en-BI": false, "en-MH": false, "en": false, "": false, "en-u-hc-h12": false,
		"de-DE": true, "de": true, // German writes the day first everywhere
	} {
		if got := LocaleDevice(locale).DayFirst; got != want {
			t.Errorf("LocaleDevice(%q).DayFirst = %v, want %v", locale, got, want)
		}
	}
}

// TestSpeakerDayFirst: English from a day-first region says "Wed 25 Mar"
// as its page does; German is the same either way.
func TestSpeakerDayFirst(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 11, 10, 0, 0, 0, loc)
	en, de := newSpeaker("en", loc, now), newSpeaker("de", loc, now)
	en.dayFirst, de.dayFirst = true, false
	for _, tc := range []struct{ got, want string }{
		{en.day(time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), true), "on Wed 25 Mar"},
		{en.day(time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), true), "on Mon 4 Jan 2027"},
		{de.day(time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), true), "am Mi., 25. März"},
		{de.day(time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), true), "am Mo., 4. Januar 2027"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestSpeakerClock12: English on a 12-hour device says "6:00 PM" (noon
// and midnight as the device shows them); German says 18:00 Uhr anyway.
func TestSpeakerClock12(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 11, 10, 0, 0, 0, loc)
	en, de := newSpeaker("en", loc, now), newSpeaker("de", loc, now)
	en.hour12, de.hour12 = true, true
	for _, tc := range []struct{ got, want string }{
		{en.when(time.Date(2026, 3, 12, 18, 0, 0, 0, loc), true), "tomorrow at 6:00 PM"},
		{en.clock(time.Date(2026, 3, 12, 0, 30, 0, 0, loc)), "12:30 AM"},
		{en.clock(time.Date(2026, 3, 12, 12, 5, 0, 0, loc)), "12:05 PM"},
		{en.clock(time.Date(2026, 3, 12, 9, 15, 0, 0, loc)), "9:15 AM"},
		{en.when(time.Date(2026, 3, 13, 23, 59, 0, 0, loc), true), "on Friday"},
		{de.when(time.Date(2026, 3, 12, 18, 0, 0, 0, loc), true), "morgen um 18:00 Uhr"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestRefusalExamples: a command not understood is answered with examples
// that work, by the server (not_understood, NotUnderstood) and by the PWA
// (assistant.ex1… in web/static/js/i18n, shown under its own sentence).
// They are one list: the same sentences in the same order, in each
// language, and each is understood, in its language.
func TestRefusalExamples(t *testing.T) {
	now := parseNow(t)
	pwaKey := regexp.MustCompile(`'assistant\.ex(\d+)':\s*'((?:[^'\\]|\\.)*)'`)
	js, err := os.ReadFile("../web/static/js/assistant-reply.js")
	if err != nil {
		t.Fatal(err)
	}
	shown := regexp.MustCompile(`\[([\d, ]+)\]\.map\(\(i\) => t\(` + "`" + `assistant\.ex\$\{i\}`).FindSubmatch(js)
	if shown == nil {
		t.Fatal("assistant-reply.js: examples() no longer maps [1, 2, …] to assistant.ex${i}; update this test")
	}
	quotes := map[string]*regexp.Regexp{"en": regexp.MustCompile(`“([^”]*)”`), "de": regexp.MustCompile(`„([^“]*)“`)}
	for _, lang := range []string{"en", "de"} {
		src, err := os.ReadFile("../web/static/js/i18n/" + lang + ".js")
		if err != nil {
			t.Fatal(err)
		}
		byNum := map[int]string{}
		for _, m := range pwaKey.FindAllStringSubmatch(string(src), -1) {
			n, _ := strconv.Atoi(m[1])
			byNum[n] = strings.ReplaceAll(m[2], `\'`, `'`)
		}
		var pwa []string
		for n := 1; byNum[n] != ""; n++ {
			pwa = append(pwa, byNum[n])
		}
		if len(pwa) != len(byNum) || len(pwa) < 3 {
			t.Fatalf("i18n/%s.js: assistant.ex keys %v are not 1…n", lang, byNum)
		}
		if got := len(strings.Split(string(shown[1]), ",")); got != len(pwa) {
			t.Errorf("assistant-reply.js shows %d examples, i18n/%s.js has %d", got, lang, len(pwa))
		}
		var server []string
		for _, m := range quotes[lang].FindAllStringSubmatch(replyTables[lang]["not_understood"], -1) {
			server = append(server, m[1])
		}
		if fmt.Sprint(server) != fmt.Sprint(pwa) {
			t.Errorf("%s: the server's not_understood (reply_%s.go) gives %q,\nthe PWA (i18n/%s.js assistant.ex…) %q", lang, lang, server, lang, pwa)
		}
		if lang == "en" {
			var plain []string
			for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(NotUnderstood("x").Message, -1)[1:] {
				plain = append(plain, m[1])
			}
			if fmt.Sprint(plain) != fmt.Sprint(pwa) {
				t.Errorf("NotUnderstood (input.go) gives %q, the PWA %q", plain, pwa)
			}
		}
		for _, ex := range pwa {
			in, err := ParseIntent(ex, lang, now)
			if err != nil {
				t.Errorf("%s example %q is not understood", lang, ex)
			} else if in.Lang != lang {
				t.Errorf("%s example %q is understood as %s", lang, ex, in.Lang)
			}
		}
	}
}
