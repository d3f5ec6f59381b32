package assistant

import "strings"

// Buying said by the speaker or for someone: "I'll buy milk", "I'll buy Tim
// a present" (an errand), "I'll buy Tim some milk" (groceries).

// willBuy: "will buy milk" adds milk; "will get the kids" is no shopping.
func (p *parser) willBuy(m []string) (Intent, bool) {
	if strings.ToLower(m[1]) == "buy" {
		if rest, ok := p.boughtFor(m[2]); ok {
			return p.addDefault([]string{"", rest}) // "I'll buy Tim some milk": milk
		}
		if p.giftFor(m[2]) {
			// "I'll buy Tim a present": something chosen for someone, the
			// speaker's errand "Buy Tim a present" (it was an item "Tim a
			// present"); "I'll buy milk" stays on the list
			who := ""
			if lm := strings.ToLower(m[0]); strings.HasPrefix(lm, "i'll") || strings.HasPrefix(lm, "i will") {
				who = AssigneeMe
			}
			return p.newTask("buy "+m[2], who)
		}
		return p.addDefault([]string{"", m[2]})
	}
	return p.fetchDefault([]string{"", m[2]})
}

// giftFor: what is bought is a thing for someone named first ("Tim a
// present", "grandma some flowers"): an errand, no list item. Groceries
// bought for someone are groceries ("Tim some milk": boughtFor), unless
// they are a present (giftItems: flowers, chocolates, wine) or one treat
// ("dad a beer", "Mum a coffee", "Tim an ice cream": review64, they were
// items "beer", "coffee"); an amount of them is groceries ("Tim a loaf of
// bread").
func (p *parser) giftFor(what string) bool {
	f := strings.Fields(what)
	if !p.forSomeone(f) {
		return false
	}
	thing := strings.Join(f[2:], " ")
	one := !strings.EqualFold(f[1], "some") && !(len(f) > 4 && strings.EqualFold(f[3], "of"))
	return !p.groceries(thing) || giftItems[strings.ToLower(thing)] || one
}

// forSomeone: f (what is bought) starts with someone named and an
// article ("Tim a present", "Tim some milk").
func (p *parser) forSomeone(f []string) bool {
	return len(f) > 2 && giftArticles[strings.ToLower(f[1])] &&
		addressee(strings.TrimSuffix(f[0], ","), p.names) && !p.groceries(f[0])
}

// boughtFor: what is groceries bought for someone named first ("Tim some
// milk"); rest is the groceries ("milk"), which go on the list as "buy
// them milk" does (it was the errand "Buy Tim some milk").
func (p *parser) boughtFor(what string) (rest string, ok bool) {
	f := strings.Fields(what)
	if !p.forSomeone(f) || p.giftFor(what) {
		return "", false
	}
	if strings.EqualFold(f[1], "some") {
		f = f[1:] // "some milk" is milk; "a loaf of bread" keeps its amount
	}
	return strings.Join(f[1:], " "), true
}

var (
	// giftArticles start the thing bought for someone ("buy Tim a present").
	giftArticles = setOf(`a an some another`)
	// giftItems: things the lexicon knows that, bought for someone, are a
	// present, the errand "Buy grandma some flowers"
	giftItems = map[string]bool{"flowers": true, "flower": true, "bunch of flowers": true, "birthday card": true,
		"chocolates": true, "chocolate": true, "wine": true, "red wine": true, "white wine": true,
		"champagne": true, "prosecco": true, "candles": true, "balloons": true, "wrapping paper": true}
)

// buyVerbsEN buy or fetch a thing.
var buyVerbsEN = setOf(`buy get grab fetch`)

// wishModalDE: the German sentence s ("Tim möchte ein Eis kaufen") says
// what someone wants, its second word "will" or "möchte": no errand to
// write for them (review64: it was Tim's task "Eis kaufen"), as "Tim
// wants to buy an ice cream" is none; "Tim soll Milch kaufen" is one.
func wishModalDE(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	return len(f) > 1 && wishModalsDE[f[1]]
}

var wishModalsDE = setOf(`will möchte möchten wollen willst möchtest`)
