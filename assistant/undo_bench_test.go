package assistant

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkUndoClearTicked: the undo of "clear the ticked items" on a list
// of n ticked items puts all n back in one transaction. Only the undo is
// timed; filling the list, clearing it and vacuuming are not.
//
//	go run ./cmd/pgrun -- go test ./assistant/ -run '^$' -bench UndoClearTicked -benchtime 3x
func BenchmarkUndoClearTicked(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := newTestFamily(b)
			weekly := f.list("Weekly")
			for b.Loop() {
				b.StopTimer()
				// Each undo starts from tables without the dead rows of the
				// one before, as the first does.
				if _, err := f.pool.Exec(context.Background(), `VACUUM shopping_items, family_event_seq`); err != nil {
					b.Fatal(err)
				}
				if _, err := f.pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name, position, checked, checked_at)
					SELECT $1, $2, 'item ' || g, g, true, now() FROM generate_series(1, $3::int) g`, f.id, weekly.ID, n); err != nil {
					b.Fatal(err)
				}
				a := f.do("clear the ticked items")
				b.StartTimer()
				if _, err := f.undo(f.ana, a.ID); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if _, err := f.pool.Exec(context.Background(), `DELETE FROM shopping_items WHERE list_id = $1`, weekly.ID); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
