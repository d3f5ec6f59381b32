package assistant

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// Shopping items: "2 litres of milk, a dozen eggs and bread" is three
// items with quantities. Known compounds are never split ("mac and
// cheese", "salt and pepper crisps", "Salz und Pfeffer Chips"), German
// elided compounds are spelled out ("Rot- und Weißwein" is Rotwein and
// Weißwein), shared modifiers distributed ("red and white wine"), dictated
// run-ons split where the lexicon is sure ("apples bananas and grapes"),
// and a compound that may be one item or two ("fish and chips") gives two
// readings.

// nbsp joins the words of a protected compound while splitting;
// decimalMark stands for a decimal comma ("1,5"; "2, 3 Äpfel" with a
// space is a list).
const nbsp, decimalMark = "\u00a0", "\u2396"

var (
	itemSeparators = regexp.MustCompile(`(?i)\s*(?:,\s*and\s+|,\s*und\s+|,|;|\s+and\s+|\s+und\s+|\s+&\s+|\s+plus\s+|\s+sowie\s+|\s+as well as\s+)\s*`)
	decimalComma   = regexp.MustCompile(`(\d),(\d)`)
	// thousands are grouped by commas in English ("1,000 g") and by dots
	// in German ("1.000 g"), as the PWA's quantity field reads them
	thousandsRx    = map[string]*regexp.Regexp{"en": regexp.MustCompile(`\b\d{1,3}(?:,\d{3})+\b`), "de": regexp.MustCompile(`\b\d{1,3}(?:\.\d{3})+\b`)}
	elidedCompound = regexp.MustCompile(`(\pL+)-\s+(und|oder|,)\s+(\pL+)`)
	// The compounds' patterns; a flavour pair's takes the word after it.
	firmRes, flavourRes, ambiguousRes = compoundPatterns(firmCompounds, ""), compoundPatterns(flavourPairs, `\s+\pL+`), compoundPatterns(ambiguousCompounds, "")
)

func compoundPatterns(phrases []string, suffix string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, ph := range phrases {
		out = append(out, regexp.MustCompile(`(?i)(?:^|\b)`+strings.ReplaceAll(regexp.QuoteMeta(ph), " ", `\s+`)+suffix+`(?:\b|$)`))
	}
	return out
}

// protect joins the words of a compound where re finds it in s (a flavour
// pair only before a product: "salt and pepper crisps"), so that splitting
// keeps it whole.
func protect(s string, re *regexp.Regexp, flavour bool) (string, bool) {
	found := false
	s = re.ReplaceAllStringFunc(s, func(m string) string {
		if flavour {
			f := strings.Fields(m)
			if len(f) == 0 || !flavourHeads[strings.ToLower(f[len(f)-1])] {
				return m
			}
		}
		found = true
		return strings.Join(strings.Fields(m), nbsp)
	})
	return s, found
}

// splitItems splits s into items. alt is the other reading when a
// compound may be one item or two (nil otherwise).
func splitItems(s, lang string) (items, alt []IntentItem) {
	s = strings.TrimSpace(strings.Trim(s, ` .!?"`))
	if strings.Contains(s, "-") {
		s = elidedCompound.ReplaceAllStringFunc(s, expandElided)
	}
	if ls := strings.ToLower(s); !strings.Contains(ls, " and ") && !strings.Contains(ls, " und ") && !strings.Contains(ls, "&") &&
		!strings.Contains(ls, " e ") && !strings.Contains(ls, "'n'") && !strings.Contains(ls, " n ") && !strings.Contains(ls, "m&m") {
		return itemsOf(s, lang), nil // no compound can be in s
	}
	for _, re := range firmRes {
		s, _ = protect(s, re, false)
	}
	for _, re := range flavourRes {
		s, _ = protect(s, re, true)
	}
	ambiguous := false
	plain := s
	for _, re := range ambiguousRes {
		var found bool
		if s, found = protect(s, re, false); found {
			ambiguous = true
		}
	}
	items = itemsOf(s, lang)
	if ambiguous {
		alt = itemsOf(plain, lang)
	}
	return withoutPurpose(items), withoutPurpose(alt)
}

// withoutPurpose: what several items are for is all of theirs, no part of
// the last: "add flour, eggs and milk for the pancakes", "Tomaten,
// Mozzarella und Basilikum für den Salat" (they were the item "milk for
// the pancakes" and not understood). One item keeps it ("milk for the
// baby").
func withoutPurpose(items []IntentItem) []IntentItem {
	if n := len(items); n > 1 {
		items[n-1].Name = itemsPurposeRx.ReplaceAllString(items[n-1].Name, "")
	}
	return items
}

