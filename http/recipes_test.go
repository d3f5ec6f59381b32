package http

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/familyhub/familyhub/db"
	"github.com/google/uuid"
)

func pancakes() map[string]any {
	return map[string]any{
		"title":    "Pancakes",
		"servings": 4,
		"ingredients": []map[string]any{
			{"name": "flour", "quantity": 300, "unit": "g"},
			{"name": "eggs", "quantity": 3},
			{"name": "milk", "quantity": 0.5, "unit": "l"},
			{"name": "salt", "unit": "pinch"},
			{"name": "butter for the pan"},
		},
		"steps":      []string{"Mix.", "Rest 30 minutes.", "Fry."},
		"tags":       []string{"Breakfast", " sweet ", "breakfast"},
		"source_url": "https://example.org/pancakes",
	}
}

func TestRecipeCRUD(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("cook@example.org", "Cooks")
	if r := c.must(http.StatusOK, "GET", "/api/recipes", nil); strings.TrimSpace(string(r.body)) != "[]" {
		t.Fatalf("empty collection %s, want []", r.body)
	}
	seq := env.lastSeq(acc.Family.ID)
	var rec recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", pancakes()).decode(t, &rec)
	if rec.ID == uuid.Nil || rec.Title != "Pancakes" || rec.Servings != 4 || len(rec.Ingredients) != 5 || len(rec.Steps) != 3 ||
		*rec.SourceURL != "https://example.org/pancakes" || rec.CreatedAt.IsZero() || rec.UpdatedAt.IsZero() {
		t.Fatalf("created %+v", rec)
	}
	if !slices.Equal(rec.Tags, []string{"Breakfast", "sweet"}) {
		t.Fatalf("tags %v, want trimmed, as typed, unique ignoring case", rec.Tags)
	}
	if in := rec.Ingredients[3]; in.Name != "salt" || in.Quantity != nil || *in.Unit != "pinch" {
		t.Fatalf("ingredient %+v", in)
	}
	// A minimal recipe: lists default to empty.
	var toast recipeJSON
	r := c.must(http.StatusCreated, "POST", "/api/recipes", map[string]any{"title": "Toast", "servings": 1})
	r.decode(t, &toast)
	if !strings.Contains(string(r.body), `"ingredients":[],"steps":[],"tags":[],"source_url":null`) {
		t.Fatalf("minimal recipe %s", r.body)
	}

	var all []recipeJSON
	c.must(http.StatusOK, "GET", "/api/recipes", nil).decode(t, &all)
	if len(all) != 2 || all[0].ID != rec.ID || all[1].ID != toast.ID {
		t.Fatalf("recipes (by title) %+v", all)
	}
	var got recipeJSON
	c.must(http.StatusOK, "GET", "/api/recipes/"+rec.ID.String(), nil).decode(t, &got)
	if got.Title != rec.Title || len(got.Ingredients) != 5 || *got.Ingredients[0].Quantity != 300 {
		t.Fatalf("got %+v", got)
	}

	var upd recipeJSON
	c.must(http.StatusOK, "PATCH", "/api/recipes/"+rec.ID.String(), map[string]any{
		"title": "Crêpes", "source_url": nil, "ingredients": []map[string]any{{"name": "flour", "quantity": 250, "unit": "g"}}, "tags": []string{},
	}).decode(t, &upd)
	if upd.Title != "Crêpes" || upd.SourceURL != nil || len(upd.Ingredients) != 1 || len(upd.Tags) != 0 ||
		upd.Servings != 4 || len(upd.Steps) != 3 || !upd.UpdatedAt.After(rec.UpdatedAt) {
		t.Fatalf("updated %+v", upd)
	}

	c.must(http.StatusNoContent, "DELETE", "/api/recipes/"+rec.ID.String(), nil)
	c.must(http.StatusNotFound, "GET", "/api/recipes/"+rec.ID.String(), nil)
	c.must(http.StatusNotFound, "DELETE", "/api/recipes/"+rec.ID.String(), nil)

	// One RECIPE_UPDATED per change, whatever it touched, with the actor.
	var ops []string
	for _, ev := range env.events(acc.Family.ID, seq) {
		if ev.Type != "RECIPE_UPDATED" || ev.ActorID == nil || *ev.ActorID != acc.User.ID || ev.ListID != nil {
			t.Fatalf("event %+v", ev)
		}
		ops = append(ops, ev.Op)
	}
	if strings.Join(ops, ",") != "insert,insert,update,delete" {
		t.Fatalf("recipe events %v", ops)
	}
}

