package http

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Limits of shopping input; the migration's CHECKs mirror them.
const (
	maxShoppingNameLen     = 200
	maxShoppingQuantityLen = 50
	maxShoppingNoteLen     = 500
	maxShoppingCategoryLen = 100
	maxShoppingPosition    = 1_000_000
)

// categorySourceUser marks an item's category as chosen by a person (see
// category_source in the migration).
const categorySourceUser = "user"

// mountShopping adds the shopping endpoints to the authenticated API router.
func (s *Server) mountShopping(r chi.Router) {
	r.Get("/shopping/categories", s.handleShoppingCategoryList)
	r.Get("/shopping/lists", s.handleShoppingListList)
	r.Post("/shopping/lists", s.handleShoppingListCreate)
	r.Get("/shopping/lists/{id}", s.handleShoppingListGet)
	r.Patch("/shopping/lists/{id}", s.handleShoppingListUpdate)
	// Deleting a list deletes its items too (by cascade, each with its event).
	r.Delete("/shopping/lists/{id}", s.deleteHandler("shopping list", func(ctx context.Context, tx pgx.Tx, id, family uuid.UUID) (int64, error) {
		return s.store.Q.ShoppingListDelete(ctx, tx, dbsqlc.ShoppingListDeleteParams{ID: id, FamilyID: family})
	}))
	r.Post("/shopping/lists/{id}/items", s.handleShoppingItemCreate)
	r.Patch("/shopping/items/{id}", s.handleShoppingItemUpdate)
	r.Delete("/shopping/items/{id}", s.deleteHandler("shopping item", func(ctx context.Context, tx pgx.Tx, id, family uuid.UUID) (int64, error) {
		return s.store.Q.ShoppingItemDelete(ctx, tx, dbsqlc.ShoppingItemDeleteParams{ID: id, FamilyID: family})
	}))
}

// JSON shapes.

type shoppingCategoryJSON struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Position  int32     `json:"position"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type shoppingListJSON struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// shoppingListWithItemsJSON is one list as GET /api/shopping/lists/{id}
// answers it.
type shoppingListWithItemsJSON struct {
	shoppingListJSON
	Items []shoppingItemJSON `json:"items"`
}

func toShoppingListJSON(l dbsqlc.ShoppingList) shoppingListJSON {
	return shoppingListJSON{ID: l.ID, Name: l.Name, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

type shoppingItemJSON struct {
	ID             uuid.UUID  `json:"id"`
	ListID         uuid.UUID  `json:"list_id"`
	Name           string     `json:"name"`
	Quantity       *string    `json:"quantity"`
	Note           *string    `json:"note"`
	Category       *string    `json:"category"`
	CategorySource *string    `json:"category_source"`
	Checked        bool       `json:"checked"`
	CheckedAt      *time.Time `json:"checked_at"`
	CheckedBy      *uuid.UUID `json:"checked_by"`
	Position       int32      `json:"position"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func toShoppingItemJSON(i dbsqlc.ShoppingItemsView) shoppingItemJSON {
	return shoppingItemJSON{
		ID: i.ID, ListID: i.ListID, Name: i.Name, Quantity: i.Quantity, Note: i.Note,
		Category: i.Category, CategorySource: i.CategorySource,
		Checked: i.Checked, CheckedAt: i.CheckedAt, CheckedBy: i.CheckedBy, Position: i.Position,
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt,
	}
}

// Requests and their validation (no database: the fuzz test runs them).

type shoppingListRequest struct {
	Name string `json:"name"`
}

func (req *shoppingListRequest) validate() error {
	req.Name = strings.TrimSpace(req.Name)
	return validateText("name", req.Name, 1, maxShoppingNameLen)
}

type shoppingListUpdateRequest struct {
	Name Optional[string] `json:"name"`
}

// validate checks the fields that are present; an empty body changes nothing.
func (req *shoppingListUpdateRequest) validate() error {
	if !req.Name.Set {
		return nil
	}
	if req.Name.Null {
		return familyhub.Invalid("name", "name cannot be null.")
	}
	req.Name.Value = strings.TrimSpace(req.Name.Value)
	return validateText("name", req.Name.Value, 1, maxShoppingNameLen)
}

type shoppingItemCreateRequest struct {
	Name     string  `json:"name"`
	Quantity *string `json:"quantity"`
	Note     *string `json:"note"`
	Category *string `json:"category"`
}

// validate trims the fields and checks their lengths. Empty optional text
// becomes null.
func (req *shoppingItemCreateRequest) validate() error {
	req.Name = strings.TrimSpace(req.Name)
	if err := validateText("name", req.Name, 1, maxShoppingNameLen); err != nil {
		return err
	}
	var err error
	if req.Quantity, err = optionalText("quantity", req.Quantity, maxShoppingQuantityLen); err != nil {
		return err
	}
	if req.Note, err = optionalText("note", req.Note, maxShoppingNoteLen); err != nil {
		return err
	}
	req.Category, err = optionalText("category", req.Category, maxShoppingCategoryLen)
	return err
}

