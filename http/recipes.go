package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Limits of recipe input; the migration's CHECKs mirror the ones it can.
const (
	maxRecipeTitleLen     = 200
	maxRecipeServings     = 100
	maxRecipeIngredients  = 100
	maxIngredientNameLen  = 200
	maxIngredientUnitLen  = 32
	minIngredientQuantity = 0.001
	maxIngredientQuantity = 1_000_000
	maxRecipeSteps        = 100
	maxRecipeStepLen      = 4000
	maxRecipeTags         = 20
	maxRecipeTagLen       = 50
	maxRecipeSourceURLLen = 2000
)

// mountRecipes adds the recipes endpoints to the authenticated API router.
func (s *Server) mountRecipes(r chi.Router) {
	r.Get("/recipes", s.handleRecipeList)
	r.Post("/recipes", s.handleRecipeCreate)
	r.Get("/recipes/{id}", s.handleRecipeGet)
	r.Patch("/recipes/{id}", s.handleRecipeUpdate)
	r.Delete("/recipes/{id}", s.deleteHandler("recipe", func(ctx context.Context, tx pgx.Tx, id, family uuid.UUID) (int64, error) {
		return s.store.Q.RecipeDelete(ctx, tx, dbsqlc.RecipeDeleteParams{ID: id, FamilyID: family})
	}))
	r.Post("/recipes/{id}/add-to-list", s.handleRecipeAddToList)
}

// JSON shapes.

// ingredientJSON is one ingredient, in requests, responses and the
// recipes.ingredients column alike.
type ingredientJSON struct {
	Name     string   `json:"name"`
	Quantity *float64 `json:"quantity"`
	Unit     *string  `json:"unit"`
}

// UnmarshalJSON decodes strictly (unknown fields refused) even where the
// caller's decoder is not strict, as inside Optional of a PATCH body.
func (in *ingredientJSON) UnmarshalJSON(b []byte) error {
	type plain ingredientJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(in))
}

