package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserAssistantChoiceOnShownList: a question asked about a command
// said with a list on screen lands the chosen option there. On a phone
// showing Weekly, "add fish and chips" asks one item or two; the first
// button adds "fish and chips" to Weekly. Before, the choice was sent
// without the list, and the item went to "Hardware store", the list used
// most recently.
func TestBrowserAssistantChoiceOnShownList(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	weekly := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+weekly+"/items", map[string]any{"name": "milk"})
	hardware := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Hardware store"})["id"].(string)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+hardware+"/items", map[string]any{"name": "screws"})

	phone := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	phone.login(m.URL(), "ana@example.org")
	item := func(name string) string {
		return fmt.Sprintf(`!!document.querySelector('li.item[data-name=%q]')`, name)
	}
	phone.goTo("/shopping/"+weekly, item("milk"))
	phone.setValue(`#assistant-input`, "add fish and chips")
	phone.click(`.assistant-form button[type=submit]`)
	phone.waitJS("the question", `document.querySelectorAll('.assistant-reply button.choice').length === 2 && !document.querySelector('[aria-busy]')`, 5*time.Second)
	phone.click(`.assistant-reply button.choice`)
	phone.waitJS("the answer", `!document.querySelector('.assistant-reply .choices') && !document.querySelector('[aria-busy]') && `+replyLine+` !== ''`, 5*time.Second)
	if got := eval[string](phone, replyLine); got != "Added fish and chips to “Weekly”." {
		t.Fatalf("the choice answered %q, want it on the list on screen", got)
	}
	phone.waitJS("on Weekly, live", item("fish and chips"), 10*time.Second)
}
