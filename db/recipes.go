package db

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Ingredient is one ingredient of a recipe, as the API shows it and as
// recipes.ingredients stores it.
type Ingredient struct {
	Name     string   `json:"name"`
	Quantity *float64 `json:"quantity"`
	Unit     *string  `json:"unit"`
}

// UnmarshalJSON decodes strictly (unknown fields refused) even where the
// caller's decoder is not strict, as inside Optional of a PATCH body.
func (in *Ingredient) UnmarshalJSON(b []byte) error {
	type plain Ingredient
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(in))
}

// Recipe is a recipe with its ingredients decoded.
type Recipe struct {
	dbsqlc.Recipe
	IngredientList []Ingredient
}

// recipeFromRow decodes the stored ingredients; it fails only when they are
// not the JSON the API writes (a broken manual edit).
func recipeFromRow(r dbsqlc.Recipe) (Recipe, error) {
	out := Recipe{Recipe: r, IngredientList: []Ingredient{}}
	if err := json.Unmarshal(r.Ingredients, &out.IngredientList); err != nil {
		return Recipe{}, fmt.Errorf("recipe %s: stored ingredients: %w", r.ID, err)
	}
	return out, nil
}

// RecipeNew is a recipe to create. ID is the client's choice (nil: the
// server chooses); a repeat with the same ID is answered, not repeated.
type RecipeNew struct {
	ID          *uuid.UUID   `json:"-"`
	Title       string       `json:"title"`
	Servings    int32        `json:"servings"`
	Ingredients []Ingredient `json:"ingredients"`
	Steps       []string     `json:"steps"`
	Tags        []string     `json:"tags"`
	SourceURL   *string      `json:"source_url"`
}

// Normalize normalises the recipe in place: text trimmed, absent lists
// empty, tags trimmed without duplicates (ignoring case), blank source_url null.
func (p *RecipeNew) Normalize() (err error) {
	if p.Title, err = TrimmedText("title", p.Title, 1, familyhub.MaxRecipeTitleLen); err != nil {
		return err
	}
	if err := ValidateServings("servings", p.Servings); err != nil {
		return err
	}
	if p.Ingredients, err = normalizeIngredients(p.Ingredients); err != nil {
		return err
	}
	if p.Steps, err = normalizeSteps(p.Steps); err != nil {
		return err
	}
	if p.Tags, err = normalizeTags(p.Tags); err != nil {
		return err
	}
	p.SourceURL, err = normalizeSourceURL(p.SourceURL)
	return err
}

// RecipePatch changes the present fields of a recipe. Lists replace the
// stored ones whole; null is refused except for source_url, which it clears.
type RecipePatch struct {
	Title       familyhub.Optional[string]       `json:"title"`
	Servings    familyhub.Optional[int32]        `json:"servings"`
	Ingredients familyhub.Optional[[]Ingredient] `json:"ingredients"`
	Steps       familyhub.Optional[[]string]     `json:"steps"`
	Tags        familyhub.Optional[[]string]     `json:"tags"`
	SourceURL   familyhub.Optional[string]       `json:"source_url"`
}

// Normalize checks the present fields.
func (p *RecipePatch) Normalize() error {
	for _, f := range []struct {
		name      string
		set, null bool
	}{
		{"servings", p.Servings.Set, p.Servings.Null},
		{"ingredients", p.Ingredients.Set, p.Ingredients.Null},
		{"steps", p.Steps.Set, p.Steps.Null},
		{"tags", p.Tags.Set, p.Tags.Null},
	} {
		if f.set && f.null {
			return familyhub.Invalid(f.name, "%s cannot be null.", f.name)
		}
	}
	if err := requiredPatchText("title", &p.Title, familyhub.MaxRecipeTitleLen); err != nil {
		return err
	}
	var err error
	if p.Servings.Set {
		if err := ValidateServings("servings", p.Servings.Value); err != nil {
			return err
		}
	}
	if p.Ingredients.Set {
		if p.Ingredients.Value, err = normalizeIngredients(p.Ingredients.Value); err != nil {
			return err
		}
	}
	if p.Steps.Set {
		if p.Steps.Value, err = normalizeSteps(p.Steps.Value); err != nil {
			return err
		}
	}
	if p.Tags.Set {
		if p.Tags.Value, err = normalizeTags(p.Tags.Value); err != nil {
			return err
		}
	}
	if p.SourceURL.Set && !p.SourceURL.Null {
		u, err := normalizeSourceURL(&p.SourceURL.Value)
		if err != nil {
			return err
		}
		if u == nil {
			p.SourceURL.Null = true
		} else {
			p.SourceURL.Value = *u
		}
	}
	return nil
}

