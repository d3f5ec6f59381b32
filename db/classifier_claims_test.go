package db_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestClassifierClaimsConcurrent: workers claiming overlapping items at
// once, each in its own order, get each item once between them (none
// fails, none deadlocks); released claims can be taken again, and an
// expired one is taken over.
func TestClassifierClaimsConcurrent(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := db.NewStore(pool)
	var ids []uuid.UUID
	var names []string
	for i := range 40 {
		ids = append(ids, uuid.New())
		names = append(names, string(rune('a'+i%26))+"item")
	}
	const workers = 8
	got := make([][]dbsqlc.ShoppingClassifierClaimRow, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		p := dbsqlc.ShoppingClassifierClaimParams{ClaimedBy: uuid.New(), LeaseSeconds: 60}
		for _, i := range rand.Perm(len(ids)) {
			p.ItemIds = append(p.ItemIds, ids[i])
			p.Names = append(p.Names, names[i])
		}
		wg.Go(func() { got[w], errs[w] = store.Q.ShoppingClassifierClaim(ctx, pool, p) })
	}
	wg.Wait()
	seen := map[uuid.UUID]int{}
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		for _, r := range got[w] {
			seen[r.ItemID]++
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Fatalf("item %v claimed %d times, want once", id, seen[id])
		}
	}

	// ids[0] stays claimed; the claim of ids[1] expires (its worker died);
	// ids[2]'s worker releases it: a new claim gets ids[1] and ids[2].
	holder := func(id uuid.UUID) (by uuid.UUID) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT claimed_by FROM shopping_classifier_claims WHERE item_id = $1`, id).Scan(&by); err != nil {
			t.Fatal(err)
		}
		return by
	}
	if _, err := pool.Exec(ctx, `UPDATE shopping_classifier_claims SET claimed_until = now() - interval '1 second' WHERE item_id = $1`, ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := store.Q.ShoppingClassifierRelease(ctx, pool, dbsqlc.ShoppingClassifierReleaseParams{ItemIds: ids[2:3], ClaimedBy: holder(ids[2])}); err != nil {
		t.Fatal(err)
	}
	if err := store.Q.ShoppingClassifierRelease(ctx, pool, dbsqlc.ShoppingClassifierReleaseParams{ItemIds: ids[:1], ClaimedBy: uuid.New()}); err != nil {
		t.Fatal(err) // someone else's release leaves ids[0]'s claim
	}
	again, err := store.Q.ShoppingClassifierClaim(ctx, pool, dbsqlc.ShoppingClassifierClaimParams{
		ClaimedBy: uuid.New(), LeaseSeconds: (2 * time.Minute).Seconds(), ItemIds: ids[:3], Names: names[:3]})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 2 || again[0].ItemID == ids[0] || again[1].ItemID == ids[0] {
		t.Fatalf("claimed %v again, want %v and %v", again, ids[1], ids[2])
	}

	// Not a domain table: no trigger, so no event for a claim.
	var triggers int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_trigger WHERE tgrelid = 'shopping_classifier_claims'::regclass`).Scan(&triggers); err != nil {
		t.Fatal(err)
	}
	if triggers != 0 {
		t.Fatalf("%d triggers on shopping_classifier_claims, want none (claims make no events)", triggers)
	}
}
