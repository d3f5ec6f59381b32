package db_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// BenchmarkItemAddCounted: the Go allocations of one item added as a REST
// add makes it (Store.ShoppingItemAdd with a client id and a device,
// auto-categorisation on: one pipeline), on a pool from Open (its event
// notice collected and announced after commit), one add at a time.
// Counted, not timed: allocs/op is the replica's database side of an add
// (pgx, the settings, the notice, the announcer's batch) without HTTP.
//
//	go run ./cmd/pgrun -- go test -run '^$' -bench ItemAddCounted -benchtime 2000x -benchmem ./db/
func BenchmarkItemAddCounted(b *testing.B) {
	ctx := context.Background()
	pool, err := db.Open(ctx, dbtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	store := db.NewStore(pool)
	b.Cleanup(func() { store.Close(context.Background()) }) // before pool.Close
	store.SetJobQueue(autoFiling{})
	a := familyhub.Auth{Role: familyhub.RoleMember, DeviceID: "ana-phone"}
	if err := pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name) VALUES ('Bench') RETURNING id),
		u AS (INSERT INTO users (email, password_hash, display_name) VALUES ('ana@bench.example', 'x', 'Ana') RETURNING id),
		m AS (INSERT INTO memberships (family_id, user_id, role) SELECT f.id, u.id, 'member' FROM f, u)
		SELECT f.id, u.id FROM f, u`).Scan(&a.FamilyID, &a.UserID); err != nil {
		b.Fatal(err)
	}
	ctx = familyhub.NewContextWithAuth(ctx, &a)
	var list uuid.UUID
	if err := store.Tx(ctx, func(tx *db.Tx) error {
		l, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Bench"})
		list = l.ID
		return err
	}); err != nil {
		b.Fatal(err)
	}
	add := func() {
		id := uuid.New()
		if _, _, err := store.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{ID: &id, Name: "milk"}); err != nil {
			b.Fatal(err)
		}
	}
	for range 20 { // statements prepared, the announcer connected
		add()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		add()
	}
}
