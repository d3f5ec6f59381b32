package main

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserShoppingLastList: the Shopping tab opens the list used last on
// this device, after going elsewhere and after a reload; a device that has
// used none (a fresh sign-in) opens the family's default list; a list
// deleted meanwhile falls back to the default. A recipe's list picker
// starts on the same list. Before, every one of them opened the first list
// ("Hardware store"), on a German phone and an English laptop alike.
func TestBrowserShoppingLastList(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	list := func(name string) string {
		return restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": name})["id"].(string)
	}
	hardware, weekly, garden := list("Hardware store"), list("Weekly"), list("Garden")
	recipe := restAs(t, ana, m, "POST", "/api/recipes", map[string]any{"title": "Soup", "servings": 2,
		"ingredients": []map[string]any{{"name": "leeks", "quantity": 2}}})["id"].(string)
	shows := func(id string) string {
		return `location.pathname === '/shopping/` + id + `' && document.querySelector('nav.tabs [aria-current="page"]')`
	}
	picks := func(b *browser, id string) {
		t.Helper()
		b.goTo("/recipes/"+recipe, `document.querySelector('#add-list').value === '`+id+`'`)
	}

	phone := newDevice(t, "phone-de", 360, 780, browserOpts{lang: "de-DE"})
	phone.login(m.URL(), "ana@example.org")
	phone.goTo("/shopping", shows(hardware)) // nothing used yet, no default: the first

	restAs(t, ana, m, "PATCH", "/api/family", map[string]any{"default_list_id": garden})
	laptop := newDevice(t, "laptop-en", laptopW, laptopH, browserOpts{lang: "en-GB"})
	laptop.login(m.URL(), "ana@example.org")
	laptop.goTo("/shopping", shows(garden)) // a fresh sign-in: the family's default
	picks(laptop, garden)

	phone.goTo("/shopping/"+weekly, shows(weekly))
	phone.goTo("/tasks", `location.pathname === '/tasks'`)
	phone.goTo("/shopping", shows(weekly)) // used last on this device
	picks(phone, weekly)
	eval[bool](phone, `(document.documentElement.dataset.before = '1', location.reload(), true)`)
	phone.waitJS("reloaded", `!document.documentElement.dataset.before && document.querySelector('#add-list')?.value === '`+weekly+`'`, 30*time.Second)
	phone.goTo("/shopping", shows(weekly))
	laptop.goTo("/shopping", shows(garden)) // the phone's choice is the phone's

	restAs(t, ana, m, "DELETE", "/api/shopping/lists/"+weekly, nil)
	phone.goTo("/tasks", `location.pathname === '/tasks'`)
	phone.goTo("/shopping", shows(garden)) // deleted meanwhile: the default
}
