package realtime

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// The notices the migrations' triggers really write, direct (an item, with
// a device and a time zone's offset in "at") and staged (a family's
// rename), are decoded by hand (parseEventFast), as json.Unmarshal decodes
// them. A trigger that one day writes another key or spelling still works
// (json decodes it) but costs every replica json's reflective decode per
// notice again: this test says so, so that the fast path follows the
// trigger's format.
func TestTriggerNoticesDecodedByHand(t *testing.T) {
	url := dbtest.URL(t)
	pool := dbtest.PoolFor(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ln, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close(context.Background())
	for _, ch := range []string{"familyhub_shopping", "familyhub_family"} {
		if _, err := ln.Exec(ctx, "LISTEN "+ch); err != nil {
			t.Fatal(err)
		}
	}
	family, list := newFamily(t, pool)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	for _, q := range []string{
		`SELECT set_config('TimeZone', 'Asia/Kathmandu', true)`,
		`SELECT set_config('familyhub.device_id', 'ana-phone:1', true)`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'milk')`, family, list); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE families SET name = 'Rivera-Diaz' WHERE id = $1`, family); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for !seen["SHOPPING_ITEM_UPDATED"] || !seen["FAMILY_UPDATED"] {
		n, err := ln.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("waiting for the item's and the family's notices (seen %v): %v", seen, err)
		}
		var want Event
		if err := json.Unmarshal([]byte(n.Payload), &want); err != nil {
			t.Fatalf("%s: %v", n.Payload, err)
		}
		var got Event
		if !parseEventFast(n.Payload, &got) {
			t.Errorf("a %s notice is left to json.Unmarshal: %s", want.Type, n.Payload)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n hand %+v\n json %+v", n.Payload, got, want)
		}
		if want.FamilyID == family && want.DeviceID == "ana-phone:1" {
			seen[want.Type] = true
		}
	}
}
