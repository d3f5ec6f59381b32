package db

import (
	"sort"
	"strings"
	"unicode"

	"github.com/familyhub/familyhub"
)

// The built-in, offline dictionary of the auto-categoriser: common grocery
// and household words in English and German, filed under the default
// category names of migration 00003. It lives in db because an insert files
// the names it knows in its own transaction (CategoryIndex.AutoCategory);
// the categorise job (package jobs) uses the same decision. Words are folded (see fold): lower
// case, umlauts as ae/oe/ue, ß as ss. Multi-word entries match as phrases.
var dictionarySource = map[string]string{
	"produce": `apple banana orange lemon lime grapefruit pear peach plum apricot cherry grape strawberry raspberry
		blueberry blackberry melon watermelon pineapple mango kiwi avocado fig date pomegranate berries fruit
		potato sweet potato tomato cucumber carrot onion red onion spring onion garlic ginger lettuce salad spinach
		kale cabbage broccoli cauliflower zucchini courgette eggplant aubergine pepper bell pepper chili mushroom
		celery leek asparagus beans green beans peas corn radish beetroot pumpkin squash herbs parsley basil
		coriander cilantro mint rosemary thyme dill chives rocket arugula vegetables veg
		apfel aepfel birne pfirsich pflaume aprikose kirsche traube weintrauben erdbeere himbeere heidelbeere
		brombeere melone ananas zitrone limette orange mandarine obst kartoffel kartoffeln tomate tomaten gurke
		karotte karotten moehre moehren moehrchen zwiebel zwiebeln knoblauch ingwer salat kopfsalat eisbergsalat
		spinat kohl rotkohl weisskohl brokkoli blumenkohl zucchini aubergine paprika pilze champignons sellerie
		lauch porree spargel bohnen erbsen mais radieschen rote bete kuerbis petersilie schnittlauch
		kraeuter gemuese feldsalat rucola`,
	"bakery": `bread loaf baguette roll rolls bun buns bagel croissant toast sourdough rye bread wholemeal bread
		pita tortilla wraps muffin cake pastry brioche pretzel
		brot brotchen broetchen semmel semmeln toastbrot vollkornbrot schwarzbrot weissbrot laugenbrezel brezel
		breze kuchen croissants gebaeck zwieback`,
	"dairy": `milk whole milk oat milk cream sour cream whipped cream butter cheese cheddar mozzarella parmesan feta
		gouda brie yogurt yoghurt curd quark cottage cheese cream cheese eggs egg margarine kefir buttermilk
		milch vollmilch hafermilch sahne schlagsahne saure sahne schmand butter kaese kaese frischkaese joghurt
		jogurt quark eier ei margarine buttermilch creme fraiche`,
	"meat & fish": `meat chicken chicken breast beef pork lamb turkey mince minced meat ground beef steak bacon ham
		sausage sausages salami fish salmon tuna cod shrimp prawns seafood
		fleisch haehnchen haehnchenbrust huhn rind rindfleisch schwein schweinefleisch lamm pute putenbrust
		hackfleisch hack gehacktes steak speck schinken wurst wuerstchen bratwurst salami fisch lachs thunfisch
		kabeljau garnelen aufschnitt`,
	"frozen": `frozen peas frozen pizza pizza ice cream ice cubes frozen vegetables fish fingers fries frozen berries
		tiefkuehlpizza eis speiseeis eiswuerfel fischstaebchen pommes tiefkuehlgemuese`,
	"pantry": `flour sugar salt pepper rice pasta spaghetti noodles oats oatmeal cereal muesli cornflakes honey jam
		peanut butter nutella oil olive oil vinegar ketchup mustard mayonnaise mayo soy sauce sauce stock broth
		canned tomatoes beans lentils chickpeas tuna can coffee tea cocoa baking powder yeast vanilla spices
		cinnamon paprika powder
		mehl zucker salz pfeffer reis nudeln spaghetti haferflocken muesli cornflakes honig marmelade konfituere
		oel olivenoel essig senf mayonnaise sojasauce bruehe linsen kichererbsen dosentomaten kaffee tee kakao
		backpulver hefe gewuerze zimt`,
	"snacks": `chips crisps chocolate candy sweets cookies biscuits crackers nuts peanuts popcorn pretzels gummy bears
		chocolate bar
		schokolade suessigkeiten kekse chips salzstangen nuesse erdnuesse gummibaerchen popcorn`,
	"drinks": `water sparkling water mineral water juice orange juice apple juice soda cola lemonade beer wine red wine
		white wine prosecco champagne
		wasser mineralwasser sprudel saft orangensaft apfelsaft apfelschorle limo limonade cola bier wein
		rotwein weisswein sekt`,
	"household": `toilet paper kitchen roll paper towels tissues napkins detergent laundry detergent dish soap
		dishwasher tablets washing up liquid sponge sponges trash bags bin bags garbage bags aluminium foil foil
		cling film baking paper batteries light bulb candles cleaner bleach softener fabric softener
		toilettenpapier klopapier kuechenrolle taschentuecher servietten waschmittel spuelmittel spuelmaschinentabs
		schwamm schwaemme muellbeutel muelltueten alufolie frischhaltefolie backpapier batterien gluehbirne
		kerzen reiniger putzmittel weichspueler`,
	"personal care": `shampoo conditioner soap shower gel toothpaste toothbrush deodorant deo razor razors shaving foam
		lotion sunscreen cotton pads tampons pads plasters band aids floss
		seife duschgel zahnpasta zahnbuerste deo rasierer rasierschaum creme sonnencreme wattepads binden
		pflaster zahnseide`,
	"baby": `diapers nappies baby food wipes baby wipes formula
		windeln babynahrung feuchttuecher babybrei`,
	"pets": `cat food dog food cat litter litter pet food dog treats
		katzenfutter hundefutter katzenstreu tierfutter futter leckerli`,
}