type shoppingItemUpdateRequest struct {
	Name     Optional[string] `json:"name"`
	Quantity Optional[string] `json:"quantity"`
	Note     Optional[string] `json:"note"`
	Category Optional[string] `json:"category"`
	Checked  Optional[bool]   `json:"checked"`
	Position Optional[int32]  `json:"position"`
}

// validate checks the fields that are present. null clears quantity, note
// and category; it is refused for name, checked and position.
func (req *shoppingItemUpdateRequest) validate() error {
	if req.Name.Set {
		if req.Name.Null {
			return familyhub.Invalid("name", "name cannot be null.")
		}
		req.Name.Value = strings.TrimSpace(req.Name.Value)
		if err := validateText("name", req.Name.Value, 1, maxShoppingNameLen); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		o    *Optional[string]
		max  int
	}{
		{"quantity", &req.Quantity, maxShoppingQuantityLen},
		{"note", &req.Note, maxShoppingNoteLen},
		{"category", &req.Category, maxShoppingCategoryLen},
	} {
		if !f.o.Set || f.o.Null {
			continue
		}
		v, err := optionalText(f.name, &f.o.Value, f.max)
		if err != nil {
			return err
		}
		if v == nil {
			f.o.Null = true
		} else {
			f.o.Value = *v
		}
	}
	if req.Checked.Set && req.Checked.Null {
		return familyhub.Invalid("checked", "checked cannot be null.")
	}
	if req.Position.Set {
		if req.Position.Null {
			return familyhub.Invalid("position", "position cannot be null.")
		}
		if req.Position.Value < 0 || req.Position.Value > maxShoppingPosition {
			return familyhub.Invalid("position", "position must be 0 to %d.", maxShoppingPosition)
		}
	}
	return nil
}

// optionalText trims *v and checks its length (1..max). Nil, empty and
// blank text all come back as nil: "no value".
func optionalText(field string, v *string, max int) (*string, error) {
	if v == nil {
		return nil, nil
	}
	t := strings.TrimSpace(*v)
	if t == "" {
		return nil, nil
	}
	if err := validateText(field, t, 1, max); err != nil {
		return nil, err
	}
	return &t, nil
}

// shoppingCategoryID resolves a category name of the family
// (case-insensitively); nil stays nil. An unknown name is invalid input.
func (s *Server) shoppingCategoryID(ctx context.Context, tx pgx.Tx, family uuid.UUID, name *string) (*uuid.UUID, error) {
	if name == nil {
		return nil, nil
	}
	c, err := s.store.Q.ShoppingCategoryGetByName(ctx, tx, dbsqlc.ShoppingCategoryGetByNameParams{FamilyID: family, Name: *name})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, familyhub.Invalid("category", "Unknown category %q; GET /api/shopping/categories lists them.", *name)
	} else if err != nil {
		return nil, err
	}
	return &c.ID, nil
}

// shoppingItemInsert appends an item to a list of the family and returns it
// as the API shows it. A list of another family is not found.
func (s *Server) shoppingItemInsert(ctx context.Context, tx pgx.Tx, p dbsqlc.ShoppingItemInsertParams) (shoppingItemJSON, error) {
	id, err := s.store.Q.ShoppingItemInsert(ctx, tx, p)
	if err != nil {
		return shoppingItemJSON{}, db.Err(err, "shopping list")
	}
	item, err := s.store.Q.ShoppingItemGet(ctx, tx, dbsqlc.ShoppingItemGetParams{ID: id, FamilyID: p.FamilyID})
	if err != nil {
		return shoppingItemJSON{}, err
	}
	return toShoppingItemJSON(item), nil
}

// Handlers.

