package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserShoppingDeleteFocus: a keyboard user on a laptop deletes the
// only item of a category (bread, in bakery) with Enter on its delete
// button; the focus goes to the next category's first item (milk), not to
// the add field at the top of the page (before: with rows below, the last
// row of a category sent it there). Undo, pressed with Enter in the
// notice, puts bread back and the focus on its delete button, as before.
// Deleting the last item of the list sends it to the add field.
func TestBrowserShoppingDeleteFocus(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	list := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	for _, it := range [][2]string{{"bread", "bakery"}, {"milk", "dairy"}, {"eggs", "dairy"}} {
		restAs(t, ana, m, "POST", "/api/shopping/lists/"+list+"/items", map[string]any{"name": it[0], "category": it[1]})
	}
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/shopping/"+list, `document.querySelectorAll('li.item').length === 3`)
	del := func(name string) {
		t.Helper()
		if !eval[bool](b, `(() => { const d = document.querySelector('li.item[data-name=`+js(name)+`] button.icon.danger'); d.focus(); return document.activeElement === d; })()`) {
			t.Fatalf("%s's delete button not focused", name)
		}
		b.do(chromedp.KeyEvent("\r"))
		b.waitJS(name+" deleted", `!document.querySelector('li.item[data-name=`+js(name)+`]')`, 5*time.Second)
	}

	del("bread")
	if got := eval[string](b, focusedItem); got != "milk" {
		t.Errorf("focus after deleting bread, the only bakery item: %s, want milk (the next category's first)", got)
	}

	// Undo from the keyboard: the notice's button, then Enter.
	if !eval[bool](b, `(() => { const u = [...document.querySelectorAll('#toast button')].find((x) => x.textContent === 'Undo'); u?.focus(); return !!u && document.activeElement === u; })()`) {
		t.Fatal("no Undo in the notice")
	}
	b.do(chromedp.KeyEvent("\r"))
	b.waitJS("bread back, saved", `document.querySelector('li.item[data-name="bread"]:not([data-pending])')`, 5*time.Second)
	if got := eval[string](b, `document.activeElement?.matches('li.item[data-name="bread"] button.icon.danger') ? 'bread delete' : document.activeElement?.tagName`); got != "bread delete" {
		t.Errorf("focus after Undo: %s, want bread's delete button", got)
	}

	del("bread")
	del("milk")
	if got := eval[string](b, focusedItem); got != "eggs" {
		t.Errorf("focus after deleting milk: %s, want eggs", got)
	}
	del("eggs")
	if got := eval[string](b, `document.activeElement?.id`); got != "item-name" {
		t.Errorf("focus after deleting the last item: %s, want the add field (item-name)", got)
	}
}
