package assistant

import (
	"regexp"
	"strings"
	"time"
)

// Shopping: add (to a named list, the default list or a new one), tick,
// remove, move between lists, clear ticked. Recipes are in recipes.go.

var listRulesEN = []rule{
	{rx(`(?:create|make|start|add|set up|open|begin) (?:a |an )?(?:new )?(?:shopping )?list (?:called|named|for) (?:the )?(.+?)(?:(?: with|:) (.+))?`), (*parser).newList},
	{rx(`(?:create|make|start|set up|open|begin) (?:a |an )?new (.+?) list(?:(?: with|:) (.+))?`), (*parser).newList},
	{rx(`new list:? (.+?)(?:(?: with|:) (.+))?`), (*parser).newList},
}

var listRulesDE = []rule{
	{rx(`(?:leg|lege|anlegen|erstell|erstelle|erstellen|mach|mache|machen|starte|start) (?:eine |)(?:neue )?(?:einkaufs)?liste (?:namens |mit dem namen |für (?:den |die |das )?)?(.+?)(?: an)?(?:(?: mit|:) (.+?))?(?: an)?`), (*parser).newList},
	{rx(`(?:eine )?neue (?:einkaufs)?liste:? (.+?)(?:(?: mit|:) (.+))?`), (*parser).newList},
}

// newList: "create a list called hardware" (shopping.create_list), "start
// a new list for the party with balloons" (add_items to a new list).
func (p *parser) newList(m []string) (Intent, bool) {
	name := strings.Trim(strings.TrimSpace(m[1]), ` ,:"'`)
	if name == "" || len(strings.Fields(name)) > 3 || whenWordish(strings.ToLower(name)) {
		return Intent{}, false
	}
	if m[2] == "" {
		return Intent{Type: IntentShoppingCreateList, Slots: IntentSlots{List: name}}, true
	}
	if sc := p.scanWhen(m[2], scanOpts{}); sc.found {
		return Intent{}, false
	}
	return p.itemsIntent(IntentShoppingAddItems, m[2], IntentSlots{List: name, NewList: true})
}

var shoppingChangeRulesEN = []rule{
	{rx(`(?:clear|remove|delete|get rid of|clean up|tidy up|empty) (?:out )?(?:all )?(?:of )?(?:the )?(?:ticked|checked|crossed|crossed off|ticked off|checked off|done|bought|completed|purchased)(?: off)?(?: items| things| stuff| ones| entries| off)?(?: (?:from|on|off|in) (?:the |my |our )?(.+))?`), (*parser).clearChecked},
	{rx(`(?:clear|remove|delete|get rid of) (?:out )?everything (?:that's|that is|that has been|that's been|we've|we have|i've|already)(?: been| already)? (?:ticked|checked|crossed|bought|got)(?: off)?(?: (?:from|on) (?:the |my |our )?(.+))?`), (*parser).clearChecked},
	{rx(`(?:clean up|tidy up|tidy|clean) (?:the |my |our )?(.+? list|list)`), (*parser).clearChecked},
	{rx(`(?:put|add|move) (.+?) (?:on|to|onto) (?:the |my |our )?(.+?) instead(?: of (?:the )?(.+))?`), (*parser).moveInstead},
	{rx(`(?:remove|delete|take|cross out|scratch|drop|strike|get rid of) (.+?) (?:from|off|out of) (?:of )?(?:the |my |our )?(.+)`), (*parser).removeFrom},
	{rx(`(?:we|i) (?:don't|do not|no longer) need (?:the |any )?(.+?)(?: any ?more)?`), (*parser).removePlain},
	{rx(`(?:forget|never mind|scrap|scratch|no more) (?:about )?(?:the )?(.+)`), (*parser).removePlain},
	{rx(`(?:remove|drop) (.+)`), (*parser).removePlain},
	{rx(`delete (.+)`), (*parser).deleteAny},
	{rx(`(?:check|tick|cross|strike) off (.+?)(?: (?:from|on|in) (?:the |my |our )?(.+?))?`), (*parser).check},
	{rx(`(?:check|tick|cross|strike) (.+?) off(?: (?:the |my |our )?(.+?))?`), (*parser).check},
	{rx(`mark (.+?) (?:as )?(?:bought|got|purchased|gotten|in the basket|in the trolley)(?: (?:on|in|from) (?:the |my |our )?(.+?))?`), (*parser).check},
	{rx(`(?:i |we |i've |we've |i have |we have )?(?:just |already )?(?:have )?(got|bought|picked up|grabbed|found)( the| some)? (.+?)(?: (?:from|for|on) (?:the |my |our )?(.+? list))?`), (*parser).checkGotEN},
	{rx(`(?:the )?(.+?) (?:is|are) (?:in the|in my|in our) (?:basket|trolley|cart|bag)()`), (*parser).check},
}

