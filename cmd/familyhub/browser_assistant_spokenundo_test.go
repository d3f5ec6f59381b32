package main

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserAssistantSpokenUndo: "undo that" typed (or said) in the
// assistant bar undoes the device's last command as its Undo button does,
// and the other device sees it live: on an English phone with the server's
// own sentence, and on a German laptop where the undone command was English
// (the server retells it in English, so the page says it in German itself;
// before, it fell back to "Erledigt.").
func TestBrowserAssistantSpokenUndo(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := seedFamily(t, m, ana)
	phone := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	phone.login(m.URL(), "ana@example.org")
	laptop := newDevice(t, "Anas Laptop", laptopW, laptopH, browserOpts{lang: "de-DE"})
	laptop.login(m.URL(), "ana@example.org")
	for _, d := range []*browser{phone, laptop} {
		d.goTo("/shopping/"+listID, `document.querySelector('li.item[data-name="apples"]')`)
	}
	item := func(name string) string { return `!!document.querySelector('li.item[data-name="` + name + `"]')` }
	reply := `document.querySelector('.assistant-reply p')?.textContent`
	say := func(d *browser, text string) {
		t.Helper()
		d.setValue(`#assistant-input`, text)
		d.click(`.assistant-form button[type=submit]`)
	}

	say(phone, "add cherries to the weekly list")
	phone.waitJS("answer", reply+` === 'Added cherries to “Weekly”.'`, 5*time.Second)
	laptop.waitJS("cherries live on the laptop", item("cherries"), 10*time.Second)
	say(phone, "undo that")
	phone.waitJS("spoken undo answered", reply+` === 'Taken back: cherries came off “Weekly” again.'`, 5*time.Second)
	laptop.waitJS("cherries gone on the laptop", `!`+item("cherries"), 10*time.Second)
	phone.waitJS("cherries gone on the phone", `!`+item("cherries"), 10*time.Second)

	say(laptop, "add bananas to the weekly list")
	phone.waitJS("bananas live on the phone", item("bananas"), 10*time.Second)
	say(laptop, "undo that")
	laptop.waitJS("German page's own sentence", reply+` === 'Rückgängig gemacht.'`, 5*time.Second)
	phone.waitJS("bananas gone on the phone", `!`+item("bananas"), 10*time.Second)

	// Ana's last command (the laptop's; an undo is not one) is undone
	// already: refused, and nothing changes.
	say(phone, "undo that")
	phone.waitJS("refusal", reply+` === 'That command is undone already.'`, 5*time.Second)
	if eval[bool](phone, item("cherries")) || eval[bool](phone, item("bananas")) {
		t.Error("a second 'undo that' brought something back")
	}
}
