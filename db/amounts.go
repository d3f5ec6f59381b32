package db

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Amounts as the app writes them: on the recipe page (web/static/js/amounts.js
// follows the same rule) and on the shopping list a recipe is put on, so that
// what goes on the list is what the recipe showed.
//
//   - Counted things (no unit, or a unit such as clove, piece, Stück, Zehe,
//     or a container: bottle, jar, Flasche, Glas...) are rounded up to the
//     next half: 4 → 7 servings of 1 onion is 1.75, which is "2"; 1.2 eggs
//     is "1½". Up, so the shopping never falls short; halves, because half
//     an onion or half an avocado is still used. A container keeps its
//     halves too, as a can always did: "½ bottle" of wine, "1½ Gläser" of
//     passata is what the dish takes, which the recipe page must show; one
//     buys the whole one, and a second half merged onto the list makes "1".
//   - A unit of the tables below, counted or a measure (cup, pint, Prise,
//     liter...), is written in the singular for at most one ("½ clove",
//     "1 Zehe", "1 cup") and in the plural for more ("1½ cloves", "2
//     Zehen", "2 pints"), however it was typed; but a measure below one
//     as typed, as English writes both "0.67 cups" and "½ cup". A unit the
//     tables do not know stays as typed.
//   - 1000 g and more (as it would be written: 999.9999 g is "1 kg") is
//     written in kg, 1000 ml and more in l ("1,4 kg"), and an amount typed
//     in kg, l, cl or dl stays so, to the gram or millilitre (in kg or l at
//     most three decimals, in cl one, in dl two), rounded up ("1.005 kg", so a merge of 1 kg and 5 g, added
//     up in g, loses nothing; 1312.5 g is "1.313 kg"; 0.125 kg for 3 of 4
//     servings is "0.094 kg", not 3.75 g short).
//   - Otherwise at most two decimals and no trailing zeros; an amount that
//     would round to 0 keeps two significant digits. Never a thousands
//     separator (the recipe page writes none either).

// englishUnits and germanUnits are the counted units, things bought by the
// piece, and the containers the assistant's add writes ("2 bottles",
// "1 Tüte"): singular → plural. Not the recipe measures Becher
// (Becherkuchen) and Päckchen (of baking powder), whose proportions
// scaling must keep ("0,67 Becher"). A pot is counted, though the
// yoghurt-pot cake measures with it: "a pot of yoghurt" onto "2 pots" must
// make "3 pots". Beutel is a bag like Tüte: counted, so a bare "Beutel"
// line counts as one. A German Box and Pack are German words: "2 Boxen",
// "2 Pack" (as one writes "2 Pack Milch").
// web/static/js/amounts.js holds the same tables (TestAmountUnitTablesMatchJS).
var (
	englishUnits = map[string]string{"clove": "cloves", "piece": "pieces", "pc": "pcs", "can": "cans", "bunch": "bunches",
		"bottle": "bottles", "tin": "tins", "jar": "jars", "pack": "packs", "box": "boxes", "bag": "bags", "loaf": "loaves",
		"carton": "cartons", "packet": "packets", "package": "packages", "tub": "tubs", "tube": "tubes", "pot": "pots",
		"punnet": "punnets", "bar": "bars", "roll": "rolls", "head": "heads", "slice": "slices"}
	germanUnits = map[string]string{"Zehe": "Zehen", "Stück": "Stück", "Stk": "Stk", "Stk.": "Stk.", "Dose": "Dosen", "Bund": "Bund",
		"Flasche": "Flaschen", "Packung": "Packungen", "Glas": "Gläser", "Tüte": "Tüten", "Laib": "Laibe",
		"Kiste": "Kisten", "Kasten": "Kästen", "Schachtel": "Schachteln", "Rolle": "Rollen", "Netz": "Netze", "Beutel": "Beutel",
		"Scheibe": "Scheiben", "Box": "Boxen", "Pack": "Pack"}
)

// englishMeasures and germanMeasures are the measures whose plural is
// written otherwise than the singular, or that are one unit with another
// word (sameUnit: liter and l, tablespoon and tbsp): singular → plural. A
// measure is not rounded ("0.67 cups" stays). Becher, Päckchen, EL and TL
// are one word in both numbers and merge without a table.
// web/static/js/amounts.js holds the same tables.
var (
	englishMeasures = map[string]string{"pint": "pints", "cup": "cups", "pound": "pounds", "lb": "lbs", "ounce": "ounces", "oz": "oz",
		"pinch": "pinches", "tablespoon": "tablespoons", "tbsp": "tbsp", "teaspoon": "teaspoons", "tsp": "tsp",
		"liter": "liters", "litre": "litres", "milliliter": "milliliters", "millilitre": "millilitres",
		"gram": "grams", "gramme": "grammes", "kilogram": "kilograms", "kilo": "kilos",
		"quart": "quarts", "gallon": "gallons"}
	germanMeasures = map[string]string{"Prise": "Prisen", "Liter": "Liter", "Milliliter": "Milliliter", "Gramm": "Gramm",
		"Kilogramm": "Kilogramm", "Kilo": "Kilo", "Tasse": "Tassen", "Messerspitze": "Messerspitzen",
		"Esslöffel": "Esslöffel", "Eßlöffel": "Eßlöffel", "Teelöffel": "Teelöffel"}
)

// sameUnit says which measure words are the same unit as another
// (singular → that unit): spelt-out metric words are their symbol, so "2
// liters" and "500 ml" add up, and a word is its abbreviation (Esslöffel,
// as German speech recognition writes it, is EL).
var sameUnit = map[string]string{"liter": "l", "litre": "l", "milliliter": "ml", "millilitre": "ml",
	"gram": "g", "gramme": "g", "kilogram": "kg", "kilo": "kg", "Liter": "l", "Milliliter": "ml", "Gramm": "g",
	"Kilogramm": "kg", "Kilo": "kg", "pound": "lb", "ounce": "oz", "tablespoon": "tbsp", "teaspoon": "tsp",
	"Esslöffel": "el", "Eßlöffel": "el", "Teelöffel": "tl"}

// unitWord is a unit's singular and plural, and whether it is counted.
type unitWord struct {
	one, many string
	counted   bool
}

// englishWords and germanWords are the tables' words by either form,
// lower-cased.
var englishWords, germanWords = unitWords(englishUnits, englishMeasures), unitWords(germanUnits, germanMeasures)

// unitWords is one language's counted and measure words by either form.
func unitWords(counted, measures map[string]string) map[string]unitWord {
	m := map[string]unitWord{}
	for i, table := range []map[string]string{counted, measures} {
		for one, many := range table {
			w := unitWord{one, many, i == 0}
			m[strings.ToLower(one)] = w
			m[strings.ToLower(many)] = w
		}
	}
	return m
}

// wordOf finds a unit in the tables. A word both languages have (Box,
// Pack, Liter, Kilo) is the German one when typed with a capital, as
// German writes nouns ("2 Boxen", "3 Liter"), else the English one ("2
// boxes", "3 liters"); no language is asked, so the PWA's unit and quantity
// fields ask a phone not to capitalise (autocapitalize="none").
func wordOf(unit string) (unitWord, bool) {
	typed := strings.TrimSpace(unit)
	lower := strings.ToLower(typed)
	first, second := englishWords, germanWords
	if r, _ := utf8.DecodeRuneInString(typed); unicode.IsUpper(r) {
		first, second = second, first
	}
	if w, ok := first[lower]; ok {
		return w, true
	}
	w, ok := second[lower]
	return w, ok
}

// isCounted says whether unit is one of things bought by the piece; no
// unit (eggs, onions) is counted too.
func isCounted(unit string) bool {
	return strings.TrimSpace(unit) == "" || CountedUnit(unit)
}

// CountedUnit says whether word is a counted unit of the tables, in
// either number ("bag", "Flaschen"): the assistant's parser reads "2
// gallon freezer bags" as two bags, not 2 gallons.
func CountedUnit(word string) bool {
	w, ok := wordOf(word)
	return ok && w.counted
}

// SameUnit says whether two unit words are one unit to the list (unitKey):
// the assistant's parser writes a spelt-out "Esslöffel" as the "EL" it is.
func SameUnit(a, b string) bool {
	return unitKey(a) == unitKey(b)
}

// letterUnits are the one-letter units whose case is their meaning (a
// recipe's "T" is a tablespoon, its "t" a teaspoon), by their key: apart
// from each other, and from tbsp and tsp too, for a "T" saved from a phone
// that capitalised the field (before it was told not to) may be a
// teaspoon: kept a line of its own rather than added into the tablespoons.
var letterUnits = map[string]string{"T": "T", "t": "t"}

// unitKey is a unit as amounts in it are compared: lower-cased, a word of
// the tables in the singular ("Cloves" is "clove"), a measure word as the
// unit it is the same as ("liters" is "l", "tablespoon" "tbsp"; "T" and
// "t" as typed), so 1 clove and 2 cloves add up, and 2 liters and 500 ml.
func unitKey(unit string) string {
	key := strings.ToLower(strings.TrimSpace(unit))
	if same, ok := letterUnits[strings.TrimSpace(unit)]; ok {
		key = same
	} else if w, ok := wordOf(unit); ok {
		key = strings.ToLower(w.one)
		if same, ok := sameUnit[w.one]; ok {
			key = same
		}
	}
	return key
}

// vagueUnits are the measures of no definite size, by unitKey: a line
// saying only "Prise" is not one pinch more than a recipe's.
var vagueUnits = map[string]bool{"prise": true, "pinch": true, "messerspitze": true}

// definiteUnits are the measures of a definite size the tables do not
// hold by that word (the symbols, and EL, TL, T and t), by unitKey.
var definiteUnits = map[string]bool{"g": true, "kg": true, "ml": true, "cl": true, "dl": true, "l": true,
	"el": true, "tl": true, "tbsp": true, "tsp": true, "T": true, "t": true}

// countsAsOne says whether a unit typed without a number is one of it:
// "Dose" is one can, "Liter" one liter, "pint" one pint, so "Liter" and
// "500 ml" make "1.5 Liter". Not a vague measure ("Prise") or a word the
// tables do not know ("Päckchen", "Handvoll"): an add's amount says more.
func countsAsOne(unit string) bool {
	key := unitKey(unit)
	_, known := wordOf(unit)
	return key != "" && !vagueUnits[key] && (known || definiteUnits[key])
}

// unitFor writes a unit of the tables for the amount q: the singular for
// one ("1 clove", "1 cup") and for a counted half ("½ clove"), the plural
// for more ("1½ cloves", "2 cups"), its first letter (or all of it) in the
// case it was typed in; a measure below one and any other unit as typed.
func unitFor(q float64, unit string) string {
	typed := strings.TrimSpace(unit)
	w, ok := wordOf(typed)
	if !ok {
		return unit
	}
	word := w.many
	switch {
	case q == 1 || (w.counted && q > 0 && q < 1):
		word = w.one
	case q > 0 && q < 1:
		return unit // a measure below one: "0.67 cups" and "½ cup" are both English
	}
	first, _ := utf8.DecodeRuneInString(typed)
	switch {
	case utf8.RuneCountInString(typed) > 1 && typed == strings.ToUpper(typed) && typed != strings.ToLower(typed):
		return strings.ToUpper(word) // "CLOVES"
	case unicode.IsUpper(first):
		w, n := utf8.DecodeRuneInString(word)
		return string(unicode.ToUpper(w)) + word[n:]
	default:
		w, n := utf8.DecodeRuneInString(word)
		return string(unicode.ToLower(w)) + word[n:]
	}
}

// largerUnit is the unit a thousand of a unit is written in.
var largerUnit = map[string]string{"g": "kg", "ml": "l"}

// smallerUnit is the unit a larger unit is added up in, and how many of it
// make one: "2 cl" and "500 ml" add up to "520 ml".
var smallerUnit = map[string]struct {
	unit string
	n    float64
}{"kg": {"g", 1000}, "l": {"ml", 1000}, "cl": {"ml", 10}, "dl": {"ml", 100}}

// amountText writes a scaled amount and its unit as the app writes it
// (see above: "1,4 kg", "1½", "2 cloves", "1.005 kg"); comma writes a
// decimal comma.
func amountText(q float64, unit string, comma bool) string {
	key := unitKey(unit)
	var s string
	switch {
	case isCounted(unit):
		q = math.Ceil(q*2-1e-9)/2 + 0 // + 0: never "-0"
		whole, half := math.Modf(q)
		switch {
		case half == 0:
			s = strconv.FormatFloat(whole, 'f', -1, 64)
		case whole == 0:
			s = "½"
		default:
			s = strconv.FormatFloat(whole, 'f', -1, 64) + "½"
		}
	case largerUnit[key] != "" && math.Round(q*100)/100 >= 1000: // 999.9999 g is "1 kg", not "1000 g"
		// to the gram or millilitre, up: a merge of "1 kg" and "5 g" loses nothing
		q, unit = math.Ceil(q-1e-6)/1000, largerUnit[key]
		s = strconv.FormatFloat(q, 'f', -1, 64)
	case smallerUnit[key].unit != "":
		// kg, l, cl or dl as typed, to the gram or millilitre, up: 0.125 kg
		// for 3 of 4 servings is "0.094 kg", not "0.09 kg", 3.75 g short;
		// 2.5 cl for 3 of 12 "0.7 cl"
		n := smallerUnit[key].n
		q = math.Ceil(q*n-1e-6) / n
		s = strconv.FormatFloat(q, 'f', -1, 64)
	default:
		s = formatQuantity(q)
		q, _ = strconv.ParseFloat(s, 64) // as written: 0.999 is "1 cup"
	}
	if comma {
		s = strings.Replace(s, ".", ",", 1)
	}
	if unit = unitFor(q, unit); unit != "" {
		s += " " + unit
	}
	return s
}

// formatQuantity writes q with at most two decimals and no trailing zeros;
// amounts that would round to 0 keep two significant digits instead.
func formatQuantity(q float64) string {
	r := math.Round(q*100) / 100
	if r == 0 {
		r, _ = strconv.ParseFloat(strconv.FormatFloat(q, 'e', 1, 64), 64)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// inSmallerUnit returns an amount in the unit it is added up in (kg in g;
// l, cl, dl and liters in ml), the unit as unitKey writes it.
func inSmallerUnit(q float64, unit string) (float64, string) {
	unit = unitKey(unit)
	if s, ok := smallerUnit[unit]; ok {
		return q * s.n, s.unit
	}
	return q, unit
}

// fractions are the vulgar fractions a quantity may end in ("1½").
var fractions = map[string]float64{"¼": 0.25, "½": 0.5, "¾": 0.75}

// parseAmount reads an amount as written on a list: "1.5", "1,5", "1½", "½".
func parseAmount(s string) (float64, bool) {
	frac := 0.0
	for f, v := range fractions {
		if rest, ok := strings.CutSuffix(s, f); ok {
			s, frac = rest, v
			break
		}
	}
	if s == "" && frac > 0 {
		return frac, true
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil {
		return 0, false
	}
	return v + frac, true
}