// defaultCategories are the seeded category names (migration 00003), in
// store-walk order, without "other".
var defaultCategories = []string{
	"produce", "bakery", "dairy", "meat & fish", "frozen", "pantry", "snacks",
	"drinks", "household", "personal care", "baby", "pets",
}

// dictionary maps a folded word or phrase to its category name.
var dictionary = buildDictionary()

// dictWords are the single words of the dictionary, for typo matching.
var dictWords []string

func buildDictionary() map[string]string {
	d := map[string]string{}
	// Phrases first: a line of the source holds words; known multi-word
	// entries are the adjacent pairs that form them, listed here.
	phrases := []string{
		"sweet potato", "red onion", "spring onion", "bell pepper", "green beans", "rote bete",
		"rye bread", "wholemeal bread", "whole milk", "oat milk", "sour cream", "whipped cream",
		"cottage cheese", "cream cheese", "saure sahne", "creme fraiche", "chicken breast", "minced meat",
		"ground beef", "frozen peas", "frozen pizza", "ice cream", "ice cubes", "frozen vegetables",
		"fish fingers", "frozen berries", "peanut butter", "olive oil", "soy sauce", "canned tomatoes",
		"baking powder", "paprika powder", "gummy bears", "chocolate bar", "sparkling water", "mineral water",
		"orange juice", "apple juice", "red wine", "white wine", "toilet paper", "kitchen roll", "paper towels",
		"laundry detergent", "dish soap", "dishwasher tablets", "washing up liquid", "trash bags", "bin bags",
		"garbage bags", "aluminium foil", "cling film", "baking paper", "light bulb", "fabric softener",
		"shower gel", "shaving foam", "cotton pads", "band aids", "baby food", "baby wipes", "cat food",
		"dog food", "cat litter", "pet food", "dog treats",
	}
	phraseCat := map[string]string{}
	// In store-walk order, so a word listed twice goes to the first.
	for _, cat := range defaultCategories {
		text := dictionarySource[cat]
		text = " " + strings.Join(strings.Fields(text), " ") + " "
		for _, p := range phrases {
			if strings.Contains(text, " "+p+" ") {
				phraseCat[p] = cat
				text = strings.ReplaceAll(text, " "+p+" ", " ")
			}
		}
		for _, w := range strings.Fields(text) {
			if _, ok := d[w]; !ok {
				d[w] = cat
			}
		}
	}
	for p, cat := range phraseCat {
		d[p] = cat
	}
	for w := range d {
		if !strings.Contains(w, " ") {
			dictWords = append(dictWords, w)
		}
	}
	sort.Strings(dictWords)
	return d
}

// words splits a folded item name into its words, dropping quantities and
// punctuation: "2 l Milch (bio)" is [milch bio].
func words(name string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(familyhub.Fold(name), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) >= 2 {
			out = append(out, w)
		}
	}
	return out
}

// DictionaryCategory returns the default category name the built-in
// dictionary files an item name under, or "" when it does not know it.
// It tries the whole name, then each pair of adjacent words, then each
// word from the last (the head noun: "chocolate milk" is milk), each also
// as a singular, as the tail of a German compound ("Vollkornbrot"), and,
// for words of five letters or more, with one typo. A name with "with",
// "without", "for" ("mit", "ohne", "für") is first filed by what comes
// before it: "Orangensaft ohne Fruchtfleisch" is juice, not meat.
func DictionaryCategory(name string) string {
	ws := words(name)
	for i := 1; i < len(ws); i++ {
		if connectors[ws[i]] {
			if c := categoryOf(ws[:i]); c != "" {
				return c
			}
			break
		}
	}
	return categoryOf(ws)
}