// ValidateServings checks a number of servings.
func ValidateServings(field string, n int32) error {
	if n < 1 || n > familyhub.MaxRecipeServings {
		return familyhub.Invalid(field, "%s must be a whole number from 1 to %d.", field, familyhub.MaxRecipeServings)
	}
	return nil
}

// normalizeIngredients trims names and units (a blank unit becomes null)
// and checks counts, lengths and quantities. Fields are named like
// ingredients[2].quantity.
func normalizeIngredients(in []Ingredient) ([]Ingredient, error) {
	if len(in) > familyhub.MaxRecipeIngredients {
		return nil, familyhub.Invalid("ingredients", "A recipe has at most %d ingredients.", familyhub.MaxRecipeIngredients)
	}
	out := make([]Ingredient, len(in))
	for i, ing := range in {
		field := fmt.Sprintf("ingredients[%d]", i)
		var err error
		if ing.Name, err = TrimmedText(field+".name", ing.Name, 1, familyhub.MaxIngredientNameLen); err != nil {
			return nil, err
		}
		if q := ing.Quantity; q != nil && !(*q >= familyhub.MinIngredientQuantity && *q <= familyhub.MaxIngredientQuantity) {
			return nil, familyhub.Invalid(field+".quantity", "%s.quantity must be a number from %g to %d, or null.",
				field, familyhub.MinIngredientQuantity, familyhub.MaxIngredientQuantity)
		}
		if ing.Unit, err = OptionalText(field+".unit", ing.Unit, familyhub.MaxIngredientUnitLen); err != nil {
			return nil, err
		}
		out[i] = ing
	}
	return out, nil
}

