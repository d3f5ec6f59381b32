package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserUndoRefused: the assistant's Undo refused by the server, on a
// phone, in English and in German. Ana clears the ticked items with the
// assistant; before she taps Undo, the list fills up (here: with SQL, as
// many items as the limit leaves room for, less one), so the items cannot
// all go back. The server refuses the whole undo (409 limit_reached); the
// assistant's reply says which list is full and that nothing was undone,
// in the page's language, offers no Undo any more, and nothing is written: the list holds what it held, the cleared
// items stay gone and the command is not marked undone.
func TestBrowserUndoRefused(t *testing.T) {
	browserTest(t)
	url := dbtest.URL(t)
	m := startMain(t, url)
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := seedFamily(t, m, ana)
	dba, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer dba.Close(context.Background())
	count := func(where string, args ...any) int {
		t.Helper()
		var n int
		if err := dba.QueryRow(context.Background(), `SELECT count(*) FROM `+where, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	reply := `document.querySelector('.assistant-reply p')?.textContent`

	for _, tc := range []struct {
		lang, clear, cleared, undo, refused string
		ticked                              []string
	}{
		{"en-GB", "clear the ticked items", "Cleared 2 ticked items from Weekly.", "Undo",
			"Weekly is full (ticked items count too), so I did not undo anything. Delete some items from it first.", []string{"apples", "spinach"}},
		{"de-DE", "lösch alle abgehakten Einträge", "2 abgehakte Einträge von Weekly entfernt.", "Rückgängig",
			"Weekly ist voll (abgehakte Einträge zählen mit); ich habe nichts rückgängig gemacht. Lösche zuerst Einträge von der Liste.", []string{"coffee beans", "dish soap"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			// Two items ticked, through REST.
			var list struct{ Items []struct{ ID, Name string } }
			ana.call(t, m.URL(), 200, "GET", "/api/shopping/lists/"+listID, nil, &list)
			for _, it := range list.Items {
				for _, name := range tc.ticked {
					if it.Name == name {
						restAs(t, ana, m, "PATCH", "/api/shopping/items/"+it.ID, map[string]any{"checked": true})
					}
				}
			}
			phone := newDevice(t, "phone-"+tc.lang, phoneW, phoneH, browserOpts{lang: tc.lang})
			phone.login(m.URL(), "ana@example.org")
			// Away from the list, which is about to hold thousands of items.
			phone.goTo("/tasks", `document.querySelector('li.task')`)
			phone.setValue(`#assistant-input`, tc.clear)
			phone.click(`.assistant-form button[type=submit]`)
			phone.waitJS("the clear's answer", reply+` === `+js(tc.cleared)+` && document.querySelector('.assistant-reply button.undo')?.textContent === `+js(tc.undo), 5*time.Second)

			// The list fills up meanwhile: room for one of the two.
			if _, err := dba.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name, position)
				SELECT family_id, id, 'filler ' || g, 1000 + g FROM shopping_lists, generate_series(1, $2::int - 1 -
					(SELECT count(*)::int FROM shopping_items WHERE list_id = $1)) g WHERE id = $1`, listID, familyhub.MaxShoppingItemsPerList); err != nil {
				t.Fatal(err)
			}
			before := count(`shopping_items WHERE list_id = $1`, listID)
			if before != familyhub.MaxShoppingItemsPerList-1 {
				t.Fatalf("filled the list to %d items, want %d", before, familyhub.MaxShoppingItemsPerList-1)
			}

			phone.click(`.assistant-reply button.undo`)
			phone.waitJS("the refusal", reply+` === `+js(tc.refused), 10*time.Second)
			if eval[bool](phone, `!!document.querySelector('.assistant-reply button.undo')`) {
				t.Error("Undo still offered after the refusal")
			}
			if !eval[bool](phone, `(() => { const p = document.querySelector('.assistant-reply p'); const r = p.getBoundingClientRect();
				return p.checkVisibility() && r.top >= 0 && r.bottom <= innerHeight; })()`) {
				t.Error("the refusal is not in view on the phone")
			}
			phone.savePNG("undo-refused-phone-"+tc.lang, chromedp.CaptureScreenshot())

			// Nothing written.
			if n := count(`shopping_items WHERE list_id = $1`, listID); n != before {
				t.Errorf("the list holds %d items after the refused undo, want %d", n, before)
			}
			for _, name := range tc.ticked {
				if n := count(`shopping_items WHERE list_id = $1 AND name = $2`, listID, name); n != 0 {
					t.Errorf("%s back on the list after the refused undo", name)
				}
			}
			if n := count(`assistant_commands WHERE family_id = (SELECT family_id FROM shopping_lists WHERE id = $1) AND undone_at IS NOT NULL`, listID); n != 0 {
				t.Errorf("%d commands marked undone", n)
			}
			if _, err := dba.Exec(context.Background(), `DELETE FROM shopping_items WHERE list_id = $1 AND name LIKE 'filler %'`, listID); err != nil {
				t.Fatal(err)
			}
		})
	}
}
