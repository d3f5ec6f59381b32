package assistant

import (
	"strings"
	"testing"
)

// TestSpokenToWithoutComma: dictation gives no commas and often lower
// case, so "Tim kauf Milch", "tim kauf milch" and "hi Tim buy milk" are said
// to Tim as "Tim, kauf Milch" is. A word is read as the person spoken to
// only before a command verb, and then only when it is a member's name
// (names known), a family role, or (names unknown) a capitalised word that
// is no common word, item or verb: members called Mark, Will, May or Bill
// keep "mark the milk as bought", "will you buy milk", "may I …" as they
// were. want "" is not understood; a JSON object is the exact intent;
// another word is the intent's type.
func TestSpokenToWithoutComma(t *testing.T) {
	now := parseNow(t)
	family := []string{"Ana Schmidt", "Ben", "Mia", "Tim"}
	wordy := []string{"Rose", "Kiwi", "Mark", "Will", "May", "Bill", "Tim"}
	milk := mustParse(t, "buy milk", "en")
	milchDE := mustParse(t, "kauf Milch", "de")
	for _, tc := range []struct {
		lang, text string
		names      []string
		want       string
	}{
		{"de", "Tim kauf Milch", nil, milchDE},
		{"de", "Tim kauf Milch", family, milchDE},
		{"de", "tim kauf milch", family, mustParse(t, "kauf milch", "de")},
		{"en", "hi Tim buy milk", nil, milk},
		{"en", "hi tim buy milk", family, milk},
		{"en", "hey Tim buy milk", family, milk},
		{"de", "hallo Tim kauf Milch", family, milchDE},
		{"en", "Tim take out the bins on Tuesday", nil, `{"slots":{"assignee":"Tim","due_at":"2026-03-17T23:59","title":"Take out the bins"},"type":"task.create"}`},
		{"en", "tim take out the bins on tuesday", family, `{"slots":{"assignee":"Tim","due_at":"2026-03-17T23:59","title":"Take out the bins"},"type":"task.create"}`},
		{"de", "Mia ruf morgen Oma an", nil, `{"slots":{"assignee":"Mia","due_at":"2026-03-12T23:59","title":"Oma anrufen"},"type":"task.create"}`},
		{"de", "mia ruf morgen oma an", family, `{"slots":{"assignee":"Mia","due_at":"2026-03-12T23:59","title":"Oma anrufen"},"type":"task.create"}`},
		{"en", "ben don't forget the dentist tomorrow", family, `{"slots":{"assignee":"Ben","due_at":"2026-03-12T23:59","title":"Dentist"},"type":"task.create"}`},
		{"en", "Ben don't forget the dentist tomorrow", nil, `{"slots":{"assignee":"Ben","due_at":"2026-03-12T23:59","title":"Dentist"},"type":"task.create"}`},
		{"de", "papa bring morgen den Müll raus", family, `{"slots":{"due_at":"2026-03-12T23:59","title":"Müll rausbringen"},"type":"task.create"}`},
		{"en", "dad call the dentist", nil, `{"slots":{"assignee":"Dad","title":"Call the dentist"},"type":"task.create"}`},
		// members whose name is a word or a grocery: spoken to only before a command verb
		{"en", "Rose buy milk", wordy, milk},
		{"de", "kiwi kauf milch", wordy, mustParse(t, "kauf milch", "de")},
		{"en", "mark take out the bins", wordy, `{"slots":{"assignee":"Mark","title":"Take out the bins"},"type":"task.create"}`},
		{"en", "mark the milk as bought", wordy, `{"slots":{"items":[{"name":"milk"}]},"type":"shopping.check_items"}`},
		{"en", "will you buy milk", wordy, milk},
		{"en", "Will you buy milk", nil, milk},
		{"en", "may I have some milk", wordy, ""},
		{"en", "bill the client tomorrow", wordy, "calendar.create"},
		// a name before no verb, or a word that is no name, is no address
		{"en", "Tim takes out the bins every Tuesday", family, `{"slots":{"assignee":"Tim","recurrence":"FREQ=WEEKLY;BYDAY=TU","title":"Take out the bins"},"type":"task.create"}`},
		{"de", "Tim holt Mia ab", family, ""},
		{"en", "don't buy milk", family, ""},
		{"en", "then buy milk", nil, ""},
		{"de", "Milch kauf", nil, ""},
		{"de", "tim kauf milch", nil, ""},
		{"de", "Ana kauf Milch", family, milchDE},
		{"de", "Oma kauf Milch", family, milchDE},
	} {
		in, err := parseIntent(tc.text, tc.lang, now, tc.names)
		got := ""
		if err == nil {
			got = canonicalIntent(in, now.Location())
		}
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%q (names %v): %s, want not understood", tc.text, tc.names, got)
		case strings.HasPrefix(tc.want, "{") && got != tc.want:
			t.Errorf("%q (names %v): %s, want %s", tc.text, tc.names, got, tc.want)
		case tc.want != "" && !strings.HasPrefix(tc.want, "{") && !strings.Contains(got, `"type":"`+tc.want+`"`):
			t.Errorf("%q (names %v): %s, want a %s", tc.text, tc.names, got, tc.want)
		}
	}
}

