package db_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// statements counts the statements a pool sends while counting is on: the
// round trips a domain operation costs. The announcer's connection (made
// from the pool's settings, so traced too) sends after commit, on its own
// time: it is not counted.
type statements struct {
	on       atomic.Bool
	n        atomic.Int64
	prepared atomic.Int64 // see TracePrepareStart
}

func (s *statements) TraceQueryStart(ctx context.Context, c *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	if s.on.Load() && c.Config().RuntimeParams["application_name"] != "familyhub-announcer" {
		s.n.Add(1)
	}
	return ctx
}

func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// settingsPrepare marks the context of a Prepare of Store.Tx's settings.
type settingsPrepare struct{}

// TracePrepareStart and TracePrepareEnd count the times Store.Tx's
// settings statement was prepared on the server (whether or not counting
// is on): once per connection.
func (s *statements) TracePrepareStart(ctx context.Context, _ *pgx.Conn, d pgx.TracePrepareStartData) context.Context {
	if strings.HasPrefix(d.Name, "familyhub_tx_settings") {
		return context.WithValue(ctx, settingsPrepare{}, true)
	}
	return ctx
}

func (s *statements) TracePrepareEnd(ctx context.Context, _ *pgx.Conn, d pgx.TracePrepareEndData) {
	if ctx.Value(settingsPrepare{}) != nil && !d.AlreadyPrepared && d.Err == nil {
		s.prepared.Add(1)
	}
}

// autoFiling is a job queue with auto-categorisation on and no classifier:
// the insert files every item itself and never queues a job.
type autoFiling struct{}

func (autoFiling) CategoriseItemsTx(context.Context, pgx.Tx, uuid.UUID, []uuid.UUID) error {
	return nil
}
func (autoFiling) AutoCategorise() (on, classifier bool) { return true, false }

// shoppingFixture is a store whose pool counts statements, with a family
// (seeded categories), one of its lists and its caller in ctx.
type shoppingFixture struct {
	store *db.Store
	count *statements
	ctx   context.Context
	list  uuid.UUID
	pool  *pgxpool.Pool
}

func newShoppingFixture(t *testing.T) *shoppingFixture {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	f := &shoppingFixture{count: &statements{}}
	cfg.ConnConfig.Tracer = f.count
	cfg.AfterConnect = db.AfterConnect
	// room for a test's concurrent transactions and its pg_locks polls
	// (TestShoppingListDeleteMeetsMove needs 4 at once; the default on 2
	// cores is 4)
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	f.store, f.pool = db.NewStore(pool), pool
	f.store.SetJobQueue(autoFiling{})
	var family uuid.UUID
	if err := pool.QueryRow(context.Background(), `INSERT INTO families (name) VALUES ('F') RETURNING id`).Scan(&family); err != nil {
		t.Fatal(err)
	}
	f.ctx = familyhub.NewContextWithAuth(context.Background(), familyhub.SystemAuth(family))
	f.tx(t, func(tx *db.Tx) error {
		l, _, err := tx.ShoppingListCreate(f.ctx, db.ShoppingListNew{Name: "Weekly"})
		f.list = l.ID
		return err
	})
	return f
}

