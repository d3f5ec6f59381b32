package http

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// loggedEvent is a row of event_log.
type loggedEvent struct {
	Seq      int64
	Type     string
	Op       string
	EntityID uuid.UUID
	ListID   *uuid.UUID
	ActorID  *uuid.UUID
	DeviceID *string
}

// events returns the family's event_log rows with seq > after, in order.
func (e *testEnv) events(family uuid.UUID, after int64) []loggedEvent {
	e.t.Helper()
	rows, err := e.pool.Query(context.Background(),
		"SELECT seq, type, op, entity_id, list_id, actor_id, device_id FROM event_log WHERE family_id = $1 AND seq > $2 ORDER BY seq",
		family, after)
	if err != nil {
		e.t.Fatalf("events: %v", err)
	}
	defer rows.Close()
	var out []loggedEvent
	for rows.Next() {
		var ev loggedEvent
		if err := rows.Scan(&ev.Seq, &ev.Type, &ev.Op, &ev.EntityID, &ev.ListID, &ev.ActorID, &ev.DeviceID); err != nil {
			e.t.Fatalf("events: %v", err)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatalf("events: %v", err)
	}
	return out
}

// lastSeq returns the family's newest event sequence number (0 for none).
func (e *testEnv) lastSeq(family uuid.UUID) int64 {
	e.t.Helper()
	var seq int64
	if err := e.pool.QueryRow(context.Background(), "SELECT seq FROM family_event_seq WHERE family_id = $1", family).Scan(&seq); err != nil {
		e.t.Fatalf("lastSeq: %v", err)
	}
	return seq
}

// badInputCase is a request that must be refused with code and field.
type badInputCase struct {
	name, method, path string
	body               any
	status             int
	code, field        string
}

// runBadInput sends each case as c and checks status, code and field.
func runBadInput(t *testing.T, c *client, cases []badInputCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(tc.method, tc.path, tc.body)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
			}
			e := r.errorBody(t)
			if e.Code != tc.code || e.Field != tc.field || e.Message == "" {
				t.Fatalf("error %+v, want code %q field %q", e, tc.code, tc.field)
			}
		})
	}
}

// counts returns the row count of each table.
func (e *testEnv) counts(tables ...string) map[string]int {
	e.t.Helper()
	m := make(map[string]int, len(tables))
	for _, tbl := range tables {
		m[tbl] = e.count(tbl)
	}
	return m
}

// sameCounts fails the test when a table's row count changed since before.
func (e *testEnv) sameCounts(t *testing.T, before map[string]int) {
	t.Helper()
	for tbl, n := range before {
		if got := e.count(tbl); got != n {
			t.Errorf("%s: %d rows, want %d: a refused request wrote something", tbl, got, n)
		}
	}
}