// TestRecipeOtherFamily checks that another family's recipes and lists
// answer 404 exactly like missing ones and stay untouched.
func TestRecipeOtherFamily(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	owner, _ := env.signup("owner@example.org", "Owners")
	other, _ := env.signup("other@example.org", "Others")
	var rec recipeJSON
	owner.must(http.StatusCreated, "POST", "/api/recipes", pancakes()).decode(t, &rec)
	var ownList, otherList shoppingListJSON
	owner.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Owner's"}).decode(t, &ownList)
	other.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Other's"}).decode(t, &otherList)
	var otherRec recipeJSON
	other.must(http.StatusCreated, "POST", "/api/recipes", map[string]any{"title": "Soup", "servings": 2,
		"ingredients": []map[string]any{{"name": "water", "quantity": 1, "unit": "l"}}}).decode(t, &otherRec)
	before := env.counts("recipes", "shopping_items", "event_log")

	var list []recipeJSON
	other.must(http.StatusOK, "GET", "/api/recipes", nil).decode(t, &list)
	if len(list) != 1 || list[0].ID != otherRec.ID {
		t.Fatalf("other family sees %+v", list)
	}
	R := "/api/recipes/" + rec.ID.String()
	for _, tc := range []struct {
		c            *client
		method, path string
		body         any
	}{
		{other, "GET", R, nil},
		{other, "PATCH", R, map[string]any{"title": "Mine now"}},
		{other, "DELETE", R, nil},
		{other, "POST", R + "/add-to-list", map[string]any{"list_id": otherList.ID}},
		// Own recipe, another family's list.
		{other, "POST", "/api/recipes/" + otherRec.ID.String() + "/add-to-list", map[string]any{"list_id": ownList.ID}},
		{owner, "POST", R + "/add-to-list", map[string]any{"list_id": otherList.ID, "servings": 2}},
		{other, "GET", "/api/recipes/" + uuid.NewString(), nil},
		{other, "GET", "/api/recipes/not-a-uuid", nil},
		{other, "PATCH", "/api/recipes/123", map[string]any{"title": "x"}},
	} {
		r := tc.c.must(http.StatusNotFound, tc.method, tc.path, tc.body)
		if e := r.errorBody(t); e.Code != "not_found" {
			t.Fatalf("%s %s: %+v", tc.method, tc.path, e)
		}
	}
	env.sameCounts(t, before)
	var got recipeJSON
	owner.must(http.StatusOK, "GET", R, nil).decode(t, &got)
	if got.Title != "Pancakes" || !got.UpdatedAt.Equal(rec.UpdatedAt) {
		t.Fatalf("owner's recipe changed: %+v", got)
	}
}