func normalizeSteps(in []string) ([]string, error) {
	if len(in) > familyhub.MaxRecipeSteps {
		return nil, familyhub.Invalid("steps", "A recipe has at most %d steps.", familyhub.MaxRecipeSteps)
	}
	out := make([]string, len(in))
	for i, step := range in {
		var err error
		if out[i], err = TrimmedText(fmt.Sprintf("steps[%d]", i), step, 1, familyhub.MaxRecipeStepLen); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// normalizeTags trims tags and drops repeats that differ only in case,
// keeping the first occurrence as typed and in place: German nouns keep
// their capital ("Abendessen", and "abendessen" after it is a repeat).
func normalizeTags(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for i, tag := range in {
		tag = strings.TrimSpace(tag)
		if err := ValidateText(fmt.Sprintf("tags[%d]", i), tag, 1, familyhub.MaxRecipeTagLen); err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(out, func(t string) bool { return strings.EqualFold(t, tag) }) {
			out = append(out, tag)
		}
	}
	if len(out) > familyhub.MaxRecipeTags {
		return nil, familyhub.Invalid("tags", "A recipe has at most %d tags.", familyhub.MaxRecipeTags)
	}
	return out, nil
}

// normalizeSourceURL accepts an absolute http or https URL with a host. A
// blank one is no URL (nil).
func normalizeSourceURL(v *string) (*string, error) {
	if v == nil || strings.TrimSpace(*v) == "" {
		return nil, nil
	}
	s := strings.TrimSpace(*v)
	if len(s) > familyhub.MaxRecipeSourceURLLen {
		return nil, familyhub.Invalid("source_url", "source_url must be at most %d bytes.", familyhub.MaxRecipeSourceURLLen)
	}
	u, err := url.Parse(s)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" ||
		strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, familyhub.Invalid("source_url", "source_url must be an http or https URL.")
	}
	return &s, nil
}

// ScaleIngredient returns the shopping quantity for an ingredient made for
// servings instead of the recipe's: the scaled amount as the app writes it
// (amounts.go: "1.5", "2", "1½", "1.4 kg") followed by the unit, the unit
// alone when there is no amount, or nil when there is neither.
func ScaleIngredient(ing Ingredient, recipeServings, servings int32) *string {
	return scaleIngredient(ing, recipeServings, servings, false)
}

// scaleIngredient is ScaleIngredient; comma writes a decimal comma.
func scaleIngredient(ing Ingredient, recipeServings, servings int32, comma bool) *string {
	unit := ""
	if ing.Unit != nil {
		unit = *ing.Unit
	}
	if ing.Quantity != nil {
		s := amountText(*ing.Quantity*float64(servings)/float64(recipeServings), unit, comma) // as amounts.js scales
		return &s
	}
	if unit == "" {
		return nil
	}
	return &unit
}

// RecipeList returns the family's recipes.
func (tx *Tx) RecipeList(ctx context.Context) ([]Recipe, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.RecipeList(ctx, tx, family)
	if err != nil {
		return nil, err
	}
	out := make([]Recipe, len(rows))
	for i, row := range rows {
		if out[i], err = recipeFromRow(row); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecipeGet returns a recipe of the family.
func (tx *Tx) RecipeGet(ctx context.Context, id uuid.UUID) (Recipe, error) {
	family, err := tx.family()
	if err != nil {
		return Recipe{}, err
	}
	row, err := tx.q.RecipeGet(ctx, tx, dbsqlc.RecipeGetParams{ID: id, FamilyID: family})
	if err != nil {
		return Recipe{}, Err(err, "recipe")
	}
	return recipeFromRow(row)
}

// RecipeCreate creates a recipe; replayed says the client's id was used
// before for the same recipe, which is returned as it is now (also at the
// limit). A family has at most familyhub.MaxRecipes (ELIMIT beyond).
func (tx *Tx) RecipeCreate(ctx context.Context, p RecipeNew) (r Recipe, replayed bool, err error) {
	if err := tx.authorize(familyhub.ActRecipeCreate); err != nil {
		return r, false, err
	}
	family, err := tx.family()
	if err != nil {
		return r, false, err
	}
	if err := p.Normalize(); err != nil {
		return r, false, err
	}
	ingredients, err := json.Marshal(p.Ingredients)
	if err != nil {
		return r, false, err
	}
	ids, replayed, err := tx.createOnce(ctx, p.ID, "recipe", p, func() ([]uuid.UUID, error) {
		if err := tx.underLimit(ctx, limitRecipes, family, familyhub.MaxRecipes,
			func() (int32, error) { return tx.q.RecipeCount(ctx, tx, family) },
			familyhub.Errorf(familyhub.ELIMIT, "A family can have at most %d recipes; delete one first.", familyhub.MaxRecipes)); err != nil {
			return nil, err
		}
		row, err := tx.q.RecipeInsert(ctx, tx, dbsqlc.RecipeInsertParams{
			ID: p.ID, FamilyID: family, Title: p.Title, Servings: p.Servings, Ingredients: ingredients,
			Steps: p.Steps, Tags: p.Tags, SourceUrl: p.SourceURL,
		})
		if err != nil {
			return nil, Err(err, "recipe")
		}
		r, err = recipeFromRow(row)
		return []uuid.UUID{r.ID}, err
	})
	if err != nil || !replayed {
		return r, replayed, err
	}
	r, err = tx.RecipeGet(ctx, ids[0])
	return r, true, err
}

// RecipeUpdate applies p to a recipe.
func (tx *Tx) RecipeUpdate(ctx context.Context, id uuid.UUID, p RecipePatch) (Recipe, error) {
	if err := tx.authorize(familyhub.ActRecipeUpdate); err != nil {
		return Recipe{}, err
	}
	family, err := tx.family()
	if err != nil {
		return Recipe{}, err
	}
	if err := p.Normalize(); err != nil {
		return Recipe{}, err
	}
	params := dbsqlc.RecipeUpdateParams{
		ID: id, FamilyID: family, Title: p.Title.Ptr(), Servings: p.Servings.Ptr(),
		SourceUrlSet: p.SourceURL.Set, SourceUrl: p.SourceURL.Ptr(), IfVersion: ifVersion(ctx),
	}
	// A nil slice is SQL NULL, "keep": Normalize made present lists non-nil.
	if p.Ingredients.Set {
		if params.Ingredients, err = json.Marshal(p.Ingredients.Value); err != nil {
			return Recipe{}, err
		}
	}
	if p.Steps.Set {
		params.Steps = p.Steps.Value
	}
	if p.Tags.Set {
		params.Tags = p.Tags.Value
	}
	row, err := tx.q.RecipeUpdate(ctx, tx, params)
	if isNoRows(err) {
		return Recipe{}, staleOrMissing(ctx, "recipe", func() (Recipe, error) { return tx.RecipeGet(ctx, id) })
	} else if err != nil {
		return Recipe{}, Err(err, "recipe")
	}
	return recipeFromRow(row)
}

// RecipeDelete deletes a recipe (If-Match: only at the version ctx asks for).
func (tx *Tx) RecipeDelete(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActRecipeDelete); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	n, err := tx.q.RecipeDelete(ctx, tx, dbsqlc.RecipeDeleteParams{ID: id, FamilyID: family, IfVersion: ifVersion(ctx)})
	if err == nil && n == 0 {
		return staleOrMissing(ctx, "recipe", func() (Recipe, error) { return tx.RecipeGet(ctx, id) })
	}
	return Err(err, "recipe")
}

// RecipeToList is a recipe's add-to-list: the list, servings (0: the
// recipe's own) and which ingredients (their indexes; nil: all).
// RequestID is the client's id of the request (nil: none); a repeat with
// it answers the items of the first time. DecimalComma writes amounts as
// the person's language does ("0,5 l" in German, not "0.5 l"); a line that
// already has a decimal comma keeps it either way.
type RecipeToList struct {
	RequestID    *uuid.UUID `json:"-"`
	DecimalComma bool       `json:"-"` // how it is written, not what is asked
	ListID       uuid.UUID
	Servings     int32
	Ingredients  []int
}

// chosen returns the ingredients p asks for, in recipe order; an index out
// of range or given twice is invalid.
func (p RecipeToList) chosen(all []Ingredient) ([]Ingredient, error) {
	if p.Ingredients == nil {
		return all, nil
	}
	seen := map[int]bool{}
	for _, i := range p.Ingredients {
		if i < 0 || i >= len(all) || seen[i] {
			return nil, familyhub.Invalid("ingredients", "ingredients lists the indexes (0 to %d) of the ingredients to add, each once.", len(all)-1)
		}
		seen[i] = true
	}
	var out []Ingredient
	for i, ing := range all {
		if seen[i] {
			out = append(out, ing)
		}
	}
	return out, nil
}

// RecipeAddToList puts a recipe's chosen ingredients on a shopping list,
// scaled to servings, and returns the items in ingredient order. An
// ingredient whose name and unit are already on the list unticked is
// merged into that line (amounts added when both are numbers) instead of
// making a second one; a new line is categorised at once. replayed says
// the request id was used before for the same request: the items of the
// first time are returned as they are now (those deleted since left out).
func (tx *Tx) RecipeAddToList(ctx context.Context, id uuid.UUID, p RecipeToList) (items []dbsqlc.ShoppingItemsView, replayed bool, err error) {
	items, _, replayed, err = tx.RecipeAddToListFrom(ctx, id, p)
	return items, replayed, err
}

// RecipeAddToListFrom is RecipeAddToList that also returns what the add
// did to each item's line (nil on a replay): puts[i] is the put of
// items[i] (ShoppingItemPut's answer without OnList). Before is the line
// as that put's write found it, after the list's put lock and a re-read
// when the line had changed: an undo's state. A line kept as it is (an
// ingredient without quantity onto an open line) has neither Before nor
// New: the add did not change it, and a tick of it afterwards is another
// person's, not the add's to undo. Of a line written twice (two
// ingredients of one name) an undo wants the first put's Before (or New):
// the line as the add first found it.
func (tx *Tx) RecipeAddToListFrom(ctx context.Context, id uuid.UUID, p RecipeToList) (items []dbsqlc.ShoppingItemsView, puts []ShoppingPut, replayed bool, err error) {
	if err := tx.authorize(familyhub.ActShoppingItemAdd); err != nil {
		return nil, nil, false, err
	}
	recipe, err := tx.RecipeGet(ctx, id)
	if err != nil {
		return nil, nil, false, err
	}
	if _, err := tx.ShoppingListGet(ctx, p.ListID); err != nil {
		return nil, nil, false, err
	}
	if p.Servings == 0 {
		p.Servings = recipe.Servings
	} else if err := ValidateServings("servings", p.Servings); err != nil {
		return nil, nil, false, err
	}
	request := struct {
		RecipeID uuid.UUID
		RecipeToList
	}{id, p}
	chosen, err := p.chosen(recipe.IngredientList)
	if err != nil {
		return nil, nil, false, err
	}
	ids, replayed, err := tx.createOnce(ctx, p.RequestID, "recipe-add-to-list", request, func() ([]uuid.UUID, error) {
		onList, err := tx.ShoppingItemsForPut(ctx, p.ListID)
		if err != nil {
			return nil, err
		}
		items = make([]dbsqlc.ShoppingItemsView, 0, len(chosen))
		puts = make([]ShoppingPut, 0, len(chosen))
		ids := make([]uuid.UUID, 0, len(chosen))
		for _, ing := range chosen {
			put, err := tx.addIngredient(ctx, p.ListID, onList, ing, recipe.Servings, p.Servings, p.DecimalComma)
			if err != nil {
				return nil, err
			}
			onList, put.OnList = put.OnList, nil
			items, ids, puts = append(items, put.Item), append(ids, put.Item.ID), append(puts, put)
		}
		return ids, nil
	})
	if err != nil || !replayed {
		return items, puts, replayed, err
	}
	items = []dbsqlc.ShoppingItemsView{}
	for _, itemID := range ids {
		item, err := tx.ShoppingItemGet(ctx, itemID)
		if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, nil, true, err
		}
		items = append(items, item)
	}
	return items, nil, true, nil
}

// addIngredient puts one scaled ingredient on a list by the rule of every
// merging add (ShoppingItemPut): merged into an open line of the same name
// and unit (g and kg, ml and l count as one), a ticked one unticked, else a
// new item. comma writes the amount with a decimal comma.
func (tx *Tx) addIngredient(ctx context.Context, listID uuid.UUID, onList []dbsqlc.ShoppingItemsView, ing Ingredient, recipeServings, servings int32, comma bool) (ShoppingPut, error) {
	qty := scaleIngredient(ing, recipeServings, servings, comma)
	return tx.ShoppingItemPut(ctx, listID, onList, ShoppingItemNew{Name: ing.Name, Quantity: qty}, comma)
}

// splitQuantity reads a shopping quantity as add-to-list writes it: an
// amount and a unit ("150 g"), an amount ("1.5", "1,5", "1½"), a unit
// ("pinch") or nothing. ok says there is an amount; the unit comes back as
// typed (unitKey compares units: "T" and "t" are not one).
func splitQuantity(q *string) (amount float64, unit string, ok bool) {
	if q == nil {
		return 0, "", false
	}
	s := strings.TrimSpace(*q)
	num, rest, _ := strings.Cut(s, " ")
	v, ok := parseAmount(num)
	if !ok {
		return 0, s, false
	}
	return v, strings.TrimSpace(rest), true
}
