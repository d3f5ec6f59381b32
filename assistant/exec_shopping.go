package assistant

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Shopping: which list a command means, and what it does to the items.
// No command creates a list unless it asked for a new one by name
// (new_list, or shopping.create_list).

// lists returns the family's lists and the one a command that names none
// (or only "the shopping list") means, in this order: the list on the
// speaker's screen (WithShownList; ignored when it is not one of the
// family's lists), the family's default list (PATCH /api/family
// {"default_list_id"}), the only list, one called shopping/groceries/
// Einkauf…, else the list with the most recent activity (an item added,
// changed or ticked; the list made or renamed). docs/assistant.md says so.
// def is nil when the family has no list.
func (x *executor) lists() (all []dbsqlc.ShoppingList, def *dbsqlc.ShoppingList, err error) {
	if all, err = x.tx.ShoppingListList(x.ctx); err != nil || len(all) == 0 {
		return all, nil, err
	}
	f, err := x.tx.FamilyGet(x.ctx)
	if err != nil {
		return nil, nil, err
	}
	shown, _ := x.ctx.Value(shownListKey{}).(uuid.UUID)
	for _, want := range []*uuid.UUID{&shown, f.DefaultListID} {
		for i := range all {
			if want != nil && all[i].ID == *want {
				return all, &all[i], nil
			}
		}
	}
	for i := range all {
		if genericListNames[listKey(all[i].Name)] {
			return all, &all[i], nil
		}
	}
	last, err := x.tx.ShoppingListLastActive(x.ctx) // one statement, not every list's items
	if err != nil {
		return nil, nil, err
	}
	for i := range all {
		if all[i].ID == last {
			return all, &all[i], nil
		}
	}
	return all, &all[0], nil
}

type shownListKey struct{}

// WithShownList returns ctx for a command said while the shopping list id
// was on the speaker's screen: a command that names no list puts its items
// there (executor.lists). An id that is not one of the family's lists is
// ignored.
func WithShownList(ctx context.Context, id uuid.UUID) context.Context {
	return context.WithValue(ctx, shownListKey{}, id)
}

// listNamed finds the list a name means: the same name (case, "list",
// plural aside), else the one whose name starts with it (or it with the
// name); a generic name ("shopping") means the default list.
func listNamed(all []dbsqlc.ShoppingList, def *dbsqlc.ShoppingList, name string) *dbsqlc.ShoppingList {
	key := listKey(name)
	for i := range all {
		if listKey(all[i].Name) == key {
			return &all[i]
		}
	}
	if len(key) >= 4 {
		for i := range all {
			if k := listKey(all[i].Name); strings.HasPrefix(k, key) || strings.HasPrefix(key, k) && len(k) >= 4 {
				return &all[i]
			}
		}
	}
	if genericListNames[key] {
		return def
	}
	return nil
}

func listNames(all []dbsqlc.ShoppingList) []string {
	out := make([]string, len(all))
	for i, l := range all {
		out[i] = l.Name
	}
	return out
}

// namedList resolves a list a command names for items already on it:
// an unknown name is refused with the family's lists.
func (x *executor) namedList(all []dbsqlc.ShoppingList, def *dbsqlc.ShoppingList, name string) (*dbsqlc.ShoppingList, error) {
	if l := listNamed(all, def, name); l != nil {
		return l, nil
	}
	if len(all) == 0 {
		return nil, x.say.refuse("list", "no_lists")
	}
	return nil, x.say.refuse("list", "no_list_named", "name", x.say.quote(name), "lists", x.say.and(listNames(all)))
}