var shoppingAddRulesEN = []rule{
	// "for the cake we need flour, sugar and eggs": what they are for first
	{rx(`for (?:the |a |an |our |my )?(\S+),? (?:we|i) need (?:some |more )?(.+)`), (*parser).addForPurpose},
	{rx(`(?:add|put|write|stick|pop|place|throw|chuck|jot|note)(?: down)? (.+?) (?:to|on|onto|in|into) (?:the |my |our |a )?(.+?)`), (*parser).addTo},
	{rx(`(?:we|i) (?:need|needs|want|could use|'d like|would like|gotta (get)|have to (get)|must (get)) (?:to (buy|get|pick up|grab) )?(?:some |more |a few )?(.+)`), (*parser).addNeeded},
	{rx(`(?:we're|we are|i'm|i am|we've|we have|i've|i have|we|i)(?: all| almost| nearly| completely| just)? (?:out of|running low on|low on|running out of|run out of|ran out of|short of|short on)(?: some)? (.+)`), (*parser).addDefault},
	// "we've got no more toilet roll", "there's no milk left": run out (it
	// asked to tick "no more toilet roll")
	{rx(`(?:we've got|we have got|we've|we have|i've got|i have got|i've|i have|there's|there is|there are|got) no more (.+?)(?: left)?`), (*parser).addRunOut},
	{rx(`(?:we've got|we have got|we've|we have|i've got|i have got|i've|i have|there's|there is|there are|got) no (.+?) left`), (*parser).addRunOut},
	// "the dishwasher tablets are nearly gone": running out, said of the thing (it was not understood)
	{rx(`(?:the |our )?(.+?)(?: is| are| ?'s| ?'re) (?:nearly|almost|practically|just about|all but) (?:gone|used up|run out|out)`), (*parser).addRunningOut},
	{rx(`(?:the |our )?(.+?)(?: is| are| ?'s| ?'re) (?:all gone|used up|running out|running low)`), (*parser).addRunningOut},
	{rx(`(?:buy|get|pick up|grab)(?: some| more| a few)? (.+?) (?:on|for|to|onto) (?:the |my |our )?(\S+ list|\S+-list|list)`), (*parser).addTo},
	{rx(`(?:out of|low on|running low on|need|need more|more|buy|add)(?: some| more| a few)? (.+)`), (*parser).addDefault},
	{rx(`(?:get|pick up|grab|fetch)(?: some| more| a few)? (.+)`), (*parser).fetchDefault},
}

var shoppingChangeRulesDE = []rule{
	{rx(`(?:lösch|lösche|löschen|entfern|entferne|entfernen|räum|räume) (?:alle |die |alles )?(?:abgehakten?|erledigten?|gekauften?|durchgestrichenen?)(?: einträge| sachen| artikel| dinge| produkte| punkte)?(?: (?:von|aus|auf) (?:der |dem )?(.+))?`), (*parser).clearChecked},
	{rx(`(?:räum|räume|aufräumen) (?:die |meine |unsere )?(.+?liste)(?: auf)?`), (*parser).clearChecked},
	{rx(`(?:setz|setze) (.+?) auf (.+?) um()`), (*parser).moveInstead},
	// "nimm die Chips wieder von der Liste": "wieder" is no part of the item (it removed "Chips wieder")
	{rx(`(?:nimm|nehm|nehme|lösch|lösche|löschen|entfern|entferne|entfernen|streich|streiche|streichen) (.+?)(?: wieder)? (?:von|aus) (?:der |dem |meiner |unserer )?(.+?)(?: runter)?`), (*parser).removeFrom},
	{rx(`(.+?) (?:brauchen wir|brauche ich|braucht ihr) (?:doch )?(?:nicht mehr|nicht|keine?n? mehr)`), (*parser).removePlain},
	{rx(`(?:entfern|entferne|entfernen|lösch|lösche|löschen) (.+)`), (*parser).deleteAny},
	{rx(`(?:hak|hake|abhaken) (.+?)(?: (?:auf|von) (?:der |dem |meiner |unserer )?(.+?))?(?: ab)?`), (*parser).check},
	{rx(`(?:streich|streiche) (.+?)(?: (?:auf|von) (?:der |dem )?(.+?))? durch`), (*parser).check},
	{rx(`durchstreichen (.+?)(?: (?:auf|von) (?:der |dem )?(.+?))?`), (*parser).check},
	{rx(`(?:ich habe|ich hab|habe|hab|wir haben|haben) ((?:die |den |das )?.+?) (gekauft|besorgt|geholt|abgeholt|mitgebracht|bekommen)`), (*parser).checkFetchedDE},
	{rx(`(.+?) (?:hab|habe|haben) (?:ich|wir) (?:schon |jetzt |gerade )?(gekauft|besorgt|geholt|abgeholt|mitgebracht)`), (*parser).checkFetchedDE},
	{rx(`(.+?) (gekauft|besorgt|geholt|abgeholt|mitgebracht)`), (*parser).checkFetchedDE},
	{rx(`(.+?) (?:ist|sind) (?:im|in dem|in unserem) (?:wagen|korb|einkaufswagen|einkaufskorb)()`), (*parser).check},
}

