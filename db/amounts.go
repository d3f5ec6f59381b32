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
//   - A counted unit is written in the singular for at most one ("½ clove",
//     "1 Zehe") and in the plural for more ("1½ cloves", "2 Zehen"), however
//     it was typed; a unit the tables below do not know stays as typed.
//   - 1000 g and more is written in kg, 1000 ml and more in l ("1,4 kg").
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
// line counts as one. web/static/js/amounts.js
// holds the same tables (TestAmountUnitTablesMatchJS).
var (
	englishUnits = map[string]string{"clove": "cloves", "piece": "pieces", "pc": "pcs", "can": "cans", "bunch": "bunches",
		"bottle": "bottles", "tin": "tins", "jar": "jars", "pack": "packs", "box": "boxes", "bag": "bags", "loaf": "loaves",
		"carton": "cartons", "packet": "packets", "package": "packages", "tub": "tubs", "tube": "tubes", "pot": "pots",
		"punnet": "punnets", "bar": "bars", "roll": "rolls", "head": "heads", "slice": "slices"}
	germanUnits = map[string]string{"Zehe": "Zehen", "Stück": "Stück", "Stk": "Stk", "Stk.": "Stk.", "Dose": "Dosen", "Bund": "Bund",
		"Flasche": "Flaschen", "Packung": "Packungen", "Glas": "Gläser", "Tüte": "Tüten", "Laib": "Laibe",
		"Kiste": "Kisten", "Kasten": "Kästen", "Schachtel": "Schachteln", "Rolle": "Rollen", "Netz": "Netze", "Beutel": "Beutel",
		"Scheibe": "Scheiben"}
)

// unitForms are a counted unit's singular and plural.
type unitForms struct{ one, many string }

// countedUnits are the counted units' forms by either form, lower-cased;
// "" (no unit: eggs, onions) is counted too and has no word.
var countedUnits = func() map[string]unitForms {
	m := map[string]unitForms{"": {}}
	for _, table := range []map[string]string{englishUnits, germanUnits} {
		for one, many := range table {
			m[strings.ToLower(one)] = unitForms{one, many}
			m[strings.ToLower(many)] = unitForms{one, many}
		}
	}
	return m
}()

// isCounted says whether unit is one of things bought by the piece.
func isCounted(unit string) bool {
	_, ok := countedUnits[strings.ToLower(strings.TrimSpace(unit))]
	return ok
}

// unitKey is a unit as amounts in it are compared: lower-cased, a counted
// unit in the singular ("Cloves" is "clove"), so 1 clove and 2 cloves add up.
func unitKey(unit string) string {
	unit = strings.ToLower(strings.TrimSpace(unit))
	if f, ok := countedUnits[unit]; ok {
		return strings.ToLower(f.one)
	}
	return unit
}

// countedUnitFor writes a counted unit for the amount q: the singular for
// at most one ("½ clove", "1 clove"), else the plural ("1½ cloves"), its
// first letter (or all of it) in the case it was typed in.
func countedUnitFor(q float64, unit string) string {
	typed := strings.TrimSpace(unit)
	f := countedUnits[strings.ToLower(typed)]
	if f.one == "" {
		return unit
	}
	word := f.many
	if q > 0 && q <= 1 {
		word = f.one
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

// smallerUnit is the unit a larger unit is added up in, and how many of it make one.
var smallerUnit = map[string]struct {
	unit string
	n    float64
}{"kg": {"g", 1000}, "l": {"ml", 1000}}

// roundAmount rounds a scaled amount as the app writes it (see above) and
// returns it with its unit: counted things up to the next half, 1000 g and
// more as kg, 1000 ml and more as l.
func roundAmount(q float64, unit string) (float64, string) {
	lower := strings.ToLower(strings.TrimSpace(unit))
	if isCounted(lower) {
		return math.Ceil(q*2-1e-9)/2 + 0, unit // + 0: never "-0"
	}
	if larger, ok := largerUnit[lower]; ok && q >= 1000 {
		return q / 1000, larger
	}
	return q, unit
}

// amountText writes a scaled amount and its unit ("1,4 kg", "1½", "2
// cloves"); comma writes a decimal comma.
func amountText(q float64, unit string, comma bool) string {
	q, unit = roundAmount(q, unit)
	var s string
	if isCounted(unit) {
		unit = countedUnitFor(q, unit)
		whole, half := math.Modf(q)
		switch {
		case half == 0:
			s = strconv.FormatFloat(whole, 'f', -1, 64)
		case whole == 0:
			s = "½"
		default:
			s = strconv.FormatFloat(whole, 'f', -1, 64) + "½"
		}
	} else {
		s = formatQuantity(q)
		if comma {
			s = strings.Replace(s, ".", ",", 1)
		}
	}
	if unit != "" {
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

// inSmallerUnit returns an amount in the unit it is added up in (kg in g,
// l in ml), the unit as unitKey writes it (lower-cased, a counted unit in
// the singular).
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
