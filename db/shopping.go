package db

import (
	"bytes"
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// CategorySourceUser marks an item's category as chosen by a person (see
// category_source in 00003_shopping.sql); the categoriser leaves it alone.
const CategorySourceUser = "user"

// ShoppingListNew is a list to create. ID is the client's choice (nil: the
// server chooses); a repeat with the same ID is answered, not repeated.
type ShoppingListNew struct {
	ID   *uuid.UUID `json:"-"`
	Name string     `json:"name"`
}

// Normalize trims and checks the fields.
func (p *ShoppingListNew) Normalize() (err error) {
	p.Name, err = TrimmedText("name", p.Name, 1, familyhub.MaxShoppingNameLen)
	return err
}

// ShoppingListPatch changes the present fields of a list.
type ShoppingListPatch struct {
	Name familyhub.Optional[string] `json:"name"`
}

// Normalize checks the present fields; an empty patch changes nothing.
func (p *ShoppingListPatch) Normalize() error {
	return requiredPatchText("name", &p.Name, familyhub.MaxShoppingNameLen)
}

// ShoppingItemNew is an item to add to a list. ID is the client's choice
// (nil: the server chooses); a repeat with the same ID is answered, not
// repeated.
type ShoppingItemNew struct {
	ID       *uuid.UUID `json:"-"`
	Name     string     `json:"name"`
	Quantity *string    `json:"quantity"`
	Note     *string    `json:"note"`
	// Category names one of the family's categories (case-insensitively);
	// nil leaves filing to the categoriser.
	Category *string `json:"category"`
	// CategorySource "user" without a Category: a person chose no category
	// (an Undo putting back an item whose category a person had cleared),
	// and the categoriser leaves the item alone. nil otherwise; omitted
	// when nil, so a client id's request hash is what it was before.
	CategorySource *string `json:"category_source,omitempty"`
}

// Normalize trims the fields and checks their lengths. Empty optional text
// becomes null.
func (p *ShoppingItemNew) Normalize() (err error) {
	if p.Name, err = TrimmedText("name", p.Name, 1, familyhub.MaxShoppingNameLen); err != nil {
		return err
	}
	if p.Quantity, err = OptionalText("quantity", p.Quantity, familyhub.MaxShoppingQuantityLen); err != nil {
		return err
	}
	if p.Note, err = OptionalText("note", p.Note, familyhub.MaxShoppingNoteLen); err != nil {
		return err
	}
	if p.CategorySource != nil && *p.CategorySource != CategorySourceUser {
		return familyhub.Invalid("category_source", `category_source can only be "user" (a person's choice, also of no category).`)
	}
	p.Category, err = OptionalText("category", p.Category, familyhub.MaxShoppingCategoryLen)
	return err
}

// ShoppingItemPatch changes the present fields of an item. null clears
// quantity, note and category; it is refused for name, checked and position.
type ShoppingItemPatch struct {
	Name     familyhub.Optional[string] `json:"name"`
	Quantity familyhub.Optional[string] `json:"quantity"`
	Note     familyhub.Optional[string] `json:"note"`
	Category familyhub.Optional[string] `json:"category"`
	Checked  familyhub.Optional[bool]   `json:"checked"`
	Position familyhub.Optional[int32]  `json:"position"`
}

// Normalize checks the present fields.
func (p *ShoppingItemPatch) Normalize() error {
	if err := requiredPatchText("name", &p.Name, familyhub.MaxShoppingNameLen); err != nil {
		return err
	}
	if err := optionalPatchText("quantity", &p.Quantity, familyhub.MaxShoppingQuantityLen); err != nil {
		return err
	}
	if err := optionalPatchText("note", &p.Note, familyhub.MaxShoppingNoteLen); err != nil {
		return err
	}
	if err := optionalPatchText("category", &p.Category, familyhub.MaxShoppingCategoryLen); err != nil {
		return err
	}
	if p.Checked.Set && p.Checked.Null {
		return familyhub.Invalid("checked", "checked cannot be null.")
	}
	if p.Position.Set {
		if p.Position.Null {
			return familyhub.Invalid("position", "position cannot be null.")
		}
		if p.Position.Value < 0 || p.Position.Value > familyhub.MaxShoppingPosition {
			return familyhub.Invalid("position", "position must be 0 to %d.", familyhub.MaxShoppingPosition)
		}
	}
	return nil
}

// ShoppingCategoryList returns the family's categories in shop order.
func (tx *Tx) ShoppingCategoryList(ctx context.Context) ([]dbsqlc.ShoppingCategory, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.q.ShoppingCategoryList(ctx, tx, family)
}

// ShoppingListList returns the family's lists in creation order.
func (tx *Tx) ShoppingListList(ctx context.Context) ([]dbsqlc.ShoppingList, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.q.ShoppingListList(ctx, tx, family)
}

// ShoppingListCreate creates a list; replayed says the client's id was
// used before for the same list, which is returned as it is now (also at
// the limit). A family has at most familyhub.MaxShoppingLists (ELIMIT
// beyond).
func (tx *Tx) ShoppingListCreate(ctx context.Context, p ShoppingListNew) (l dbsqlc.ShoppingList, replayed bool, err error) {
	if err := tx.authorize(familyhub.ActShoppingListCreate); err != nil {
		return l, false, err
	}
	family, err := tx.family()
	if err != nil {
		return l, false, err
	}
	if err := p.Normalize(); err != nil {
		return l, false, err
	}
	ids, replayed, err := tx.createOnce(ctx, p.ID, "shopping-list", p, func() ([]uuid.UUID, error) {
		if err := tx.underLimit(ctx, limitLists, family, familyhub.MaxShoppingLists,
			func() (int32, error) { return tx.q.ShoppingListCount(ctx, tx, family) },
			familyhub.Errorf(familyhub.ELIMIT, "A family can have at most %d shopping lists; delete one first.", familyhub.MaxShoppingLists)); err != nil {
			return nil, err
		}
		l, err = tx.q.ShoppingListInsert(ctx, tx, dbsqlc.ShoppingListInsertParams{ID: p.ID, FamilyID: family, Name: p.Name})
		return []uuid.UUID{l.ID}, Err(err, "shopping list")
	})
	if err != nil || !replayed {
		return l, replayed, err
	}
	l, err = tx.ShoppingListGet(ctx, ids[0])
	return l, true, err
}

// ShoppingListGet returns a list of the family.
func (tx *Tx) ShoppingListGet(ctx context.Context, id uuid.UUID) (dbsqlc.ShoppingList, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.ShoppingList{}, err
	}
	l, err := tx.q.ShoppingListGet(ctx, tx, dbsqlc.ShoppingListGetParams{ID: id, FamilyID: family})
	return l, Err(err, "shopping list")
}

