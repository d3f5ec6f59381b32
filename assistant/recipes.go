package assistant

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Recipes: "add the lasagne recipe for 6 to the Aldi list", "Zutaten für
// Lasagne kaufen": a recipe's ingredients for a list (shopping.add_recipe).

const servingsWords = `(?: people| persons| servings| portions| of us| personen| portionen| leute)?`

var recipeRulesEN = []rule{
	{rx(`(?:add|put|get|buy|pop|stick) (?:the |my |our |a )?(.+?)[ -]recipe(?: for (\S+)` + servingsWords + `)?(?: (?:to|on|onto|in) (.+?))?(?: for (\S+)` + servingsWords + `)?`), (*parser).recipeEN},
	{rx(`(?:add|put|get|buy|pop|stick) (?:the |all the |all )?(?:ingredients|everything|stuff|things|what we need|all we need|what i need)(?: we need)? (?:for|to make) (?:the |a |an |some |my |our )?(.+?)(?: for (\S+)` + servingsWords + `)?(?: (?:to|on|onto) (.+?))?(?: for (\S+)` + servingsWords + `)?`), (*parser).recipeEN},
	{rx(`(?:we're|we are|i'm|i am) (?:making|cooking|baking|doing) (?:the |a |an |some |our )?(.+?)(?: for (\S+)` + servingsWords + `)?,? (?:so )?(?:add|put|get) (?:what we need|the ingredients|everything|what i need|the stuff)(?: (?:to|on) (.+?))?()`), (*parser).recipeEN},
}

var recipeRulesDE = []rule{
	{rx(`(?:setz|setze|setzen|schreib|schreibe|schreiben|pack|packe|packen|tu|tue|füg|füge|hinzufügen) (?:das |unser |mein |dein )?(\S+?)-?rezept(?: für (\S+)` + servingsWords + `)? (?:auf|zur|zu|in|an) (.+?)(?: hinzu)?()`), (*parser).recipeEN},
	{rx(`(?:setz|setze|setzen|schreib|schreibe|schreiben|pack|packe|packen|tu|tue|füg|füge|hinzufügen) (?:das |unser |mein )?rezept (?:für|von) (?:den |die |das |einen |eine )?(.+?)(?: für (\S+)` + servingsWords + `)? (?:auf|zur|zu|in|an) (.+?)(?: hinzu)?()`), (*parser).recipeEN},
	{rx(`(?:die |alle )?(zutaten|alles|sachen)(?: für| zum| zur) (?:den |die |das |einen |eine )?(.+?)(?: für (\S+)` + servingsWords + `)?(?: (?:auf|für|in) ` + namedListDE + `)? (?:kaufen|besorgen|einkaufen|holen)()`), (*parser).recipeLastDE},
	{rx(`(?:die |alle )?(zutaten|alles|sachen)(?: für| zum| zur) (?:den |die |das |einen |eine )?(.+?)(?: für (\S+)` + servingsWords + `)? (?:kaufen|besorgen|einkaufen|holen) (?:auf|für|in) ` + namedListDE + `()`), (*parser).recipeLastDE},
	{rx(`((?:die |alle )?(?:alles|sachen)(?: für| zum| zur) .+?) (kaufen|einkaufen)(?: (?:auf|für|in) ` + namedListDE + `)?`), (*parser).thingsForDE},
	{rx(`((?:die |alle )?(?:alles|sachen)(?: für| zum| zur) .+?) (?:auf|für|in) ` + namedListDE + ` (kaufen|einkaufen)`), (*parser).thingsForListFirstDE},
	{rx(`(?:(?:setz|setze|setzen|schreib|schreibe|schreiben|pack|packe|packen|tu|tue|füg|füge|hinzufügen) )?(?:die |alle )?(?:zutaten|alles|sachen|einkäufe)(?: für| zum| zur) (?:den |die |das |einen |eine )?(.+?)(?: für (\S+)` + servingsWords + `)? (?:auf|zur|zu|in) (.+?)(?: (?:setzen|schreiben|hinzu|hinzufügen))?()`), (*parser).recipeEN},
}

