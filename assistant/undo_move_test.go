package assistant

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// listCounts counts the statements that count a list's items
// (ShoppingItemCountList) while on.
type listCounts struct {
	on atomic.Bool
	n  atomic.Int64
}

func (c *listCounts) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if c.on.Load() && strings.HasPrefix(d.SQL, "-- name: ShoppingItemCountList ") {
		c.n.Add(1)
	}
	return ctx
}

func (c *listCounts) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestUndoMoveLimit: the undo of a move of many items puts them all back
// in one go, the list they go back onto counted once for all of them (and
// once more when they are in), not once per item. When that list has
// filled since and cannot take them all, nothing is put back (limit
// reached); with room for exactly all of them, the move is undone.
func TestUndoMoveLimit(t *testing.T) {
	f := newTestFamily(t)
	weekly, aldi := f.list("Weekly"), f.list("Aldi")
	const n = 20
	if _, err := f.pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'milk', g FROM generate_series(1, $3::int) g`, f.id, weekly.ID, n); err != nil {
		t.Fatal(err)
	}
	a := f.do("move the milk to the Aldi list")
	if a.Message != "Moved milk from Weekly to Aldi." || len(f.items(aldi.ID)) != n {
		t.Fatalf("move: %q, %d items on Aldi", a.Message, len(f.items(aldi.ID)))
	}
	// The undo through a pool that sees every statement.
	counts := &listCounts{}
	pool := f.tracedPool(t, counts)
	svc := NewService(db.NewStore(pool), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	undo := func() error {
		counts.n.Store(0)
		counts.on.Store(true)
		defer counts.on.Store(false)
		_, err := svc.Undo(f.ctx(f.ana), a.ID, "en", Device{})
		return err
	}

	// Filled since: room for all but one.
	if _, err := f.pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'x' || g, 100 + g FROM generate_series(1, $3::int) g`, f.id, weekly.ID, familyhub.MaxShoppingItemsPerList-n+1); err != nil {
		t.Fatal(err)
	}
	before := f.state(true)
	if err := undo(); !isCode(err, familyhub.ELIMIT) {
		t.Fatalf("undo onto a list with room for %d of %d: %v, want %s", n-1, n, err, familyhub.ELIMIT)
	}
	if f.state(true) != before {
		t.Fatal("a refused undo wrote")
	}
	if c := counts.n.Load(); c != 1 {
		t.Errorf("the refused undo counted the list %d times, want once", c)
	}
	// Room for exactly all.
	if _, err := f.pool.Exec(context.Background(), `DELETE FROM shopping_items WHERE list_id = $1 AND name = 'x1'`, weekly.ID); err != nil {
		t.Fatal(err)
	}
	if err := undo(); err != nil {
		t.Fatalf("undo onto a list with room for all: %v", err)
	}
	if c := counts.n.Load(); c != 2 {
		t.Errorf("the undo counted the list %d times, want twice (before and after the %d items went back)", c, n)
	}
	if got := len(f.items(weekly.ID)); got != familyhub.MaxShoppingItemsPerList {
		t.Errorf("%d items on Weekly, want %d", got, familyhub.MaxShoppingItemsPerList)
	}
	if got := len(f.items(aldi.ID)); got != 0 {
		t.Errorf("%d items left on Aldi, want none", got)
	}
}

// TestUndoMoveStatements: the undo of a move of 1,000 items is a fixed
// few statements however many items (the command and its journal, the
// items checked against the journal in one read, put back in one
// ShoppingItemsRestore); each item checked by a read of its own made it
// some 1,012.
func TestUndoMoveStatements(t *testing.T) {
	f := newTestFamily(t)
	weekly, aldi := f.list("Weekly"), f.list("Aldi")
	const n = 1000
	if _, err := f.pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'milk', g FROM generate_series(1, $3::int) g`, f.id, weekly.ID, n); err != nil {
		t.Fatal(err)
	}
	a := f.do("move the milk to the Aldi list")
	if len(f.items(aldi.ID)) != n {
		t.Fatalf("move: %q, %d items on Aldi", a.Message, len(f.items(aldi.ID)))
	}
	got := undoStatements(t, f, a.ID)
	t.Logf("the undo of a move of %d items: %d statements", n, got)
	if got > 20 {
		t.Errorf("the undo of a move of %d items sent %d statements, want at most 20", n, got)
	}
	if len(f.items(weekly.ID)) != n || len(f.items(aldi.ID)) != 0 {
		t.Errorf("after the undo: %d items on Weekly, %d on Aldi, want %d and none", len(f.items(weekly.ID)), len(f.items(aldi.ID)), n)
	}
}

// TestUndoAddStatements: the undo of an add of many items checks them
// against the journal in one read, then deletes each: n statements and a
// fixed few, where a read of its own before each delete made it 2n and a
// few.
func TestUndoAddStatements(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	const n = 40
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("thing%d", i+1)
	}
	a := f.do("add " + strings.Join(names, ", ") + " to the Weekly list")
	if got := len(f.items(weekly.ID)); got != n {
		t.Fatalf("add: %q, %d items on Weekly, want %d", a.Message, got, n)
	}
	got := undoStatements(t, f, a.ID)
	t.Logf("the undo of an add of %d items: %d statements", n, got)
	if got > n+12 {
		t.Errorf("the undo of an add of %d items sent %d statements, want at most %d", n, got, n+12)
	}
	if c := len(f.items(weekly.ID)); c != 0 {
		t.Errorf("%d items left on Weekly after the undo, want none", c)
	}
}

// undoStatements undoes command id as Ana, through a pool of its own that
// counts the statements the undo sends, and returns the count.
func undoStatements(t *testing.T, f *testFamily, id uuid.UUID) int64 {
	t.Helper()
	stmts := &statementCount{}
	pool := f.tracedPool(t, stmts)
	svc := NewService(db.NewStore(pool), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	stmts.on.Store(true)
	_, err := svc.Undo(f.ctx(f.ana), id, "en", Device{})
	stmts.on.Store(false)
	if err != nil {
		t.Fatal(err)
	}
	return stmts.n.Load()
}