// ShoppingItemList returns a list's items by position, then creation.
func (tx *Tx) ShoppingItemList(ctx context.Context, listID uuid.UUID) ([]dbsqlc.ShoppingItemsView, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.q.ShoppingItemListByList(ctx, tx, dbsqlc.ShoppingItemListByListParams{ListID: listID, FamilyID: family})
}

// ShoppingListUpdate applies p to a list (If-Match: only at the version
// ctx asks for).
func (tx *Tx) ShoppingListUpdate(ctx context.Context, id uuid.UUID, p ShoppingListPatch) (dbsqlc.ShoppingList, error) {
	if err := tx.authorize(familyhub.ActShoppingListUpdate); err != nil {
		return dbsqlc.ShoppingList{}, err
	}
	family, err := tx.family()
	if err != nil {
		return dbsqlc.ShoppingList{}, err
	}
	if err := p.Normalize(); err != nil {
		return dbsqlc.ShoppingList{}, err
	}
	l, err := tx.q.ShoppingListUpdate(ctx, tx, dbsqlc.ShoppingListUpdateParams{ID: id, FamilyID: family, Name: p.Name.Ptr(), IfVersion: ifVersion(ctx)})
	if isNoRows(err) {
		return l, staleOrMissing(ctx, "shopping list", func() (dbsqlc.ShoppingList, error) { return tx.ShoppingListGet(ctx, id) })
	}
	return l, Err(err, "shopping list")
}

