package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOfflineMovedAnswer: an item moved to another list (the
// assistant's "move milk to Aldi") and then ticked by Ana's phone shows on
// that list alone when the phone lays its saved answers over lists kept
// before, offline after a reload: not on the list it was moved from too,
// whose kept copy still has it.
func TestBrowserOfflineMovedAnswer(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	weekly := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	aldi := restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Aldi"})["id"].(string)
	milkID := restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+weekly+"/items", map[string]any{"name": "milk"})["id"].(string)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+weekly+"/items", map[string]any{"name": "bread"})
	restAs(t, ana, c.a, "POST", "/api/shopping/lists/"+aldi+"/items", map[string]any{"name": "cheese"})

	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	a.goTo("/shopping/"+weekly, row("milk")+` && navigator.serviceWorker.controller`)
	a.goTo("/shopping/"+aldi, row("cheese"))
	a.goTo("/calendar", `!!document.querySelector('.agenda, .cal-body')`)
	// The device's warm-up (begun at the login) is over, and no later read (a
	// warm-up after a reconnect) keeps a copy of Weekly from after the move.
	warmedUp(a)
	holdReads(t, a, "*/api/shopping/lists/"+weekly)

	// The assistant moves milk to Aldi (as db.Tx.ShoppingItemsMove does); then Ana's phone ticks it (from the
	// calendar, so no list page patches its copy).
	if _, err := c.pool.Exec(t.Context(), `UPDATE shopping_items SET list_id = $2, position = 100 WHERE id = $1`, milkID, aldi); err != nil {
		t.Fatal(err)
	}
	var moved map[string]any
	for _, it := range restAs(t, ana, c.a, "GET", "/api/shopping/lists/"+aldi, nil)["items"].([]any) {
		if it.(map[string]any)["id"] == milkID {
			moved = it.(map[string]any)
		}
	}
	if moved == nil {
		t.Fatal("milk was not moved to Aldi")
	}
	op, err := json.Marshal(map[string]any{"kind": "item.patch", "method": "PATCH", "path": "/api/shopping/items/" + milkID,
		"body": map[string]any{"checked": true}, "record": milkID, "list": aldi, "base": moved, "label": "milk"})
	if err != nil {
		t.Fatal(err)
	}
	evalAwait[bool](a, fmt.Sprintf(`import('/js/outbox.js').then(({ enqueue }) => enqueue(%s)).then(() => true)`, op))
	a.waitJS("milk ticked", `window.familyhub.outbox.count() === 0 && !document.querySelector('#notices li')`, 10*time.Second)
	keptNames := func(id string) string {
		return evalAwait[string](a, `import('/js/cache.js').then((c) => c.kept('list:' + `+js(id)+`)).then((l) => (l?.items ?? []).map((i) => i.name).sort().join())`)
	}
	if got := keptNames(weekly); got != "bread,milk" {
		t.Fatalf("Weekly kept: %q, want the copy from before the move (bread,milk)", got)
	}

	a.goOffline()
	a.do(chromedp.Reload())
	a.waitJS("the calendar, offline", `location.pathname === '/calendar' && document.querySelector('#main .page-head h1')`, 10*time.Second)
	shown := `[...document.querySelectorAll('li.item')].map((li) => li.dataset.name + (li.classList.contains('checked') ? '✓' : '')).sort().join()`
	a.goTo("/shopping/"+aldi, row("cheese"))
	if got := eval[string](a, shown); got != "cheese,milk✓" {
		t.Errorf("Aldi offline after a reload shows %q, want cheese,milk✓", got)
	}
	a.goTo("/shopping/"+weekly, row("bread"))
	if got := eval[string](a, shown); got != "bread" {
		t.Errorf("Weekly offline after a reload shows %q, want bread (milk was moved to Aldi)", got)
	}
}