// targetList is the list a command adds to: a new one only when asked
// for; a name nobody knows is a question (create it, or the default?).
func (x *executor) targetList(in Intent) (list dbsqlc.ShoppingList, created bool, err error) {
	all, def, err := x.lists()
	if err != nil {
		return list, false, err
	}
	sl := in.Slots
	if sl.List == "" {
		if def == nil {
			return list, false, x.say.refuse("list", "no_lists")
		}
		return *def, false, nil
	}
	if l := listNamed(all, def, sl.List); l != nil {
		return *l, false, nil
	}
	name := capitalise(sl.List)
	if sl.NewList || in.Type == IntentShoppingCreateList {
		l, err := x.listCreate(name)
		return l, err == nil, err
	}
	if def == nil {
		return list, false, x.say.refuse("list", "no_list_yet", "name", x.say.quote(name), "plain", name)
	}
	return list, false, x.ask("q.unknown_list", []Intent{
		variant(in, func(s *IntentSlots) { s.NewList = true }),
		variant(in, func(s *IntentSlots) { s.List = def.Name }),
	}, []string{
		x.say.word("label.create_list", "name", x.say.quote(name)),
		x.say.word("label.add_to", "list", def.Name),
	}, "name", x.say.quote(name), "list", def.Name)
}

// itemPhrase says an item with its quantity: "2 litres of milk", "3 apples".
func (x *executor) itemPhrase(it dbsqlc.ShoppingItemsView) string {
	if it.Quantity == nil {
		return it.Name
	}
	if strings.ContainsFunc(*it.Quantity, unicode.IsLetter) {
		return x.say.word("qty_of", "qty", *it.Quantity, "name", it.Name)
	}
	return x.say.word("qty_n", "qty", *it.Quantity, "name", it.Name)
}

func (x *executor) addItems(in Intent) (Result, string, error) {
	list, created, err := x.targetList(in)
	if err != nil {
		return Result{}, "", err
	}
	onList, err := x.tx.ShoppingItemsForPut(x.ctx, list.ID)
	if err != nil {
		return Result{}, "", err
	}
	res := Result{List: &list, ListCreated: created}
	var said []string
	for _, want := range in.Slots.Items {
		p := db.ShoppingItemNew{Name: want.Name}
		if want.Quantity != "" {
			p.Quantity = &want.Quantity
		}
		var it dbsqlc.ShoppingItemsView
		if it, onList, err = x.itemPut(list.ID, onList, p); err != nil {
			return Result{}, "", err
		}
		res.Items = append(res.Items, it)
		said = append(said, x.itemPhrase(it))
	}
	key := "items.added"
	if created {
		key = "items.added_new_list"
	}
	return res, x.say.say(key, "items", x.say.and(said), "list", x.say.quote(list.Name)), nil
}

func (x *executor) createList(in Intent) (Result, string, error) {
	all, def, err := x.lists()
	if err != nil {
		return Result{}, "", err
	}
	if l := listNamed(all, def, in.Slots.List); l != nil && listKey(l.Name) == listKey(in.Slots.List) {
		return Result{List: l}, x.say.say("list.exists", "list", l.Name), nil
	}
	l, err := x.listCreate(capitalise(in.Slots.List))
	if err != nil {
		return Result{}, "", err
	}
	return Result{List: &l, ListCreated: true}, x.say.say("list.created", "list", l.Name), nil
}

// onList is an item with its list.
type onList struct {
	item dbsqlc.ShoppingItemsView
	list dbsqlc.ShoppingList
}