func TestShoppingCategoriesSeeded(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("cat@example.org", "Cats")
	var cats []shoppingCategoryJSON
	c.must(http.StatusOK, "GET", "/api/shopping/categories", nil).decode(t, &cats)
	names := make([]string, len(cats))
	for i, cat := range cats {
		names[i] = cat.Name
		if cat.ID == uuid.Nil || cat.CreatedAt.IsZero() {
			t.Fatalf("category %+v", cat)
		}
	}
	for _, want := range []string{"produce", "dairy", "bakery", "meat & fish", "frozen", "pantry", "drinks", "household", "personal care", "other"} {
		if !strings.Contains(","+strings.Join(names, ",")+",", ","+want+",") {
			t.Errorf("default category %q missing from %v", want, names)
		}
	}
	if names[0] != "produce" || names[len(names)-1] != "other" {
		t.Errorf("categories not in store order: %v", names)
	}
	// A family made from psql gets them too, from the trigger.
	if _, err := env.pool.Exec(t.Context(), "INSERT INTO families (name) VALUES ('psql')"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := env.pool.QueryRow(t.Context(), `SELECT count(*) FROM shopping_categories c JOIN families f ON f.id = c.family_id WHERE f.name = 'psql'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(cats) {
		t.Fatalf("psql family has %d categories, want %d", n, len(cats))
	}
}

func TestShoppingListCRUD(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("lists@example.org", "Lists")
	if r := c.must(http.StatusOK, "GET", "/api/shopping/lists", nil); strings.TrimSpace(string(r.body)) != "[]" {
		t.Fatalf("empty collection %s, want []", r.body)
	}
	var weekly, party shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "  Weekly  "}).decode(t, &weekly)
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Party"}).decode(t, &party)
	if weekly.Name != "Weekly" || weekly.ID == uuid.Nil || weekly.CreatedAt.IsZero() || weekly.UpdatedAt.IsZero() {
		t.Fatalf("created %+v", weekly)
	}
	var lists []shoppingListJSON
	c.must(http.StatusOK, "GET", "/api/shopping/lists", nil).decode(t, &lists)
	if len(lists) != 2 || lists[0].ID != weekly.ID || lists[1].ID != party.ID {
		t.Fatalf("lists %+v", lists)
	}
	r := c.must(http.StatusOK, "GET", "/api/shopping/lists/"+weekly.ID.String(), nil)
	if !strings.Contains(string(r.body), `"items":[]`) {
		t.Fatalf("list without items: %s", r.body)
	}

	seq := env.lastSeq(acc.Family.ID)
	var renamed shoppingListJSON
	c.must(http.StatusOK, "PATCH", "/api/shopping/lists/"+weekly.ID.String(), map[string]any{"name": "Groceries"}).decode(t, &renamed)
	if renamed.Name != "Groceries" || !renamed.UpdatedAt.After(weekly.UpdatedAt) || !renamed.CreatedAt.Equal(weekly.CreatedAt) {
		t.Fatalf("renamed %+v", renamed)
	}
	// Renaming to the same name, or an empty PATCH, changes nothing: no
	// new updated_at, no event.
	var same shoppingListJSON
	c.must(http.StatusOK, "PATCH", "/api/shopping/lists/"+weekly.ID.String(), map[string]any{"name": "Groceries"}).decode(t, &same)
	c.must(http.StatusOK, "PATCH", "/api/shopping/lists/"+weekly.ID.String(), map[string]any{})
	if !same.UpdatedAt.Equal(renamed.UpdatedAt) {
		t.Fatalf("no-op rename touched updated_at")
	}
	evs := env.events(acc.Family.ID, seq)
	if len(evs) != 1 || evs[0].Type != "SHOPPING_LIST_UPDATED" || evs[0].Op != "update" || evs[0].EntityID != weekly.ID {
		t.Fatalf("events after rename %+v", evs)
	}

	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+weekly.ID.String()+"/items", map[string]any{"name": "Milk"})
	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+weekly.ID.String()+"/items", map[string]any{"name": "Eggs"})
	seq = env.lastSeq(acc.Family.ID)
	c.must(http.StatusNoContent, "DELETE", "/api/shopping/lists/"+weekly.ID.String(), nil)
	c.must(http.StatusNotFound, "GET", "/api/shopping/lists/"+weekly.ID.String(), nil)
	c.must(http.StatusNotFound, "DELETE", "/api/shopping/lists/"+weekly.ID.String(), nil)
	if n := env.count("shopping_items"); n != 0 {
		t.Fatalf("items of a deleted list survive: %d", n)
	}
	// One event per cascaded item, one for the list, all with the actor.
	var types []string
	for _, ev := range env.events(acc.Family.ID, seq) {
		if ev.Op != "delete" || ev.ActorID == nil || *ev.ActorID != acc.User.ID {
			t.Fatalf("delete event %+v", ev)
		}
		types = append(types, ev.Type)
	}
	slices.Sort(types)
	if strings.Join(types, ",") != "SHOPPING_ITEM_UPDATED,SHOPPING_ITEM_UPDATED,SHOPPING_LIST_UPDATED" {
		t.Fatalf("delete events %v", types)
	}
}

// TestShoppingItemAddNoCategory: category_source "user" without a category
// adds an item with none by a person's choice (what an Undo of an item
// whose category a person cleared sends); other sources are refused.
func TestShoppingItemAddNoCategory(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("nocat@example.org", "NoCat")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	itemsPath := "/api/shopping/lists/" + list.ID.String() + "/items"
	var butter shoppingItemJSON
	c.must(http.StatusCreated, "POST", itemsPath, map[string]any{"name": "Butter", "category": nil, "category_source": "user"}).decode(t, &butter)
	if butter.Category != nil || butter.CategorySource == nil || *butter.CategorySource != "user" {
		t.Fatalf("butter %+v", butter)
	}
	if r := c.do("POST", itemsPath, map[string]any{"name": "Eggs", "category_source": "auto"}); r.StatusCode != 422 || r.errorBody(t).Field != "category_source" {
		t.Errorf("category_source auto: %d %s", r.StatusCode, r.body)
	}
}

func TestShoppingItemCRUD(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("items@example.org", "Items")
	c.header.Set("X-Device-ID", "phone-1")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	itemsPath := "/api/shopping/lists/" + list.ID.String() + "/items"

	seq := env.lastSeq(acc.Family.ID)
	var milk, bread, soap shoppingItemJSON
	c.must(http.StatusCreated, "POST", itemsPath, map[string]any{
		"name": " Milk ", "quantity": "2 l", "note": "the organic one", "category": "DAIRY",
	}).decode(t, &milk)
	if milk.Name != "Milk" || *milk.Quantity != "2 l" || *milk.Note != "the organic one" || *milk.Category != "dairy" ||
		*milk.CategorySource != "user" || milk.Checked || milk.CheckedAt != nil || milk.Position != 0 || milk.ListID != list.ID {
		t.Fatalf("milk %+v", milk)
	}
	c.must(http.StatusCreated, "POST", itemsPath, map[string]any{"name": "Bread", "quantity": "", "category": nil}).decode(t, &bread)
	if bread.Quantity != nil || bread.Category != nil || bread.CategorySource != nil || bread.Position != 1 {
		t.Fatalf("bread %+v", bread)
	}
	c.must(http.StatusCreated, "POST", itemsPath, map[string]any{"name": "Soap"}).decode(t, &soap)
	if soap.Position != 2 {
		t.Fatalf("soap position %d, want 2", soap.Position)
	}

	// Adding an item is an item event carrying the list, the actor and the device.
	evs := env.events(acc.Family.ID, seq)
	if len(evs) != 3 {
		t.Fatalf("events %+v", evs)
	}
	ev := evs[0]
	if ev.Type != "SHOPPING_ITEM_UPDATED" || ev.Op != "insert" || ev.EntityID != milk.ID || ev.ListID == nil || *ev.ListID != list.ID ||
		ev.ActorID == nil || *ev.ActorID != acc.User.ID || ev.DeviceID == nil || *ev.DeviceID != "phone-1" {
		t.Fatalf("insert event %+v", ev)
	}

	// Tick off: when and by whom. Ticking again changes nothing.
	var ticked shoppingItemJSON
	c.must(http.StatusOK, "PATCH", "/api/shopping/items/"+bread.ID.String(), map[string]any{"checked": true}).decode(t, &ticked)
	if !ticked.Checked || ticked.CheckedAt == nil || ticked.CheckedBy == nil || *ticked.CheckedBy != acc.User.ID || !ticked.UpdatedAt.After(bread.UpdatedAt) {
		t.Fatalf("ticked %+v", ticked)
	}
	var again shoppingItemJSON
	c.must(http.StatusOK, "PATCH", "/api/shopping/items/"+bread.ID.String(), map[string]any{"checked": true}).decode(t, &again)
	if !again.CheckedAt.Equal(*ticked.CheckedAt) || !again.UpdatedAt.Equal(ticked.UpdatedAt) {
		t.Fatalf("ticking twice changed the item: %+v", again)
	}
	var unticked shoppingItemJSON
	c.must(http.StatusOK, "PATCH", "/api/shopping/items/"+bread.ID.String(), map[string]any{"checked": false}).decode(t, &unticked)
	if unticked.Checked || unticked.CheckedAt != nil || unticked.CheckedBy != nil {
		t.Fatalf("unticked %+v", unticked)
	}

	// Categories: set by a person, cleared by a person (still "user").
	var moved shoppingItemJSON
	c.must(http.StatusOK, "PATCH", "/api/shopping/items/"+bread.ID.String(), map[string]any{"category": "Bakery"}).decode(t, &moved)
	if *moved.Category != "bakery" || *moved.CategorySource != "user" {
		t.Fatalf("moved %+v", moved)
	}
	var cleared shoppingItemJSON
	c.must(http.StatusOK, "PATCH", "/api/shopping/items/"+milk.ID.String(), map[string]any{"category": nil, "quantity": "", "note": nil}).decode(t, &cleared)
	if cleared.Category != nil || *cleared.CategorySource != "user" || cleared.Quantity != nil || cleared.Note != nil || cleared.Name != "Milk" {
		t.Fatalf("cleared %+v", cleared)
	}

	// Reorder: soap to the top.
	var top shoppingItemJSON
	c.must(http.StatusOK, "PATCH", "/api/shopping/items/"+soap.ID.String(), map[string]any{"position": 0, "name": "Hand soap"}).decode(t, &top)
	if top.Position != 0 || top.Name != "Hand soap" {
		t.Fatalf("top %+v", top)
	}
	var got shoppingListWithItemsJSON
	c.must(http.StatusOK, "GET", "/api/shopping/lists/"+list.ID.String(), nil).decode(t, &got)
	var order []string
	for _, it := range got.Items {
		order = append(order, it.Name)
	}
	// Milk and soap share position 0 and then sort by creation.
	if strings.Join(order, ",") != "Milk,Hand soap,Bread" {
		t.Fatalf("order %v", order)
	}

	c.must(http.StatusNoContent, "DELETE", "/api/shopping/items/"+milk.ID.String(), nil)
	c.must(http.StatusNotFound, "DELETE", "/api/shopping/items/"+milk.ID.String(), nil)
	c.must(http.StatusNotFound, "PATCH", "/api/shopping/items/"+milk.ID.String(), map[string]any{"checked": true})
	if n := env.count("shopping_items"); n != 2 {
		t.Fatalf("items %d, want 2", n)
	}
}

// autoFiling is a job queue with auto-categorisation on and no external
// classifier: every item is filed in its own transaction, never by a job.
type autoFiling struct{}

func (autoFiling) CategoriseItemsTx(context.Context, pgx.Tx, uuid.UUID, []uuid.UUID) error {
	return errors.New("no job expected")
}
func (autoFiling) AutoCategorise() (on, classifier bool) { return true, false }

// TestShoppingItemRenameFiled: with auto-categorisation on, the PATCH
// answer of a rename already shows the category the new name is filed
// under (If-Match as usual), and the rename is the item's one event; a
// category in the same PATCH wins.
func TestShoppingItemRenameFiled(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	env.server.store.SetJobQueue(autoFiling{})
	c, acc := env.signup("rename@example.org", "Rename")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	var item shoppingItemJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "zorblax"}).decode(t, &item)
	if *item.Category != "other" || *item.CategorySource != "auto" {
		t.Fatalf("zorblax added as %+v", item)
	}
	seq := env.lastSeq(acc.Family.ID)
	st, h, b, err := c.send("PATCH", "/api/shopping/items/"+item.ID.String(), `{"name":"Milch"}`, map[string]string{"If-Match": `"1"`})
	if err != nil || st != http.StatusOK || h.Get("ETag") != `"2"` {
		t.Fatalf("rename: %d %s (ETag %q) %v", st, b, h.Get("ETag"), err)
	}
	var renamed shoppingItemJSON
	if err := json.Unmarshal(b, &renamed); err != nil {
		t.Fatal(err)
	}
	if renamed.Name != "Milch" || renamed.Category == nil || *renamed.Category != "dairy" || *renamed.CategorySource != "auto" || renamed.Version != 2 {
		t.Fatalf("the rename answered %s, want Milch in dairy (auto) at version 2", b)
	}
	if evs := env.events(acc.Family.ID, seq); len(evs) != 1 || evs[0].EntityID != item.ID || evs[0].Op != "update" {
		t.Fatalf("events of the rename %+v, want one update of the item", evs)
	}
	var chosen shoppingItemJSON
	c.must(http.StatusOK, "PATCH", "/api/shopping/items/"+item.ID.String(), map[string]any{"name": "Brot", "category": "Snacks"}).decode(t, &chosen)
	if *chosen.Category != "snacks" || *chosen.CategorySource != "user" {
		t.Fatalf("rename with a category answered %+v, want snacks (user)", chosen)
	}
}

// TestShoppingOtherFamily checks that another family's lists and items
// answer 404 exactly like missing ones, on reads and writes, and stay
// untouched.
func TestShoppingOtherFamily(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	owner, _ := env.signup("owner@example.org", "Owners")
	other, _ := env.signup("other@example.org", "Others")
	var list shoppingListJSON
	owner.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Mine"}).decode(t, &list)
	var item shoppingItemJSON
	owner.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "Milk"}).decode(t, &item)
	before := env.counts("shopping_lists", "shopping_items", "event_log")

	var lists []shoppingListJSON
	other.must(http.StatusOK, "GET", "/api/shopping/lists", nil).decode(t, &lists)
	if len(lists) != 0 {
		t.Fatalf("other family sees %+v", lists)
	}
	missing := uuid.NewString()
	L, I := list.ID.String(), item.ID.String()
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/shopping/lists/" + L, nil},
		{"PATCH", "/api/shopping/lists/" + L, map[string]any{"name": "Theirs"}},
		{"DELETE", "/api/shopping/lists/" + L, nil},
		{"POST", "/api/shopping/lists/" + L + "/items", map[string]any{"name": "Beer"}},
		// Even with a category that family does not have: the list decides first.
		{"POST", "/api/shopping/lists/" + L + "/items", map[string]any{"name": "Beer", "category": "nope"}},
		{"PATCH", "/api/shopping/items/" + I, map[string]any{"checked": true}},
		{"PATCH", "/api/shopping/items/" + I, map[string]any{"category": "nope"}},
		{"DELETE", "/api/shopping/items/" + I, nil},
		{"GET", "/api/shopping/lists/" + missing, nil},
		{"PATCH", "/api/shopping/items/" + missing, map[string]any{"checked": true}},
		{"GET", "/api/shopping/lists/not-a-uuid", nil},
		{"PATCH", "/api/shopping/lists/" + strings.ToUpper(L) + "x", map[string]any{"name": "x"}},
		{"DELETE", "/api/shopping/items/123", nil},
		{"POST", "/api/shopping/lists/%20/items", map[string]any{"name": "x"}},
	} {
		r := other.must(http.StatusNotFound, tc.method, tc.path, tc.body)
		if e := r.errorBody(t); e.Code != "not_found" {
			t.Fatalf("%s %s: %+v", tc.method, tc.path, e)
		}
	}
	// The answer for another family's list is the answer for a missing one.
	a := other.do("GET", "/api/shopping/lists/"+L, nil).errorBody(t)
	b := other.do("GET", "/api/shopping/lists/"+missing, nil).errorBody(t)
	if a != b {
		t.Fatalf("another family's list (%+v) differs from a missing one (%+v)", a, b)
	}
	env.sameCounts(t, before)
	var got shoppingListWithItemsJSON
	owner.must(http.StatusOK, "GET", "/api/shopping/lists/"+L, nil).decode(t, &got)
	if got.Name != "Mine" || len(got.Items) != 1 || got.Items[0].Checked {
		t.Fatalf("owner's list changed: %+v", got)
	}
}

// TestShoppingBadInputWritesNothing sends bad input to every shopping
// endpoint and checks the status, code, field, and that nothing was written.
func TestShoppingBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("bad@example.org", "Bad")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	var item shoppingItemJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "Milk"}).decode(t, &item)
	before := env.counts("shopping_lists", "shopping_items", "shopping_categories", "event_log")

	L := "/api/shopping/lists/" + list.ID.String()
	I := "/api/shopping/items/" + item.ID.String()
	long := strings.Repeat("x", 201)
	runBadInput(t, c, []badInputCase{
		{"list create malformed", "POST", "/api/shopping/lists", `{"name":`, 400, "malformed_request", ""},
		{"list create empty body", "POST", "/api/shopping/lists", ``, 400, "malformed_request", ""},
		{"list create no name", "POST", "/api/shopping/lists", `{}`, 422, "invalid", "name"},
		{"list create blank name", "POST", "/api/shopping/lists", `{"name":"   "}`, 422, "invalid", "name"},
		{"list create long name", "POST", "/api/shopping/lists", map[string]any{"name": long}, 422, "invalid", "name"},
		{"list create control char", "POST", "/api/shopping/lists", map[string]any{"name": "a\x00b"}, 422, "invalid", "name"},
		{"list create wrong type", "POST", "/api/shopping/lists", `{"name":42}`, 422, "invalid", "name"},
		{"list create lone surrogate", "POST", "/api/shopping/lists", `{"name":"Week\ud800ly"}`, 422, "invalid", "name"},
		{"item create invalid UTF-8", "POST", L + "/items", "{\"name\":\"x\",\"note\":\"a\xffb\"}", 422, "invalid", "note"},
		{"list create unknown field", "POST", "/api/shopping/lists", `{"name":"x","owner":"me"}`, 422, "invalid", "owner"},
		{"list update null name", "PATCH", L, `{"name":null}`, 422, "invalid", "name"},
		{"list update wrong type", "PATCH", L, `{"name":["x"]}`, 422, "invalid", "name"},
		{"list update long name", "PATCH", L, map[string]any{"name": long}, 422, "invalid", "name"},
		{"list update unknown field", "PATCH", L, `{"items":[]}`, 422, "invalid", "items"},
		{"item create no name", "POST", L + "/items", `{"quantity":"2"}`, 422, "invalid", "name"},
		{"item create long name", "POST", L + "/items", map[string]any{"name": long}, 422, "invalid", "name"},
		{"item create long quantity", "POST", L + "/items", map[string]any{"name": "x", "quantity": strings.Repeat("9", 51)}, 422, "invalid", "quantity"},
		{"item create long note", "POST", L + "/items", map[string]any{"name": "x", "note": strings.Repeat("n", 501)}, 422, "invalid", "note"},
		{"item create unknown category", "POST", L + "/items", map[string]any{"name": "x", "category": "spaceship parts"}, 422, "invalid", "category"},
		{"item create wrong type", "POST", L + "/items", `{"name":"x","quantity":2}`, 422, "invalid", "quantity"},
		{"item create unknown field", "POST", L + "/items", `{"name":"x","checked":true}`, 422, "invalid", "checked"},
		{"item create missing list", "POST", "/api/shopping/lists/" + uuid.NewString() + "/items", `{"name":"x"}`, 404, "not_found", ""},
		{"item update checked wrong type", "PATCH", I, `{"checked":"yes"}`, 422, "invalid", "checked"},
		{"item update position wrong type", "PATCH", I, `{"position":"1"}`, 422, "invalid", "position"},
		{"item update position fraction", "PATCH", I, `{"position":1.5}`, 422, "invalid", "position"},
		{"item update position negative", "PATCH", I, `{"position":-1}`, 422, "invalid", "position"},
		{"item update position huge", "PATCH", I, `{"position":99999999999}`, 422, "invalid", "position"},
		{"item update name null", "PATCH", I, `{"name":null}`, 422, "invalid", "name"},
		{"item update name wrong type", "PATCH", I, `{"name":{}}`, 422, "invalid", "name"},
		{"item update checked null", "PATCH", I, `{"checked":null}`, 422, "invalid", "checked"},
		{"item update unknown category", "PATCH", I, `{"category":"nope"}`, 422, "invalid", "category"},
		{"item update long quantity", "PATCH", I, map[string]any{"quantity": strings.Repeat("9", 51)}, 422, "invalid", "quantity"},
		{"item update unknown field", "PATCH", I, `{"list_id":"x"}`, 422, "invalid", "list_id"},
		{"item update trailing data", "PATCH", I, `{"checked":true} {"checked":false}`, 400, "malformed_request", ""},
		{"item update form encoded", "PATCH", I, `checked=true`, 400, "malformed_request", ""},
		{"item delete malformed id", "DELETE", "/api/shopping/items/nope", nil, 404, "not_found", ""},
	})
	env.sameCounts(t, before)
	var got shoppingListWithItemsJSON
	c.must(http.StatusOK, "GET", L, nil).decode(t, &got)
	if got.Name != "Weekly" || len(got.Items) != 1 || got.Items[0].UpdatedAt != item.UpdatedAt {
		t.Fatalf("refused requests changed the list: %+v", got)
	}
}

// TestShoppingItemUpdateOfConcurrentlyDeletedItem: a PATCH that reads the
// item, then waits on the row lock of a transaction deleting it, answers 404
// once the delete commits.
func TestShoppingItemUpdateOfConcurrentlyDeletedItem(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("race@example.org", "Race")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}).decode(t, &list)
	var item shoppingItemJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "Milk"}).decode(t, &item)

	tx, err := env.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(t.Context(), "DELETE FROM shopping_items WHERE id = $1", item.ID); err != nil {
		t.Fatal(err)
	}
	// Sent by hand (sendAsync): c.do would call t.Fatal off the test goroutine.
	req, err := http.NewRequest("PATCH", env.ts.URL+"/api/shopping/items/"+item.ID.String(), strings.NewReader(`{"checked":true}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	done := c.sendAsync(req)

	// Wait until the PATCH is blocked on the deleted row's lock.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := env.pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE shopping_items%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("PATCH finished before the delete committed: %d %s", r.StatusCode, r.body)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("PATCH never waited on the row lock")
		}
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.StatusCode != http.StatusNotFound || r.errorBody(t).Code != "not_found" {
		t.Fatalf("PATCH of a concurrently deleted item: %d %s", r.StatusCode, r.body)
	}
}

// TestShoppingItemCreateOnConcurrentlyDeletedList: an item POST that reads
// the list, then waits on the lock of a transaction deleting it, answers
// 404 for the list once the delete commits (not a 422 without a field from
// the foreign key).
func TestShoppingItemCreateOnConcurrentlyDeletedList(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("race@example.org", "Race")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}).decode(t, &list)

	tx, err := env.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(t.Context(), "DELETE FROM shopping_lists WHERE id = $1", list.ID); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", env.ts.URL+"/api/shopping/lists/"+list.ID.String()+"/items", strings.NewReader(`{"name":"Milk"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	done := c.sendAsync(req)
	deadline := time.Now().Add(10 * time.Second)
	for {
		// pg_stat_activity shows a query's first KiB only
		// (track_activity_query_size): the add's one statement names
		// shopping_items there, its INSERT comes later.
		var waiting int
		if err := env.pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%shopping_items%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("POST finished before the delete committed: %d %s", r.StatusCode, r.body)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("POST never waited on the list's lock")
		}
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.StatusCode != http.StatusNotFound || r.errorBody(t).Code != "not_found" {
		t.Fatalf("POST to a concurrently deleted list: %d %s", r.StatusCode, r.body)
	}
}

