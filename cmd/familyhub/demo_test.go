package main

import (
	"strings"
	"testing"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSeedDemo: `familyhub dev`'s demo family gets its sign-ins and a
// lived-in week (lists, rotating chores, events, recipes), once: a second
// start finds it and adds nothing.
func TestSeedDemo(t *testing.T) {
	parallelInQuickLoop(t)
	m := startMain(t, dbtest.URL(t))
	dir := t.TempDir()
	creds, err := seedDemo(t.Context(), m.Store, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(creds, "alice@demo.familyhub.test") || !strings.Contains(creds, "bob@demo.familyhub.test") {
		t.Fatalf("credentials: %q", creds)
	}
	counts := func() map[string]int {
		out := map[string]int{}
		for _, table := range []string{"shopping_lists", "shopping_items", "tasks WHERE recurrence IS NOT NULL", "tasks WHERE rotation IS NOT NULL", "calendar_events", "recipes", "memberships"} {
			var n int
			if err := m.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[table] = n
		}
		return out
	}
	first := counts()
	for table, min := range map[string]int{"shopping_lists": 2, "shopping_items": 8, "tasks WHERE recurrence IS NOT NULL": 3,
		"tasks WHERE rotation IS NOT NULL": 1, "calendar_events": 5, "recipes": 2, "memberships": 2} {
		if first[table] < min {
			t.Errorf("%s: %d, want at least %d", table, first[table], min)
		}
	}
	again, err := seedDemo(t.Context(), m.Store, dir)
	if err != nil || again != creds {
		t.Fatalf("second start: %q, %v", again, err)
	}
	if second := counts(); second["shopping_items"] != first["shopping_items"] || second["recipes"] != first["recipes"] {
		t.Fatalf("the second start added data: %v then %v", first, second)
	}
}