// findItems finds the items a command names on the named list (else on
// every list but skip), unticked ones only when open. Each name matches
// the items of that name (plural and case aside), else the one item whose
// name contains it ("milk" for "oat milk"); several entries of it on one
// list all count. An item on two lists, or a name that fits two items, is
// a question; a name that fits none is refused.
func (x *executor) findItems(in Intent, open bool, skip *uuid.UUID) ([][]onList, error) {
	all, def, err := x.lists()
	if err != nil {
		return nil, err
	}
	lists := all
	if in.Slots.List != "" {
		l, err := x.namedList(all, def, in.Slots.List)
		if err != nil {
			return nil, err
		}
		lists = []dbsqlc.ShoppingList{*l}
	}
	var items []onList
	var ticked []onList
	for _, l := range lists {
		if skip != nil && l.ID == *skip {
			continue
		}
		rows, err := x.tx.ShoppingItemList(x.ctx, l.ID)
		if err != nil {
			return nil, err
		}
		for _, it := range rows {
			if open && it.Checked {
				ticked = append(ticked, onList{it, l})
			} else {
				items = append(items, onList{it, l})
			}
		}
	}
	taken := map[uuid.UUID]bool{}
	out := make([][]onList, len(in.Slots.Items))
	for i, want := range in.Slots.Items {
		hits := matchItems(items, want.Name, taken)
		if len(hits) == 0 {
			return nil, x.itemMissing(in, want.Name, open && len(matchItems(ticked, want.Name, taken)) > 0)
		}
		names, inLists := map[string]string{}, map[uuid.UUID]string{}
		for _, h := range hits {
			names[itemKey(h.item.Name)] = h.item.Name
			inLists[h.list.ID] = h.list.Name
		}
		if len(names) > 1 {
			var opts []Intent
			var labels []string
			for _, n := range sortedValues(names) {
				opts = append(opts, variant(in, func(s *IntentSlots) { s.Items[i].Name = n }))
				labels = append(labels, x.say.quote(n))
			}
			return nil, x.ask("q.which_item", opts, labels)
		}
		if len(inLists) > 1 {
			var opts []Intent
			var labels []string
			for _, n := range sortedValues(inLists) {
				opts = append(opts, variant(in, func(s *IntentSlots) { s.List = n }))
				labels = append(labels, n)
			}
			return nil, x.ask("q.which_list", opts, labels, "item", x.say.quote(hits[0].item.Name))
		}
		for _, h := range hits {
			taken[h.item.ID] = true
		}
		out[i] = hits
	}
	return out, nil
}

func matchItems(items []onList, name string, taken map[uuid.UUID]bool) []onList {
	key := itemKey(name)
	var hits []onList
	for _, o := range items {
		if itemKey(o.item.Name) == key && !taken[o.item.ID] {
			hits = append(hits, o)
		}
	}
	if len(hits) > 0 || key == "" {
		return hits
	}
	for _, o := range items {
		if k := itemKey(o.item.Name); !taken[o.item.ID] && (strings.Contains(k, key) || strings.Contains(key, k)) {
			hits = append(hits, o)
		}
	}
	return hits
}

func (x *executor) itemMissing(in Intent, name string, tickedOnly bool) error {
	key := "item_not_found"
	if tickedOnly {
		key = "item_not_open"
	}
	if in.Slots.List == "" {
		return x.say.refuse("items", key+"_any", "item", x.say.quote(name))
	}
	return x.say.refuse("items", key, "item", x.say.quote(name), "list", capitalise(in.Slots.List))
}