// ShoppingListDelete deletes a list and, by cascade, its items (each with
// its event). If-Match: only at the version ctx asks for. The list and
// then, in a statement begun once the list is held (so that items put on
// it meanwhile are among them), its items are locked first, the items in
// the order of their ids (ShoppingListItemsLock): the cascade took them in
// its own order.
func (tx *Tx) ShoppingListDelete(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActShoppingListDelete); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	held, err := tx.q.ShoppingListLock(ctx, tx, dbsqlc.ShoppingListLockParams{ListID: id, FamilyID: family})
	if err != nil {
		return Err(err, "shopping list")
	}
	if held > 0 {
		if err := tx.q.ShoppingListItemsLock(ctx, tx, dbsqlc.ShoppingListItemsLockParams{ListID: id, FamilyID: family}); err != nil {
			return Err(err, "shopping list")
		}
	}
	n, err := tx.q.ShoppingListDelete(ctx, tx, dbsqlc.ShoppingListDeleteParams{ID: id, FamilyID: family, IfVersion: ifVersion(ctx)})
	if err == nil && n == 0 {
		return staleOrMissing(ctx, "shopping list", func() (dbsqlc.ShoppingList, error) { return tx.ShoppingListGet(ctx, id) })
	}
	return Err(err, "shopping list")
}

// ShoppingListHold locks the family's list id as its delete does
// (ShoppingListLock: FOR UPDATE, the list's row before its items) and says
// whether there is such a list. A writer that deletes the list after
// deleting items of it holds the list first: a merging add to the list
// holds it (key share) before its items, so the items first met such an
// add the other way round (40P01), and a read of the list's items under
// the hold sees every add that got the list before it.
func (tx *Tx) ShoppingListHold(ctx context.Context, id uuid.UUID) (bool, error) {
	family, err := tx.family()
	if err != nil {
		return false, err
	}
	n, err := tx.q.ShoppingListLock(ctx, tx, dbsqlc.ShoppingListLockParams{ListID: id, FamilyID: family})
	return n > 0, Err(err, "shopping list")
}

// ShoppingListKeyShare key-share-locks the family's list id, as the
// foreign key of an item put onto it does, and says whether there is
// such a list: a writer that will delete, put back or set back items of
// the list takes it before any of them (the list before its items,
// docs/architecture.md), so a delete of the list waits for it or it for
// the delete, never each for the other.
func (tx *Tx) ShoppingListKeyShare(ctx context.Context, id uuid.UUID) (bool, error) {
	family, err := tx.family()
	if err != nil {
		return false, err
	}
	n, err := tx.q.ShoppingListKeyShare(ctx, tx, dbsqlc.ShoppingListKeyShareParams{ListID: id, FamilyID: family})
	return n > 0, Err(err, "shopping list")
}

// CompareIDs orders ids as PostgreSQL orders uuids (byte by byte): the
// order locks of several rows are taken in (docs/architecture.md).
func CompareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// deleted turns a delete's row count (or a lock query's: the rows it
// locked) into not found when it removed (locked) nothing.
func deleted(n int64, err error, what string) error {
	if err == nil && n == 0 {
		return familyhub.NotFound(what)
	}
	return Err(err, what)
}

// shoppingCategory resolves a category name of the family
// (case-insensitively) to its id and its name as stored, which the item's
// answer shows; nil stays nil. An unknown name is invalid input.
func (tx *Tx) shoppingCategory(ctx context.Context, family uuid.UUID, name *string) (id *uuid.UUID, stored *string, err error) {
	if name == nil {
		return nil, nil, nil
	}
	c, err := tx.q.ShoppingCategoryGetByName(ctx, tx, dbsqlc.ShoppingCategoryGetByNameParams{FamilyID: family, Name: *name})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, familyhub.Invalid("category", "Unknown category %q; GET /api/shopping/categories lists them.", *name)
	} else if err != nil {
		return nil, nil, err
	}
	return &c.ID, &c.Name, nil
}