// TestRecipeBadInputWritesNothing sends bad input to every recipe endpoint
// and checks the status, code, field, and that nothing was written.
func TestRecipeBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("bad@example.org", "Bad")
	var rec recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", pancakes()).decode(t, &rec)
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	before := env.counts("recipes", "shopping_items", "event_log")

	with := func(over map[string]any) map[string]any {
		m := pancakes()
		for k, v := range over {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	many := func(n int, v any) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	R := "/api/recipes/" + rec.ID.String()
	runBadInput(t, c, []badInputCase{
		{"create malformed", "POST", "/api/recipes", `{"title":`, 400, "malformed_request", ""},
		{"create no title", "POST", "/api/recipes", with(map[string]any{"title": nil}), 422, "invalid", "title"},
		{"create long title", "POST", "/api/recipes", with(map[string]any{"title": strings.Repeat("t", 201)}), 422, "invalid", "title"},
		{"create no servings", "POST", "/api/recipes", with(map[string]any{"servings": nil}), 422, "invalid", "servings"},
		{"create zero servings", "POST", "/api/recipes", with(map[string]any{"servings": 0}), 422, "invalid", "servings"},
		{"create too many servings", "POST", "/api/recipes", with(map[string]any{"servings": 101}), 422, "invalid", "servings"},
		{"create fractional servings", "POST", "/api/recipes", with(map[string]any{"servings": 1.5}), 422, "invalid", "servings"},
		{"create servings string", "POST", "/api/recipes", with(map[string]any{"servings": "4"}), 422, "invalid", "servings"},
		{"create quantity zero", "POST", "/api/recipes", with(map[string]any{"ingredients": []any{map[string]any{"name": "x", "quantity": 0}}}), 422, "invalid", "ingredients[0].quantity"},
		{"create quantity negative", "POST", "/api/recipes", with(map[string]any{"ingredients": []any{map[string]any{"name": "a"}, map[string]any{"name": "x", "quantity": -1}}}), 422, "invalid", "ingredients[1].quantity"},
		{"create quantity huge", "POST", "/api/recipes", with(map[string]any{"ingredients": []any{map[string]any{"name": "x", "quantity": 1e7}}}), 422, "invalid", "ingredients[0].quantity"},
		{"create quantity string", "POST", "/api/recipes", with(map[string]any{"ingredients": []any{map[string]any{"name": "x", "quantity": "2"}}}), 422, "invalid", "ingredients.quantity"},
		{"create ingredient no name", "POST", "/api/recipes", with(map[string]any{"ingredients": []any{map[string]any{"quantity": 2}}}), 422, "invalid", "ingredients[0].name"},
		{"create ingredient long unit", "POST", "/api/recipes", with(map[string]any{"ingredients": []any{map[string]any{"name": "x", "unit": strings.Repeat("u", 33)}}}), 422, "invalid", "ingredients[0].unit"},
		{"create ingredient unknown field", "POST", "/api/recipes", with(map[string]any{"ingredients": []any{map[string]any{"name": "x", "amount": 2}}}), 422, "invalid", "amount"},
		{"create ingredient not object", "POST", "/api/recipes", with(map[string]any{"ingredients": []any{"flour"}}), 422, "invalid", "ingredients"},
		{"create too many ingredients", "POST", "/api/recipes", with(map[string]any{"ingredients": many(101, map[string]any{"name": "x"})}), 422, "invalid", "ingredients"},
		{"create blank step", "POST", "/api/recipes", with(map[string]any{"steps": []string{"Mix.", " "}}), 422, "invalid", "steps[1]"},
		{"create too many steps", "POST", "/api/recipes", with(map[string]any{"steps": many(101, "Stir.")}), 422, "invalid", "steps"},
		{"create step wrong type", "POST", "/api/recipes", with(map[string]any{"steps": []any{1}}), 422, "invalid", "steps"},
		{"create too many tags", "POST", "/api/recipes", with(map[string]any{"tags": func() []string {
			var tags []string
			for i := range 21 {
				tags = append(tags, strings.Repeat("t", i+1))
			}
			return tags
		}()}), 422, "invalid", "tags"},
		{"create long tag", "POST", "/api/recipes", with(map[string]any{"tags": []string{strings.Repeat("t", 51)}}), 422, "invalid", "tags[0]"},
		{"create javascript url", "POST", "/api/recipes", with(map[string]any{"source_url": "javascript:alert(1)"}), 422, "invalid", "source_url"},
		{"create ftp url", "POST", "/api/recipes", with(map[string]any{"source_url": "ftp://example.org/x"}), 422, "invalid", "source_url"},
		{"create relative url", "POST", "/api/recipes", with(map[string]any{"source_url": "/pancakes"}), 422, "invalid", "source_url"},
		{"create url with space", "POST", "/api/recipes", with(map[string]any{"source_url": "https://example.org/a b"}), 422, "invalid", "source_url"},
		{"create unknown field", "POST", "/api/recipes", with(map[string]any{"rating": 5}), 422, "invalid", "rating"},
		{"update title null", "PATCH", R, `{"title":null}`, 422, "invalid", "title"},
		{"update servings wrong type", "PATCH", R, `{"servings":"x"}`, 422, "invalid", "servings"},
		{"update servings zero", "PATCH", R, `{"servings":0}`, 422, "invalid", "servings"},
		{"update ingredients null", "PATCH", R, `{"ingredients":null}`, 422, "invalid", "ingredients"},
		{"update ingredient quantity zero", "PATCH", R, `{"ingredients":[{"name":"x","quantity":0}]}`, 422, "invalid", "ingredients[0].quantity"},
		{"update ingredient quantity wrong type", "PATCH", R, `{"ingredients":[{"name":"x","quantity":"lots"}]}`, 422, "invalid", "ingredients.quantity"},
		// Optional decodes its value with a non-strict json.Unmarshal: the
		// ingredient's own UnmarshalJSON keeps unknown fields refused.
		{"update ingredient unknown field", "PATCH", R, `{"ingredients":[{"name":"x","amount":2}]}`, 422, "invalid", "amount"},
		{"update steps wrong type", "PATCH", R, `{"steps":"Mix."}`, 422, "invalid", "steps"},
		{"update bad url", "PATCH", R, `{"source_url":"mailto:a@b.c"}`, 422, "invalid", "source_url"},
		{"update unknown field", "PATCH", R, `{"id":"x"}`, 422, "invalid", "id"},
		{"add no list", "POST", R + "/add-to-list", `{}`, 422, "invalid", "list_id"},
		{"add malformed list", "POST", R + "/add-to-list", `{"list_id":"nope"}`, 422, "invalid", "list_id"},
		{"add list wrong type", "POST", R + "/add-to-list", `{"list_id":7}`, 422, "invalid", "list_id"},
		{"add zero servings", "POST", R + "/add-to-list", map[string]any{"list_id": list.ID, "servings": 0}, 422, "invalid", "servings"},
		{"add servings wrong type", "POST", R + "/add-to-list", map[string]any{"list_id": list.ID, "servings": "2"}, 422, "invalid", "servings"},
		{"add unknown field", "POST", R + "/add-to-list", map[string]any{"list_id": list.ID, "scale": 2}, 422, "invalid", "scale"},
		{"add missing list", "POST", R + "/add-to-list", map[string]any{"list_id": uuid.New()}, 404, "not_found", ""},
		{"add missing recipe", "POST", "/api/recipes/" + uuid.NewString() + "/add-to-list", map[string]any{"list_id": list.ID}, 404, "not_found", ""},
	})
	env.sameCounts(t, before)
	var got recipeJSON
	c.must(http.StatusOK, "GET", R, nil).decode(t, &got)
	if !got.UpdatedAt.Equal(rec.UpdatedAt) || len(got.Ingredients) != 5 {
		t.Fatalf("refused requests changed the recipe: %+v", got)
	}
}

func TestRecipeScaleIngredient(t *testing.T) {
	t.Parallel()
	q := func(f float64) *float64 { return &f }
	u := func(s string) *string { return &s }
	for _, tc := range []struct {
		quantity                 *float64
		unit                     *string
		recipeServings, servings int32
		want                     string // "" for nil
	}{
		{q(300), u("g"), 4, 4, "300 g"},
		{q(300), u("g"), 4, 2, "150 g"},
		{q(300), u("g"), 4, 6, "450 g"},
		{q(3), nil, 4, 2, "1½"},              // counted: up to the next half
		{q(1), nil, 4, 7, "2"},               // 1.75 onions
		{q(1), nil, 4, 5, "1½"},              // 1.25
		{q(1), u("clove"), 4, 7, "2 cloves"}, // a counted unit in the plural for more than one
		{q(1), u("cloves"), 4, 4, "1 clove"},
		{q(1), u("Zehe"), 4, 2, "½ Zehe"},
		{q(1), u("Zehe"), 4, 6, "1½ Zehen"},
		{q(3), u("Stück"), 4, 2, "1½ Stück"},
		{q(800), u("g"), 4, 7, "1.4 kg"}, // 1000 g and more in kg
		{q(999), u("g"), 1, 1, "999 g"},
		{q(600), u("ml"), 1, 2, "1.2 l"},
		{q(1), nil, 2, 4, "2"},
		{q(0.5), u("l"), 4, 4, "0.5 l"},
		{q(1), u("cup"), 3, 1, "0.33 cup"},
		{q(2), u("cups"), 3, 1, "0.67 cups"},
		{q(1.25), u("kg"), 1, 1, "1.25 kg"},
		{q(0.001), u("g"), 100, 1, "0.00001 g"},
		{q(0.004), nil, 1, 1, "½"},
		{q(0.004), u("cup"), 1, 1, "0.004 cup"},
		{q(1_000_000), u("ml"), 1, 100, "100000 l"},
		{nil, u("pinch"), 4, 8, "pinch"},
		{nil, nil, 4, 8, ""},
	} {
		got := db.ScaleIngredient(db.Ingredient{Name: "x", Quantity: tc.quantity, Unit: tc.unit}, tc.recipeServings, tc.servings)
		if (got == nil) != (tc.want == "") || got != nil && *got != tc.want {
			t.Errorf("scale %v %v from %d to %d servings = %v, want %q", tc.quantity, tc.unit, tc.recipeServings, tc.servings, got, tc.want)
		}
	}
}

func TestRecipeAddToList(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("add@example.org", "Adders")
	var rec recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", pancakes()).decode(t, &rec)
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "Coffee"})
	path := "/api/recipes/" + rec.ID.String() + "/add-to-list"

	for _, tc := range []struct {
		name     string
		servings any // nil: the recipe's
		want     []string
	}{
		{"recipe servings", nil, []string{"flour 300 g", "eggs 3", "milk 0.5 l", "salt pinch", "butter for the pan -"}},
		{"half", 2, []string{"flour 150 g", "eggs 1½", "milk 0.25 l", "salt pinch", "butter for the pan -"}},
		{"one and a half", 6, []string{"flour 450 g", "eggs 4½", "milk 0.75 l", "salt pinch", "butter for the pan -"}},
		{"third", 1, []string{"flour 75 g", "eggs 1", "milk 0.125 l", "salt pinch", "butter for the pan -"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A list of its own: on one list, a second add-to-list merges
			// (TestRecipeAddToListMerges).
			c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly " + tc.name}).decode(t, &list)
			c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "Coffee"})
			body := map[string]any{"list_id": list.ID}
			if tc.servings != nil {
				body["servings"] = tc.servings
			}
			seq := env.lastSeq(acc.Family.ID)
			var before shoppingListWithItemsJSON
			c.must(http.StatusOK, "GET", "/api/shopping/lists/"+list.ID.String(), nil).decode(t, &before)
			var items []shoppingItemJSON
			c.must(http.StatusCreated, "POST", path, body).decode(t, &items)
			var got []string
			for i, it := range items {
				quantity := "-"
				if it.Quantity != nil {
					quantity = *it.Quantity
				}
				got = append(got, it.Name+" "+quantity)
				if it.ListID != list.ID || it.Category != nil || it.CategorySource != nil || it.Checked ||
					it.Position != before.Items[len(before.Items)-1].Position+1+int32(i) {
					t.Fatalf("item %+v", it)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("items %q, want %q", got, tc.want)
			}
			// One transaction: the events are numbered back to back, one
			// insert per ingredient, each with the list and the actor.
			evs := env.events(acc.Family.ID, seq)
			if len(evs) != len(tc.want) {
				t.Fatalf("events %+v", evs)
			}
			for i, ev := range evs {
				if ev.Type != "SHOPPING_ITEM_UPDATED" || ev.Op != "insert" || ev.EntityID != items[i].ID ||
					*ev.ListID != list.ID || *ev.ActorID != acc.User.ID {
					t.Fatalf("event %+v", ev)
				}
			}
		})
	}

	// A recipe without ingredients adds nothing and still answers an array.
	var toast recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", map[string]any{"title": "Toast", "servings": 1}).decode(t, &toast)
	r := c.must(http.StatusCreated, "POST", "/api/recipes/"+toast.ID.String()+"/add-to-list", map[string]any{"list_id": list.ID})
	if strings.TrimSpace(string(r.body)) != "[]" {
		t.Fatalf("empty add-to-list %s", r.body)
	}
}

