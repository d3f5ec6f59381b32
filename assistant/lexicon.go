package assistant

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// The grocery lexicon: common things families put on shopping lists, in
// English and German. It lets a bare "milk" be a command (an elliptic
// add), corrects typos in item names ("tomatos", "Milsh") and tells the
// language of a command that is only item names. Entries are written as
// they should appear on a list; English plurals are derived, German plural
// forms are listed.

var groceriesEN = `milk oat milk almond milk soy milk whole milk skimmed milk semi-skimmed milk chocolate milk
	cream sour cream double cream single cream whipping cream butter cheese cheddar mozzarella parmesan feta
	brie halloumi cottage cheese cream cheese yogurt yoghurt egg eggs margarine half and half custard
	bread loaf baguette roll bagel croissant muffin crumpet pitta tortilla wrap bun cake biscuit cookie
	cracker rice pasta spaghetti penne noodle lasagne sheets flour sugar salt pepper oil olive oil vinegar
	ketchup mustard mayonnaise mayo pesto honey jam marmalade peanut butter nutella jelly cereal muesli granola
	oats porridge coffee tea cocoa hot chocolate juice orange juice apple juice water sparkling water lemonade
	cola soda beer wine red wine white wine rosé prosecco champagne gin whisky
	apple banana orange lemon lime pear peach plum grape strawberry raspberry blueberry blackberry cherry
	melon watermelon pineapple mango kiwi avocado tomato potato sweet potato onion red onion spring onion
	garlic ginger carrot cucumber lettuce salad spinach kale cabbage broccoli cauliflower courgette zucchini
	aubergine eggplant pepper bell pepper chilli chili mushroom celery leek asparagus bean green bean pea
	sweetcorn corn radish beetroot pumpkin squash parsley basil coriander mint rosemary thyme herb
	chicken chicken breast chicken thigh beef mince minced beef steak pork bacon ham sausage salami turkey
	lamb fish salmon tuna cod prawn shrimp fish finger burger meatball
	chips crisps chocolate sweet candy popcorn nut peanut almond walnut cashew raisin pretzel gummy bear
	ice cream frozen peas frozen pizza pizza ice lolly
	tin tuna chopped tomatoes baked beans chickpea lentil stock cube soup sauce soy sauce passata tomato puree
	toilet paper toilet roll kitchen roll paper towel tissue napkin washing up liquid dish soap
	washing powder laundry detergent detergent fabric softener dishwasher tablet bin bag bin liner sponge
	bleach cleaner foil cling film baking paper battery light bulb candle balloon lighter match
	toothpaste toothbrush shampoo conditioner soap shower gel deodorant razor plaster sun cream
	nappy diaper wipe baby wipe formula dog food cat food cat litter bird seed
	tent peg torch charcoal firelighter screw nail flower bunch of flowers wrapping paper birthday card`

// groceriesDE lists German entries with their plural forms where they
// differ ("Apfel/Äpfel").
var groceriesDE = `Milch Hafermilch Vollmilch Sojamilch Mandelmilch Sahne Schlagsahne Schmand Butter Käse Frischkäse
	Quark Joghurt Jogurt Ei Eier Margarine Buttermilch Brot Brötchen Semmel/Semmeln Toast Toastbrot Baguette
	Croissant/Croissants Brezel/Brezeln Kuchen Keks/Kekse Zwieback Reis Nudeln Spaghetti Lasagneplatten Mehl
	Zucker Salz Pfeffer Öl Olivenöl Essig Ketchup Senf Mayonnaise Mayo Pesto Honig Marmelade Nutella Müsli
	Haferflocken Cornflakes Kaffee Tee Kakao Saft Apfelsaft Orangensaft Wasser Mineralwasser Sprudel Limo
	Limonade Cola Bier Wein Rotwein Weißwein Sekt Apfelschorle
	Apfel/Äpfel Banane/Bananen Orange/Orangen Zitrone/Zitronen Limette/Limetten Birne/Birnen Pfirsich/Pfirsiche
	Pflaume/Pflaumen Traube/Trauben Weintrauben Erdbeere/Erdbeeren Himbeere/Himbeeren Heidelbeere/Heidelbeeren
	Kirsche/Kirschen Melone/Melonen Ananas Mango/Mangos Kiwi/Kiwis Avocado/Avocados Tomate/Tomaten
	Kartoffel/Kartoffeln Zwiebel/Zwiebeln Knoblauch Ingwer Karotte/Karotten Möhre/Möhren Gurke/Gurken Salat
	Spinat Kohl Brokkoli Blumenkohl Zucchini Aubergine/Auberginen Paprika Pilze Champignons Sellerie Lauch
	Spargel Bohnen Erbsen Mais Radieschen Kürbis Petersilie Basilikum Schnittlauch Kräuter Obst Gemüse
	Hähnchen Hähnchenbrust Fleisch Rindfleisch Hackfleisch Hack Schweinefleisch Speck Schinken Wurst
	Würstchen Bratwurst Salami Aufschnitt Pute Fisch Lachs Thunfisch Garnelen Fischstäbchen
	Chips Schokolade Süßigkeiten Gummibärchen Nüsse Erdnüsse Salzstangen Popcorn Eis Tiefkühlpizza Pizza
	Pommes Tomatensoße Tomatensauce Soße Brühe Linsen Kichererbsen Dosentomaten
	Klopapier Toilettenpapier Küchenrolle Taschentücher Servietten Spülmittel Waschmittel Weichspüler
	Spülmaschinentabs Müllbeutel Mülltüten Schwamm/Schwämme Alufolie Frischhaltefolie Backpapier
	Batterie/Batterien Glühbirne/Glühbirnen Kerze/Kerzen Reiniger Putzmittel Zahnpasta Zahnbürste Shampoo
	Duschgel Seife Deo Windeln Feuchttücher Hundefutter Katzenfutter Katzenstreu Kohle Grillkohle
	Schraube/Schrauben Dübel/Dübeln Nagel/Nägel Blume/Blumen Blumenstrauß Geschenkpapier
	Geburtstagskarte/Geburtstagskarten`