// ShoppingItemAdd appends an item to a list of the family and returns it.
// With auto-categorisation on, an item added without a category whose name
// the family's own choices or the dictionary know (or, without an external
// classifier, any name: "other") is filed in this transaction, already
// filed in the answer; only a name for the classifier is queued for the
// categoriser, in this transaction too (the job exists only if the item
// does). Input that is wrong by itself (Normalize) is refused first; after
// that, a list of another family is not found, whatever else p says (an
// unknown category, a client id used before). replayed says the client's
// id was used before for the same item, which is returned as it is now
// (not found when it has been deleted since: a retry never resurrects).
//
// The list is not read before the insert: the insert selects it by id and
// family, so no row means not found. Only the rare answers given before
// the insert ran (an unknown category, a reused id, a replay) read the
// list to put its not-found first (listFirst).
func (tx *Tx) ShoppingItemAdd(ctx context.Context, listID uuid.UUID, p ShoppingItemNew) (item dbsqlc.ShoppingItemsView, replayed bool, err error) {
	if err := tx.authorize(familyhub.ActShoppingItemAdd); err != nil {
		return item, false, err
	}
	if err := p.Normalize(); err != nil {
		return item, false, err
	}
	ids, replayed, err := tx.createOnce(ctx, p.ID, "shopping-item", shoppingItemRequest(listID, p), func() ([]uuid.UUID, error) {
		item, err = tx.shoppingItemInsert(ctx, listID, p)
		return []uuid.UUID{item.ID}, err
	})
	if errors.Is(err, errIDReused) {
		return item, false, tx.listFirst(ctx, listID, err)
	}
	if err != nil || !replayed {
		return item, replayed, err
	}
	if err := tx.listFirst(ctx, listID, nil); err != nil {
		return item, true, err
	}
	item, err = tx.ShoppingItemGet(ctx, ids[0])
	return item, true, err
}

// shoppingItemRequest is what a client id's claim hashes of an add.
func shoppingItemRequest(listID uuid.UUID, p ShoppingItemNew) any {
	return struct {
		ListID uuid.UUID
		ShoppingItemNew
	}{listID, p}
}

// ShoppingItemAdd is Tx.ShoppingItemAdd as a request of its own. The
// common add (no category named, and no external classifier that might
// have to be asked) is one statement in a transaction of its own, in one
// round trip (txOne, ShoppingItemAddOne): the claim of the client's id,
// the filing and the insert. Everything else, and an add that statement
// did not make (the list is not the family's, the id was used before, or
// the list is within shoppingItemsMargin of its limit: it then wrote
// nothing), runs as Tx.ShoppingItemAdd in a Store.Tx (oneOrTx), which
// gives the answer (not found, the replay, the reused id, the limit).
//
// The statement proves room without counting while the list's top and
// bottom positions span fewer than shoppingItemsRoomBelow: two index
// lookups, the top one made anyway for the new item's position (a list
// used for years has high positions but a small span, its bought items
// cleared from the bottom). Only past that does it count the list's items.
// Positions repeat only when items are moved (PATCH position; the PWA
// never does) or added at the same moment, so a client that moves items
// on purpose can keep the span small and add past the limit without
// being counted: each item over it costs it a move as well. docs/api.md
// says so.
func (s *Store) ShoppingItemAdd(ctx context.Context, listID uuid.UUID, p ShoppingItemNew) (item dbsqlc.ShoppingItemsView, replayed bool, err error) {
	a := familyhub.AuthFromContext(ctx)
	if err := authorize(a, familyhub.ActShoppingItemAdd); err != nil {
		return item, false, err
	}
	if err := p.Normalize(); err != nil {
		return item, false, err
	}
	full := func(tx *Tx) (item dbsqlc.ShoppingItemsView, err error) {
		item, replayed, err = tx.ShoppingItemAdd(ctx, listID, p)
		return item, err
	}
	on, classifier := false, false
	if s.jobs != nil {
		on, classifier = s.jobs.AutoCategorise()
	}
	if p.Category != nil || (on && classifier) {
		item, err = txValue(s, ctx, full)
		return item, replayed, err
	}
	params := dbsqlc.ShoppingItemAddOneParams{
		ListID: listID, FamilyID: a.FamilyID, ID: p.ID, Name: p.Name, Quantity: p.Quantity, Note: p.Note,
		CategorySource: p.CategorySource,
		Auto:           on && p.CategorySource == nil, Dictionary: DictionaryCategory(p.Name), Fallback: CategoryOther,
		RoomBelow: shoppingItemsRoomBelow,
	}
	if p.ID != nil {
		if params.RequestHash, err = requestHash("shopping-item", shoppingItemRequest(listID, p)); err != nil {
			return item, false, err
		}
	}
	item, err = oneOrTx(s, ctx, "shopping list", func(q dbsqlc.DBTX) (dbsqlc.ShoppingItemsView, error) {
		row, err := s.Q.ShoppingItemAddOne(ctx, q, params)
		return addOneView(row), err
	}, full)
	return item, replayed, err
}