// TestRecipeAddToListMerges: adding a recipe again merges each ingredient
// into its unticked line of the same name and unit (amounts added),
// instead of a second line; a ticked line of the name is unticked with the
// recipe's amount (db.Tx.ShoppingItemPut, the assistant's rule too);
// another unit or an amount that is not a number gets no merge of
// amounts; and only the chosen ingredients are added.
func TestRecipeAddToListMerges(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("merge@example.org", "Mergers")
	var rec recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", pancakes()).decode(t, &rec)
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	L := "/api/shopping/lists/" + list.ID.String()
	var flourKg, eggs shoppingItemJSON
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "Flour", "quantity": "1 bag"}).decode(t, &flourKg)
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "eggs", "quantity": "2"}).decode(t, &eggs)
	c.must(http.StatusOK, "PATCH", "/api/shopping/items/"+eggs.ID.String(), map[string]any{"checked": true})
	path := "/api/recipes/" + rec.ID.String() + "/add-to-list"
	c.must(http.StatusCreated, "POST", path, map[string]any{"list_id": list.ID})
	seq := env.lastSeq(acc.Family.ID)
	// The second time, only flour and milk (indexes 0 and 2).
	var items []shoppingItemJSON
	c.must(http.StatusCreated, "POST", path, map[string]any{"list_id": list.ID, "ingredients": []int{0, 2}}).decode(t, &items)
	if len(items) != 2 || items[0].Name != "flour" || *items[0].Quantity != "600 g" || items[1].Name != "milk" || *items[1].Quantity != "1 l" {
		t.Fatalf("merged items %+v", items)
	}
	for _, ev := range env.events(acc.Family.ID, seq) {
		if ev.Op != "update" {
			t.Fatalf("a merge made an %s event", ev.Op)
		}
	}
	var got shoppingListWithItemsJSON
	c.must(http.StatusOK, "GET", L, nil).decode(t, &got)
	var lines []string
	for _, it := range got.Items {
		q := "-"
		if it.Quantity != nil {
			q = *it.Quantity
		}
		lines = append(lines, fmt.Sprintf("%s %s %v", it.Name, q, it.Checked))
	}
	want := []string{"Flour 1 bag false", "eggs 3 false", "flour 600 g false", "milk 1 l false", "salt pinch false", "butter for the pan - false"}
	if !slices.Equal(lines, want) {
		t.Fatalf("list %q, want %q", lines, want)
	}
	for _, bad := range []any{[]int{5}, []int{-1}, []int{0, 0}, "all"} {
		if r := c.do("POST", path, map[string]any{"list_id": list.ID, "ingredients": bad}); r.StatusCode != http.StatusUnprocessableEntity || r.errorBody(t).Field != "ingredients" {
			t.Fatalf("ingredients %v: %d %s", bad, r.StatusCode, r.body)
		}
	}
}