// itemsPurposeRx: what a list of items is for, said after the last
// ("for the pancakes", "für den Kuchen").
// amountRangeRx is a range of amounts in one word: "2-3", "1,5-2", "2–3"
// (an en dash).
var amountRangeRx = regexp.MustCompile(`^\d+(?:[.,]\d+)?[-–]\d+(?:[.,]\d+)?$`)

var itemsPurposeRx = regexp.MustCompile(`(?i)\s+(?:for|für) (?:the|a|an|our|my|den|die|das|einen|eine|unseren|unsere|unser) \S+$`)

func itemsOf(s, lang string) []IntentItem {
	if rx := thousandsRx[lang]; rx != nil {
		s = rx.ReplaceAllStringFunc(s, func(n string) string { return strings.NewReplacer(",", "", ".", "").Replace(n) })
	}
	// a comma between digits is a decimal, no separator: "1,5 l Milch"
	parts := itemSeparators.Split(decimalComma.ReplaceAllString(s, "$1"+decimalMark+"$2"), -1)
	var segs []string
	for _, p := range parts {
		p = strings.ReplaceAll(strings.TrimSpace(p), decimalMark, ",")
		if len(segs) > 0 {
			p = dropJoinFillers(p)
		}
		if p != "" {
			segs = append(segs, p)
		}
	}
	// "red and white wine": the head of the second is the first's too.
	for i := 0; i+1 < len(segs); i++ {
		a, b := strings.Fields(segs[i]), strings.Fields(segs[i+1])
		if len(a) != 1 || len(b) < 2 || strings.Contains(segs[i], nbsp) || strings.Contains(segs[i+1], nbsp) {
			continue
		}
		head := b[len(b)-1]
		if distributive[strings.ToLower(a[0])] || itemKnownPhrase(a[0]+" "+head) {
			segs[i] = a[0] + " " + head
		}
	}
	var out []IntentItem
	for _, seg := range splitAtCounts(segs, lang) {
		for _, part := range runOn(seg, lang) {
			if it, ok := parseItem(part, lang); ok {
				out = append(out, it)
			}
		}
	}
	return out
}

// joinFillers may follow "and"/"und" or a comma between items and say
// nothing of the next: "bread and then eggs", "Brot und dann noch Eier",
// "milk and also butter".
var joinFillers = setOf(`then dann also auch noch`)

// dropJoinFillers takes joinFillers off the start of an item that followed
// a separator, leaving at least one word.
func dropJoinFillers(seg string) string {
	f := strings.Fields(seg)
	i := 0
	for i < len(f)-1 && joinFillers[strings.ToLower(f[i])] {
		i++
	}
	return strings.Join(f[i:], " ")
}

func itemKnownPhrase(s string) bool {
	_, ok := lookupItem(s)
	return ok
}

// expandElided spells out "Rot- und Weißwein" as "Rotwein und Weißwein":
// the second word's lexicon head completes the first.
func expandElided(m string) string {
	sub := elidedCompound.FindStringSubmatch(m)
	first, conj, second := sub[1], sub[2], sub[3]
	f := familyhub.Fold(second)
	for i := range second {
		if i == 0 {
			continue
		}
		if _, ok := itemHeads[f[len(familyhub.Fold(second[:i])):]]; ok && utf8.RuneCountInString(second[i:]) >= 3 {
			return first + strings.ToLower(second[i:]) + " " + conj + " " + second
		}
	}
	return m
}

// runOn splits a dictated run of item names without commas ("apples
// bananas", "washing powder nappies") when the lexicon covers it entirely
// and each boundary follows a plural or a phrase; the lexicon's phrases
// stay whole ("chocolate milk", "chicken breast"). German writes its
// compounds as one word, so there a capitalised noun the lexicon knows
// ends an item too: "Milch Eier Butter" are three ("Rote Bete", a phrase,
// stays one). English does the same after a singular that seldom names
// what another grocery is made of or tastes of: "milk eggs bread" and
// "cereal milk" are two and three items (they were one), while "chocolate
// cake", "tomato soup" and "cheese sauce" stay one (itemModifiersEN).
func runOn(seg, lang string) []string {
	f := strings.Fields(seg)
	if len(f) < 2 || strings.Contains(seg, nbsp) || itemKnownPhrase(seg) || numberToken.MatchString(f[0]) || numberWords[strings.ToLower(f[0])] > 0 || articles[strings.ToLower(f[0])] {
		return []string{seg}
	}
	var out []string
	for i := 0; i < len(f); {
		n := 0
		for k := min(3, len(f)-i); k >= 1; k-- {
			if itemKnownPhrase(strings.Join(f[i:i+k], " ")) {
				n = k
				break
			}
		}
		if n == 0 {
			return []string{seg}
		}
		piece := strings.Join(f[i:i+n], " ")
		it, _ := lookupItem(piece)
		if i+n < len(f) && n == 1 && !it.plural && !(lang == "de" && isCapitalised(f[i]) && isCapitalised(f[i+1])) &&
			!(lang == "en" && !itemModifiersEN[strings.ToLower(f[i])]) {
			return []string{seg}
		}
		out = append(out, piece)
		i += n
	}
	return out
}