var shoppingAddRulesDE = []rule{
	// "für den Kuchen brauchen wir Mehl, Zucker und Eier" (not understood)
	{rx(`für (?:den |die |das |einen |eine |unseren |unsere |unser )?(\S+),? (?:brauchen wir|brauche ich|braucht ihr)(?: noch)? (.+)`), (*parser).addForPurpose},
	{rx(`(?:setz|setze|setzen|schreib|schreibe|schreiben|pack|packe|packen|tu|tue|tun|notier|notiere|aufschreiben|draufsetzen) (.+?) (?:auf|zur|in) (?:die |meine |unsere |den |der )?(.+?)(?: drauf)?`), (*parser).addTo},
	{rx(`(?:füg|füge|fügen|hinzufügen) (.+?) (?:zur|zu der|zum|zu|in die|in den|auf die) (.+?)(?: hinzu)?`), (*parser).addTo},
	// "nimm Brot und Milch auf die Liste": only onto a list (the first
	// item was "Nimm Brot"); "nimm den Zahnarzt aus dem Kalender" deletes
	{rx(`(?:nimm|nehm|nehme) (.+?) (?:mit )?(?:auf|in) (?:die |meine |unsere )?(\S*liste)`), (*parser).addTo},
	{rx(`(?:füg|füge) (.+?) hinzu`), (*parser).addDefault},
	// "schreib Milch auf", "zwei Packungen Windeln aufschreiben": groceries
	// noted without a list go on the default one (they were not understood)
	{rx(`(?:schreib|schreibe) (.+?) auf`), (*parser).addNoted},
	{rx(`aufschreiben (.+)`), (*parser).addNoted}, // "… aufschreiben", moved to the front
	{rx(`(?:kauf|kaufe|besorg|besorge|hol|hole)(?: noch| mehr| auch| etwas| ein paar| neue?n?)* (.+?) (?:auf|für|in) ` + namedListDE), (*parser).addTo},
	{rx(`(?:und |dann |noch |mehr |auch |etwas |ein paar )*(.+?) (kaufen|besorgen|einkaufen|holen|mitbringen)(?: (?:auf|für|in) ` + namedListDE + `)?`), (*parser).buyLastDE},
	{rx(`(?:bring|bringe)(?: noch| mehr| auch| etwas| ein paar)* (.+?) (mit)()`), (*parser).buyLastDE},
	{rx(`(.+?) auf (?:die |der |unsere |meine )?(\S*liste|\S+-liste|liste .+|einkaufszettel)`), (*parser).addTo},
	{rx(`(?:wir|ich) (?:müssen|muss|sollten|sollte) (?:noch )?(.+?) (?:kaufen|besorgen|holen|einkaufen)`), (*parser).addDefault},
	// "die Spülmaschinentabs sind fast alle": nearly run out is to buy too (it was not understood)
	{rx(`(?:der |die |das |unser |unsere )?(.+?) (?:ist|sind) (?:fast |bald |gleich |schon fast |fast schon |so gut wie )?(?:alle|leer|aus|aufgebraucht|ausgegangen)`), (*parser).addDefault},
	{rx(`(?:hol|hole|holen|besorg|besorge|besorgen)(?: noch| mehr| auch| etwas| ein paar| neue?n?)* (.+?)(?: mehr)?`), (*parser).fetchDefault},
	{rx(`(?:wir brauchen|ich brauche|wir bräuchten|ich bräuchte|brauchen wir|brauche|kauf|kaufe|kaufen|uns fehlt|uns fehlen|mir fehlt|mir fehlen|es fehlt|es fehlen|wir haben keine?n?|ich habe keine?n?|wir haben kein|haben keine?n?)(?: noch| mehr| auch| etwas| ein paar| neue?n?)* (.+?)(?: mehr)?`), (*parser).addDefault},
}

// namedListDE is a list said with its word for list ("die Aldi-Liste",
// "unsere Einkaufsliste", "den Einkaufszettel"), lower case as rules match.
const namedListDE = `(?:die |der |den |unsere |unserer |meine |meiner )?(\S*liste|\S+-liste|liste .+|einkaufszettel)`

var listBeforeVerbDE = regexp.MustCompile(`(?i)^(.+?) (?:auf|für|in) ` + namedListDE + `$`)

