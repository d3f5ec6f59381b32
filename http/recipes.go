package http

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/assistant"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// mountRecipes adds the recipes endpoints to the authenticated API router.
func (s *Server) mountRecipes(r chi.Router) {
	r.Get("/recipes", s.handleRecipeList)
	r.Post("/recipes", s.handleRecipeCreate)
	r.Get("/recipes/{id}", s.handleRecipeGet)
	r.Patch("/recipes/{id}", s.handleRecipeUpdate)
	r.Delete("/recipes/{id}", s.deleteHandler("recipe", (*db.Tx).RecipeDelete))
	r.Post("/recipes/{id}/add-to-list", s.handleRecipeAddToList)
}

// JSON shapes.

type recipeJSON struct {
	ID          uuid.UUID       `json:"id"`
	Version     int64           `json:"version"`
	Title       string          `json:"title"`
	Servings    int32           `json:"servings"`
	Ingredients []db.Ingredient `json:"ingredients"`
	Steps       []string        `json:"steps"`
	Tags        []string        `json:"tags"`
	SourceURL   *string         `json:"source_url"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

func toRecipeJSON(r db.Recipe) recipeJSON {
	return recipeJSON{
		ID: r.ID, Version: r.Version, Title: r.Title, Servings: r.Servings, Steps: r.Steps, Tags: r.Tags, SourceURL: r.SourceUrl,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Ingredients: r.IngredientList,
	}
}

type recipeAddToListRequest struct {
	// ID is the client's id of this request: a retry with it adds nothing.
	ID       *string `json:"id"`
	ListID   string  `json:"list_id"`
	Servings *int32  `json:"servings"`
	// Ingredients are the indexes of the ingredients to add; absent: all.
	Ingredients []int `json:"ingredients"`
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
		if err := db.ValidateServings("servings", *req.Servings); err != nil {
			return uuid.Nil, err
		}
	}
	return id, nil
}

// Handlers.

func (s *Server) handleRecipeList(w http.ResponseWriter, r *http.Request) {
	var out []recipeJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		rows, err := tx.RecipeList(r.Context())
		out = make([]recipeJSON, len(rows))
		for i, row := range rows {
			out[i] = toRecipeJSON(row)
		}
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

func (s *Server) handleRecipeGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "recipe")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var out recipeJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		row, err := tx.RecipeGet(r.Context(), id)
		out = toRecipeJSON(row)
		return err
	})
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}

func (s *Server) handleRecipeCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID *string `json:"id"`
		db.RecipeNew
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var err error
	if req.RecipeNew.ID, err = clientID(req.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	var out recipeJSON
	var replayed bool
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		var row db.Recipe
		row, replayed, err = tx.RecipeCreate(r.Context(), req.RecipeNew)
		out = toRecipeJSON(row)
		return err
	})
	s.respondRecord(w, r, createdStatus(replayed), out, out.Version, err)
}

func (s *Server) handleRecipeUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "recipe")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req db.RecipePatch
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var out recipeJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		row, err := tx.RecipeUpdate(r.Context(), id, req)
		out = toRecipeJSON(row)
		return err
	})
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
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
	// German writes "0,5 l": amounts follow the locale the app asks in.
	p := db.RecipeToList{ListID: listID, Ingredients: req.Ingredients, DecimalComma: decimalComma(r.Header.Get("Accept-Language"))}
	if req.Servings != nil {
		p.Servings = *req.Servings
	}
	if p.RequestID, err = clientID(req.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	var out []shoppingItemJSON
	var replayed bool
	// Again after a deadlock with another member's change of two lines
	// (db.Store.TxRetry): a line kept is share-locked while others are written.
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		var items []dbsqlc.ShoppingItemsView
		items, replayed, err = tx.RecipeAddToList(r.Context(), id, p)
		out = toShoppingItemJSONs(items)
		return err
	})
	s.respond(w, r, createdStatus(replayed), out, err)
}

// localeComma lists the English and German locales whose decimal mark is
// not their language's: those a browser's Intl (ICU, CLDR) knows by itself,
// which the app's fields format with (docs/pwa.md, "Which formats"). Any
// other en tag writes a point, any other de tag a comma. Checked against
// Chromium 156 (every en-XX and de-XX it resolves to itself).
var localeComma = map[string]bool{
	"en-AT": true, "en-BE": true, "en-CZ": true, "en-DE": true, "en-DK": true, "en-EE": true,
	"en-ES": true, "en-FI": true, "en-FR": true, "en-GE": true, "en-HU": true, "en-ID": true,
	"en-IT": true, "en-LT": true, "en-LV": true, "en-NL": true, "en-NO": true, "en-PL": true,
	"en-PT": true, "en-RO": true, "en-SE": true, "en-SI": true, "en-SK": true, "en-UA": true,
	"en-ZA": true,
	"de-CH": false, "de-LI": false,
}

// decimalComma says whether amounts are written "2,5" for an
// Accept-Language header: the most preferred tag (highest q, the first of
// equals; q=0 refuses) of its preferred language (see
// assistant.AcceptLanguage) decides, by its locale (English on a German
// device sends "en-DE, en;q=0.9, de;q=0.5": a comma; de-CH: a point), else
// by that language. Tags are case-insensitive, and a script between
// language and region ("de-Latn-CH") is skipped.
func decimalComma(header string) bool {
	lang := assistant.AcceptLanguage(header)
	region, bestQ := "", 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		subtags := strings.Split(strings.TrimSpace(tag), "-")
		if !strings.EqualFold(subtags[0], lang) {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= bestQ {
			continue
		}
		region, bestQ = "", q
		for _, sub := range subtags[1:] {
			if len(sub) == 1 { // an extension ("-u-…", "-x-…") follows: no region
				break
			}
			if len(sub) == 2 || len(sub) == 3 && sub[0] >= '0' && sub[0] <= '9' {
				region = strings.ToUpper(sub)
				break
			}
		}
	}
	if comma, ok := localeComma[lang+"-"+region]; ok {
		return comma
	}
	return lang == "de"
}
