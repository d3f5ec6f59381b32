package db_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// classifying is a job queue with auto-categorisation on and an external
// classifier configured; items lists the items it was asked to file (it is
// called in the operation's goroutine).
type classifying struct{ items []uuid.UUID }

func (q *classifying) CategoriseItemsTx(_ context.Context, _ pgx.Tx, _ uuid.UUID, ids []uuid.UUID) error {
	q.items = append(q.items, ids...)
	return nil
}

func (*classifying) AutoCategorise() (on, classifier bool) { return true, true }

// queued returns the items queued since the last call.
func (q *classifying) queued() []uuid.UUID {
	out := q.items
	q.items = nil
	return out
}

// itemEvent is an item's row of event_log.
type itemEvent struct {
	Op      string
	Version *int64
}

// itemEvents returns the events of an item in order.
func (f *shoppingFixture) itemEvents(t *testing.T, id uuid.UUID) []itemEvent {
	t.Helper()
	var evs []itemEvent
	if err := f.store.Pool.QueryRow(context.Background(), `SELECT coalesce(json_agg(json_build_object('Op', op, 'Version', version) ORDER BY seq), '[]')
		FROM event_log WHERE entity_id = $1`, id).Scan(&evs); err != nil {
		t.Fatal(err)
	}
	return evs
}

// filed is an item's category and who chose it, as category/source.
func filed(it dbsqlc.ShoppingItemsView) string {
	s := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	return s(it.Category) + "/" + s(it.CategorySource)
}