// notShoppingDE are words that make the words before a final "kaufen"
// more than things to buy: people and modal verbs (a question or a
// statement: "müssen wir Milch kaufen", "soll ich Brot holen"), negation
// ("keine Milch kaufen"), a zu-infinitive, and vague words that name no item
// ("Zutaten kaufen": a recipe says which).
var notShoppingDE = setOf(`ich du er sie es wir ihr man mich dich mir dir uns euch ihn ihm ihnen
	muss musst müssen müsst soll sollst sollen sollt sollte solltest sollten kann kannst können könnt könnte
	könnten darf darfst dürfen will willst wollen möchte möchtest möchten mag habe hab hast hat haben habt
	bin bist ist sind seid war waren wird wirst werden würde würden nicht kein keine keinen keiner keinem
	nie niemals zu alles zutaten sachen einkäufe`)

// commandWordsDE are the imperatives (and infinitives) the German rules
// start a command with; a verb-last note starting with one is that
// command's ("streich Geschenk kaufen" adds no item "streich Geschenk").
var commandWordsDE = setOf(`abhaken anlegen aufschreiben draufsetzen eintragen entfern entferne entfernen erinner erinnere
	erinnern erinnre erstell erstelle erstellen füg füge hak hake hinzufügen leg lege lösch lösche löschen mach mache
	nimm notier notiere notieren pack packe packen plan plane planen räum räume schieb schiebe schieben schreib schreibe
	schreiben setz setze setzen start starte streich streiche streichen trag trage tu tue tun verleg verlege verlegen
	verschieb verschiebe verschieben vormerken zieh ziehe kauf kaufe besorg besorge hol hole bring bringe vergiss
	vergesst denk denke aufgabe termin erinnerung`)

// buyLastDE: a German shopping note with its verb last, as German writes a
// to-do ("Milch kaufen", "noch Butter holen", "2 Liter Milch besorgen",
// "Brot und Eier für die Aldi-Liste kaufen", "bring Milch mit"): items for
// the list named, else the default list; with a time it is a task (the
// elliptic rule's). It declines a question ("Milch kaufen?"), words that
// are no things (notShoppingDE), and a second verb ("Oma anrufen und Milch
// kaufen"). holen and mitbringen also fetch people and things from places
// ("Mia holen", "Kuchen aus dem Ofen holen"): with them every item must be
// a grocery the lexicon knows.
func (p *parser) buyLastDE(m []string) (Intent, bool) {
	what, verb, list := strings.TrimSpace(m[1]), strings.ToLower(m[2]), m[3]
	if p.question {
		return Intent{}, false
	}
	if list == "" {
		if lm := listBeforeVerbDE.FindStringSubmatch(what); lm != nil {
			what, list = lm[1], lm[2]
		}
	}
	// "Milch kaufen auf die Aufgabenliste" is the task "Milch kaufen",
	// which the rule for "... auf die Liste" makes.
	if list != "" && todoTarget.MatchString(list) {
		return Intent{}, false
	}
	// "streich Geschenk kaufen", "notiere Geschenk kaufen": a command verb
	// first makes the note that command's, never part of an item.
	if f := strings.Fields(what); len(f) > 0 && commandWordsDE[strings.ToLower(strings.Trim(f[0], `,;:"'`))] {
		return Intent{}, false
	}
	for _, w := range strings.Fields(what) {
		core := strings.Trim(w, `,;:"'`)
		lw := strings.ToLower(core)
		if notShoppingDE[lw] || questionWords[lw] || (core == lw && (isInfinitiveDE(lw) || imperativeNotItemDE(lw))) {
			return Intent{}, false
		}
	}
	if verb != "kaufen" && verb != "einkaufen" && !p.groceries(what) {
		return Intent{}, false
	}
	if list != "" {
		return p.addTo([]string{"", what, list})
	}
	return p.addDefault([]string{"", what})
}

// imperativeNotItemDE: w (lower case, as nouns are not) is a German
// imperative and no grocery: "geh einkaufen" added an item "geh".
func imperativeNotItemDE(w string) bool {
	if _, ok := imperativeDE(w); !ok {
		return false
	}
	_, item := lookupItem(w)
	return !item
}

// fetchDefault: "hol Milch", "get milk", "pick up bread", "grab some
// bananas", "fetch milk": the verbs that fetch, which fetch people and
// things from places as well ("hol Mia", "hol die Kinder", "pick up the
// kids", "get the car", "pick up the parcel"), add items only when every
// item is a grocery the lexicon knows, as holen and mitbringen with the verb
// last do (buyLastDE). What else they are with a time they stay (the
// elliptic rule's task or event: "pick up the kids at 3"); without one it
// is not understood. Buying is shopping whatever is bought: "kauf"/"buy"
// take anything (addDefault), and so does a list named ("pick up a card
// for the Aldi list").
func (p *parser) fetchDefault(m []string) (Intent, bool) {
	if !p.groceries(m[1]) {
		return Intent{}, false
	}
	return p.addDefault(m)
}

