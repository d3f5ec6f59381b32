package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserRecipeAddConflictSentence: a recipe's add-to-list whose list
// kept changing under it (409, docs/api/recipes.md) is told so and asked
// to try again, not with the generic "That clashes with something that
// exists already." (which it said before: nothing clashed); a 409 for
// a reused request id (field "id") keeps the generic sentence.
func TestBrowserRecipeAddConflictSentence(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.do(chromedp.Navigate(m.URL() + "/login"))
	const said = `import('/js/errors.js').then(({ friendly }) =>
		friendly(409, 'conflict', undefined, { path: '/api/recipes/0b0c6f6e-4f6e-4a55-9d0c-5d5cd0c1e2a1/add-to-list' }))`
	if got, want := evalAwait[string](b, said), "The list changed while adding; try again."; got != want {
		t.Errorf("a recipe's add-to-list answered 409: %q, want %q", got, want)
	}
	// A 409 with field "id" (the request id was used before for another
	// request, errIDReused) is not the list changing: the generic sentence.
	const reused = `import('/js/errors.js').then(({ friendly }) =>
		friendly(409, 'conflict', 'id', { path: '/api/recipes/0b0c6f6e-4f6e-4a55-9d0c-5d5cd0c1e2a1/add-to-list' }))`
	if got, want := evalAwait[string](b, reused), "That clashes with something that exists already."; got != want {
		t.Errorf("a recipe's add-to-list answered 409 for its id: %q, want %q", got, want)
	}
}