// addOneView is ShoppingItemAddOne's row as shopping_items_view shows
// it: the statement returns an empty name for no category (a category's
// name has 1-100 characters), the view NULL.
func addOneView(r dbsqlc.ShoppingItemAddOneRow) dbsqlc.ShoppingItemsView {
	var category *string
	if r.Category != "" {
		category = &r.Category
	}
	return dbsqlc.ShoppingItemsView{
		ID: r.ID, FamilyID: r.FamilyID, ListID: r.ListID, Name: r.Name, Quantity: r.Quantity, Note: r.Note,
		CategoryID: r.CategoryID, CategorySource: r.CategorySource, Checked: r.Checked, CheckedAt: r.CheckedAt,
		CheckedBy: r.CheckedBy, Position: r.Position, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Version: r.Version, Category: category,
	}
}

// listFirst returns the list's not found when the list is not the
// family's, else err: the answer a request gets when the list is checked
// before anything else. It is for answers given before an insert proved
// the list, which leave the transaction usable (no failed statement).
func (tx *Tx) listFirst(ctx context.Context, listID uuid.UUID, err error) error {
	if _, lerr := tx.ShoppingListGet(ctx, listID); lerr != nil {
		return lerr
	}
	return err
}

// shoppingItemInsert inserts a normalised item into a list of the family
// and returns it as shopping_items_view shows it. The category's name
// comes from the lookup that chose the category, so the item is not read
// again. A list that is not the family's is not found, even when the
// category is unknown.
func (tx *Tx) shoppingItemInsert(ctx context.Context, listID uuid.UUID, p ShoppingItemNew) (dbsqlc.ShoppingItemsView, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	categoryID, category, err := tx.shoppingCategory(ctx, family, p.Category)
	if familyhub.ErrorCode(err) == familyhub.EINVALID {
		return dbsqlc.ShoppingItemsView{}, tx.listFirst(ctx, listID, err)
	} else if err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	params := dbsqlc.ShoppingItemInsertParams{
		ID: p.ID, FamilyID: family, ListID: listID, Name: p.Name, Quantity: p.Quantity, Note: p.Note, CategoryID: categoryID,
		RoomBelow: shoppingItemsRoomBelow,
	}
	ask := false
	if categoryID != nil || p.CategorySource != nil {
		// A person's choice, of a category or (CategorySource alone) of none.
		params.CategorySource = ptr(CategorySourceUser)
	} else if params.CategoryID, category, ask, err = tx.autoCategory(ctx, family, p.Name); err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	} else if params.CategoryID != nil {
		params.CategorySource = ptr(CategorySourceAuto)
	}
	it, err := tx.q.ShoppingItemInsert(ctx, tx, params)
	if isNoRows(err) {
		// Not the family's list, or one that may be near its limit: count.
		if err := tx.shoppingListRoom(ctx, family, listID); err != nil {
			return dbsqlc.ShoppingItemsView{}, err
		}
		params.RoomChecked = true
		it, err = tx.q.ShoppingItemInsert(ctx, tx, params)
	}
	if err != nil {
		// No row: the list is not the family's. A foreign key violation:
		// the list was deleted concurrently. Either way it is not found.
		if isForeignKeyViolation(err) {
			return dbsqlc.ShoppingItemsView{}, familyhub.NotFound("shopping list")
		}
		return dbsqlc.ShoppingItemsView{}, Err(err, "shopping list")
	}
	if ask {
		if err := tx.categorise(ctx, family, it.ID); err != nil {
			return dbsqlc.ShoppingItemsView{}, err
		}
	}
	return shoppingItemView(it, category), nil
}