// addNeeded: "we need milk", "I need to buy a present"; "we need to pick
// up the kids" is no shopping (fetchDefault), and taskSelf has made it a
// task already.
// m is the verbs (get, or to buy/get/pick up/grab) and what.
func (p *parser) addNeeded(m []string) (Intent, bool) {
	what := m[len(m)-1]
	for _, verb := range m[1 : len(m)-1] {
		if verb != "" && !strings.EqualFold(verb, "buy") && !p.groceries(what) {
			return Intent{}, false
		}
	}
	return p.addDefault([]string{"", what})
}

// Ticks. Buying takes anything ("I bought a present", "Geschenk
// gekauft"). The verbs that fetch also fetch people and things from
// places ("I picked up the kids", "ich habe die Kinder geholt", "Mia
// geholt"): they tick groceries the lexicon knows, and anything else only
// when it is on a list. That only execution sees, so the command is a
// question whose options are the tick and the done task ("Pick up the
// kids", "Kinder holen"): execution drops the one whose target does not
// exist, runs the other, and refuses when neither does.

// checkGotEN: m is verb, article, what, list.
func (p *parser) checkGotEN(m []string) (Intent, bool) {
	verb, art, what, list := m[1], m[2], m[3], m[4]
	if gotNoThingEN(strings.TrimSpace(art + " " + what)) {
		return Intent{}, false
	}
	tick, ok := p.check([]string{"", what, list})
	if !ok || strings.EqualFold(verb, "bought") || list != "" || p.groceries(what) || tick.Needs != "" {
		return tick, ok
	}
	base := map[string]string{"got": "get", "picked up": "pick up", "grabbed": "grab", "found": "find"}[strings.ToLower(verb)]
	return p.tickOrDone(tick, base+art+" "+what)
}

// checkFetchedDE: "Milch geholt", "wir haben die Kinder geholt"; m is
// what, participle.
func (p *parser) checkFetchedDE(m []string) (Intent, bool) {
	what, verb := strings.TrimSpace(m[1]), strings.ToLower(m[2])
	bare := strings.TrimSpace(articleDE.ReplaceAllString(what, ""))
	if fetchedNoThingDE(bare) {
		return Intent{}, false // "hab ich gekauft", "schon abgeholt": no tick of "hab ich"
	}
	tick, ok := p.check([]string{"", bare, ""})
	if !ok || verb == "gekauft" || p.groceries(bare) || tick.Needs != "" {
		return tick, ok
	}
	if verb == "bekommen" {
		return Intent{}, false
	}
	for _, w := range words(bare) {
		if notShoppingDE[w] || questionWords[w] {
			return Intent{}, false // "Tim hat die Kinder geholt" is Tim's (completeParticipleDE)
		}
	}
	return p.tickOrDone(tick, what+" "+verb)
}

// fetchedNoThingDE: what was bought or fetched names no thing: only
// pronouns, the speaker and "haben", adverbs ("hab ich gekauft", "das hab
// ich gekauft", "schon abgeholt"), as "got it" and "bought it" in English.
func fetchedNoThingDE(what string) bool {
	w := words(what)
	for _, x := range w {
		if !pronounObjectsDE[x] && !notThingsDE[x] {
			return false
		}
	}
	return len(w) > 0
}

var notThingsDE = setOf(`hab habe haben hat ich wir du er schon jetzt gerade auch noch eben grad alle beides`)

// gotNoThingEN: what was got is no thing ("got it", "I got home", "we
// got back", "got lucky", "I got dressed"): a pronoun, a word of place or
// direction, or an adjective or participle (a word ending in "ed" that is
// no grocery). Asking to tick "home" or complete "Get home" helps no one.
func gotNoThingEN(what string) bool {
	w := words(what)
	if len(w) == 0 {
		return false
	}
	if pronounObjectsEN[w[0]] || notThingsEN[w[0]] {
		return true
	}
	if _, item := lookupItem(w[0]); len(w) == 1 && !item && strings.HasSuffix(w[0], "ed") {
		return true
	}
	if len(w) == 2 && (w[0] == "a" || w[0] == "the") {
		w = w[1:]
	}
	if len(w) == 1 && ailmentsEN[w[0]] {
		return true // "got a cold", "got the flu": caught, not bought
	}
	return false
}

// ailmentsEN are caught, not got from a shop or a to-do list.
var ailmentsEN = setOf(`cold flu fever cough headache migraine bug virus rash sunburn toothache earache stomachache
	tummyache sniffle sniffles chill`)

// notThingsEN follow "got" without being got: places, directions, states.
var notThingsEN = setOf(`home back here there in out up down away off on over through ready lost lucky sick
	better worse wet tired bored stuck married divorced engaged dressed caught told used sorted done
	paid ill hurt fired hired promoted sacked laid burnt burned stung bitten no`)