func (s *Server) handleShoppingCategoryList(w http.ResponseWriter, r *http.Request) {
	a := AuthFrom(r.Context())
	rows, err := s.store.Q.ShoppingCategoryList(r.Context(), s.store.Pool, a.FamilyID)
	if err != nil {
		s.Error(w, r, db.Err(err, ""))
		return
	}
	out := make([]shoppingCategoryJSON, len(rows))
	for i, c := range rows {
		out[i] = shoppingCategoryJSON{ID: c.ID, Name: c.Name, Position: c.Position, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) handleShoppingListList(w http.ResponseWriter, r *http.Request) {
	a := AuthFrom(r.Context())
	rows, err := s.store.Q.ShoppingListList(r.Context(), s.store.Pool, a.FamilyID)
	if err != nil {
		s.Error(w, r, db.Err(err, ""))
		return
	}
	out := make([]shoppingListJSON, len(rows))
	for i, l := range rows {
		out[i] = toShoppingListJSON(l)
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) handleShoppingListCreate(w http.ResponseWriter, r *http.Request) {
	var req shoppingListRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := req.validate(); err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var list dbsqlc.ShoppingList
	err := s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		var err error
		list, err = s.store.Q.ShoppingListInsert(r.Context(), tx, dbsqlc.ShoppingListInsertParams{FamilyID: a.FamilyID, Name: req.Name})
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, toShoppingListJSON(list))
}

// handleShoppingListGet answers the list with its items. Both are read in
// one transaction; items come ordered by position, then creation.
func (s *Server) handleShoppingListGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "shopping list")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var out shoppingListWithItemsJSON
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		list, err := s.store.Q.ShoppingListGet(r.Context(), tx, dbsqlc.ShoppingListGetParams{ID: id, FamilyID: a.FamilyID})
		if err != nil {
			return db.Err(err, "shopping list")
		}
		items, err := s.store.Q.ShoppingItemListByList(r.Context(), tx, dbsqlc.ShoppingItemListByListParams{ListID: id, FamilyID: a.FamilyID})
		if err != nil {
			return err
		}
		out.shoppingListJSON = toShoppingListJSON(list)
		out.Items = make([]shoppingItemJSON, len(items))
		for i, it := range items {
			out.Items[i] = toShoppingItemJSON(it)
		}
		return nil
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) handleShoppingListUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "shopping list")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req shoppingListUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := req.validate(); err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var list dbsqlc.ShoppingList
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		var err error
		list, err = s.store.Q.ShoppingListUpdate(r.Context(), tx, dbsqlc.ShoppingListUpdateParams{ID: id, FamilyID: a.FamilyID, Name: req.Name.Ptr()})
		return db.Err(err, "shopping list")
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, toShoppingListJSON(list))
}

func (s *Server) handleShoppingItemCreate(w http.ResponseWriter, r *http.Request) {
	listID, err := pathID(r, "shopping list")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req shoppingItemCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := req.validate(); err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var item shoppingItemJSON
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		// The list comes first: a list of another family is 404 whatever
		// the body says.
		if _, err := s.store.Q.ShoppingListGet(r.Context(), tx, dbsqlc.ShoppingListGetParams{ID: listID, FamilyID: a.FamilyID}); err != nil {
			return db.Err(err, "shopping list")
		}
		categoryID, err := s.shoppingCategoryID(r.Context(), tx, a.FamilyID, req.Category)
		if err != nil {
			return err
		}
		p := dbsqlc.ShoppingItemInsertParams{
			FamilyID: a.FamilyID, ListID: listID, Name: req.Name, Quantity: req.Quantity, Note: req.Note, CategoryID: categoryID,
		}
		if categoryID != nil {
			p.CategorySource = new(categorySourceUser)
		}
		if item, err = s.shoppingItemInsert(r.Context(), tx, p); err != nil || categoryID != nil {
			return err
		}
		return s.enqueueCategorise(r.Context(), tx, a.FamilyID, item.ID) // http/jobs.go
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, item)
}

func (s *Server) handleShoppingItemUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "shopping item")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req shoppingItemUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := req.validate(); err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var item dbsqlc.ShoppingItemsView
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		// The item comes first: another family's item is 404 even when the
		// body names an unknown category.
		if _, err := s.store.Q.ShoppingItemGet(r.Context(), tx, dbsqlc.ShoppingItemGetParams{ID: id, FamilyID: a.FamilyID}); err != nil {
			return db.Err(err, "shopping item")
		}
		categoryID, err := s.shoppingCategoryID(r.Context(), tx, a.FamilyID, req.Category.Ptr())
		if err != nil {
			return err
		}
		if _, err := s.store.Q.ShoppingItemUpdate(r.Context(), tx, dbsqlc.ShoppingItemUpdateParams{
			ID: id, FamilyID: a.FamilyID,
			Name:        req.Name.Ptr(),
			QuantitySet: req.Quantity.Set, Quantity: req.Quantity.Ptr(),
			NoteSet: req.Note.Set, Note: req.Note.Ptr(),
			CategorySet: req.Category.Set, CategoryID: categoryID,
			Checked: req.Checked.Ptr(), Actor: &a.UserID,
			Position: req.Position.Ptr(),
		}); err != nil {
			// Deleted since the read above (a concurrent request): not found.
			return db.Err(err, "shopping item")
		}
		if req.Name.Set && !req.Category.Set {
			if err := s.enqueueCategorise(r.Context(), tx, a.FamilyID, id); err != nil { // http/jobs.go
				return err
			}
		}
		item, err = s.store.Q.ShoppingItemGet(r.Context(), tx, dbsqlc.ShoppingItemGetParams{ID: id, FamilyID: a.FamilyID})
		return db.Err(err, "shopping item")
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, toShoppingItemJSON(item))
}