// shoppingItemsRoomBelow is how many items a list may have for an add to
// insert without counting them under the list's limit lock (the statements'
// room, queries/shopping.sql; shoppingItemsMargin says why so).
const shoppingItemsRoomBelow = familyhub.MaxShoppingItemsPerList - shoppingItemsMargin

// shoppingListRoom refuses (ELIMIT) an add to a list that has
// familyhub.MaxShoppingItemsPerList items, counted exactly under the
// list's limit lock, which every add that counts takes. A list that is
// not the family's counts none.
func (tx *Tx) shoppingListRoom(ctx context.Context, family, listID uuid.UUID) error {
	return tx.shoppingListRoomFor(ctx, family, listID, 1)
}

// shoppingListRoomFor is shoppingListRoom for n items added at once: one
// count, refused (ELIMIT) unless all n fit.
func (tx *Tx) shoppingListRoomFor(ctx context.Context, family, listID uuid.UUID, n int) error {
	return tx.underLimit(ctx, limitItems, listID, familyhub.MaxShoppingItemsPerList-n+1,
		func() (int32, error) {
			return tx.q.ShoppingItemCountList(ctx, tx, dbsqlc.ShoppingItemCountListParams{ListID: listID, FamilyID: family, Most: familyhub.MaxShoppingItemsPerList})
		},
		errListFull())
}

// errListFull is the refusal of an add to a full list.
func errListFull() *familyhub.Error {
	return familyhub.Errorf(familyhub.ELIMIT, "A shopping list can have at most %d items; delete some first (ticked ones too).", familyhub.MaxShoppingItemsPerList)
}

// shoppingItemView is the row of shopping_items_view for an item whose
// category is named category (nil: none).
func shoppingItemView(it dbsqlc.ShoppingItem, category *string) dbsqlc.ShoppingItemsView {
	return dbsqlc.ShoppingItemsView{
		ID: it.ID, FamilyID: it.FamilyID, ListID: it.ListID, Name: it.Name, Quantity: it.Quantity, Note: it.Note,
		CategoryID: it.CategoryID, CategorySource: it.CategorySource,
		Checked: it.Checked, CheckedAt: it.CheckedAt, CheckedBy: it.CheckedBy, Position: it.Position,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version, Category: category,
	}
}

// ShoppingItemGet returns an item of the family.
func (tx *Tx) ShoppingItemGet(ctx context.Context, id uuid.UUID) (dbsqlc.ShoppingItemsView, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	it, err := tx.q.ShoppingItemGet(ctx, tx, dbsqlc.ShoppingItemGetParams{ID: id, FamilyID: family})
	return it, Err(err, "shopping item")
}