// TestRecipeAddToListGerman: asked in German (the app's Accept-Language),
// amounts are written with a decimal comma, new lines and merged ones; a
// line that already has a comma keeps it when asked in English.
func TestRecipeAddToListGerman(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("komma@example.org", "Kommas")
	var rec recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", pancakes()).decode(t, &rec)
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Wocheneinkauf"}).decode(t, &list)
	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "milk", "quantity": "2 l"})
	path := "/api/recipes/" + rec.ID.String() + "/add-to-list"
	quantities := func(items []shoppingItemJSON) map[string]string {
		out := map[string]string{}
		for _, it := range items {
			if it.Quantity != nil {
				out[it.Name] = *it.Quantity
			}
		}
		return out
	}
	c.header.Set("Accept-Language", "de-DE,de;q=0.9")
	var items []shoppingItemJSON
	c.must(http.StatusCreated, "POST", path, map[string]any{"list_id": list.ID, "servings": 2}).decode(t, &items)
	if q := quantities(items); q["milk"] != "2,25 l" || q["eggs"] != "1½" || q["flour"] != "150 g" || q["salt"] != "pinch" {
		t.Fatalf("in German: %v", q)
	}
	c.header.Set("Accept-Language", "en")
	c.must(http.StatusCreated, "POST", path, map[string]any{"list_id": list.ID, "servings": 2}).decode(t, &items)
	if q := quantities(items); q["milk"] != "2,5 l" || q["eggs"] != "3" {
		t.Fatalf("in English onto German lines: %v", q)
	}
}