// itemModifiersEN are singular groceries that often name what another is
// made of or tastes of ("chocolate cake", "chicken soup", "strawberry
// jam"): before another grocery they do not end an item.
var itemModifiersEN = setOf(`chocolate chicken tomato cheese fish strawberry raspberry blueberry cherry carrot banana
	garlic rice pasta lemon lime beef pork lamb potato egg coffee apple orange mint vegetable fruit peanut almond
	honey cream sweet sour ham bacon sausage turkey salmon tuna mushroom onion pepper corn pea bean chilli chili
	ginger sugar ice baby dog cat bin kitchen toilet paper birthday soy oat coconut vanilla caramel cookie biscuit
	cake pizza burger hot green red white black brown spring mango peach pineapple melon grape plum pear cinnamon`)

var (
	numberUnitToken = regexp.MustCompile(`(?i)^(\d+(?:[.,]\d+)?)(l|ml|cl|dl|kg|g|gr|lb|lbs|oz|el|tl|x|pk)$`)
	numberToken     = regexp.MustCompile(`^\d+(?:[.,]\d+)?$`)
	trailingFiller  = setOf(`too also please bitte auch noch mehr as well thanks danke`)
)

// parseItem parses "2 litres of milk", "a dozen eggs", "3 apples", "milk",
// "zwei Flaschen Apfelsaft", and corrects typos in the name.
func parseItem(s, lang string) (IntentItem, bool) {
	s = strings.ReplaceAll(s, nbsp, " ")
	f := strings.Fields(strings.Trim(strings.TrimSpace(s), `.,;:!?"`))
	for len(f) > 1 && trailingFiller[strings.ToLower(f[len(f)-1])] {
		f = f[:len(f)-1]
	}
	if len(f) > 2 && strings.EqualFold(f[len(f)-2], "as") && strings.EqualFold(f[len(f)-1], "well") {
		f = f[:len(f)-2]
	}
	if len(f) == 0 {
		return IntentItem{}, false
	}
	lower := func(i int) string { return strings.ToLower(f[i]) }
	var qty []string
	i := 0
	glued := numberUnitToken.FindStringSubmatch(f[0])
	switch {
	case glued != nil:
		// a unit glued to its number: "500g Mehl" is "Mehl 500 g", "2EL" "2 EL", "2x" a count
		qty, i = []string{glued[1]}, 1
		if strings.EqualFold(glued[2], "x") {
			glued = nil // a count, which a range or a unit may follow: "2x Flaschen Wasser"
		} else {
			qty = append(qty, unitWritten(glued[2]))
		}
	case numberToken.MatchString(f[0]), amountRangeRx.MatchString(f[0]):
		qty, i = []string{strings.ReplaceAll(f[0], "–", "-")}, 1 // "2–3" with an en dash is "2-3"
	case numberWords[lower(0)] > 0:
		qty, i = []string{strconv.Itoa(numberWords[lower(0)])}, 1
	case articles[lower(0)] && len(f) > 2 && (units[lower(1)] || strings.HasPrefix(lower(0), "ein") && numberUnit(f[1])):
		// "a bottle of wine", "ein EL Öl" (EL and TL after a German article
		// only: "an El Paso kit" stays a name)
		qty, i = []string{"1"}, 1
	}
	if i == 1 && glued == nil && len(f) > 3 && countRangeWords[lower(1)] {
		// "2 to 3 apples", "zwei bis drei Äpfel": a count from 2 to 3
		if hi, ok := countToken(f[2]); ok {
			qty, i = []string{qty[0] + "-" + hi}, 3
		}
	}
	if i > 0 && glued == nil && i < len(f)-1 && unitAt(f, i, lang) {
		// after a number or a range: "2 EL Zucker", "2 bis 3 EL Zucker"
		qty, i = append(qty, unitWritten(f[i])), i+1
	}
	if i > 0 && i < len(f)-1 && (lower(i) == "of" || lower(i) == "von") {
		i++
	}
	if i == 0 {
		for i < len(f)-1 && itemFillers[lower(i)] {
			i++
		}
	}
	if i >= len(f) {
		qty, i = nil, 0 // only a number: "7" stays a name
	}
	name := f[i:]
	if len(name) == 1 {
		// Only a one-word name is corrected: in "tent pegs" or "sweet and
		// sour sauce" a word unknown alone is no typo.
		name[0] = correctItemWord(name[0], lang)
	}
	n := strings.Join(name, " ")
	if n == "" || utf8.RuneCountInString(n) > maxIntentName {
		return IntentItem{}, false
	}
	return IntentItem{Name: n, Quantity: strings.Join(qty, " ")}, true
}