// ShoppingItemUpdate applies p to an item. Ticking records when and by
// whom (ticking a ticked item keeps the first tick). A rename without a
// category is filed again as an add is (Tx.autoCategory, the same
// decision): when the family's own choice for the new name or the
// dictionary decides (or, without a classifier, "other"), the update
// itself moves the item, so the answer and the update's one event already
// show the new category; only a name for the external classifier queues
// the categoriser's job. Neither touches a category a person chose. A patch
// that is wrong by itself (Normalize) is refused first; after that, another
// family's item is not found, whatever else p says (an unknown category).
//
// The item is not read before or after: the update is scoped to the
// family and returns the item as shopping_items_view shows it, so a tick
// is one statement (a rename two: the categoriser's lookup first). Only
// when it matches no row is the item read, to say why (not found, or
// changed since the version ctx asks for).
func (tx *Tx) ShoppingItemUpdate(ctx context.Context, id uuid.UUID, p ShoppingItemPatch) (dbsqlc.ShoppingItemsView, error) {
	if err := tx.authorize(familyhub.ActShoppingItemUpdate); err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	family, err := tx.family()
	if err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	if err := p.Normalize(); err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	categoryID, _, err := tx.shoppingCategory(ctx, family, p.Category.Ptr())
	if familyhub.ErrorCode(err) == familyhub.EINVALID {
		if _, ierr := tx.ShoppingItemGet(ctx, id); ierr != nil {
			return dbsqlc.ShoppingItemsView{}, ierr // the item decides first
		}
		return dbsqlc.ShoppingItemsView{}, err
	} else if err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	var autoID *uuid.UUID
	ask := false
	if p.Name.Set && !p.Category.Set {
		if autoID, _, ask, err = tx.autoCategory(ctx, family, p.Name.Value); err != nil {
			return dbsqlc.ShoppingItemsView{}, err
		}
	}
	row, err := tx.q.ShoppingItemUpdate(ctx, tx, shoppingItemUpdateParams(ctx, tx.auth, id, p, categoryID, autoID))
	if isNoRows(err) {
		// Not the family's (or deleted), or changed since the version the
		// client saw.
		return dbsqlc.ShoppingItemsView{}, staleOrMissing(ctx, "shopping item", func() (dbsqlc.ShoppingItemsView, error) { return tx.ShoppingItemGet(ctx, id) })
	} else if err != nil {
		return dbsqlc.ShoppingItemsView{}, Err(err, "shopping item")
	}
	// The model decides later, unless a person chose the category (the
	// job would leave it).
	if ask && (row.CategorySource == nil || *row.CategorySource != CategorySourceUser) {
		if err := tx.categorise(ctx, family, id); err != nil {
			return dbsqlc.ShoppingItemsView{}, err
		}
	}
	return dbsqlc.ShoppingItemsView(row), nil
}

// shoppingItemUpdateParams are ShoppingItemUpdate's parameters for patch
// p of item id by caller a (categoryID: the category p names; autoID: the
// auto-categoriser's choice for p's new name).
func shoppingItemUpdateParams(ctx context.Context, a *familyhub.Auth, id uuid.UUID, p ShoppingItemPatch, categoryID, autoID *uuid.UUID) dbsqlc.ShoppingItemUpdateParams {
	return dbsqlc.ShoppingItemUpdateParams{
		ID: id, FamilyID: a.FamilyID,
		Name:        p.Name.Ptr(),
		QuantitySet: p.Quantity.Set, Quantity: p.Quantity.Ptr(),
		NoteSet: p.Note.Set, Note: p.Note.Ptr(),
		CategorySet: p.Category.Set, CategoryID: categoryID, AutoCategoryID: autoID,
		Checked: p.Checked.Ptr(), Actor: userOf(a),
		Position: p.Position.Ptr(), IfVersion: ifVersion(ctx),
	}
}