// connectors are the (folded) words after which a name says what its
// thing has, lacks or is for, not what it is.
var connectors = map[string]bool{"with": true, "without": true, "for": true, "mit": true, "ohne": true, "fuer": true}

// categoryOf is DictionaryCategory for a name's words.
func categoryOf(ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	if c := lookupPhrase(strings.Join(ws, " ")); c != "" {
		return c
	}
	for i := len(ws) - 2; i >= 0; i-- {
		if c := lookupPhrase(ws[i] + " " + ws[i+1]); c != "" {
			return c
		}
	}
	for i := len(ws) - 1; i >= 0; i-- {
		if c := lookupWord(ws[i]); c != "" {
			return c
		}
	}
	for i := len(ws) - 1; i >= 0; i-- {
		if c := lookupFuzzy(ws[i]); c != "" {
			return c
		}
	}
	return ""
}

// lookupPhrase matches a phrase exactly or with its last word singular.
func lookupPhrase(p string) string {
	if c, ok := dictionary[p]; ok {
		return c
	}
	i := strings.LastIndexByte(p, ' ')
	for _, s := range singulars(p[i+1:]) {
		if c, ok := dictionary[p[:i+1]+s]; ok {
			return c
		}
	}
	return ""
}

// lookupWord matches a word, its singulars, or a compound's tail.
func lookupWord(w string) string {
	if c := lookupPhrase(w); c != "" {
		return c
	}
	// German compounds: the longest dictionary word (4+ letters) the word
	// ends with ("Orangensaft" → saft, "Toilettenpapier" → papier is not
	// known, but toilettenpapier is).
	best := ""
	for _, cand := range append([]string{w}, singulars(w)...) {
		for i := 1; i+4 <= len(cand); i++ {
			if _, ok := dictionary[cand[i:]]; ok && len(cand[i:]) > len(best) {
				best = cand[i:]
			}
		}
	}
	if best != "" {
		return dictionary[best]
	}
	return ""
}

// lookupFuzzy matches a word of five letters or more, or one of its
// singulars, to a dictionary word at edit distance 1.
func lookupFuzzy(w string) string {
	for _, cand := range append([]string{w}, singulars(w)...) {
		if len([]rune(cand)) < 5 {
			continue
		}
		for _, d := range dictWords {
			if len([]rune(d)) >= 5 && editDistance1(cand, d) {
				return dictionary[d]
			}
		}
	}
	return ""
}

// singulars returns the likely singular forms of an English or German
// plural (they may not be words; the lookup decides).
func singulars(w string) []string {
	var out []string
	add := func(suffix, repl string) {
		if strings.HasSuffix(w, suffix) && len(w) > len(suffix)+1 {
			out = append(out, strings.TrimSuffix(w, suffix)+repl)
		}
	}
	add("ies", "y")  // cherries
	add("ves", "f")  // loaves
	add("ves", "fe") // knives
	add("oes", "o")  // tomatoes
	add("es", "")    // boxes
	add("s", "")     // apples, joghurts
	add("en", "")    // Tomaten → tomat (tomate via "n")
	add("n", "")     // Kartoffeln, Tomaten
	add("e", "")     // Würste → wurst (after umlaut folding below)
	add("er", "")    // Eier → ei
	// Umlaut plurals: Äpfel → Apfel, Nüsse → Nuss.
	for _, f := range []string{w, strings.TrimSuffix(w, "e")} {
		for _, p := range [][2]string{{"ae", "a"}, {"oe", "o"}, {"ue", "u"}} {
			if i := strings.LastIndex(f, p[0]); i >= 0 {
				out = append(out, f[:i]+p[1]+f[i+len(p[0]):])
			}
		}
	}
	return out
}

// editDistance1 reports whether a and b differ by exactly one insertion,
// deletion, substitution or swap of adjacent letters.
func editDistance1(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	switch len(y) - len(x) {
	case 0:
		diff := -1
		for i := range x {
			if x[i] != y[i] {
				if diff >= 0 {
					// a second difference: only an adjacent swap still counts
					return diff == i-1 && x[diff] == y[i] && x[i] == y[diff] && string(x[i+1:]) == string(y[i+1:])
				}
				diff = i
			}
		}
		return diff >= 0
	case 1:
		i := 0
		for i < len(x) && x[i] == y[i] {
			i++
		}
		return string(x[i:]) == string(y[i+1:])
	}
	return false
}