type recipeJSON struct {
	ID          uuid.UUID        `json:"id"`
	Title       string           `json:"title"`
	Servings    int32            `json:"servings"`
	Ingredients []ingredientJSON `json:"ingredients"`
	Steps       []string         `json:"steps"`
	Tags        []string         `json:"tags"`
	SourceURL   *string          `json:"source_url"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// toRecipeJSON fails only when the stored ingredients are not the JSON the
// API writes (a broken manual edit).
func toRecipeJSON(r dbsqlc.Recipe) (recipeJSON, error) {
	out := recipeJSON{
		ID: r.ID, Title: r.Title, Servings: r.Servings, Steps: r.Steps, Tags: r.Tags, SourceURL: r.SourceUrl,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Ingredients: []ingredientJSON{},
	}
	if err := json.Unmarshal(r.Ingredients, &out.Ingredients); err != nil {
		return recipeJSON{}, fmt.Errorf("recipe %s: stored ingredients: %w", r.ID, err)
	}
	return out, nil
}

// Requests and their validation (no database: the fuzz test runs them).

type recipeCreateRequest struct {
	Title       string           `json:"title"`
	Servings    int32            `json:"servings"`
	Ingredients []ingredientJSON `json:"ingredients"`
	Steps       []string         `json:"steps"`
	Tags        []string         `json:"tags"`
	SourceURL   *string          `json:"source_url"`
}

// validate normalises the request in place: text trimmed, absent lists
// empty, tags lower-cased without duplicates, blank source_url null.
func (req *recipeCreateRequest) validate() error {
	var err error
	if req.Title, err = normalizeRecipeTitle(req.Title); err != nil {
		return err
	}
	if err := validateServings("servings", req.Servings); err != nil {
		return err
	}
	if req.Ingredients, err = normalizeIngredients(req.Ingredients); err != nil {
		return err
	}
	if req.Steps, err = normalizeSteps(req.Steps); err != nil {
		return err
	}
	if req.Tags, err = normalizeTags(req.Tags); err != nil {
		return err
	}
	req.SourceURL, err = normalizeSourceURL(req.SourceURL)
	return err
}

type recipeUpdateRequest struct {
	Title       Optional[string]           `json:"title"`
	Servings    Optional[int32]            `json:"servings"`
	Ingredients Optional[[]ingredientJSON] `json:"ingredients"`
	Steps       Optional[[]string]         `json:"steps"`
	Tags        Optional[[]string]         `json:"tags"`
	SourceURL   Optional[string]           `json:"source_url"`
}

// validate checks the fields that are present. Lists replace the stored
// ones whole; null is refused except for source_url, which it clears.
func (req *recipeUpdateRequest) validate() error {
	for _, f := range []struct {
		name      string
		set, null bool
	}{
		{"title", req.Title.Set, req.Title.Null},
		{"servings", req.Servings.Set, req.Servings.Null},
		{"ingredients", req.Ingredients.Set, req.Ingredients.Null},
		{"steps", req.Steps.Set, req.Steps.Null},
		{"tags", req.Tags.Set, req.Tags.Null},
	} {
		if f.set && f.null {
			return familyhub.Invalid(f.name, "%s cannot be null.", f.name)
		}
	}
	var err error
	if req.Title.Set {
		if req.Title.Value, err = normalizeRecipeTitle(req.Title.Value); err != nil {
			return err
		}
	}
	if req.Servings.Set {
		if err := validateServings("servings", req.Servings.Value); err != nil {
			return err
		}
	}
	if req.Ingredients.Set {
		if req.Ingredients.Value, err = normalizeIngredients(req.Ingredients.Value); err != nil {
			return err
		}
	}
	if req.Steps.Set {
		if req.Steps.Value, err = normalizeSteps(req.Steps.Value); err != nil {
			return err
		}
	}
	if req.Tags.Set {
		if req.Tags.Value, err = normalizeTags(req.Tags.Value); err != nil {
			return err
		}
	}
	if req.SourceURL.Set && !req.SourceURL.Null {
		u, err := normalizeSourceURL(&req.SourceURL.Value)
		if err != nil {
			return err
		}
		if u == nil {
			req.SourceURL.Null = true
		} else {
			req.SourceURL.Value = *u
		}
	}
	return nil
}

type recipeAddToListRequest struct {
	ListID   string `json:"list_id"`
	Servings *int32 `json:"servings"`
}

// validate returns the list id. A well-formed id of a list that is not the
// family's is found out later (404).
func (req *recipeAddToListRequest) validate() (uuid.UUID, error) {
	if req.ListID == "" {
		return uuid.Nil, familyhub.Invalid("list_id", "list_id is required.")
	}
	id, err := uuid.Parse(req.ListID)
	if err != nil || len(req.ListID) != 36 {
		return uuid.Nil, familyhub.Invalid("list_id", "list_id is not a valid id.")
	}
	if req.Servings != nil {
		if err := validateServings("servings", *req.Servings); err != nil {
			return uuid.Nil, err
		}
	}
	return id, nil
}

func normalizeRecipeTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	return title, validateText("title", title, 1, maxRecipeTitleLen)
}

func validateServings(field string, n int32) error {
	if n < 1 || n > maxRecipeServings {
		return familyhub.Invalid(field, "%s must be a whole number from 1 to %d.", field, maxRecipeServings)
	}
	return nil
}

// normalizeIngredients trims names and units (a blank unit becomes null)
// and checks counts, lengths and quantities. Fields are named like
// ingredients[2].quantity.
func normalizeIngredients(in []ingredientJSON) ([]ingredientJSON, error) {
	if len(in) > maxRecipeIngredients {
		return nil, familyhub.Invalid("ingredients", "A recipe has at most %d ingredients.", maxRecipeIngredients)
	}
	out := make([]ingredientJSON, len(in))
	for i, ing := range in {
		field := fmt.Sprintf("ingredients[%d]", i)
		ing.Name = strings.TrimSpace(ing.Name)
		if err := validateText(field+".name", ing.Name, 1, maxIngredientNameLen); err != nil {
			return nil, err
		}
		if q := ing.Quantity; q != nil && !(*q >= minIngredientQuantity && *q <= maxIngredientQuantity) {
			return nil, familyhub.Invalid(field+".quantity", "%s.quantity must be a number from %g to %d, or null.", field, minIngredientQuantity, maxIngredientQuantity)
		}
		var err error
		if ing.Unit, err = optionalText(field+".unit", ing.Unit, maxIngredientUnitLen); err != nil {
			return nil, err
		}
		out[i] = ing
	}
	return out, nil
}

func normalizeSteps(in []string) ([]string, error) {
	if len(in) > maxRecipeSteps {
		return nil, familyhub.Invalid("steps", "A recipe has at most %d steps.", maxRecipeSteps)
	}
	out := make([]string, len(in))
	for i, step := range in {
		out[i] = strings.TrimSpace(step)
		if err := validateText(fmt.Sprintf("steps[%d]", i), out[i], 1, maxRecipeStepLen); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// normalizeTags trims and lower-cases tags and drops repeats, keeping the
// first occurrence's place.
func normalizeTags(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for i, tag := range in {
		tag = strings.ToLower(strings.TrimSpace(tag))
		if err := validateText(fmt.Sprintf("tags[%d]", i), tag, 1, maxRecipeTagLen); err != nil {
			return nil, err
		}
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	if len(out) > maxRecipeTags {
		return nil, familyhub.Invalid("tags", "A recipe has at most %d tags.", maxRecipeTags)
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
	if len(s) > maxRecipeSourceURLLen {
		return nil, familyhub.Invalid("source_url", "source_url must be at most %d bytes.", maxRecipeSourceURLLen)
	}
	u, err := url.Parse(s)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" ||
		strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, familyhub.Invalid("source_url", "source_url must be an http or https URL.")
	}
	return &s, nil
}

// scaleIngredient returns the shopping quantity for an ingredient made for
// servings instead of the recipe's: the scaled amount written plainly
// ("1.5", "2", "0.33") followed by the unit, the unit alone when there is no
// amount, or nil when there is neither.
func scaleIngredient(ing ingredientJSON, recipeServings, servings int32) *string {
	var parts []string
	if ing.Quantity != nil {
		parts = append(parts, formatQuantity(*ing.Quantity*float64(servings)/float64(recipeServings)))
	}
	if ing.Unit != nil {
		parts = append(parts, *ing.Unit)
	}
	if len(parts) == 0 {
		return nil
	}
	s := strings.Join(parts, " ")
	return &s
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

// Handlers.

func (s *Server) handleRecipeList(w http.ResponseWriter, r *http.Request) {
	a := AuthFrom(r.Context())
	rows, err := s.store.Q.RecipeList(r.Context(), s.store.Pool, a.FamilyID)
	if err != nil {
		s.Error(w, r, db.Err(err, ""))
		return
	}
	out := make([]recipeJSON, len(rows))
	for i, row := range rows {
		if out[i], err = toRecipeJSON(row); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) handleRecipeGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "recipe")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	row, err := s.store.Q.RecipeGet(r.Context(), s.store.Pool, dbsqlc.RecipeGetParams{ID: id, FamilyID: a.FamilyID})
	if err != nil {
		s.Error(w, r, db.Err(err, "recipe"))
		return
	}
	s.writeRecipe(w, r, http.StatusOK, row)
}

func (s *Server) writeRecipe(w http.ResponseWriter, r *http.Request, status int, row dbsqlc.Recipe) {
	out, err := toRecipeJSON(row)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, status, out)
}

func (s *Server) handleRecipeCreate(w http.ResponseWriter, r *http.Request) {
	var req recipeCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := req.validate(); err != nil {
		s.Error(w, r, err)
		return
	}
	ingredients, err := json.Marshal(req.Ingredients)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var row dbsqlc.Recipe
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		var err error
		row, err = s.store.Q.RecipeInsert(r.Context(), tx, dbsqlc.RecipeInsertParams{
			FamilyID: a.FamilyID, Title: req.Title, Servings: req.Servings, Ingredients: ingredients,
			Steps: req.Steps, Tags: req.Tags, SourceUrl: req.SourceURL,
		})
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeRecipe(w, r, http.StatusCreated, row)
}

func (s *Server) handleRecipeUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "recipe")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req recipeUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := req.validate(); err != nil {
		s.Error(w, r, err)
		return
	}
	p := dbsqlc.RecipeUpdateParams{
		ID: id, FamilyID: AuthFrom(r.Context()).FamilyID,
		Title: req.Title.Ptr(), Servings: req.Servings.Ptr(),
		SourceUrlSet: req.SourceURL.Set, SourceUrl: req.SourceURL.Ptr(),
	}
	// A nil slice is SQL NULL, "keep": validate made present lists non-nil.
	if req.Ingredients.Set {
		if p.Ingredients, err = json.Marshal(req.Ingredients.Value); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	if req.Steps.Set {
		p.Steps = req.Steps.Value
	}
	if req.Tags.Set {
		p.Tags = req.Tags.Value
	}
	var row dbsqlc.Recipe
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		var err error
		row, err = s.store.Q.RecipeUpdate(r.Context(), tx, p)
		return db.Err(err, "recipe")
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeRecipe(w, r, http.StatusOK, row)
}

// handleRecipeAddToList puts the recipe's ingredients on a shopping list,
// scaled to the requested servings, in one transaction, and answers the
// created items in ingredient order.
func (s *Server) handleRecipeAddToList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "recipe")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req recipeAddToListRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	listID, err := req.validate()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var items []shoppingItemJSON
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		row, err := s.store.Q.RecipeGet(r.Context(), tx, dbsqlc.RecipeGetParams{ID: id, FamilyID: a.FamilyID})
		if err != nil {
			return db.Err(err, "recipe")
		}
		recipe, err := toRecipeJSON(row)
		if err != nil {
			return err
		}
		if _, err := s.store.Q.ShoppingListGet(r.Context(), tx, dbsqlc.ShoppingListGetParams{ID: listID, FamilyID: a.FamilyID}); err != nil {
			return db.Err(err, "shopping list")
		}
		servings := recipe.Servings
		if req.Servings != nil {
			servings = *req.Servings
		}
		items = make([]shoppingItemJSON, 0, len(recipe.Ingredients))
		for _, ing := range recipe.Ingredients {
			item, err := s.shoppingItemInsert(r.Context(), tx, dbsqlc.ShoppingItemInsertParams{
				FamilyID: a.FamilyID, ListID: listID, Name: ing.Name,
				Quantity: scaleIngredient(ing, recipe.Servings, servings),
			})
			if err != nil {
				return err
			}
			items = append(items, item)
		}
		return nil
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, items)
}
