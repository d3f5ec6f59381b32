package db

import (
	"maps"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestAmountTextCountedPlural: a counted unit is written in the singular
// for at most one and in the plural for more, in English and German, as
// the recipe page writes it (web/static/js/amounts.js). Before, a recipe's
// "1 clove" made for twice its servings read "2 clove", and went on the
// list so; a unit typed in the plural stayed "1 cloves". A measure of the
// tables is written so too, not rounded, below one as typed ("2 cups", "1
// cup", "0.67 cups", "2 Prisen"; before, as typed: "2 cup", "1 cups"), a
// unit the tables do not know as typed, and kg and l to the gram and
// millilitre ("1.005 kg"; before, "1 kg", so a merge of 1 kg and 5 g lost
// the 5 g).
func TestAmountTextCountedPlural(t *testing.T) {
	for _, tc := range []struct {
		q     float64
		unit  string
		comma bool
		want  string
	}{
		{1, "clove", false, "1 clove"},
		{2, "clove", false, "2 cloves"},
		{1.75, "clove", false, "2 cloves"}, // up to the next half first
		{0.5, "clove", false, "½ clove"},
		{0.3, "cloves", false, "½ clove"},
		{1.5, "clove", false, "1½ cloves"},
		{1, "cloves", false, "1 clove"}, // typed in the plural
		{3, "piece", false, "3 pieces"},
		{2, "pc", false, "2 pcs"},
		{1, "pcs", false, "1 pc"},
		{2, "can", false, "2 cans"},
		{2, "bunch", false, "2 bunches"},
		{1, "bunches", false, "1 bunch"},
		{2, "Clove", false, "2 Cloves"}, // the case it was typed in
		{2, "CLOVE", false, "2 CLOVES"},
		{1, "Zehe", true, "1 Zehe"},
		{2, "Zehe", true, "2 Zehen"},
		{1.5, "Zehe", true, "1½ Zehen"},
		{1, "Zehen", true, "1 Zehe"},
		{2, "zehe", true, "2 zehen"},
		{2, "Dose", true, "2 Dosen"},
		{0.5, "Dosen", true, "½ Dose"},
		{2, "Stück", true, "2 Stück"}, // invariant
		{2, "Bund", true, "2 Bund"},
		{2, "Stk.", true, "2 Stk."},
		{2, "", false, "2"},
		// containers the assistant writes: before, "2 bottle", "1.5 jar"
		{2, "bottle", false, "2 bottles"},
		{1, "bottles", false, "1 bottle"},
		{0.5, "bottle", false, "½ bottle"}, // half a bottle of wine
		{1.2, "jar", false, "1½ jars"},     // rounded up to the next half
		{3, "tin", false, "3 tins"},
		{2, "pack", false, "2 packs"},
		{2, "box", false, "2 boxes"},
		{2, "Bag", false, "2 Bags"},
		{2, "loaf", false, "2 loaves"},
		{1, "loaves", false, "1 loaf"},
		{2, "Flasche", true, "2 Flaschen"},
		{1, "Flaschen", true, "1 Flasche"},
		{2, "Packung", true, "2 Packungen"},
		{2, "Glas", true, "2 Gläser"},
		{1, "Gläser", true, "1 Glas"},
		{1.5, "Tüte", true, "1½ Tüten"},
		{2, "Laib", true, "2 Laibe"},
		// the other containers the assistant's parser writes
		{2, "carton", false, "2 cartons"},
		{1, "cartons", false, "1 carton"},
		{2, "packet", false, "2 packets"},
		{2, "package", false, "2 packages"},
		{2, "tub", false, "2 tubs"},
		{2, "tube", false, "2 tubes"},
		{2, "slice", false, "2 slices"},
		{2, "pot", false, "2 pots"},
		{2, "Scheibe", true, "2 Scheiben"},
		{1, "Scheiben", true, "1 Scheibe"},
		{1, "slices", false, "1 slice"},
		{2, "punnet", false, "2 punnets"},
		{2, "bar", false, "2 bars"},
		{2, "roll", false, "2 rolls"},
		{0.5, "heads", false, "½ head"},
		{2, "Kiste", true, "2 Kisten"},
		{2, "Kasten", true, "2 Kästen"},
		{1, "Kästen", true, "1 Kasten"},
		{2, "Schachtel", true, "2 Schachteln"},
		{1.5, "Beutel", true, "1½ Beutel"}, // a bag, like Tüte
		{2, "Rolle", true, "2 Rollen"},
		{2, "Netz", true, "2 Netze"},
		// a Becher is a German recipe measure (Becherkuchen: 1 Becher Sahne,
		// 2 Becher Mehl), not a container: scaled 12 → 8 servings it keeps its
		// proportions, not rounded up to halves (before: "1 Becher", "1½ Becher")
		{0.67, "Becher", true, "0,67 Becher"},
		{1.33, "Becher", true, "1,33 Becher"},
		// so is a Päckchen (of baking powder)
		{0.67, "Päckchen", true, "0,67 Päckchen"},
		// German Box and Pack are German words, typed with a capital as
		// German writes nouns (before, "2 Boxes", "2 Packs")
		{2, "Box", true, "2 Boxen"},
		{1, "Boxen", true, "1 Box"},
		{2, "Pack", true, "2 Pack"},
		{2, "packs", false, "2 packs"},
		// measures: the singular for at most one, the plural for more, not
		// rounded (before, "2 cup", "1 cups", "2 Prise": as typed)
		{2, "cup", false, "2 cups"},
		{1, "cups", false, "1 cup"},
		{0.67, "cups", false, "0.67 cups"}, // not up to the next half; below one as typed
		{0.33, "cup", false, "0.33 cup"},
		{0.5, "Cup", false, "0.5 Cup"},
		{0.999, "cups", false, "1 cup"}, // one as written
		{3, "pint", false, "3 pints"},
		{2, "lb", false, "2 lbs"},
		{2, "ounce", false, "2 ounces"},
		{2, "oz", false, "2 oz"},
		{1.5, "tablespoons", false, "1.5 tablespoons"},
		{1, "teaspoons", false, "1 teaspoon"},
		{2, "tbsp", false, "2 tbsp"},
		{2, "litre", false, "2 litres"},
		{2, "liter", false, "2 liters"},
		{500, "grams", false, "500 grams"},
		{1500, "grams", false, "1.5 kg"}, // the same unit as g
		{2, "kilo", false, "2 kilos"},
		{2, "Prise", true, "2 Prisen"},
		{2, "pinch", false, "2 pinches"}, // before, as typed: "2 pinch"
		{1, "pinches", false, "1 pinch"},
		{1, "Prisen", true, "1 Prise"},
		{2, "Liter", true, "2 Liter"},
		{250, "Gramm", true, "250 Gramm"},
		{2, "Kilo", true, "2 Kilo"},
		{2, "EL", true, "2 EL"},             // one word in both numbers
		{2, "Handvoll", true, "2 Handvoll"}, // unknown: as typed
		{2, "Tasse", true, "2 Tassen"},      // before, unknown: "2 Tasse"
		{1, "Tassen", true, "1 Tasse"},
		{2, "Messerspitze", true, "2 Messerspitzen"},
		{2, "pinch", false, "2 pinches"},
		{3, "quart", false, "3 quarts"},
		{2, "gallons", false, "2 gallons"},
		{1, "gallons", false, "1 gallon"},
		{1400, "g", true, "1,4 kg"},
		// 1000 g and more in kg to the gram, up (before, "1 kg", "1.31 kg")
		{1005, "g", false, "1.005 kg"},
		{1005, "ml", true, "1,005 l"},
		{1312.5, "g", false, "1.313 kg"},
		// typed in kg or l: to the gram or millilitre too, up (before, two
		// decimals: "0.09 kg", 3.75 g short, "1.31 kg", "0.17 l")
		{0.125 * 7 / 4, "kg", false, "0.219 kg"},
		{0.125 * 3 / 4, "kg", false, "0.094 kg"},
		{0.75 * 7 / 4, "kg", true, "1,313 kg"},
		{0.7 * 3 / 12, "l", false, "0.175 l"},
		{0.5 * 1 / 3, "Liter", true, "0,167 Liter"},
		// a sum just under 1000 is in kg as it is written (before, "1000 g")
		{999.9999999, "g", false, "1 kg"},
		{999.996, "ml", false, "1 l"},
		{999.99, "g", false, "999.99 g"},
		// a one-letter unit keeps its case: "T" is a tablespoon, "t" a teaspoon
		{2, "T", false, "2 T"},
		{2, "t", false, "2 t"},
		{1.4, "kg", false, "1.4 kg"},
		// cl and dl to the millilitre, up (before, two decimals: "0.63 cl")
		{2.5 * 3 / 12, "cl", false, "0.7 cl"},
		{0.371, "dl", true, "0,38 dl"},
		{150, "cl", false, "150 cl"}, // as typed, however much
		{2, "Esslöffel", true, "2 Esslöffel"},
		{0.1 + 0.2, "l", false, "0.3 l"},
	} {
		if got := amountText(tc.q, tc.unit, tc.comma); got != tc.want {
			t.Errorf("amountText(%v, %q) = %q, want %q", tc.q, tc.unit, got, tc.want)
		}
	}
}

// TestAmountUnitKey: a counted unit in either form is one unit to merge
// by ("1 clove" and "1 clove" make "2 cloves", "2 cloves" and "1 Clove" add
// up); other units lower-cased as before.
func TestAmountUnitKey(t *testing.T) {
	for unit, want := range map[string]string{
		"clove": "clove", "Cloves": "clove", " cloves ": "clove", "Zehen": "zehe", "Dosen": "dose", "Stück": "stück",
		"pcs": "pc", "cups": "cup", "KG": "kg", "": "", "Handvoll": "handvoll",
		"Liters": "l", "litre": "l", "Liter": "l", "grams": "g", "Gramm": "g", "kilos": "kg", "Kilogramm": "kg",
		"millilitres": "ml", "Milliliter": "ml", "pounds": "lb", "lbs": "lb", "ounces": "oz", "tablespoons": "tbsp",
		"teaspoon": "tsp", "Prisen": "prise", "pinches": "pinch", "Boxen": "box", "Pack": "pack", "T": "T", "t": "t",
		"Bottles": "bottle", "loaves": "loaf", "boxes": "box", "Flaschen": "flasche", "Gläser": "glas", "Tüten": "tüte", "Laibe": "laib",
		"cl": "cl", "DL": "dl", "Esslöffel": "el", "eßlöffel": "el", "Teelöffel": "tl",
		"Cartons": "carton", "heads": "head", "Slices": "slice", "Kisten": "kiste", "Kästen": "kasten", "Netze": "netz", "Rollen": "rolle",
	} {
		if got := unitKey(unit); got != want {
			t.Errorf("unitKey(%q) = %q, want %q", unit, got, want)
		}
	}
	if q, u := inSmallerUnit(2, "Cloves"); q != 2 || u != "clove" {
		t.Errorf("inSmallerUnit(2, Cloves) = %v %q, want 2 clove", q, u)
	}
	if q, u := inSmallerUnit(2, "liters"); q != 2000 || u != "ml" {
		t.Errorf("inSmallerUnit(2, liters) = %v %q, want 2000 ml", q, u)
	}
	if q, u := inSmallerUnit(2, "cl"); q != 20 || u != "ml" {
		t.Errorf("inSmallerUnit(2, cl) = %v %q, want 20 ml", q, u)
	}
	if q, u := inSmallerUnit(1.5, "dl"); q != 150 || u != "ml" {
		t.Errorf("inSmallerUnit(1.5, dl) = %v %q, want 150 ml", q, u)
	}
}

// TestAmountUnitTablesMatchJS: the recipe page (web/static/js/amounts.js)
// writes a counted unit and a measure by the same tables as the list the
// server writes, so what goes on the list is what the page showed; and
// writes g and ml in kg and l (LARGER), kg, l, cl and dl to the gram or
// millilitre (SMALLER) as the server does.
func TestAmountUnitTablesMatchJS(t *testing.T) {
	src, err := os.ReadFile("../web/static/js/amounts.js")
	if err != nil {
		t.Fatal(err)
	}
	smaller := map[string]string{}
	for unit, s := range smallerUnit {
		smaller[unit] = strconv.FormatFloat(s.n, 'f', -1, 64)
	}
	pair := regexp.MustCompile(`(?:'([^']*)'|([\p{L}.]+))\s*:\s*(?:'([^']*)'|(\d+))`)
	for name, table := range map[string]map[string]string{"ENGLISH": englishUnits, "GERMAN": germanUnits,
		"ENGLISH_MEASURES": englishMeasures, "GERMAN_MEASURES": germanMeasures, "SAME_UNIT": sameUnit,
		"LARGER": largerUnit, "SMALLER": smaller} {
		m := regexp.MustCompile(`(?m)^const ` + name + ` = \{(.*)\};$`).FindSubmatch(src)
		if m == nil {
			t.Fatalf("amounts.js has no one-line table const %s = {...};", name)
		}
		js := map[string]string{}
		for _, p := range pair.FindAllSubmatch(m[1], -1) {
			js[string(p[1])+string(p[2])] = string(p[3]) + string(p[4])
		}
		// an entry written otherwise ("tin": "tins") would be skipped: none may be left
		if rest := strings.Trim(string(pair.ReplaceAll(m[1], nil)), " ,"); rest != "" {
			t.Errorf("amounts.js %s has entries this test cannot read (write them as clove: 'cloves'): %q", name, rest)
		}
		if !maps.Equal(js, table) {
			t.Errorf("amounts.js %s = %v, db/amounts.go has %v", name, js, table)
		}
	}
}