// lexItem is a lexicon entry: the word as it is written on a list, its
// language, and whether it is a plural form.
type lexItem struct {
	word, lang string
	lemma      string // the entry's first form: forms of one word share it
	plural     bool
}

var (
	itemLexicon    = map[string]lexItem{} // folded word or phrase → entry
	itemWordsByLen [][]string             // folded single words by length, for typo correction
	itemHeads      = map[string]lexItem{} // German heads of compounds: "wein" → Wein
)

func init() {
	add := func(k string, it lexItem) {
		old, ok := itemLexicon[k]
		switch {
		case !ok:
			itemLexicon[k] = it
		case old.lang != it.lang:
			old.lang = "" // "Pizza", "Ketchup": both languages
			itemLexicon[k] = old
		}
	}
	for _, line := range strings.Split(groceriesEN, "\n") {
		for _, e := range splitEntries(line) {
			add(familyhub.Fold(e), lexItem{word: e, lang: "en", lemma: e})
			for _, pl := range englishPlurals(e) {
				add(familyhub.Fold(pl), lexItem{word: pl, lang: "en", lemma: e, plural: true})
			}
		}
	}
	for _, e := range strings.Fields(groceriesDE) {
		forms := strings.Split(e, "/")
		for i, f := range forms {
			add(familyhub.Fold(f), lexItem{word: f, lang: "de", lemma: forms[0], plural: i > 0 || strings.HasSuffix(f, "en") || strings.HasSuffix(f, "n")})
			if len([]rune(f)) >= 3 {
				itemHeads[familyhub.Fold(f)] = lexItem{word: f, lang: "de"}
			}
		}
	}
	for k := range itemLexicon {
		if !strings.Contains(k, " ") {
			n := utf8.RuneCountInString(k)
			for len(itemWordsByLen) <= n {
				itemWordsByLen = append(itemWordsByLen, nil)
			}
			itemWordsByLen[n] = append(itemWordsByLen[n], k)
		}
	}
	for _, ws := range itemWordsByLen {
		sort.Strings(ws) // the same answer whatever the map's order
	}
}

// splitEntries splits a line of the English lexicon into entries: words,
// and phrases of two words when the pair is a known phrase.
func splitEntries(line string) []string {
	f := strings.Fields(line)
	var out []string
	for i := 0; i < len(f); i++ {
		if i+1 < len(f) && englishPhraseStarts[f[i]+" "+f[i+1]] {
			if i+2 < len(f) && englishPhraseStarts[f[i]+" "+f[i+1]+" "+f[i+2]] {
				out = append(out, f[i]+" "+f[i+1]+" "+f[i+2])
				i += 2
				continue
			}
			out = append(out, f[i]+" "+f[i+1])
			i++
			continue
		}
		out = append(out, f[i])
	}
	return out
}

// englishPhraseStarts are the multi-word entries of groceriesEN.
var englishPhraseStarts = phraseSet(`oat_milk almond_milk soy_milk whole_milk skimmed_milk semi-skimmed_milk chocolate_milk
	sour_cream double_cream single_cream whipping_cream cottage_cheese cream_cheese half_and half_and_half lasagne_sheets
	olive_oil peanut_butter hot_chocolate orange_juice apple_juice sparkling_water red_wine white_wine sweet_potato
	red_onion spring_onion green_bean bell_pepper chicken_breast chicken_thigh minced_beef fish_finger gummy_bear
	ice_cream frozen_peas frozen_pizza ice_lolly chopped_tomatoes baked_beans stock_cube soy_sauce tomato_puree
	toilet_paper toilet_roll kitchen_roll paper_towel washing_up washing_up_liquid dish_soap washing_powder
	laundry_detergent fabric_softener dishwasher_tablet bin_bag bin_liner cling_film baking_paper light_bulb
	shower_gel sun_cream baby_wipe dog_food cat_food cat_litter bird_seed tent_peg`)

