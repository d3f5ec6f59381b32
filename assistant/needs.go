package assistant

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// needRx: someone says what they need, the verb before what ("I need a
// break", "wir brauchen Ruhe") or after the day German says first
// ("morgen brauche ich eine Pause"); m[1] is what is needed.
var needRx = regexp.MustCompile(`(?i)\b(?:(?:i|we) (?:really |just |badly )?(?:need|could do with)|(?:ich|wir) (?:brauche|brauchen)(?: mal| dringend| wirklich| echt)?|(?:brauche|brauchen) (?:ich|wir)(?: mal| dringend| wirklich| echt)?) (.+)`)

// restNeeds are needs no errand meets: nothing to buy or to get ("I need
// a break tomorrow" was the task "Get a break", "I need a rest" the item
// "rest", "ich brauche morgen eine Pause" the task "Pause besorgen").
var restNeeds = setOf(`break rest nap sleep holiday holidays vacation hug breather lie-in moment minute time
	pause ruhe urlaub schlaf auszeit nickerchen mittagsschlaf umarmung erholung zeit`)

// needArticles go before what is needed.
var needArticles = setOf(`a an some more the little bit of good proper long real eine einen ein etwas mehr noch mal
	kleine kleines kleinen richtige richtigen lange langen bisschen`)

// needsRest: text says that someone needs rest, a break, time: how they
// are, nothing for the lists or the calendar (not understood). Days said
// with it do not change that ("I need a break tomorrow").
func needsRest(text string) bool {
	m := needRx.FindStringSubmatch(cleanCommand(text))
	if m == nil {
		return false
	}
	for _, w := range words(m[1]) {
		if needArticles[w] || dayWordsEN[w] || dayWordsDE[w] {
			continue
		}
		return restNeeds[w]
	}
	return false
}

// dayWordsEN and dayWordsDE are the days that may come between the verb
// and what is needed ("ich brauche morgen eine Pause").
var (
	dayWordsEN = setOf(`today tomorrow tonight`)
	dayWordsDE = setOf(`heute morgen übermorgen am montag dienstag mittwoch donnerstag freitag samstag sonntag wochenende`)
)

// addRunOut: something there is no more of goes on the list ("we've got
// no more toilet roll"), unless it is rest or time ("we've got no more
// time"): how someone is.
func (p *parser) addRunOut(m []string) (Intent, bool) {
	if w := words(m[1]); len(w) == 0 || restNeeds[w[0]] {
		return Intent{}, false
	}
	return p.addDefault(m)
}

// addNoted: groceries noted without a list ("Windeln aufschreiben") are
// added; anything else noted ("Zahnarzt aufschreiben") is no shopping. A
// list of several things with a grocery among them is shopping too, its
// other things nouns said bare ("schreib Windeln, Feuchttücher und Babybrei
// auf": it was not understood for the two the lexicon does not know).
func (p *parser) addNoted(m []string) (Intent, bool) {
	if !p.groceries(m[1]) && !p.notedWithGroceries(m[1]) {
		return Intent{}, false
	}
	return p.addDefault(m)
}

// notedWithGroceries: s is two or more short bare nouns (capitalised, no
// article), at least one of them a grocery.
func (p *parser) notedWithGroceries(s string) bool {
	items, _ := splitItems(s, p.lang)
	if len(items) < 2 {
		return false
	}
	known := false
	for _, it := range items {
		f := strings.Fields(it.Name)
		if len(f) == 0 || len(f) > 2 || it.Quantity != "" && len(f) > 1 {
			return false
		}
		if itemsLookLikeGroceries([]IntentItem{it}) {
			known = true
			continue
		}
		for _, w := range f {
			r, _ := utf8.DecodeRuneInString(w)
			if !unicode.IsUpper(r) || !nameLike(w) || familyRoles[strings.ToLower(w)] {
				return false
			}
		}
	}
	return known
}

// addRunningOut: a thing nearly gone goes on the list ("the dishwasher
// tablets are nearly gone"); a person or time nearly gone is no grocery
// ("Tim's nearly out", "time is almost up").
func (p *parser) addRunningOut(m []string) (Intent, bool) {
	w := words(m[1])
	if len(w) == 0 || len(w) > 4 || restNeeds[w[len(w)-1]] {
		return Intent{}, false
	}
	if _, ok := person(m[1]); ok {
		return Intent{}, false
	}
	return p.addRunOut(m)
}