// TestShoppingItemRename: a rename without a category is filed as an add
// is, by the same decision (the family's own choice for the new name, the
// dictionary, and without a classifier "other"), in the UPDATE itself: the
// answer shows the new category, and the rename is the item's one event,
// with the answer's version. A name only the classifier can file keeps the
// category and queues the job, as today. A category in the same patch wins;
// a category a person chose is kept; If-Match still guards the rename; and
// another family's item is still not found.
func TestShoppingItemRename(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	add := func(name string, category *string) dbsqlc.ShoppingItemsView {
		t.Helper()
		var it dbsqlc.ShoppingItemsView
		f.tx(t, func(tx *db.Tx) (err error) {
			it, _, err = tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: name, Category: category})
			return err
		})
		return it
	}
	// update patches the item in a committed transaction and returns the
	// answer and the statements the update sent.
	update := func(ctx context.Context, id uuid.UUID, p db.ShoppingItemPatch) (dbsqlc.ShoppingItemsView, int64, error) {
		t.Helper()
		var it dbsqlc.ShoppingItemsView
		var n int64
		err := f.store.Tx(ctx, func(tx *db.Tx) (err error) {
			f.count.n.Store(0)
			f.count.on.Store(true)
			it, err = tx.ShoppingItemUpdate(ctx, id, p)
			f.count.on.Store(false)
			n = f.count.n.Load()
			return err
		})
		return it, n, err
	}
	// renamed checks the answer of a patch of before, the view's row, and
	// that the patch was the item's one event since, at the answer's version.
	renamed := func(what string, before, got dbsqlc.ShoppingItemsView, n int64, err error, name, want string, statements int64) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got.Name != name || filed(got) != want || got.Version != before.Version+1 {
			t.Errorf("%s: answered %q %s version %d, want %q %s version %d", what, got.Name, filed(got), got.Version, name, want, before.Version+1)
		}
		if n != statements {
			t.Errorf("%s: %d statements, want %d", what, n, statements)
		}
		f.sameAsView(t, what, got)
		var since []itemEvent
		for _, ev := range f.itemEvents(t, got.ID) {
			if ev.Version == nil || *ev.Version > before.Version {
				since = append(since, ev)
			}
		}
		if len(since) != 1 || since[0].Op != "update" || *since[0].Version != got.Version {
			t.Errorf("%s: the item's events since version %d: %+v, want one update at version %d", what, before.Version, since, got.Version)
		}
	}
	name := func(s string) db.ShoppingItemPatch { return db.ShoppingItemPatch{Name: familyhub.Some(s)} }

	// Without a classifier (every name is decided in the transaction).
	it := add("zorblax", nil)
	if filed(it) != "other/auto" {
		t.Fatalf("zorblax added as %s", filed(it))
	}
	// ShoppingCategoryListForName, ShoppingItemUpdate.
	got, n, err := update(f.ctx, it.ID, name("Milk"))
	renamed("rename to a name the dictionary knows", it, got, n, err, "Milk", "dairy/auto", 2)
	it = got
	got, n, err = update(f.ctx, it.ID, name("qwxzy"))
	renamed("rename to a name nothing knows, without a classifier", it, got, n, err, "qwxzy", "other/auto", 2)
	it = got
	// Quantity or note alone: no lookup, the category stays.
	got, n, err = update(f.ctx, it.ID, db.ShoppingItemPatch{Quantity: familyhub.Some("2")})
	renamed("quantity only", it, got, n, err, "qwxzy", "other/auto", 1)
	it = got

	// The family's own choice for a name beats the dictionary.
	add("Oat milk", ptr("drinks"))
	got, n, err = update(f.ctx, it.ID, name(" oat   MILK"))
	renamed("rename to a name the family filed by hand", it, got, n, err, "oat   MILK", "drinks/auto", 2)
	it = got

	// A category in the same patch wins (ShoppingCategoryGetByName,
	// ShoppingItemUpdate: no lookup for the name).
	got, n, err = update(f.ctx, it.ID, db.ShoppingItemPatch{Name: familyhub.Some("Bread"), Category: familyhub.Some("PETS")})
	renamed("rename with a category", it, got, n, err, "Bread", "pets/user", 2)
	it = got
	// A category a person chose stays when the item is renamed.
	got, n, err = update(f.ctx, it.ID, name("Shampoo"))
	renamed("rename of an item a person filed", it, got, n, err, "Shampoo", "pets/user", 2)
	it = got
	cleared := add("Soap", nil)
	got, n, err = update(f.ctx, cleared.ID, db.ShoppingItemPatch{Category: familyhub.Optional[string]{Set: true, Null: true}})
	renamed("category cleared by hand", cleared, got, n, err, "Soap", "-/user", 1)
	cleared = got
	got, n, err = update(f.ctx, cleared.ID, name("Butter"))
	renamed("rename of an item a person left unfiled", cleared, got, n, err, "Butter", "-/user", 2)

	// If-Match: a rename against an old version changes nothing; against
	// the current one it files the item.
	eggs := add("zzeggz", nil)
	got, _, err = update(db.WithIfVersion(f.ctx, eggs.Version-1), eggs.ID, name("Eggs"))
	var stale *db.StaleError
	if !errors.As(err, &stale) {
		t.Fatalf("rename against an old version: %v, want a conflict", err)
	}
	if cur := stale.Current.(dbsqlc.ShoppingItemsView); cur.Name != "zzeggz" || cur.Version != eggs.Version || len(f.itemEvents(t, eggs.ID)) != 1 {
		t.Fatalf("a refused rename changed the item: %+v", cur)
	}
	got, n, err = update(db.WithIfVersion(f.ctx, eggs.Version), eggs.ID, name("Eggs"))
	renamed("rename at the current version", eggs, got, n, err, "Eggs", "dairy/auto", 2)

	// Another family's item is not found and stays as it was.
	var foreign uuid.UUID
	if err := f.store.Pool.QueryRow(context.Background(), `WITH fam AS (INSERT INTO families (name) VALUES ('G') RETURNING id),
		l AS (INSERT INTO shopping_lists (family_id, name) SELECT id, 'Theirs' FROM fam RETURNING id, family_id)
		INSERT INTO shopping_items (family_id, list_id, name) SELECT family_id, id, 'zorblax' FROM l RETURNING id`).Scan(&foreign); err != nil {
		t.Fatal(err)
	}
	before := f.itemEvents(t, foreign)
	if _, _, err := update(f.ctx, foreign, name("Milk")); familyhub.ErrorCode(err) != familyhub.ENOTFOUND {
		t.Fatalf("rename of another family's item: %v, want not found", err)
	}
	var theirs string
	if err := f.store.Pool.QueryRow(context.Background(), `SELECT name || '/' || coalesce(category_id::text, '-') FROM shopping_items WHERE id = $1`, foreign).Scan(&theirs); err != nil {
		t.Fatal(err)
	}
	if theirs != "zorblax/-" || len(f.itemEvents(t, foreign)) != len(before) {
		t.Fatalf("another family's item after a refused rename: %s", theirs)
	}

	// With a classifier: a name only the model can file keeps the
	// category and queues the job (as before); a name the dictionary knows
	// needs no job; an item a person filed gets none either (the job would
	// leave it).
	q := &classifying{}
	f.store.SetJobQueue(q)
	it = add("Cheddar", nil)
	got, n, err = update(f.ctx, it.ID, name("quinoa"))
	renamed("rename to a name for the classifier", it, got, n, err, "quinoa", "dairy/auto", 2)
	if jobs := q.queued(); !slices.Equal(jobs, []uuid.UUID{it.ID}) {
		t.Errorf("rename to a name for the classifier queued %v, want the item", jobs)
	}
	it = got
	got, n, err = update(f.ctx, it.ID, name("bread rolls"))
	renamed("rename to a known name, with a classifier", it, got, n, err, "bread rolls", "bakery/auto", 2)
	if jobs := q.queued(); len(jobs) != 0 {
		t.Errorf("rename to a known name queued %v, want no job", jobs)
	}
	chosen := add("Tofu", ptr("produce"))
	got, n, err = update(f.ctx, chosen.ID, name("seitan"))
	renamed("rename of an item a person filed, with a classifier", chosen, got, n, err, "seitan", "produce/user", 2)
	if jobs := q.queued(); len(jobs) != 0 {
		t.Errorf("rename of an item a person filed queued %v, want no job", jobs)
	}
}