// phraseSet is a set of phrases written with underscores for spaces.
func phraseSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[strings.ReplaceAll(w, "_", " ")] = true
	}
	return m
}

// englishPlurals returns the plural forms of an English entry (of its
// last word).
func englishPlurals(e string) []string {
	i := strings.LastIndexByte(e, ' ')
	head, last := e[:i+1], e[i+1:]
	switch {
	case last == "" || strings.HasSuffix(last, "s") && !strings.HasSuffix(last, "ss"):
		return nil
	case strings.HasSuffix(last, "y") && !strings.ContainsAny(last[len(last)-2:len(last)-1], "aeiou"):
		return []string{head + last[:len(last)-1] + "ies"}
	case last == "tomato" || last == "potato" || last == "mango":
		return []string{head + last + "es"}
	case strings.HasSuffix(last, "ch") || strings.HasSuffix(last, "sh") || strings.HasSuffix(last, "x") || strings.HasSuffix(last, "ss"):
		return []string{head + last + "es"}
	case last == "loaf":
		return []string{head + "loaves"}
	case last == "knife":
		return []string{head + "knives"}
	}
	return []string{head + last + "s"}
}

// lookupItem finds a word or phrase in the grocery lexicon.
func lookupItem(s string) (lexItem, bool) {
	it, ok := itemLexicon[familyhub.Fold(s)]
	return it, ok
}

// correctItemWord returns the lexicon word w is a typo of ("tomatos" →
// "tomatoes", "Milsh" → "Milch"), in w's capitalisation, when the entries
// one edit away in the command's language are forms of one word (the one
// ending like w, else the longest); w itself when it is a known word or
// nothing is close.
func correctItemWord(w, lang string) string {
	f := familyhub.Fold(w)
	if len([]rune(f)) < 4 || strings.ContainsAny(f, "0123456789&'-") {
		return w
	}
	if _, ok := itemLexicon[f]; ok || knownWord(f) || knownWord(strings.ToLower(w)) || notTyposEN[f] {
		return w
	}
	var found lexItem
	n := 0
	n0 := utf8.RuneCountInString(f)
	for l := n0 - 1; l <= n0+1; l++ {
		if l < 0 || l >= len(itemWordsByLen) {
			continue
		}
		for _, c := range itemWordsByLen[l] {
			if editDistance(f, c, 1) > 1 {
				continue
			}
			it := itemLexicon[c]
			if lang != "" && it.lang != "" && it.lang != lang {
				continue
			}
			switch {
			case n == 0:
				found, n = it, 1
			case it.lemma != found.lemma:
				return w // two different words: no guess
			case (it.word[len(it.word)-1] == f[len(f)-1]) != (found.word[len(found.word)-1] == f[len(f)-1]):
				if it.word[len(it.word)-1] == f[len(f)-1] {
					found = it
				}
			case len(it.word) > len(found.word):
				found = it
			}
		}
	}
	if n == 0 {
		return w
	}
	if isCapitalised(w) {
		return capitalise(found.word)
	}
	if found.lang == "de" && !isCapitalised(w) {
		return strings.ToLower(found.word[:1]) + found.word[1:]
	}
	return found.word
}

// notTyposEN: things bought that are no groceries, each one edit away
// from an item of the lexicon, so taken for its typo ("buy Mia some pens"
// added peas, "jeans" beans, "a lamp" lamb): spelled right, they stay as
// said.
var notTyposEN = setOf(`pens doll dolls lamp lamps plug plugs fork forks rope ropes coats ties jeans sheet sheets mats
	hose dice nets watch watches case cases bats mile miles pipes`)