// TestRecipeAddToListRegion: the decimal mark follows the request's locale,
// not only its language: English on a German device (en-DE, as the app
// sends it) writes a comma, en-US a point, and Swiss German a point.
func TestRecipeAddToListRegion(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("region@example.org", "Regions")
	var rec recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", pancakes()).decode(t, &rec)
	path := "/api/recipes/" + rec.ID.String() + "/add-to-list"
	for _, tc := range []struct{ header, milk string }{
		{"en-DE, en;q=0.9, de;q=0.5", "0,25 l"},
		{"en-US, en;q=0.9, de;q=0.5", "0.25 l"},
		{"de-CH, de;q=0.9, en;q=0.5", "0.25 l"},
	} {
		var list shoppingListJSON
		c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": tc.header}).decode(t, &list)
		c.header.Set("Accept-Language", tc.header)
		var items []shoppingItemJSON
		c.must(http.StatusCreated, "POST", path, map[string]any{"list_id": list.ID, "servings": 2}).decode(t, &items)
		for _, it := range items {
			if it.Name == "milk" && (it.Quantity == nil || *it.Quantity != tc.milk) {
				t.Errorf("%s: milk %v, want %s", tc.header, deref(it.Quantity), tc.milk)
			}
		}
	}
}

// TestRecipeAddToListAmounts: what goes on the list is written as the
// recipe page writes it (db/amounts.go, web/static/js/amounts.js): 4 → 7
// servings of one onion is "2", not "1,75"; 1400 g of tomatoes is "1,4 kg";
// merged into a line of 500 g it is "1,9 kg" (g and kg add up), not
// "1900 g"; a half counts as "½"; two cloves are "2 cloves", not "2 clove".
func TestRecipeAddToListAmounts(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("amounts@example.org", "Amounts")
	var rec recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", map[string]any{"title": "Sauce", "servings": 4, "ingredients": []map[string]any{
		{"name": "tomatoes", "quantity": 800, "unit": "g"}, {"name": "onion", "quantity": 1}, {"name": "garlic", "quantity": 1, "unit": "clove"},
	}}).decode(t, &rec)
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Wocheneinkauf"}).decode(t, &list)
	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "tomatoes", "quantity": "500 g"})
	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "onion", "quantity": "½"})
	path := "/api/recipes/" + rec.ID.String() + "/add-to-list"
	c.header.Set("Accept-Language", "de-DE,de;q=0.9")
	var items []shoppingItemJSON
	c.must(http.StatusCreated, "POST", path, map[string]any{"list_id": list.ID, "servings": 7}).decode(t, &items)
	got := map[string]string{}
	for _, it := range items {
		got[it.Name] = deref(it.Quantity)
	}
	if got["tomatoes"] != "1,9 kg" || got["onion"] != "2½" || got["garlic"] != "2 cloves" {
		t.Fatalf("7 servings in German: %v", got)
	}
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	c.header.Set("Accept-Language", "en")
	c.must(http.StatusCreated, "POST", path, map[string]any{"list_id": list.ID, "servings": 7}).decode(t, &items)
	for _, it := range items {
		got[it.Name] = deref(it.Quantity)
	}
	if got["tomatoes"] != "1.4 kg" || got["onion"] != "2" || got["garlic"] != "2 cloves" {
		t.Fatalf("7 servings in English: %v", got)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestDecimalCommaHeader: the decimal mark for an Accept-Language header
// follows the tag the header prefers most within the chosen language (q, not
// order; q=0 refuses), in any case, past a script subtag, and covers every
// English locale Chromium writes with a comma (en-ID, en-GE).
func TestDecimalCommaHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		header string
		comma  bool
	}{
		{"en-DE, en;q=0.9, de;q=0.5", true},
		{"EN-de, en;q=0.9", true},
		{"en-US, en;q=0.9, de;q=0.5", false},
		{"en;q=0.5, en-DE", true},
		{"en-DE;q=0, en", false},
		{"de-Latn-CH, de;q=0.9", false},
		{"de-CH-u-nu-latn", false},
		{"en-x-de", false},
		{"en-ID, en;q=0.9, de;q=0.5", true},
		{"en-GE, en;q=0.9, de;q=0.5", true},
		{"de-AT, de;q=0.9", true},
		{"de-LI", false},
		{"en-CH, en;q=0.9, de;q=0.5", false},
		{"", false},
		{";;,,-", false},
	} {
		if got := decimalComma(tc.header); got != tc.comma {
			t.Errorf("decimalComma(%q) = %v, want %v", tc.header, got, tc.comma)
		}
	}
}
