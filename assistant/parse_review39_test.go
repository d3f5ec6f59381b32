package assistant

import (
	"strings"
	"testing"
)

// TestReviewFarewellsPronounsMake: a second review of the closing note's
// rules, as a family types and dictates. Goodbyes with a time word ("gute
// Nacht, bis morgen") made all-day events; "make"/"mach" with a thing and a
// time made events named after the thing ("make a cake for Sunday" was an
// event "Cake", "mach morgen die Hausaufgaben" one "Hausaufgaben"); a German
// to-do whose only object is a pronoun became a task once a time was said
// ("ruf mich morgen an" was the task "Mich anrufen"); "buy and wrap a
// present" added an item "and wrap a present"; "hab ich gekauft" ticked an
// item "hab ich"; "wash and iron it" was a task; "good luck tomorrow" an
// event; "well done tim" (dictated) completed a task holding "Tim". Their neighbours must stay
// as they were. want "" is not understood; a JSON object is the exact
// intent; another word is the intent's type.
func TestReviewFarewellsPronounsMake(t *testing.T) {
	now := parseNow(t)
	family := []string{"Ana Schmidt", "Ben", "Mia", "Tim"}
	for _, tc := range []struct {
		lang, text string
		want       string
	}{
		// a goodbye before a "see you" is small talk, not an event
		{"de", "gute Nacht bis morgen", ""},
		{"de", "gute Nacht, bis morgen", ""},
		{"de", "tschüss bis morgen", ""},
		{"de", "schlaf gut bis morgen", ""},
		{"en", "good night see you tomorrow", ""},
		{"en", "bye see you tonight", ""},
		{"en", "night night see you in the morning", ""},
		{"de", "gute Nacht Mia", ""},
		{"de", "hallo Milch", `{"slots":{"items":[{"name":"Milch"}]},"type":"shopping.add_items"}`},
		{"de", "bis morgen Milch kaufen", `{"slots":{"due_at":"2026-03-12T23:59","title":"Milch kaufen"},"type":"task.create"}`},
		// a wish or praise is no event and no task done
		{"en", "good luck tomorrow", ""},
		{"de", "viel Spaß morgen", ""},
		{"de", "hab dich lieb bis morgen", ""},
		{"en", "sweet dreams see you in the morning", ""},
		{"en", "well done tim", ""},
		{"en", "well done on the dishes", ""},
		{"en", "done with the dishes", `{"slots":{"title":"Dishes"},"type":"task.complete"}`},
		{"en", "well, add milk", `{"slots":{"items":[{"name":"milk"}]},"type":"shopping.add_items"}`},
		// "good night" goes before a command, as "good morning" does
		{"en", "good night, remind me to call grandma tomorrow", `{"slots":{"assignee":"me","due_at":"2026-03-12T23:59","title":"Call grandma"},"type":"task.create"}`},
		{"de", "gute Nacht, Milch kaufen", `{"slots":{"items":[{"name":"Milch"}]},"type":"shopping.add_items"}`},
		// make/mach name an event only with its word
		{"en", "make a cake for Sunday", `{"slots":{"due_at":"2026-03-15T23:59","title":"Make a cake"},"type":"task.create"}`},
		{"en", "make dinner tonight", `{"slots":{"due_at":"2026-03-11T19:00","title":"Make dinner"},"type":"task.create"}`},
		{"en", "make an appointment with the dentist on Friday at 3", `calendar.create`},
		{"en", "make an event called party on Saturday", `calendar.create`},
		{"de", "mach morgen die Hausaufgaben", `{"slots":{"due_at":"2026-03-12T23:59","title":"Hausaufgaben machen"},"type":"task.create"}`},
		{"de", "mach die Wäsche am Samstag", `{"slots":{"due_at":"2026-03-14T23:59","title":"Wäsche machen"},"type":"task.create"}`},
		{"de", "mach die Betten", `{"slots":{"title":"Betten machen"},"type":"task.create"}`},
		{"de", "mach einen Termin beim Zahnarzt am Freitag um 10", `calendar.create`},
		{"de", "mach den Zahnarzt am Freitag in den Kalender", `calendar.create`},
		{"de", "mach das Licht an", ""},
		// a pronoun names no thing to do, with a time or without
		{"de", "ruf mich morgen an", ""},
		{"de", "ruf ihn morgen an", ""},
		{"de", "mich morgen anrufen", ""},
		{"de", "Sie morgen anrufen", ""},
		{"de", "das morgen machen", ""},
		{"de", "mach das morgen", ""},
		{"de", "melde dich morgen", ""},
		{"de", "ruf den Klempner morgen an", `{"slots":{"due_at":"2026-03-12T23:59","title":"Klempner anrufen"},"type":"task.create"}`},
		{"de", "ihr Fahrrad morgen reparieren", `task.create`},
		{"de", "hol Mia um 3", `calendar.create`},
		// a tick of no thing ("hab ich gekauft") ticks nothing
		{"de", "hab ich gekauft", ""},
		{"de", "das hab ich gekauft", ""},
		{"de", "schon abgeholt", ""},
		{"de", "alles gekauft", ""},
		{"de", "Milch hab ich gekauft", `{"slots":{"items":[{"name":"Milch"}]},"type":"shopping.check_items"}`},
		{"de", "Eis gekauft", `{"slots":{"items":[{"name":"Eis"}]},"type":"shopping.check_items"}`},
		{"de", "Kinder abgeholt", `clarify`},
		// two verbs on a pronoun are no errand either
		{"en", "wash and iron it", ""},
		{"en", "wash and iron them tomorrow", ""},
		{"en", "wash and iron the shirts", `{"slots":{"title":"Wash and iron the shirts"},"type":"task.create"}`},
		// no item starts with "and"
		{"en", "buy and wrap a present", ""},
		{"en", "buy bread and eggs", `{"slots":{"items":[{"name":"bread"},{"name":"eggs"}]},"type":"shopping.add_items"}`},
	} {
		for _, names := range [][]string{nil, family} {
			in, err := parseIntent(tc.text, tc.lang, now, names)
			got := ""
			if err == nil {
				got = canonicalIntent(in, now.Location())
				if in.Lang != tc.lang {
					t.Errorf("%q: language %s, want %s", tc.text, in.Lang, tc.lang)
				}
			}
			switch {
			case tc.want == "" && got != "":
				t.Errorf("%q (names %v): %s, want not understood", tc.text, names, got)
			case strings.HasPrefix(tc.want, "{") && got != tc.want:
				t.Errorf("%q (names %v): %s, want %s", tc.text, names, got, tc.want)
			case tc.want != "" && !strings.HasPrefix(tc.want, "{") && !strings.Contains(got, `"type":"`+tc.want+`"`):
				t.Errorf("%q (names %v): %s, want a %s", tc.text, names, got, tc.want)
			}
		}
	}
}