// Compound names that contain "and": never split.
var (
	// firmCompounds are one item whatever follows.
	firmCompounds = []string{"mac and cheese", "mac 'n' cheese", "mac n cheese", "macaroni and cheese", "half and half",
		"bangers and mash", "ben & jerry's", "ben and jerry's", "m&ms", "m&m's", "pick and mix", "pick 'n' mix",
		"strawberries and cream", "surf and turf", "sweet and sour", "salt & vinegar", "spaghetti aglio e olio"}
	// flavourPairs are one item when a product follows ("salt and pepper
	// crisps"); alone they are two ("salt and pepper").
	flavourPairs = []string{"salt and pepper", "salt & pepper", "salt and vinegar", "sour cream and onion",
		"cheese and onion", "cookies and cream", "ham and cheese", "chicken and mushroom", "tomato and basil",
		"sweet and sour", "sweet and salty", "fruit and nut", "apple and cinnamon", "strawberry and banana",
		"salz und pfeffer", "salz und essig", "käse und zwiebel", "sour cream und zwiebel", "tomate und mozzarella",
		"frucht und nuss", "erdbeer und banane"}
	flavourHeads = setOf(`crisps chips sauce soup pie pasta sandwich sandwiches dressing grinder seasoning ice yoghurt yogurt
		noodles pringles pizza toastie wrap wraps flavour bar bars cereal muesli cookies spread soße sauce suppe gewürz mühle eis
		riegel joghurt aufstrich`)
	// ambiguousCompounds may be one item or two: the parser asks.
	ambiguousCompounds = []string{"fish and chips", "fish & chips", "cheese and crackers", "chips and dip",
		"chips and salsa", "fisch und chips"}
	// distributive modifiers: "red and white wine" is red wine and white wine.
	distributive = setOf(`red white rosé green black brown whole skimmed semi-skimmed still sparkling hot cold fresh frozen
		dark light full-fat low-fat salted unsalted smoked plain sweet savoury large small`)
)

var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
	"fifty": 50, "sixty": 60, "ninety": 90,
	"eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
	"zehn": 10, "elf": 11, "zwölf": 12, "fünfzehn": 15, "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "neunzig": 90,
}

var articles = setOf(`a an ein eine einen einer`)

// units are the words the parser reads as an item's unit after a number or
// an article ("2 litres of milk", "eine Prise Salz"): every word of the
// measure and counted tables in db/amounts.go, in both numbers, so an add
// merges with a line in that unit, cl and dl (added up in ml there), and a
// few the tables leave as typed (dozen, Becher, Päckchen, Pfund). unitAt
// says when one is not the unit ("2 PC games", "2 gallon freezer bags").
var units = setOf(`l liter liters litre litres ml millilitre millilitres milliliter milliliters cl dl kg kilo kilos kilogram kilograms
	kilogramm g gram grams gramme grammes gramm lb lbs pound pounds oz ounce ounces pack packs packet packets package packages
	bottle bottles can cans tin tins box boxes bag bags jar jars dozen loaf loaves bunch bunches piece pieces pc pcs cup cups
	carton cartons head heads slice slices roll rolls tub tubs tube tubes bar bars pot pots punnet punnets pint pints
	clove cloves pinch pinches tablespoon tablespoons tbsp teaspoon teaspoons tsp quart quarts gallon gallons
	flasche flaschen dose dosen packung packungen stück stk stk. glas gläser beutel tüte tüten bund becher kiste kisten
	schachtel schachteln päckchen rolle rollen pfund netz netze kasten kästen laib laibe scheibe scheiben
	zehe zehen prise prisen boxen tasse tassen messerspitze messerspitzen esslöffel eßlöffel teelöffel`)

// numberUnits are units only after a number: "2 EL Zucker", "3 TL Zimt"
// (Esslöffel, Teelöffel; one word in both numbers), but "an El Paso kit"
// is a name.
var numberUnits = setOf(`el tl`)

// numberUnit says whether word is one of numberUnits as a unit is written,
// all capitals or all small ("EL", "tl"): "El" begins a name ("2 El Paso
// kits"), except right after a number in German, and glued to a number
// ("2El"), where it is EL (unitAt, parseItem).
func numberUnit(word string) bool {
	return numberUnits[strings.ToLower(word)] && (word == strings.ToUpper(word) || word == strings.ToLower(word))
}

// capitalUnits are the units written in capitals too ("2 KG", "3 EL"):
// abbreviations. Another unit word in capitals is an acronym that begins
// a name ("2 PC games"; unitAt).
var capitalUnits = setOf(`kg ml cl dl el tl lb lbs oz tbsp tsp stk stk.`)

// unitWritten is a unit word as the parser writes it: a spelt-out
// Esslöffel or Teelöffel (the same unit as EL or TL to the list: db.SameUnit)
// as EL or TL, as German speech recognition spells them, a capitalised
// "El" or "Tl" (read after a number) as EL or TL, "gr" ("500gr") as g; any
// other as typed.
func unitWritten(word string) string {
	lw := strings.ToLower(word)
	if lw == "gr" {
		return "g"
	}
	for _, u := range []string{"EL", "TL"} {
		if db.SameUnit(word, u) && (word != lw || !numberUnits[lw]) {
			return u
		}
	}
	return word
}

var itemFillers = setOf(`some more a an the few couple of etwas noch mehr ein eine einen paar die der das den dem
	any extra another frische frischen frisches fresh new neue neuen neues`)