// TestFillerAfterConjunction: "and then", "und dann", "and also", "und
// auch", "und noch" join items as "and" does ("buy bread and then eggs"
// added an item "then eggs"); the filler goes only at an item's start
// after a separator, so an item with such a word inside keeps it.
func TestFillerAfterConjunction(t *testing.T) {
	now := parseNow(t)
	for _, tc := range []struct{ lang, text, want string }{
		{"en", "buy bread and then eggs", "bread|eggs"},
		{"en", "buy bread, then eggs", "bread|eggs"},
		{"en", "add milk and also butter", "milk|butter"},
		{"en", "buy bread and then 2 eggs", "bread|2 eggs"},
		{"de", "kauf Brot und dann Eier", "Brot|Eier"},
		{"de", "kauf Brot und auch Eier", "Brot|Eier"},
		{"de", "kauf Brot und noch Eier", "Brot|Eier"},
		{"de", "kauf Brot und dann noch zwei Eier", "Brot|2 Eier"},
		{"en", "buy bread and eggs", "bread|eggs"},
		{"en", "buy salt and pepper", "salt|pepper"},
	} {
		in, err := parseIntent(tc.text, tc.lang, now, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		var got []string
		for _, it := range in.Slots.Items {
			got = append(got, strings.TrimSpace(it.Quantity+" "+it.Name))
		}
		if g := strings.Join(got, "|"); g != tc.want || in.Type != IntentShoppingAddItems {
			t.Errorf("%q: %s %s, want %s", tc.text, in.Type, g, tc.want)
		}
	}
}

// TestGermanImperativeWithDay: a German imperative with only a day made an
// all-day event named after the sentence ("hol morgen das Paket ab" was the
// event "Hol das Paket", its particle lost); it is the to-do it asks for, as
// in English ("pick up the parcel tomorrow"). An event with a time, a
// calendar verb ("trag … ein") and "mach" with no chore stay as they were.
func TestGermanImperativeWithDay(t *testing.T) {
	now := parseNow(t)
	for _, tc := range []struct{ text, want string }{
		{"hol morgen das Paket ab", `{"slots":{"due_at":"2026-03-12T23:59","title":"Paket abholen"},"type":"task.create"}`},
		{"mach morgen das Licht aus", `{"slots":{"due_at":"2026-03-12T23:59","title":"Licht ausmachen"},"type":"task.create"}`},
		{"hol morgen Mia ab", `{"slots":{"due_at":"2026-03-12T23:59","title":"Mia abholen"},"type":"task.create"}`},
		{"bring die Kinder am Montag zur Schule", `{"slots":{"due_at":"2026-03-16T23:59","title":"Kinder zur Schule bringen"},"type":"task.create"}`},
		{"triff Oma morgen um 15 Uhr", `{"slots":{"ends_at":"2026-03-12T16:00","starts_at":"2026-03-12T15:00","title":"Triff Oma"},"type":"calendar.create"}`},
		{"trag den Zahnarzt am Freitag ein", `{"slots":{"all_day":true,"ends_at":"2026-03-14T00:00","starts_at":"2026-03-13T00:00","title":"Zahnarzt"},"type":"calendar.create"}`},
		{"mach morgen was Schönes", ""},
		{"Zahnarzt am Freitag", `{"slots":{"all_day":true,"ends_at":"2026-03-14T00:00","starts_at":"2026-03-13T00:00","title":"Zahnarzt"},"type":"calendar.create"}`},
	} {
		in, err := parseIntent(tc.text, "de", now, nil)
		got := ""
		if err == nil {
			got = canonicalIntent(in, now.Location())
		}
		if got != tc.want {
			t.Errorf("%q: %s, want %s", tc.text, got, tc.want)
		}
	}
}