func sortedValues[K comparable](m map[K]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// each runs fn on every item found and says what it did with key.
func (x *executor) each(key string, found [][]onList, fn func(o onList) (dbsqlc.ShoppingItemsView, error)) (Result, string, error) {
	var res Result
	var said, lists []string
	seen := map[string]bool{}
	for _, hits := range found {
		for _, h := range hits {
			it, err := fn(h)
			if err != nil {
				return Result{}, "", err
			}
			res.Items = append(res.Items, it)
			if res.List == nil {
				l := h.list
				res.List = &l
			}
			if !seen[h.list.Name] {
				seen[h.list.Name] = true
				lists = append(lists, h.list.Name)
			}
		}
		said = append(said, hits[0].item.Name)
	}
	return res, x.say.say(key, "items", x.say.and(said), "list", x.say.and(lists)), nil
}

func (x *executor) checkItems(in Intent) (Result, string, error) {
	found, err := x.findItems(in, true, nil)
	if err != nil {
		return Result{}, "", err
	}
	if found, err = x.lockFound(in, found, true); err != nil {
		return Result{}, "", err
	}
	return x.each("items.checked", found, func(o onList) (dbsqlc.ShoppingItemsView, error) { return x.itemTick(o.item) })
}

// lockFound locks the items found in the order of their ids before they
// are written one by one in the order spoken (db.Tx.ShoppingItemsLock):
// "tick eggs and salt" and another member's "tick salt and eggs" (or a
// move of both) then wait for each other instead of one failing with a
// deadlock.
//
// The lock may have waited for another member's change: the items are
// then read again (a new statement sees the latest committed versions),
// so that what the command writes and its journal's "before" (what an
// undo puts back) keep that change. An item gone (or moved) since is
// refused as not found; for a tick (open), an item ticked since is left
// out, a name with none left refused as not open.
func (x *executor) lockFound(in Intent, found [][]onList, open bool) ([][]onList, error) {
	cur, err := x.lockItems(found)
	if err != nil || cur == nil {
		return found, err
	}
	out := make([][]onList, len(found))
	for i, hits := range found {
		for _, h := range hits {
			c, ok := cur[h.item.ID]
			if !ok || c.ListID != h.list.ID {
				return nil, x.itemMissing(in, h.item.Name, false)
			}
			if !open || !c.Checked {
				out[i] = append(out[i], onList{c, h.list})
			}
		}
		if len(out[i]) == 0 {
			return nil, x.itemMissing(in, hits[0].item.Name, true)
		}
	}
	return out, nil
}

// lockItems locks the items found in id order and reads them again after
// the lock, by id; nil (and nothing locked) for fewer than two.
func (x *executor) lockItems(found [][]onList) (map[uuid.UUID]dbsqlc.ShoppingItemsView, error) {
	var ids []uuid.UUID
	for _, hits := range found {
		for _, h := range hits {
			ids = append(ids, h.item.ID)
		}
	}
	if len(ids) < 2 {
		return nil, nil
	}
	if err := x.tx.ShoppingItemsLock(x.ctx, ids); err != nil {
		return nil, err
	}
	return x.tx.ShoppingItemsGet(x.ctx, ids)
}

func (x *executor) removeItems(in Intent) (Result, string, error) {
	found, err := x.findItems(in, false, nil)
	if err != nil {
		return Result{}, "", err
	}
	if found, err = x.lockFound(in, found, false); err != nil {
		return Result{}, "", err
	}
	res, msg, err := x.each("items.removed", found, func(o onList) (dbsqlc.ShoppingItemsView, error) {
		return o.item, x.itemDelete(o.item)
	})
	res.Deleted = true
	return res, msg, err
}

func (x *executor) moveItems(in Intent) (Result, string, error) {
	all, def, err := x.lists()
	if err != nil {
		return Result{}, "", err
	}
	to, err := x.namedList(all, def, in.Slots.ToList)
	if err != nil {
		return Result{}, "", err
	}
	found, err := x.findItems(in, false, &to.ID)
	if r, ok := err.(*refusal); ok && r.err.Field == "items" {
		// Not elsewhere: perhaps on the target list already.
		if _, errOn := x.findItems(variant(in, func(s *IntentSlots) { s.List = to.Name }), false, nil); errOn == nil {
			return Result{}, "", x.say.refuse("items", "same_list", "items", x.say.and(x.say.quoteAll(itemNames(in))), "list", to.Name,
				"are", x.say.word(pluralKey("are", len(in.Slots.Items))))
		}
	}
	if err != nil {
		return Result{}, "", err
	}
	var curs []dbsqlc.ShoppingItemsView
	for _, hits := range found {
		for _, h := range hits {
			curs = append(curs, h.item)
		}
	}
	moved, err := x.itemsMove(curs, to.ID)
	if err != nil {
		return Result{}, "", err
	}
	res := Result{ToList: to, Items: moved}
	var said, from []string
	for _, hits := range found {
		for _, h := range hits {
			if res.List == nil {
				l := h.list
				res.List = &l
			}
			if !contains(from, h.list.Name) {
				from = append(from, h.list.Name)
			}
		}
		said = append(said, hits[0].item.Name)
	}
	return res, x.say.say("items.moved", "items", x.say.and(said), "from", x.say.and(from), "to", to.Name), nil
}

func itemNames(in Intent) []string {
	var out []string
	for _, it := range in.Slots.Items {
		out = append(out, it.Name)
	}
	return out
}

func pluralKey(key string, n int) string {
	if n == 1 {
		return key + ".one"
	}
	return key + ".many"
}

func contains(s []string, v string) bool {
	for _, w := range s {
		if w == v {
			return true
		}
	}
	return false
}

func (x *executor) clearChecked(in Intent) (Result, string, error) {
	all, def, err := x.lists()
	if err != nil {
		return Result{}, "", err
	}
	list := def
	if in.Slots.List != "" {
		if list, err = x.namedList(all, def, in.Slots.List); err != nil {
			return Result{}, "", err
		}
	} else if list == nil {
		return Result{}, "", x.say.refuse("list", "no_lists")
	}
	rows, err := x.tx.ShoppingItemList(x.ctx, list.ID)
	if err != nil {
		return Result{}, "", err
	}
	// Deleted one by one in list order: locked first in id order, as
	// every writer of several items (lockFound), or the REST clear, a
	// member's multi-tick or the categoriser could deadlock with it.
	var ticked []onList
	for _, it := range rows {
		if it.Checked {
			ticked = append(ticked, onList{item: it})
		}
	}
	cur, err := x.lockItems([][]onList{ticked})
	if err != nil {
		return Result{}, "", err
	}
	res := Result{List: list, Deleted: true}
	for _, o := range ticked {
		it := o.item
		if cur != nil {
			// As another member left it while the lock waited: one
			// removed, moved or unticked since is not cleared.
			c, ok := cur[it.ID]
			if !ok || c.ListID != list.ID || !c.Checked {
				continue
			}
			it = c
		}
		if err := x.itemDelete(it); err != nil {
			return Result{}, "", err
		}
		res.Items = append(res.Items, it)
	}
	if len(res.Items) == 0 {
		return res, x.say.say("items.cleared.none", "list", list.Name), nil
	}
	return res, x.say.count("items.cleared", len(res.Items), "list", list.Name), nil
}

func (x *executor) addRecipe(in Intent) (Result, string, error) {
	recipes, err := x.tx.RecipeList(x.ctx)
	if err != nil {
		return Result{}, "", err
	}
	names, err := x.nameWords()
	if err != nil {
		return Result{}, "", err
	}
	scores := make([]float64, len(recipes))
	for i, r := range recipes {
		scores[i] = nameScore(in.Slots.Recipe, r.Title, names) // "Oma" is not "Oma's lasagne"
	}
	pick := best(scores)
	if len(pick) == 0 {
		return Result{}, "", x.say.refuse("recipe", "recipe_not_found", "recipe", x.say.quote(in.Slots.Recipe))
	}
	if len(pick) > 1 {
		var opts []Intent
		var labels []string
		for _, i := range pick {
			t := recipes[i].Title
			opts = append(opts, variant(in, func(s *IntentSlots) { s.Recipe = t }))
			labels = append(labels, x.say.quote(t))
		}
		return Result{}, "", x.ask("q.which_item", opts, labels)
	}
	recipe := recipes[pick[0]]
	if len(recipe.IngredientList) == 0 {
		return Result{}, "", x.say.refuse("recipe", "recipe_empty", "recipe", x.say.quote(recipe.Title))
	}
	list, created, err := x.targetList(in)
	if err != nil {
		return Result{}, "", err
	}
	servings := int32(in.Slots.Servings)
	if servings == 0 {
		servings = recipe.Servings
	}
	// Each line is noted as the add's put found it (the journal keeps a
	// line's first note), after the list's put lock and a re-read when the
	// line had changed; a line only kept is not noted, as for a single
	// add: an undo by a snapshot read before would untick another
	// person's tick, or refuse for a tick of a line the add left alone.
	items, puts, _, err := x.tx.RecipeAddToListFrom(x.ctx, recipe.ID, db.RecipeToList{ListID: list.ID, Servings: servings, DecimalComma: x.say.lang == "de"})
	if err != nil {
		return Result{}, "", err
	}
	for _, put := range puts {
		x.notePut(put)
	}
	res := Result{List: &list, ListCreated: created, Items: items, Recipe: recipe.Title, Servings: servings}
	return res, x.say.count("recipe.added", len(items), "recipe", x.say.quote(recipe.Title), "servings", itoa(int(servings)),
		"list", list.Name), nil
}