var articleDE = regexp.MustCompile(`(?i)^(?:die|den|das|der)\s+`)

// tickOrDone: the tick, or the task done (said as its verb phrase), as a
// question that execution answers.
func (p *parser) tickOrDone(tick Intent, done string) (Intent, bool) {
	task, ok := p.complete([]string{"", done})
	if !ok {
		return tick, true
	}
	return Intent{Type: IntentClarify, Needs: NeedsChoice, Options: []Intent{tick, task}}, true
}

// groceries: every item of s is a grocery the lexicon knows.
func (p *parser) groceries(s string) bool {
	items, _ := splitItems(s, p.lang)
	return itemsLookLikeGroceries(items)
}

// itemsIntent builds a shopping intent of type typ with the items of s;
// a compound that may be one item or two ("fish and chips") makes it a
// question with both readings. Only adding keeps quantities.
// conjunctions start no item's name: "buy and wrap a present" is two verbs
// on one thing, not an item "and wrap a present".
var conjunctions = setOf(`and or und oder`)

func (p *parser) itemsIntent(typ, s string, sl IntentSlots) (Intent, bool) {
	items, alt := splitItems(s, p.lang)
	if len(items) == 0 || len(items) > MaxIntentItems {
		return Intent{}, false
	}
	prep := func(items []IntentItem) []IntentItem {
		for i := range items {
			if typ != IntentShoppingAddItems {
				items[i].Quantity = ""
			}
			items[i].Name = p.itemCase(items[i].Name)
		}
		return items
	}
	in := Intent{Type: typ, Slots: sl}
	in.Slots.Items = prep(items)
	for _, it := range items {
		if f := strings.Fields(strings.ToLower(it.Name)); len(f) == 0 || questionWords[f[0]] || f[0] == "to" || f[0] == "zu" || meWords[f[0]] || usWords[f[0]] || conjunctions[f[0]] {
			return Intent{}, false
		}
		if hasCommandWord(it.Name) {
			return Intent{}, false // "add milk and remind me to ...": two commands
		}
		if pronounOnly(strings.Fields(strings.ToLower(it.Name))) {
			// "I will buy milk and it", "kauf Milch und das": a pronoun
			// names no thing (it added an item "it"); the command is
			// understood only in part, so not at all
			return Intent{}, false
		}
	}
	if alt != nil {
		other := Intent{Type: typ, Slots: sl}
		other.Slots.Items = prep(alt)
		return Intent{Type: typ, Needs: NeedsChoice, Options: []Intent{in, other}}, true
	}
	return in, true
}

// addForPurpose: m is what the items are for, then the items ("for the
// cake we need flour and eggs"). A day is no purpose ("für morgen
// brauchen wir Milch" is left to the other rules).
func (p *parser) addForPurpose(m []string) (Intent, bool) {
	if whenWordish(strings.ToLower(m[1])) {
		return Intent{}, false
	}
	return p.addDefault([]string{m[0], m[2]})
}

// pronounOnly: f (an item's lower-case words) is one pronoun.
func pronounOnly(f []string) bool {
	return len(f) == 1 && (pronounObjectsEN[f[0]] || pronounObjectsDE[f[0]])
}

// pronounItem: s is only a pronoun ("it"), or one of its items is a
// pronoun of a thing ("milk and it"). A pronoun of a person among others
// is someone fetched: "dad will get Mia and me at 5" is Dad's task "Get
// Mia and me" (review64: it was not understood).
func pronounItem(s, lang string) bool {
	items, _ := splitItems(s, lang)
	for _, it := range items {
		f := strings.Fields(strings.ToLower(it.Name))
		if pronounOnly(f) && (len(items) == 1 || !personPronounsEN[f[0]]) {
			return true
		}
	}
	return false
}

// personPronounsEN name people, not things.
var personPronounsEN = setOf(`me you him her us them`)

// itemCase: an English item is written as on a list, lower case, when it
// is a lexicon word capitalised only because it began the sentence.
func (p *parser) itemCase(name string) string {
	if p.lang != "en" || !isCapitalised(name) {
		return name
	}
	first, rest, _ := strings.Cut(name, " ")
	if it, ok := lookupItem(first); ok && it.lang == "en" && strings.ToLower(it.word) == it.word {
		return strings.ToLower(first[:1]) + first[1:] + map[bool]string{true: " " + rest, false: ""}[rest != ""]
	}
	return name
}