// tx runs fn in a committed transaction and returns how many statements
// fn sent (BEGIN, set_config and COMMIT not counted: TestTxFixedCost
// counts them).
func (f *shoppingFixture) tx(t *testing.T, fn func(tx *db.Tx) error) int64 {
	t.Helper()
	var n int64
	err := f.store.Tx(f.ctx, func(tx *db.Tx) error {
		f.count.n.Store(0)
		f.count.on.Store(true)
		err := fn(tx)
		f.count.on.Store(false)
		n = f.count.n.Load()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestShoppingItemAddStatements pins what adding and ticking an item cost
// PostgreSQL: the insert proves the list and returns the row, and the
// answer is the item exactly as shopping_items_view shows it.
func TestShoppingItemAddStatements(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	category := func(s string) *string { return &s }
	for _, tc := range []struct {
		name string
		p    db.ShoppingItemNew
		// want: statements of ShoppingItemAdd; category: the answer's.
		want     int64
		category *string
	}{
		// ShoppingCategoryListForName, ShoppingItemInsert.
		{"auto-filed by the dictionary", db.ShoppingItemNew{Name: "Milk"}, 2, category("dairy")},
		{"auto-filed as other", db.ShoppingItemNew{Name: "zzyzx"}, 2, category("other")},
		// ShoppingCategoryGetByName, ShoppingItemInsert.
		{"category chosen", db.ShoppingItemNew{Name: "Soap", Category: category("HOUSEHOLD")}, 2, category("household")},
		// + ClientCreateClaim (which records the result too).
		{"client id", db.ShoppingItemNew{ID: ptr(uuid.New()), Name: "Bread"}, 3, category("bakery")},
	} {
		var item dbsqlc.ShoppingItemsView
		n := f.tx(t, func(tx *db.Tx) error {
			var err error
			item, _, err = tx.ShoppingItemAdd(f.ctx, f.list, tc.p)
			return err
		})
		if n != tc.want {
			t.Errorf("%s: %d statements, want %d", tc.name, n, tc.want)
		}
		if item.Category == nil || *item.Category != *tc.category {
			t.Errorf("%s: category %v, want %q", tc.name, item.Category, *tc.category)
		}
		f.sameAsView(t, tc.name, item)
	}

	// Ticking: one statement, the answer as the view shows it.
	var item dbsqlc.ShoppingItemsView
	f.tx(t, func(tx *db.Tx) (err error) {
		item, _, err = tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "Eggs", Quantity: ptr("6")})
		return err
	})
	var ticked dbsqlc.ShoppingItemsView
	if n := f.tx(t, func(tx *db.Tx) (err error) {
		ticked, err = tx.ShoppingItemUpdate(f.ctx, item.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
		return err
	}); n != 1 {
		t.Errorf("tick: %d statements, want 1", n)
	}
	if !ticked.Checked || ticked.CheckedAt == nil || ticked.Version != item.Version+1 || ticked.Category == nil {
		t.Errorf("tick answered %+v", ticked)
	}
	f.sameAsView(t, "tick", ticked)
	// Choosing a category answers that category's name as stored.
	f.tx(t, func(tx *db.Tx) (err error) {
		ticked, err = tx.ShoppingItemUpdate(f.ctx, item.ID, db.ShoppingItemPatch{Category: familyhub.Some("PETS")})
		return err
	})
	if ticked.Category == nil || *ticked.Category != "pets" {
		t.Errorf("category chosen: %v", ticked.Category)
	}
	f.sameAsView(t, "category chosen", ticked)
}

// sameAsView fails unless got is the item as shopping_items_view shows it.
func (f *shoppingFixture) sameAsView(t *testing.T, what string, got dbsqlc.ShoppingItemsView) {
	t.Helper()
	var want dbsqlc.ShoppingItemsView
	f.tx(t, func(tx *db.Tx) (err error) {
		want, err = tx.ShoppingItemGet(f.ctx, got.ID)
		return err
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s answered\n%+v\nthe view shows\n%+v", what, got, want)
	}
}

// TestShoppingItemAddErrors: the answers of an add that fails. Input wrong
// by itself comes first; then a list that is not the family's is not
// found, whatever else is wrong; nothing is written.
func TestShoppingItemAddErrors(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	missing := uuid.New()
	used := uuid.New()
	var gone uuid.UUID // a list with a replayable item, then deleted
	goneItem := uuid.New()
	f.tx(t, func(tx *db.Tx) error {
		if _, _, err := tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{ID: &used, Name: "Milk"}); err != nil {
			return err
		}
		l, _, err := tx.ShoppingListCreate(f.ctx, db.ShoppingListNew{Name: "Gone"})
		if err != nil {
			return err
		}
		gone = l.ID
		if _, _, err := tx.ShoppingItemAdd(f.ctx, gone, db.ShoppingItemNew{ID: &goneItem, Name: "Tea"}); err != nil {
			return err
		}
		return tx.ShoppingListDelete(f.ctx, gone)
	})
	for _, tc := range []struct {
		name     string
		list     uuid.UUID
		p        db.ShoppingItemNew
		code     string
		field    string
		notFound string
	}{
		{"missing list", missing, db.ShoppingItemNew{Name: "Beer"}, familyhub.ENOTFOUND, "", "shopping list"},
		{"unknown category", f.list, db.ShoppingItemNew{Name: "Beer", Category: ptr("nope")}, familyhub.EINVALID, "category", ""},
		{"missing list, unknown category", missing, db.ShoppingItemNew{Name: "Beer", Category: ptr("nope")}, familyhub.ENOTFOUND, "", "shopping list"},
		{"missing list, empty name", missing, db.ShoppingItemNew{Name: " "}, familyhub.EINVALID, "name", ""},
		{"id used for another item", f.list, db.ShoppingItemNew{ID: &used, Name: "Beer"}, familyhub.ECONFLICT, "id", ""},
		{"missing list, id used", missing, db.ShoppingItemNew{ID: &used, Name: "Beer"}, familyhub.ENOTFOUND, "", "shopping list"},
		{"replay on a deleted list", gone, db.ShoppingItemNew{ID: &goneItem, Name: "Tea"}, familyhub.ENOTFOUND, "", "shopping list"},
	} {
		err := f.store.Tx(f.ctx, func(tx *db.Tx) error {
			_, _, err := tx.ShoppingItemAdd(f.ctx, tc.list, tc.p)
			return err
		})
		var fe *familyhub.Error
		if !errors.As(err, &fe) || fe.Code != tc.code || fe.Field != tc.field {
			t.Errorf("%s: %v, want %s (field %q)", tc.name, err, tc.code, tc.field)
			continue
		}
		if tc.notFound != "" && err.Error() != familyhub.NotFound(tc.notFound).Error() {
			t.Errorf("%s: %v, want %v", tc.name, err, familyhub.NotFound(tc.notFound))
		}
	}
	var n int
	if err := f.store.Pool.QueryRow(f.ctx, `SELECT count(*) FROM shopping_items`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d items (%v), want the first one only", n, err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestShoppingItemAddNoCategory: an item added with category_source "user"
// and no category has none by a person's choice (an Undo of an item whose
// category a person cleared): not filed, and left alone by the
// categoriser. Any other source is refused.
func TestShoppingItemAddNoCategory(t *testing.T) {
	t.Parallel()
	f := newShoppingFixture(t)
	var item dbsqlc.ShoppingItemsView
	f.tx(t, func(tx *db.Tx) error {
		var err error
		item, _, err = tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "Milk", CategorySource: ptr(db.CategorySourceUser)})
		return err
	})
	if item.Category != nil || item.CategoryID != nil || item.CategorySource == nil || *item.CategorySource != "user" {
		t.Fatalf("milk filed %v (source %v), want no category by a person", item.Category, item.CategorySource)
	}
	f.sameAsView(t, "no category", item)
	f.tx(t, func(tx *db.Tx) error {
		_, _, err := tx.ShoppingItemAdd(f.ctx, f.list, db.ShoppingItemNew{Name: "Eggs", CategorySource: ptr("auto")})
		var fe *familyhub.Error
		if !errors.As(err, &fe) || fe.Code != familyhub.EINVALID || fe.Field != "category_source" {
			t.Errorf("category_source auto: %v, want invalid on category_source", err)
		}
		return nil
	})
}
