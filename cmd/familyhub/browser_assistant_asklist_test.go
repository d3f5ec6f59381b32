package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserAssistantListShown: the assistant puts things on the list the
// family means (ux28 item 1). A German phone with Weekly open types "Käse
// auf die Liste": Käse goes on Weekly (the list on screen; before, the
// first list or the one with the newest item, "Hardware store"), and the
// laptop showing Weekly sees it live. The owner then chooses "Hardware
// store" as the default list on the laptop's Family page; the phone's
// Family page follows live, and its assistant (no list on screen) adds
// there.
func TestBrowserAssistantListShown(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	hardware := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Hardware store"})["id"].(string)
	weekly := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+weekly+"/items", map[string]any{"name": "Milch"})
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+hardware+"/items", map[string]any{"name": "Schrauben"})

	phone := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "de-DE"})
	phone.login(m.URL(), "ana@example.org")
	laptop := newDevice(t, "Ana's laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	laptop.login(m.URL(), "ana@example.org")
	item := func(name string) string {
		return fmt.Sprintf(`!!document.querySelector('li.item[data-name=%q]')`, name)
	}
	phone.goTo("/shopping/"+weekly, item("Milch"))
	laptop.goTo("/shopping/"+weekly, item("Milch"))
	laptop.waitLive()

	phone.setValue(`#assistant-input`, "Käse auf die Liste")
	phone.click(`.assistant-form button[type=submit]`)
	phone.waitJS("German answer", `document.querySelector('.assistant-reply p')?.textContent === 'Ich habe Käse auf „Weekly“ gesetzt.'`, 5*time.Second)
	laptop.waitJS("Käse live on Weekly", item("Käse"), 10*time.Second)

	// The default list, chosen on the laptop.
	phone.goFamily()
	phone.waitJS("no default yet", `document.querySelector('#family-default-list')?.value === ''`, 5*time.Second)
	laptop.goFamily()
	laptop.waitJS("lists in the select", `document.querySelectorAll('#family-default-list option').length === 3`, 5*time.Second)
	laptop.setValue(`#family-default-list`, hardware)
	laptop.waitJS("saved", `document.querySelector('#h-default-list')?.closest('section').querySelector('[role=status]').textContent === 'Saved.'`, 5*time.Second)
	phone.waitJS("the default live on the phone", fmt.Sprintf(`document.querySelector('#family-default-list')?.value === %q`, hardware), 10*time.Second)

	phone.setValue(`#assistant-input`, "Nägel auf die Liste")
	phone.click(`.assistant-form button[type=submit]`)
	phone.waitJS("to the default list", `document.querySelector('.assistant-reply p')?.textContent === 'Ich habe Nägel auf „Hardware store“ gesetzt.'`, 5*time.Second)
	laptop.goTo("/shopping/"+hardware, item("Nägel"))
}
