package db_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestTxFixedCost pins what a whole transaction of Store.Tx costs
// PostgreSQL, BEGIN and COMMIT included, on a pool set up as Open sets it
// up (announcing after commit), for a signed-in member on a device: BEGIN
// and the caller's settings share one round trip when the values are safe
// as literals (the settings' statement is prepared once per connection),
// and the events still record who acted. A device id that is
// not safe as a literal costs the settings their own, parametrised
// statement and is recorded exactly as given.
func TestTxFixedCost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	count := &statements{}
	cfg.ConnConfig.Tracer = count
	cfg.AfterConnect = db.AfterConnect
	db.ConfigureAnnounce(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db.MarkAnnouncing(pool)
	store := db.NewStore(pool)
	t.Cleanup(func() { store.Close(context.Background()) })
	store.SetJobQueue(autoFiling{})
	var family, user uuid.UUID
	if err := pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name) VALUES ('F') RETURNING id),
		u AS (INSERT INTO users (email, password_hash, display_name) VALUES ('u@example.org', 'x', 'U') RETURNING id),
		m AS (INSERT INTO memberships (family_id, user_id, role) SELECT f.id, u.id, 'member' FROM f, u)
		SELECT f.id, u.id FROM f, u`).Scan(&family, &user); err != nil {
		t.Fatal(err)
	}
	caller := func(device string) context.Context {
		return familyhub.NewContextWithAuth(ctx, &familyhub.Auth{UserID: user, FamilyID: family, Role: familyhub.RoleMember, DeviceID: device})
	}
	var list uuid.UUID
	if err := store.Tx(caller("phone-1"), func(tx *db.Tx) error {
		l, _, err := tx.ShoppingListCreate(caller("phone-1"), db.ShoppingListNew{Name: "Weekly"})
		list = l.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// whole runs fn in Store.Tx and returns every statement the
	// transaction sent, from BEGIN to COMMIT.
	whole := func(ctx context.Context, fn func(tx *db.Tx) error) int64 {
		t.Helper()
		count.n.Store(0)
		count.on.Store(true)
		err := store.Tx(ctx, fn)
		count.on.Store(false)
		if err != nil {
			t.Fatal(err)
		}
		return count.n.Load()
	}
	add := func(ctx context.Context, p db.ShoppingItemNew) func(tx *db.Tx) error {
		return func(tx *db.Tx) error {
			_, _, err := tx.ShoppingItemAdd(ctx, list, p)
			return err
		}
	}
	const unsafe = `O'Brien's phone\` // a quote and a backslash
	for _, tc := range []struct {
		name   string
		device string
		fn     func(ctx context.Context) func(tx *db.Tx) error
		want   int64
	}{
		// BEGIN + settings, COMMIT.
		{"nothing", "phone-1", func(context.Context) func(*db.Tx) error { return func(*db.Tx) error { return nil } }, 2},
		{"no device", "", func(context.Context) func(*db.Tx) error { return func(*db.Tx) error { return nil } }, 2},
		// + ShoppingCategoryListForName, ShoppingItemInsert.
		{"item add", "phone-1", func(ctx context.Context) func(*db.Tx) error {
			return add(ctx, db.ShoppingItemNew{Name: "Milk"})
		}, 4},
		// + ClientCreateClaim.
		{"item add with a client id", "phone-1", func(ctx context.Context) func(*db.Tx) error {
			return add(ctx, db.ShoppingItemNew{ID: ptr(uuid.New()), Name: "Bread"})
		}, 5},
		// BEGIN, settings, lookup, insert, COMMIT.
		{"device id unsafe as a literal", unsafe, func(ctx context.Context) func(*db.Tx) error {
			return add(ctx, db.ShoppingItemNew{Name: "Tea"})
		}, 5},
	} {
		ctx := caller(tc.device)
		if n := whole(ctx, tc.fn(ctx)); n != tc.want {
			t.Errorf("%s: %d statements from BEGIN to COMMIT, want %d", tc.name, n, tc.want)
		}
		// The transaction told PostgreSQL the caller and to announce
		// after commit.
		var actor, device, announce string
		if err := store.Tx(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, `SELECT current_setting('familyhub.actor_id'), current_setting('familyhub.device_id'),
				current_setting('familyhub.announce')`).Scan(&actor, &device, &announce)
		}); err != nil {
			t.Fatal(err)
		}
		if actor != user.String() || device != tc.device || announce != "after_commit" {
			t.Errorf("%s: settings actor %q device %q announce %q", tc.name, actor, device, announce)
		}
	}
	// TxGenericPlans sets the plans with the settings at BEGIN, for the
	// transaction only: no statement of its own (the notifier's pass sent a
	// SET LOCAL of its own before).
	for _, generic := range []bool{true, false} {
		run, want := store.Tx, "auto"
		if generic {
			run, want = store.TxGenericPlans, "force_generic_plan"
		}
		var mode string
		count.n.Store(0)
		count.on.Store(true)
		err := run(caller("phone-1"), func(tx *db.Tx) error {
			return tx.QueryRow(ctx, `SELECT current_setting('plan_cache_mode')`).Scan(&mode)
		})
		count.on.Store(false)
		if err != nil {
			t.Fatal(err)
		}
		if n := count.n.Load(); n != 3 || mode != want {
			t.Errorf("generic plans %v: %d statements from BEGIN to COMMIT (want 3), plan_cache_mode %s (want %s)", generic, n, mode, want)
		}
	}
	// A tick: BEGIN + settings, ShoppingItemUpdate, COMMIT.
	var milk uuid.UUID
	if err := pool.QueryRow(ctx, "SELECT id FROM shopping_items WHERE name = 'Milk'").Scan(&milk); err != nil {
		t.Fatal(err)
	}
	tick := caller("phone-1")
	if n := whole(tick, func(tx *db.Tx) error {
		_, err := tx.ShoppingItemUpdate(tick, milk, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
		return err
	}); n != 3 {
		t.Errorf("tick: %d statements from BEGIN to COMMIT, want 3", n)
	}
	// A rename to a name the dictionary knows: BEGIN + settings,
	// ShoppingCategoryListForName, ShoppingItemUpdate (which files it),
	// COMMIT; no job, so no second transaction.
	var renamed dbsqlc.ShoppingItemsView
	if n := whole(tick, func(tx *db.Tx) (err error) {
		renamed, err = tx.ShoppingItemUpdate(tick, milk, db.ShoppingItemPatch{Name: familyhub.Some("Bananas")})
		return err
	}); n != 4 {
		t.Errorf("rename: %d statements from BEGIN to COMMIT, want 4", n)
	}
	if renamed.Category == nil || *renamed.Category != "produce" {
		t.Errorf("renamed to Bananas: category %v, want produce", renamed.Category)
	}
	// The settings' statement was prepared once per connection and form
	// (two here: with and without generic plans), not per transaction.
	if p, conns := count.prepared.Load(), int64(pool.Stat().TotalConns()); p < 1 || p > 2*conns {
		t.Errorf("the settings were prepared %d times on %d connections", p, conns)
	}
	// Each change's event records the member and the device as given.
	rows, err := pool.Query(ctx, `SELECT e.actor_id, coalesce(e.device_id, ''), i.name FROM event_log e
		JOIN shopping_items i ON i.id = e.entity_id WHERE e.family_id = $1 ORDER BY e.seq`, family)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[string]string{"Bananas": "phone-1", "Bread": "phone-1", "Tea": unsafe}
	seen := map[string]bool{}
	for rows.Next() {
		var actor uuid.UUID
		var device, name string
		if err := rows.Scan(&actor, &device, &name); err != nil {
			t.Fatal(err)
		}
		if actor != user || device != want[name] {
			t.Errorf("the event of %s: actor %s device %q, want %s %q", name, actor, device, user, want[name])
		}
		seen[name] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(want) {
		t.Errorf("events for %v, want for each of %v", seen, want)
	}
}