// addTo: "add X to Y" where Y is a shopping list, the calendar or the
// to-do list; "put dentist on Friday at 3" (Y a time) is no list.
func (p *parser) addTo(m []string) (Intent, bool) {
	what, target := m[1], strings.TrimSpace(m[2])
	if _, ok := countToken(what); ok {
		if f := strings.Fields(target); len(f) > 1 {
			if _, ok := countToken(f[0]); ok {
				// "add 2 to 3 apples (to the list)": a count from 2 to 3,
				// not the item "2" on a list "3 apples"
				what = what + " to " + target
				if r := addRangeRx.FindStringSubmatch(lowerSameLength(what)); r != nil {
					what, target = what[:len(r[1])], strings.TrimSpace(what[len(what)-len(r[2]):])
				} else {
					return p.itemsIntent(IntentShoppingAddItems, what, IntentSlots{})
				}
			}
		}
	}
	switch {
	case calendarTarget.MatchString(target):
		return p.event(what + " " + calendarTarget.ReplaceAllString(target, ""))
	case todoTarget.MatchString(target):
		return p.newTask(what+" "+todoTarget.ReplaceAllString(target, ""), "")
	}
	if lt := strings.ToLower(target); !strings.HasSuffix(lt, "list") && !strings.HasSuffix(lt, "liste") {
		if sc := p.scanWhen(target, scanOpts{recurrence: true}); sc.found {
			return Intent{}, false
		}
	}
	if sc := p.scanWhen(what, scanOpts{recurrence: true}); sc.found {
		return Intent{}, false
	}
	list, isNew, ok := listName(target)
	if !ok {
		return Intent{}, false
	}
	return p.itemsIntent(IntentShoppingAddItems, what, IntentSlots{List: list, NewList: isNew})
}

// addRangeRx splits "2 to 3 apples to the list" after its count range.
var addRangeRx = rx(`(\S+ to \S+ .+?) (?:to|on|onto|in|into) (?:the |my |our |a )?(.+?)`)

// boughtForWords: whom something is bought for, said before it ("buy them
// milk").
var boughtForWords = setOf(`him her them us me`)

// addDefault: items for the default list. With a time it is no shopping
// ("buy a present tomorrow" is a task).
func (p *parser) addDefault(m []string) (Intent, bool) {
	what := strings.TrimSpace(m[1])
	lw := strings.ToLower(what)
	if sc := p.scanWhen(what, scanOpts{recurrence: true}); sc.found {
		return Intent{}, false
	}
	if f := strings.Fields(lw); len(f) == 0 || targetWords[f[0]] || questionWords[f[0]] || f[0] == "rid" {
		return Intent{}, false
	}
	if f := words(lw); len(f) == 1 && pronounObjectsEN[f[0]] {
		return Intent{}, false // "I will buy it", "buy them": no item "it"
	}
	if f := strings.Fields(what); len(f) > 1 && strings.HasPrefix(strings.ToLower(m[0]), "buy ") && boughtForWords[strings.ToLower(f[0])] {
		// "buy them milk", "buy us some bread": milk (it was the item
		// "them milk")
		what = strings.TrimSpace(strings.TrimPrefix(strings.Join(f[1:], " "), "some "))
		lw = strings.ToLower(what)
	} else if rest, ok := p.boughtFor(what); ok && strings.HasPrefix(strings.ToLower(m[0]), "buy ") {
		what, lw = rest, strings.ToLower(rest) // "buy Tim some milk": milk, as "buy them milk"
	}
	if strings.HasPrefix(strings.ToLower(m[0]), "buy ") && p.giftFor(what) {
		// "buy Tim a present": the errand "Buy Tim a present", as "I'll
		// buy Tim a present" is (it was the item "Tim a present")
		return p.newTask("buy "+what, "")
	}
	if calendarPhrase.MatchString(what) {
		// "(can I) add the dentist to the calendar": for the calendar,
		// said without a day (addTo found no event); it was the item
		// "dentist to the calendar"
		return Intent{}, false
	}
	return p.itemsIntent(IntentShoppingAddItems, what, IntentSlots{})
}

// commandWords start commands: an item or list name with one is a second
// command, which the parser does not split off.
var commandWords = setOf(`remind reminder remember schedule snooze postpone reschedule erinnere erinner erinnern
	erinnerung vergiss delete lösch lösche cancel`)

func hasCommandWord(s string) bool {
	for _, w := range words(s) {
		if commandWords[w] {
			return true
		}
	}
	return false
}

var targetWords = setOf(`to on onto into in zu zur auf`)

// check: items to tick, optionally on a named list.
func (p *parser) check(m []string) (Intent, bool) {
	what := m[1]
	if sc := p.scanWhen(what, scanOpts{recurrence: true}); sc.found {
		return Intent{}, false
	}
	sl := IntentSlots{}
	if len(m) > 2 && m[2] != "" {
		list, isNew, ok := listName(m[2])
		if !ok || isNew {
			return Intent{}, false
		}
		sl.List = list
	}
	if f := strings.Fields(strings.ToLower(what)); len(f) > 0 && verbsEN[f[0]] && p.lang == "en" && !itemKnownPhrase(f[0]) {
		return Intent{}, false // "tick off call grandma" is a task
	}
	return p.itemsIntent(IntentShoppingCheckItems, what, sl)
}

