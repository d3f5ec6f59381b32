package assistant

import (
	"testing"
)

// parseCases checks each text parsed with the locale and the members:
// want "" is not understood, else the exact intent in the corpus's form.
func parseCases(t *testing.T, names []string, cases []struct{ locale, text, want string }) {
	t.Helper()
	now := parseNow(t)
	for _, tc := range cases {
		in, err := parseIntent(tc.text, tc.locale, now, names)
		got := ""
		if err == nil {
			got = canonicalIntent(in, now.Location())
		}
		if got != tc.want {
			t.Errorf("%s %q (names %v): %s, want %s", tc.locale, tc.text, names, orNone(got), orNone(tc.want))
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "not understood"
	}
	return s
}

// TestNoOtherLanguageWithoutItsWords: a command with no word of either
// language was tried in the other language too, so a German device's
// "limse" became the English "lime" (as "lies" became "limes"). The other
// language is tried only when the command has words of it.
func TestNoOtherLanguageWithoutItsWords(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"de", "limse", ""},
		{"de", "tomatos", ""},
		{"de", "Onoins", ""},
		{"en", "Zwiebl", ""},
		{"en", "Milsh", ""},
		// in the locale's language, or with words of the other, as before
		{"en", "tomatos", `{"slots":{"items":[{"name":"tomatoes"}]},"type":"shopping.add_items"}`},
		{"de", "Milsh", `{"slots":{"items":[{"name":"Milch"}]},"type":"shopping.add_items"}`},
		{"de", "2 lemons", `{"slots":{"items":[{"name":"lemons","quantity":"2"}]},"type":"shopping.add_items"}`},
		{"en", "Haferflocken", `{"slots":{"items":[{"name":"Haferflocken"}]},"type":"shopping.add_items"}`},
		{"de", "add mlik", `{"slots":{"items":[{"name":"milk"}]},"type":"shopping.add_items"}`},
	})
}