// ShoppingItemUpdate is Tx.ShoppingItemUpdate as a request of its own. A
// patch that neither renames nor names a category (a tick, a quantity, a
// note, a move) is its one statement in a transaction of its own, in one
// round trip (txOne). A rename, a category, and a patch that matched no
// row (not found, or changed since the version ctx asks for: it wrote
// nothing) run as Tx.ShoppingItemUpdate in a Store.Tx, which gives the
// answer.
func (s *Store) ShoppingItemUpdate(ctx context.Context, id uuid.UUID, p ShoppingItemPatch) (dbsqlc.ShoppingItemsView, error) {
	a := familyhub.AuthFromContext(ctx)
	if err := authorize(a, familyhub.ActShoppingItemUpdate); err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	if err := p.Normalize(); err != nil {
		return dbsqlc.ShoppingItemsView{}, err
	}
	full := func(tx *Tx) (dbsqlc.ShoppingItemsView, error) { return tx.ShoppingItemUpdate(ctx, id, p) }
	if p.Name.Set || p.Category.Set {
		return txValue(s, ctx, full)
	}
	if (p == ShoppingItemPatch{Checked: p.Checked}) && p.Checked.Ptr() != nil {
		// A tick: the same write, by a statement that sets only the
		// columns a tick changes (ShoppingItemTick says why).
		return oneOrTx(s, ctx, "shopping item", func(q dbsqlc.DBTX) (dbsqlc.ShoppingItemsView, error) {
			row, err := s.Q.ShoppingItemTick(ctx, q, dbsqlc.ShoppingItemTickParams{
				ID: id, FamilyID: a.FamilyID, Checked: *p.Checked.Ptr(), Actor: userOf(a), IfVersion: ifVersion(ctx),
			})
			return dbsqlc.ShoppingItemsView(row), err
		}, full)
	}
	// A quantity, a note, a move: the same write, by a statement that
	// leaves the category's columns alone (ShoppingItemEdit says why).
	return oneOrTx(s, ctx, "shopping item", func(q dbsqlc.DBTX) (dbsqlc.ShoppingItemsView, error) {
		row, err := s.Q.ShoppingItemEdit(ctx, q, dbsqlc.ShoppingItemEditParams{
			ID: id, FamilyID: a.FamilyID,
			QuantitySet: p.Quantity.Set, Quantity: p.Quantity.Ptr(),
			NoteSet: p.Note.Set, Note: p.Note.Ptr(),
			Checked: p.Checked.Ptr(), Actor: userOf(a),
			Position: p.Position.Ptr(), IfVersion: ifVersion(ctx),
		})
		return dbsqlc.ShoppingItemsView(row), err
	}, full)
}

// ShoppingItemDelete deletes an item (If-Match: only at the version ctx
// asks for). Deleting a deleted item is not found and changes nothing.
func (tx *Tx) ShoppingItemDelete(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActShoppingItemDelete); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	n, err := tx.q.ShoppingItemDelete(ctx, tx, dbsqlc.ShoppingItemDeleteParams{ID: id, FamilyID: family, IfVersion: ifVersion(ctx)})
	if err == nil && n == 0 {
		return staleOrMissing(ctx, "shopping item", func() (dbsqlc.ShoppingItemsView, error) { return tx.ShoppingItemGet(ctx, id) })
	}
	return Err(err, "shopping item")
}

// ShoppingItemsLock locks the family's items of ids (an id of no item of
// the family is skipped, not an error) in the order of their ids, until the transaction
// ends. A writer of several items one by one (the assistant's "tick eggs
// and salt", in the order spoken) calls it first, so that it cannot
// deadlock with another such writer taking them the other way round:
// every writer of several items locks them in id order (docs/architecture.md).
func (tx *Tx) ShoppingItemsLock(ctx context.Context, ids []uuid.UUID) error {
	family, err := tx.family()
	if err != nil {
		return err
	}
	return Err(tx.q.ShoppingItemsLock(ctx, tx, dbsqlc.ShoppingItemsLockParams{FamilyID: family, Ids: ids}), "shopping item")
}

// ShoppingListClearChecked deletes the ticked items of a list in one
// transaction (each announced as its own SHOPPING_ITEM_UPDATED delete) and
// returns their ids. A list without ticked items changes nothing.
func (tx *Tx) ShoppingListClearChecked(ctx context.Context, listID uuid.UUID) ([]uuid.UUID, error) {
	if err := tx.authorize(familyhub.ActShoppingItemDelete); err != nil {
		return nil, err
	}
	list, err := tx.ShoppingListGet(ctx, listID)
	if err != nil {
		return nil, err
	}
	ids, err := tx.q.ShoppingItemDeleteChecked(ctx, tx, dbsqlc.ShoppingItemDeleteCheckedParams{ListID: list.ID, FamilyID: list.FamilyID})
	return ids, Err(err, "shopping list")
}