// removeFrom: "remove bananas from the weekly list"; from the calendar it
// deletes an event.
func (p *parser) removeFrom(m []string) (Intent, bool) {
	target := strings.TrimSpace(m[2])
	if calendarTarget.MatchString(target) {
		return p.eventDelete([]string{"", m[1]})
	}
	if todoTarget.MatchString(target) {
		return p.taskDelete([]string{"", m[1]})
	}
	list, isNew, ok := listName(target)
	if !ok || isNew {
		return Intent{}, false
	}
	return p.removeItems(m[1], list)
}

func (p *parser) removePlain(m []string) (Intent, bool) { return p.removeItems(m[1], "") }

func (p *parser) removeItems(what, list string) (Intent, bool) {
	if sc := p.scanWhen(what, scanOpts{recurrence: true}); sc.found {
		return Intent{}, false
	}
	lw := strings.ToLower(strings.TrimSpace(what))
	if strings.HasPrefix(lw, "to ") || strings.HasPrefix(lw, "zu ") {
		return Intent{}, false
	}
	for _, w := range words(lw) {
		if lookupMarkers[w] {
			return Intent{}, false
		}
	}
	return p.itemsIntent(IntentShoppingRemoveItems, what, IntentSlots{List: list})
}

// deleteAny: "delete X" without a list: groceries are removed from the
// list; anything else may be a task or an event, which execution tells
// apart (or asks).
func (p *parser) deleteAny(m []string) (Intent, bool) {
	what := m[1]
	items, _ := splitItems(what, p.lang)
	if itemsLookLikeGroceries(items) {
		return p.removeItems(what, "")
	}
	title := lookupTitle(what)
	if title == "" || looksLikeQuestion(title) {
		return Intent{}, false
	}
	if sc := p.scanWhen(what, scanOpts{recurrence: true}); sc.found {
		w := sc.w
		if t := lookupTitle(sc.rest()); t != "" && !looksLikeQuestion(t) && (w.hasDate || w.weekday >= 0) && !w.hasTime && !w.hasRel &&
			w.span == "" && !w.hasEnd && !w.hasEndDate && w.dur == 0 && sc.rec == nil {
			// "delete the dentist on Friday": that day's event (it was
			// the all-day event "Delete the dentist")
			day, _ := p.resolveDay(w)
			return Intent{Type: IntentCalendarDelete, Slots: IntentSlots{Title: t, Date: day.Format(time.DateOnly), weekdayToday: p.bareToday(w, day)}}, true
		}
		return Intent{}, false
	}
	return Intent{Type: IntentClarify, Needs: NeedsChoice, Options: []Intent{
		{Type: IntentTaskDelete, Slots: IntentSlots{Title: title}},
		{Type: IntentCalendarDelete, Slots: IntentSlots{Title: title}},
	}}, true
}

// moveInstead: "put the batteries on the hardware list instead".
func (p *parser) moveInstead(m []string) (Intent, bool) {
	from := ""
	if len(m) > 3 {
		from = m[3]
	}
	return p.moveItems(m[1], from, m[2])
}

// moveItems: shopping.move_items when the target is a list: "the Aldi
// list", "die Lidl-Liste", or a single capitalised name ("Costco").
func (p *parser) moveItems(what, from, to string) (Intent, bool) {
	lt := strings.ToLower(to)
	listy := strings.Contains(lt, "list") || strings.Contains(lt, "liste")
	if f := strings.Fields(strings.TrimSpace(to)); !listy && (len(f) != 1 || !isCapitalised(f[0]) || !nameLike(f[0])) {
		return Intent{}, false
	}
	toName, isNew, ok := listName(to)
	if !ok || isNew || toName == "" {
		return Intent{}, false
	}
	sl := IntentSlots{ToList: toName}
	if strings.TrimSpace(from) != "" {
		fromName, isNew, ok := listName(from)
		if !ok || isNew {
			return Intent{}, false
		}
		sl.List = fromName
	}
	if sc := p.scanWhen(what, scanOpts{recurrence: true}); sc.found {
		return Intent{}, false
	}
	return p.itemsIntent(IntentShoppingMoveItems, what, sl)
}

func (p *parser) clearChecked(m []string) (Intent, bool) {
	sl := IntentSlots{}
	if len(m) > 1 && m[1] != "" {
		list, isNew, ok := listName(m[1])
		if !ok || isNew {
			return Intent{}, false
		}
		sl.List = list
	}
	return Intent{Type: IntentShoppingClearChecked, Slots: sl}, true
}
