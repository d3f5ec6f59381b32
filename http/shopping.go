package http

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// mountShopping adds the shopping endpoints to the authenticated API router.
func (s *Server) mountShopping(r chi.Router) {
	r.Get("/shopping/categories", s.handleShoppingCategoryList)
	r.Get("/shopping/lists", s.handleShoppingListList)
	r.Post("/shopping/lists", s.handleShoppingListCreate)
	r.Get("/shopping/lists/{id}", s.handleShoppingListGet)
	r.Patch("/shopping/lists/{id}", s.handleShoppingListUpdate)
	// Deleting a list deletes its items too (by cascade, each with its event).
	r.Delete("/shopping/lists/{id}", s.deleteHandler("shopping list", (*db.Tx).ShoppingListDelete))
	r.Post("/shopping/lists/{id}/items", s.handleShoppingItemCreate)
	r.Post("/shopping/lists/{id}/clear-checked", s.handleShoppingListClearChecked)
	r.Patch("/shopping/items/{id}", s.handleShoppingItemUpdate)
	r.Delete("/shopping/items/{id}", s.deleteHandler("shopping item", (*db.Tx).ShoppingItemDelete))
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
	Version   int64     `json:"version"`
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
	return shoppingListJSON{ID: l.ID, Version: l.Version, Name: l.Name, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

type shoppingItemJSON struct {
	ID             uuid.UUID  `json:"id"`
	Version        int64      `json:"version"`
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
		ID: i.ID, Version: i.Version, ListID: i.ListID, Name: i.Name, Quantity: i.Quantity, Note: i.Note,
		Category: i.Category, CategorySource: i.CategorySource,
		Checked: i.Checked, CheckedAt: i.CheckedAt, CheckedBy: i.CheckedBy, Position: i.Position,
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt,
	}
}

func toShoppingItemJSONs(items []dbsqlc.ShoppingItemsView) []shoppingItemJSON {
	out := make([]shoppingItemJSON, len(items))
	for i, it := range items {
		out[i] = toShoppingItemJSON(it)
	}
	return out
}

// Handlers.

func (s *Server) handleShoppingCategoryList(w http.ResponseWriter, r *http.Request) {
	var out []shoppingCategoryJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		rows, err := tx.ShoppingCategoryList(r.Context())
		out = make([]shoppingCategoryJSON, len(rows))
		for i, c := range rows {
			out[i] = shoppingCategoryJSON{ID: c.ID, Name: c.Name, Position: c.Position, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
		}
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

func (s *Server) handleShoppingListList(w http.ResponseWriter, r *http.Request) {
	var out []shoppingListJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		rows, err := tx.ShoppingListList(r.Context())
		out = make([]shoppingListJSON, len(rows))
		for i, l := range rows {
			out[i] = toShoppingListJSON(l)
		}
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

func (s *Server) handleShoppingListCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID *string `json:"id"`
		db.ShoppingListNew
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var err error
	if req.ShoppingListNew.ID, err = clientID(req.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	var out shoppingListJSON
	var replayed bool
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		var list dbsqlc.ShoppingList
		list, replayed, err = tx.ShoppingListCreate(r.Context(), req.ShoppingListNew)
		out = toShoppingListJSON(list)
		return err
	})
	s.respondRecord(w, r, createdStatus(replayed), out, out.Version, err)
}

// handleShoppingListGet answers the list with its items. Both are read in
// one transaction; items come ordered by position, then creation.
func (s *Server) handleShoppingListGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "shopping list")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var out shoppingListWithItemsJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		list, err := tx.ShoppingListGet(r.Context(), id)
		if err != nil {
			return err
		}
		items, err := tx.ShoppingItemList(r.Context(), id)
		out = shoppingListWithItemsJSON{shoppingListJSON: toShoppingListJSON(list), Items: toShoppingItemJSONs(items)}
		return err
	})
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}

func (s *Server) handleShoppingListUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "shopping list")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req db.ShoppingListPatch
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var out shoppingListJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		list, err := tx.ShoppingListUpdate(r.Context(), id, req)
		out = toShoppingListJSON(list)
		return err
	})
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}

func (s *Server) handleShoppingItemCreate(w http.ResponseWriter, r *http.Request) {
	listID, err := pathID(r, "shopping list")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req struct {
		ID *string `json:"id"`
		db.ShoppingItemNew
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if req.ShoppingItemNew.ID, err = clientID(req.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	item, replayed, err := s.store.ShoppingItemAdd(r.Context(), listID, req.ShoppingItemNew)
	out := toShoppingItemJSON(item)
	s.respondRecord(w, r, createdStatus(replayed), out, out.Version, err)
}

func (s *Server) handleShoppingItemUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "shopping item")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req db.ShoppingItemPatch
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	item, err := s.store.ShoppingItemUpdate(r.Context(), id, req)
	out := toShoppingItemJSON(item)
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}

// handleShoppingListClearChecked deletes the list's ticked items at once
// and answers their ids: {"deleted":["…"]}.
func (s *Server) handleShoppingListClearChecked(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "shopping list")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var ids []uuid.UUID
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		ids, err = tx.ShoppingListClearChecked(r.Context(), id)
		return err
	})
	s.respond(w, r, http.StatusOK, map[string]any{"deleted": ids}, err)
}
