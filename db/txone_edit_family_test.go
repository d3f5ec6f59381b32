package db_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestOneStatementEditOtherFamily: a quantity, a note or a position sent
// for another family's item (ShoppingItemEdit, one statement, since perf7)
// is not found, changes nothing and makes no event in either family, as
// a tick of it is not (TestOneStatementWrites).
func TestOneStatementEditOtherFamily(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	anna, list := e.member(t, "anna-edit")
	bert, _ := e.member(t, "bert-edit")
	milk, _, err := e.store.ShoppingItemAdd(anna, list, db.ShoppingItemNew{Name: "milk"})
	if err != nil {
		t.Fatal(err)
	}
	events := func() (n int) {
		if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM event_log`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := events()
	for _, p := range []db.ShoppingItemPatch{
		{Quantity: familyhub.Some("9")},
		{Note: familyhub.Some("theirs")},
		{Position: familyhub.Some(int32(42))},
		{Quantity: familyhub.Some("9"), Checked: familyhub.Some(true)},
	} {
		if _, err := e.store.ShoppingItemUpdate(bert, milk.ID, p); familyhub.ErrorCode(err) != familyhub.ENOTFOUND {
			t.Errorf("patch %+v of another family's item: %v, want not found", p, err)
		}
	}
	var now dbsqlc.ShoppingItemsView
	if err := e.store.Tx(anna, func(tx *db.Tx) (err error) { now, err = tx.ShoppingItemGet(anna, milk.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(now, milk) {
		t.Errorf("after another family's patches: %+v, want %+v", now, milk)
	}
	if n := events(); n != before {
		t.Errorf("%d events after another family's patches, want none", n-before)
	}
}
