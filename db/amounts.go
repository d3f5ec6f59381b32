package db

import (
	"math"
	"strconv"
	"strings"
)

// Amounts as the app writes them: on the recipe page (web/static/js/amounts.js
// follows the same rule) and on the shopping list a recipe is put on, so that
// what goes on the list is what the recipe showed.
//
//   - Counted things (no unit, or a unit such as clove, piece, Stück, Zehe)
//     are rounded up to the next half: 4 → 7 servings of 1 onion is 1.75,
//     which is "2"; 1.2 eggs is "1½". Up, so the shopping never falls short;
//     halves, because half an onion or half an avocado is still used.
//   - 1000 g and more is written in kg, 1000 ml and more in l ("1,4 kg").
//   - Otherwise at most two decimals and no trailing zeros; an amount that
//     would round to 0 keeps two significant digits. Never a thousands
//     separator (the recipe page writes none either).

// countedUnits are the units (lower-cased) of things bought by the piece.
var countedUnits = map[string]bool{
	"": true, "clove": true, "cloves": true, "piece": true, "pieces": true, "pc": true, "pcs": true,
	"can": true, "cans": true, "bunch": true, "bunches": true,
	"stück": true, "stk": true, "stk.": true, "zehe": true, "zehen": true, "dose": true, "dosen": true, "bund": true,
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
	if countedUnits[lower] {
		return math.Ceil(q*2-1e-9) / 2, unit
	}
	if larger, ok := largerUnit[lower]; ok && q >= 1000 {
		return q / 1000, larger
	}
	return q, unit
}

// amountText writes a scaled amount and its unit ("1,4 kg", "1½", "2
// clove"); comma writes a decimal comma.
func amountText(q float64, unit string, comma bool) string {
	q, unit = roundAmount(q, unit)
	var s string
	if countedUnits[strings.ToLower(strings.TrimSpace(unit))] {
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
// l in ml), the unit lower-cased.
func inSmallerUnit(q float64, unit string) (float64, string) {
	unit = strings.ToLower(unit)
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