// TestShoppingListClearChecked: clearing a list deletes its ticked items in
// one transaction, one delete event each, and leaves the rest; another
// family's list is 404.
func TestShoppingListClearChecked(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("clear@example.org", "Clear")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}).decode(t, &list)
	L := "/api/shopping/lists/" + list.ID.String()
	ids := map[string]uuid.UUID{}
	for _, name := range []string{"Milk", "Bread", "Eggs"} {
		var it shoppingItemJSON
		c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": name}).decode(t, &it)
		ids[name] = it.ID
	}
	for _, name := range []string{"Milk", "Eggs"} {
		c.must(http.StatusOK, "PATCH", "/api/shopping/items/"+ids[name].String(), map[string]any{"checked": true})
	}
	seq := env.lastSeq(acc.Family.ID)
	var out struct{ Deleted []uuid.UUID }
	c.must(http.StatusOK, "POST", L+"/clear-checked", nil).decode(t, &out)
	if len(out.Deleted) != 2 {
		t.Fatalf("deleted %v", out.Deleted)
	}
	evs := env.events(acc.Family.ID, seq)
	if len(evs) != 2 || evs[0].Op != "delete" || evs[1].Op != "delete" || evs[1].Seq != evs[0].Seq+1 {
		t.Fatalf("events %+v", evs)
	}
	var got shoppingListWithItemsJSON
	c.must(http.StatusOK, "GET", L, nil).decode(t, &got)
	if len(got.Items) != 1 || got.Items[0].Name != "Bread" {
		t.Fatalf("left %+v", got.Items)
	}
	c.must(http.StatusOK, "POST", L+"/clear-checked", nil).decode(t, &out)
	if len(out.Deleted) != 0 {
		t.Fatalf("second clear deleted %v", out.Deleted)
	}
	other, _ := env.signup("other-clear@example.org", "Other")
	other.must(http.StatusNotFound, "POST", L+"/clear-checked", nil)
}