// unitAt says whether f[i], after a number, a range or an article, is
// the item's unit: a word of units, EL and TL (numberUnit; after a number
// in German also "El" and "Tl", as a phone capitalises them: "2 El
// Zucker", while English "2 El Paso kits" are a name), except
//   - a word in capitals (two letters or more) that is not an abbreviation
//     written so (capitalUnits), unless the whole item is in capitals: an
//     acronym begins the name, "2 PC games" are two PC games;
//   - a spelt-out measure that is the size of what the rest of the item
//     counts (the last word of the name, or the last before "of", is a
//     counted unit of the tables, and no preposition comes before it):
//     "2 gallon freezer bags" are two gallon freezer bags, "3 litre
//     bottles of water" three litre bottles; "2 gallons milk" stays 2
//     gallons, and a symbol always measures: "200 g ham slices", "1 kg
//     bag of potatoes"; so does a measure of what comes in a counted
//     thing: "2 Liter Milch in Flaschen".
func unitAt(f []string, i int, lang string) bool {
	w, lw := f[i], strings.ToLower(f[i])
	switch {
	case !units[lw] && !numberUnit(w) && !(lang == "de" && numberUnits[lw]):
		return false
	case utf8.RuneCountInString(w) > 1 && w == strings.ToUpper(w) && !capitalUnits[lw] &&
		strings.Join(f, " ") != strings.ToUpper(strings.Join(f, " ")):
		return false
	case db.CountedUnit(w) || lw == "dozen" || unitSymbols[lw]:
		return true
	}
	head := len(f) - 1
	for j := i + 1; j < len(f); j++ {
		if lj := strings.ToLower(f[j]); lj == "of" || lj == "von" {
			head = j - 1
			break
		}
	}
	for j := i + 1; j < head; j++ {
		if itemPrepositions[strings.ToLower(f[j])] {
			return true // "2 Liter Milch in Flaschen"
		}
	}
	return head == i || !db.CountedUnit(f[head])
}

// unitSymbols are the measures written as symbols, never the size of a
// counted thing ("200 g ham slices" are 200 g of them; unitAt).
var unitSymbols = setOf(`g gr kg mg l ml cl dl lb lbs oz el tl tbsp tsp`)

// itemPrepositions join a grocery to how it comes: "Käse in Scheiben",
// "Orangen im Netz", "Tomaten aus der Dose".
var itemPrepositions = setOf(`in im am an aus mit with from auf vom zum zur`)

// countRangeWords join the two ends of a count: "2 to 3 apples".
var countRangeWords = setOf(`to or bis oder - –`)

// countToken is a count said in figures or in a word: "3", "three", "drei".
func countToken(s string) (string, bool) {
	if numberToken.MatchString(s) {
		return s, true
	}
	if n := numberWords[strings.ToLower(s)]; n > 0 {
		return strconv.Itoa(n), true
	}
	return "", false
}

// itemsLookLikeGroceries says whether a bare list of names (no verb) is a
// shopping list: every item has a word of the grocery lexicon, none is a
// question or command word, and none is long.
func itemsLookLikeGroceries(items []IntentItem) bool {
	if len(items) == 0 {
		return false
	}
	for _, it := range items {
		ws := strings.Fields(it.Name)
		if len(ws) > 4 {
			return false
		}
		if itemKnownPhrase(it.Name) {
			continue
		}
		known := false
		for _, w := range ws {
			lw := strings.ToLower(strings.Trim(w, `,.;:!?"'()`))
			switch {
			case itemKnownPhrase(lw):
				known = true
			case itemConnectors[lw]:
			default:
				return false
			}
		}
		if !known {
			return false
		}
	}
	return true
}

// itemConnectors may stand between the words of an item's name.
var itemConnectors = setOf(`with without of mit ohne von and und in im`)

var questionWords = setOf(`what who why how when where which is are does do was wer wie warum wann wo welche welcher`)
