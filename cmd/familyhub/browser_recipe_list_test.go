package main

import (
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserRecipeToList: a recipe made for 7 instead of 4, put on a list.
// The amounts read as one buys them ("2" onions, not "1,75"; "1,4 kg", not
// "1.400 g"; "2 cloves", "2 Dosen", not "2 clove", "2 Dose") and the list
// gets what the page showed, merged tomatoes written the same way ("1,9
// kg", not "1900 g"), a measure in the plural for more than one and
// merged with its singular ("1.75 pints" of milk onto "1 pint" is "2.75
// pints"; before, "1.75 pint" and a second line). Done, a notice at the foot
// of the screen names the list and opens it, the focus is on the button
// (not lost to the page) and the button says the ingredients are on the
// list, so a second tap adds them again by choice, not by accident. The
// back link is a 44 px tap target (it was 19 px high). On a German phone
// and an English laptop.
func TestBrowserRecipeToList(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	recipe := restAs(t, ana, m, "POST", "/api/recipes", map[string]any{"title": "Sauce", "servings": 4, "ingredients": []map[string]any{
		{"name": "tomatoes", "quantity": 800, "unit": "g"}, {"name": "onion", "quantity": 1}, {"name": "garlic", "quantity": 1, "unit": "clove"},
		{"name": "Passata", "quantity": 1, "unit": "Dose"}, {"name": "milk", "quantity": 1, "unit": "pint"},
	}})["id"].(string)
	for _, run := range []struct {
		name, lang string
		w, h       int64
		shown      string // the amounts at 7 servings
		onList     string // the list's lines after the add
		notice     string
		button     string
		open       string
	}{
		{"phone-de", "de-DE", 360, 780, "1,4 kg tomatoes|2 onion|2 cloves garlic|2 Dosen Passata|1,75 pints milk",
			"tomatoes 1,9 kg|milk 2,75 pints|onion 2|garlic 2 cloves|Passata 2 Dosen",
			"5 Zutaten auf „Weekly phone-de“ gesetzt.", "Auf „Weekly phone-de“ gesetzt · Nochmal hinzufügen", "Liste öffnen"},
		{"laptop-en", "en-GB", laptopW, laptopH, "1.4 kg tomatoes|2 onion|2 cloves garlic|2 Dosen Passata|1.75 pints milk",
			"tomatoes 1.9 kg|milk 2.75 pints|onion 2|garlic 2 cloves|Passata 2 Dosen",
			"Added 5 ingredients to “Weekly laptop-en”.", "Added to “Weekly laptop-en” · Add again", "Open list"},
	} {
		t.Run(run.name, func(t *testing.T) {
			list := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly " + run.name})["id"].(string)
			restAs(t, ana, m, "POST", "/api/shopping/lists/"+list+"/items", map[string]any{"name": "tomatoes", "quantity": "500 g"})
			restAs(t, ana, m, "POST", "/api/shopping/lists/"+list+"/items", map[string]any{"name": "milk", "quantity": "1 pint"})
			b := newDevice(t, run.name, run.w, run.h, browserOpts{lang: run.lang})
			b.login(m.URL(), "ana@example.org")
			b.goTo("/shopping/"+list, `document.querySelector('li.item')`) // used last here: the recipe picks it
			b.goTo("/recipes/"+recipe, `document.querySelector('#add-list').value === '`+list+`'`)
			if h := eval[float64](b, `document.querySelector('article.recipe a[href="/recipes"]').getBoundingClientRect().height`); h < 44 {
				t.Errorf("the back link is %.0f px high, want 44 or more", h)
			}
			for range 3 {
				b.click(`.stepper button:last-of-type`)
			}
			amounts := `[...document.querySelectorAll('ul.ingredients label.name')].map((l) => l.textContent).join('|')`
			b.waitJS("7 servings: "+run.shown, `document.getElementById('add-servings').value === '7' && `+amounts+` === `+js(run.shown), 5*time.Second)
			b.click(`.add-to-list button[type=submit]`)
			b.waitJS("the notice", `document.querySelector('#toast p')?.textContent === `+js(run.notice)+
				` && document.querySelector('#toast button')?.textContent === `+js(run.open), 10*time.Second)
			b.waitJS("the button says so, with the focus", `document.activeElement === document.querySelector('.add-to-list button[type=submit]') && document.activeElement.textContent === `+js(run.button), 5*time.Second)
			var lines []string
			for _, it := range restAs(t, ana, m, "GET", "/api/shopping/lists/"+list, nil)["items"].([]any) {
				it := it.(map[string]any)
				lines = append(lines, it["name"].(string)+" "+it["quantity"].(string))
			}
			if got := strings.Join(lines, "|"); got != run.onList {
				t.Errorf("on the list: %s, want %s", got, run.onList)
			}
			b.click(`#toast button`)
			b.waitJS("the list opened", `location.pathname === '/shopping/`+list+`'`, 10*time.Second)
		})
	}
}

// TestBrowserRecipeScaledLikeList: the recipe page scales as the server
// does (quantity × servings ÷ recipe servings), so the page shows what
// goes on the list: 0.7 cup for 12 made for 3 is "0.17 cup" on both
// (before, the page multiplied by 3/12 = 0.25 and showed "0.18 cup"), and
// an amount typed in kg is written to the gram, up: 0.125 kg for 3 is
// "0.032 kg" (before, "0.03 kg", 1.25 g short), and one in cl to the
// millilitre: 2.5 cl for 3 is "0.7 cl" (before, "0.63 cl").
func TestBrowserRecipeScaledLikeList(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	recipe := restAs(t, ana, m, "POST", "/api/recipes", map[string]any{"title": "Soup", "servings": 12, "ingredients": []map[string]any{
		{"name": "cream", "quantity": 0.7, "unit": "cup"}, {"name": "potatoes", "quantity": 0.125, "unit": "kg"},
		{"name": "rum", "quantity": 2.5, "unit": "cl"},
	}})["id"].(string)
	list := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	b := newDevice(t, "laptop-en", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/recipes/"+recipe, `document.querySelector('#add-list').value === '`+list+`'`)
	b.setValue("#add-servings", "3")
	shown := "0.17 cup cream|0.032 kg potatoes|0.7 cl rum"
	amounts := `[...document.querySelectorAll('ul.ingredients label.name')].map((l) => l.textContent).join('|')`
	b.waitJS("3 servings: "+shown, amounts+` === `+js(shown), 5*time.Second)
	b.click(`.add-to-list button[type=submit]`)
	b.waitJS("the notice", `document.querySelector('#toast p')?.textContent === 'Added 3 ingredients to “Weekly”.'`, 10*time.Second)
	var lines []string
	for _, it := range restAs(t, ana, m, "GET", "/api/shopping/lists/"+list, nil)["items"].([]any) {
		it := it.(map[string]any)
		lines = append(lines, it["quantity"].(string)+" "+it["name"].(string))
	}
	if got := strings.Join(lines, "|"); got != shown {
		t.Errorf("on the list: %s, the page showed %s", got, shown)
	}
	// iOS capitalises a field's first letter unless told not to, and a
	// capitalised Box or Liter is German ("2 Boxen"): the unit and quantity
	// fields say none.
	b.goTo("/shopping/"+list, `document.querySelector('#item-qty')`)
	if got := eval[string](b, `document.querySelector('#item-qty').autocapitalize`); got != "none" {
		t.Errorf("the list's quantity field has autocapitalize %q, want none", got)
	}
	b.goTo("/recipes/"+recipe+"/edit", `document.querySelector('input[name=ing_unit]')`)
	if got := eval[string](b, `document.querySelector('input[name=ing_unit]').autocapitalize`); got != "none" {
		t.Errorf("the recipe's unit field has autocapitalize %q, want none", got)
	}
}