// recipeEN: m is name, servings, list, servings again (either place).
func (p *parser) recipeEN(m []string) (Intent, bool) {
	name := strings.TrimSpace(m[1])
	name = strings.TrimSuffix(strings.TrimSuffix(name, "-"), " recipe")
	// "we're making lasagne on Saturday, add the ingredients": the day is
	// when it is cooked, no part of its name (it was "lasagne on Saturday")
	name = strings.TrimSpace(recipeDayRx.ReplaceAllString(name, ""))
	if t := tidyTitle(name); t == "" || strings.Fields(name)[0] == "" {
		return Intent{}, false
	}
	if f := strings.Fields(name); len(f) > 5 {
		return Intent{}, false
	} else if last := f[len(f)-1]; p.lang == "de" && !isCapitalised(last) && isInfinitiveDE(last) {
		return Intent{}, false // "Sachen für die Schule kaufen auf die Aldi-Liste": no recipe "Schule kaufen"
	}
	in := Intent{Type: IntentShoppingAddRecipe, Slots: IntentSlots{Recipe: strings.Trim(name, ` ,.`)}}
	if p.lang == "de" {
		in.Slots.Recipe = capitalise(in.Slots.Recipe)
	}
	for _, s := range []string{m[2], m[4]} {
		if s == "" {
			continue
		}
		n, ok := servings(s)
		if !ok || in.Slots.Servings != 0 {
			return Intent{}, false
		}
		in.Slots.Servings = n
	}
	if m[3] != "" {
		list, isNew, ok := listName(m[3])
		if !ok || isNew {
			return Intent{}, false
		}
		in.Slots.List = list
	}
	return in, true
}

var recipeDayRx = regexp.MustCompile(`(?i)\s+(?:(?:on|this|next|am|diesen|nächsten) )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|morgen|heute abend|heute|(?:at the|this|am) (?:weekend|wochenende))$`)

func servings(s string) (int, bool) {
	if n, ok := numberWords[strings.ToLower(s)]; ok {
		return n, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= maxIntentServings
}

// recipeLastDE: "Zutaten für Lasagne kaufen" asks for a recipe's
// ingredients. "alles"/"Sachen für ..." does so only for a dish the
// grocery lexicon knows ("alles für den Apfelkuchen besorgen"): "Sachen für
// die Schule kaufen", "alles zum Grillen holen" name no recipe, and reading
// them as one answered "Ich finde kein Rezept „Schule“".
func (p *parser) recipeLastDE(m []string) (Intent, bool) {
	if strings.ToLower(m[1]) != "zutaten" && !dishKnown(m[2]) {
		return Intent{}, false
	}
	return p.recipeEN(append([]string{m[0]}, m[2:]...))
}

// thingsForDE: "Sachen für die Schule kaufen auf die Aldi-Liste" names
// no recipe ("Schule"); with a list named it is a note for that list, the
// item "Sachen für die Schule" (kaufen takes anything). Without a list it
// is too vague to be an item, and not understood. m is what, verb, list.
func (p *parser) thingsForDE(m []string) (Intent, bool) {
	if m[3] == "" || p.question || todoTarget.MatchString(m[3]) {
		return Intent{}, false
	}
	what := strings.TrimSpace(m[1])
	if f := strings.Fields(what); strings.EqualFold(f[0], "die") || strings.EqualFold(f[0], "alle") {
		what = strings.Join(f[1:], " ")
	}
	what = capitalise(what)
	for _, w := range strings.Fields(what) {
		if lw := strings.ToLower(w); !isCapitalised(w) && (isInfinitiveDE(lw) || notShoppingDE[lw] && lw != "sachen" && lw != "alles") {
			return Intent{}, false
		}
	}
	list, isNew, ok := listName(m[3])
	if !ok || isNew {
		return Intent{}, false
	}
	return Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{List: list, Items: []IntentItem{{Name: what}}}}, true
}

// thingsForListFirstDE: "Sachen für die Schule auf die Aldi-Liste kaufen".
func (p *parser) thingsForListFirstDE(m []string) (Intent, bool) {
	return p.thingsForDE([]string{m[0], m[1], m[3], m[2]})
}

// dishKnown: s is one word the grocery lexicon knows, or a compound ending
// in one ("Apfelkuchen": Kuchen).
func dishKnown(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \t") {
		return false
	}
	if _, ok := lookupItem(s); ok {
		return true
	}
	for i := range s {
		if i == 0 || utf8.RuneCountInString(s[i:]) < 4 {
			continue
		}
		if _, ok := lookupItem(s[i:]); ok {
			return true
		}
	}
	return false
}
