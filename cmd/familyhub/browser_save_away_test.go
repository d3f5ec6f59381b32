package main

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserRecipeSaveAnsweredAway: Ana saves a recipe and, while its
// answer is on its way, goes to her shopping lists. The answer keeps her
// there (the recipe is saved). Before, it took her to the recipe's page,
// in place of the shopping page in her history.
func TestBrowserRecipeSaveAnsweredAway(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	recipe := restAs(t, ana, c.a, "POST", "/api/recipes", map[string]any{"title": "Pancakes", "servings": 4})
	id := recipe["id"].(string)
	b.goTo("/recipes/"+id+"/edit", `document.querySelector('.recipe-form input[name=title]')?.value === 'Pancakes'`)
	b.setValue(`.recipe-form input[name=title]`, "Crêpes")
	eval[bool](b, holdAnswers)
	eval[bool](b, `(window.__hold = (p, m) => p === '/api/recipes/`+id+`' && m === 'PATCH', true)`)
	b.click(`.recipe-form button[type=submit]`)
	b.waitJS("the Save answered and held", `window.__held.length === 1`, 5*time.Second)
	eval[bool](b, `(window.__hold = () => false, true)`)
	b.goTo("/shopping", `location.pathname.startsWith('/shopping') && document.querySelector('#main h1')`)
	eval[bool](b, `(window.__release(), true)`)
	b.waitJS("the answer taken in", `window.__done.filter((w) => w === 'PATCH /api/recipes/`+id+`').length === 1`, 5*time.Second)
	// The answer's own turns: a navigation it made would be done by the time a fetch of the page's ends.
	evalAwait[bool](b, `fetch('/api/me').then(() => new Promise((r) => setTimeout(r, 0))).then(() => true)`)
	if path := eval[string](b, `location.pathname`); !strings.HasPrefix(path, "/shopping") {
		t.Errorf("after the recipe's answer Ana is on %s, want her shopping page", path)
	}
	if got := restAs(t, ana, c.a, "GET", "/api/recipes/"+id, nil)["title"]; got != "Crêpes" {
		t.Errorf("the recipe is called %v, want Crêpes", got)
	}
}
