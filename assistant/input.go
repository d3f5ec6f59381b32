package assistant

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/familyhub/familyhub"
)

// AssistantText trims a command's text and checks it: valid UTF-8, 1 to
// MaxAssistantTextLen characters, no control characters other than line
// breaks and tabs (which become spaces). Problems are familyhub.EINVALID
// *Errors on field "text".
func AssistantText(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", familyhub.Invalid("text", "text is not valid UTF-8.")
	}
	text = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(text)
	if strings.ContainsFunc(text, unicode.IsControl) {
		return "", familyhub.Invalid("text", "text contains control characters.")
	}
	text = strings.Join(strings.Fields(text), " ")
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", familyhub.Invalid("text", "text is required: say what to do, e.g. \"add milk to the shopping list\".")
	case n > MaxAssistantTextLen:
		return "", familyhub.Invalid("text", "text must be at most %d characters (it has %d).", MaxAssistantTextLen, n)
	}
	return text, nil
}

// AssistantLanguage returns the language of a BCP 47 locale ("en-GB" →
// "en") when the assistant understands it: English or German; an empty
// locale is English. Others are an EINVALID *familyhub.Error on field
// "locale".
func AssistantLanguage(locale string) (string, error) {
	if locale == "" {
		return "en", nil
	}
	lang, _, _ := strings.Cut(strings.ReplaceAll(locale, "_", "-"), "-")
	switch l := strings.ToLower(lang); {
	case len(locale) > 35:
		return "", familyhub.Invalid("locale", "locale must be a language tag such as en-GB or de-DE.")
	case l == "en" || l == "de":
		return l, nil
	}
	return "", familyhub.Invalid("locale", "The assistant understands English (en) and German (de), not %q.", locale)
}

// LocaleHour12 reports whether a BCP 47 locale asks for a 12-hour clock
// through its Unicode extension's hour cycle ("en-US-u-hc-h12", "h11"), as
// Intl.Locale spells the clock a device shows. Without one it is false:
// replies say times in 24 hours, as they always did. A malformed locale is
// false too (AssistantLanguage refuses it).
func LocaleHour12(locale string) bool {
	subtags := strings.Split(strings.ToLower(strings.ReplaceAll(locale, "_", "-")), "-")
	inU := false
	for i, st := range subtags {
		switch {
		case len(st) == 1:
			inU = st == "u" // a singleton starts an extension: only -u- has keywords
		case inU && st == "hc" && i+1 < len(subtags):
			return subtags[i+1] == "h12" || subtags[i+1] == "h11"
		}
	}
	return false
}

// Device is how a device writes times and dates, as its locale tells
// (LocaleDevice): the assistant's replies say them the same way.
type Device struct {
	// Hour12: a 12-hour clock ("7:00 PM"); English replies say times so.
	Hour12 bool
	// DayFirst: dates day first ("Wed 25 Mar", en-GB); else English
	// replies write the month first ("Wed, Mar 25", en-US). German writes
	// the day first whatever this says.
	DayFirst bool
}

// LocaleDevice returns how a device whose locale is locale (as the PWA
// sends it: "en-US-u-hc-h12") writes times and dates: its hour cycle
// (LocaleHour12), and the day first unless it is English with no region or
// a region that writes the month first (en-US, en-CA, en-PH and the US's
// territories, as Intl writes them). A malformed locale reads as English
// without a region.
func LocaleDevice(locale string) Device {
	return Device{Hour12: LocaleHour12(locale), DayFirst: localeDayFirst(locale)}
}

// monthFirst are the regions whose English writes the month first (CLDR,
// as Intl.DateTimeFormat shows it).
var monthFirst = map[string]bool{"us": true, "ca": true, "ph": true, "as": true, "gu": true, "mp": true, "pr": true, "um": true, "vi": true, "jp": true, "bi": true, "mh": true}

func localeDayFirst(locale string) bool {
	subtags := strings.Split(strings.ToLower(strings.ReplaceAll(locale, "_", "-")), "-")
	if subtags[0] != "en" {
		return subtags[0] != ""
	}
	for _, st := range subtags[1:] {
		switch {
		case len(st) == 4: // a script (en-Latn-GB): the region follows
			continue
		case len(st) == 2 || (len(st) == 3 && st[0] >= '0' && st[0] <= '9'): // GB, 150
			return !monthFirst[st]
		}
		break
	}
	return false
}

// NotUnderstood returns the EINVALID *familyhub.Error for a command that
// matches no intent, with examples of what works: the PWA's
// (TestRefusalExamples).
func NotUnderstood(text string) *familyhub.Error {
	if utf8.RuneCountInString(text) > 60 {
		text = string([]rune(text)[:57]) + "..."
	}
	return familyhub.Invalid("text", "Sorry, I did not understand %q. Try \"add milk and eggs to the shopping list\", "+
		"\"remind me to call grandma tomorrow at 6pm\", \"check off bread\", \"put dentist on Friday at 3\", "+
		"\"what's on today?\" or \"buy bread and butter\".", text)
}

// AcceptLanguage returns the assistant's language ("en" or "de") an
// Accept-Language header prefers most, by quality then order; "en" when
// it names neither.
func AcceptLanguage(header string) string {
	best, bestQ := "en", -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if (lang == "en" || lang == "de") && q > bestQ && q > 0 {
			best, bestQ = lang, q
		}
	}
	return best
}

// ErrNoOption refuses a choice that names no option.
var ErrNoOption = familyhub.Invalid("option", "option is required: the index of the chosen option, from 0.")
