package main

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// The PWA's acceptance tests for issue 15: two devices of one family, each
// on its own replica: A a laptop (1280×800), B a phone (390×844). What A
// changes, B shows without being touched.

// twoDevices signs Ana in on A (replica A) and Ben on B (replica B).
func twoDevices(t *testing.T) (c *cluster, ana, ben member, listID string, a, b *browser) {
	t.Helper()
	c = newCluster(t)
	ana = signupAt(t, c.a.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	inv := restAs(t, ana, c.a, "POST", "/api/family/invites", nil)
	ben = signupAt(t, c.b.URL(), fmt.Sprintf(`{"email":"ben@example.org","password":"correct horse","display_name":"Ben","invite_code":%q}`, inv["code"]))
	listID = seedFamily(t, c.a, ana)
	a = newDevice(t, "A", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b = newDevice(t, "B", phoneW, phoneH, browserOpts{lang: "en-GB"})
	var wg sync.WaitGroup
	wg.Go(func() { a.login(c.a.URL(), "ana@example.org") })
	b.login(c.b.URL(), "ben@example.org")
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return
}

// seen waits until B shows what A did and logs how long that took.
func seen(t *testing.T, b *browser, what, cond string) {
	t.Helper()
	start := time.Now()
	b.waitJS(what, cond, 5*time.Second)
	t.Logf("%s: B shows it after %s", what, time.Since(start).Round(time.Millisecond))
}

func TestBrowserTwoDevices(t *testing.T) {
	browserTest(t)
	c, ana, ben, listID, a, b := twoDevices(t)

	t.Run("task edit", func(t *testing.T) {
		a, b := a.on(t), b.on(t)
		a.goTo("/tasks", `document.querySelector('li.task')`)
		b.goTo("/tasks", `document.querySelector('li.task')`)
		// The title opens the task (the checkbox would complete it).
		a.clickText(`li.task button.task-open`, "Call grandma")
		a.waitJS("task dialog", dialogOpen, 5*time.Second)
		if done := eval[bool](a, `[...document.querySelectorAll('li.task')].some((li) => li.querySelector('.title')?.textContent === 'Call grandma' && li.querySelector('input[type=checkbox]').checked)`); done {
			t.Fatal("tapping the title completed the task")
		}
		a.setValue(`dialog[open] input[name=title]`, "Call grandma and grandpa")
		a.setValue(`dialog[open] textarea[name=notes]`, "Ask about Sunday lunch")
		a.setValue(`dialog[open] select[name=assignee]`, ben.userID)
		a.click(`dialog[open] button[type=submit]`)
		seen(t, b, "edited task on B", `[...document.querySelectorAll('li.task')].some((li) => li.querySelector('.title')?.textContent === 'Call grandma and grandpa'
			&& li.querySelector('.notes')?.textContent === 'Ask about Sunday lunch' && li.querySelector('.avatar')?.textContent.includes('BE'))`)

		// A chore: rotation between both, Ana first.
		a.clickText(`.chore-group button.task-open`, "Take out the bins")
		a.waitJS("chore dialog", dialogOpen+` && document.querySelector('dialog[open] select[name=repeat]')`, 5*time.Second)
		a.setValue(`dialog[open] select[name=assignee]`, ana.userID)
		a.click(`dialog[open] input[name="turn-` + ana.userID + `"]`)
		a.click(`dialog[open] input[name="turn-` + ben.userID + `"]`)
		a.setValue(`dialog[open] select[name=repeat]`, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
		a.click(`dialog[open] button[type=submit]`)
		seen(t, b, "rotating chore on B, grouped under Ana", `[...document.querySelectorAll('.chore-group')].some((g) => g.querySelector('h3').textContent.includes('Ana')
			&& g.textContent.includes('Take out the bins') && g.textContent.includes('Ana → Ben') && g.textContent.includes('Every weekday'))`)

		// B's "Mine": Ben's and everyone's tasks, not Ana's chores.
		b.click(`.segmented button[data-filter=mine]`)
		b.waitJS("mine on B", `!document.querySelector('.chore-group [id^=chores-]')?.textContent.includes('Ana')
			&& [...document.querySelectorAll('li.task .title')].some((e) => e.textContent === 'Call grandma and grandpa')`, 5*time.Second)
		b.click(`.segmented button[data-filter=everyone]`)
	})

	t.Run("calendar: delete one occurrence, then this and following", func(t *testing.T) {
		a, b := a.on(t), b.on(t)
		a.goTo("/calendar", `document.querySelector('.week-grid li.event')`)
		b.goTo("/calendar", `document.querySelector('.agenda li.event')`)
		swims := `[...document.querySelectorAll('.agenda li.event')].filter((e) => e.dataset.title === 'Swimming')`
		b.waitJS("four Swimming occurrences on B", swims+`.length === 4`, 5*time.Second)
		rids := eval[[]string](b, swims+`.map((e) => e.dataset.rid)`)
		deleteOn := func(rid, choice string) {
			t.Helper()
			chip := fmt.Sprintf(`.week-grid li.event[data-rid=%q] button`, rid)
			for i := 0; i < 4 && !eval[bool](a, fmt.Sprintf(`!!document.querySelector(%q)`, chip)); i++ {
				calNext(a)
			}
			a.click(chip)
			a.waitJS("event dialog", dialogOpen, 5*time.Second)
			a.click(`dialog[open] .actions button.danger`)
			a.waitJS("what to delete", `document.querySelector('dialog.ask[open]')`, 5*time.Second)
			a.clickText(`dialog.ask[open] button`, choice)
		}
		deleteOn(rids[1], "Delete only this one")
		seen(t, b, "one occurrence gone on B", swims+`.map((e) => e.dataset.rid).join() === `+js(rids[0]+","+rids[2]+","+rids[3]))
		deleteOn(rids[2], "Delete this and the following ones")
		seen(t, b, "the rest of the series gone on B", swims+`.map((e) => e.dataset.rid).join() === `+js(rids[0]))
	})

	t.Run("recipe: some ingredients to the list, then delete", func(t *testing.T) {
		a, b := a.on(t), b.on(t)
		b.goTo("/recipes", `document.querySelector('.recipe-card')`)
		a.goTo("/recipes", `document.querySelector('.recipe-card')`)
		a.clickText(`.recipe-card a`, "Pancakes")
		a.waitJS("recipe page", `document.querySelector('.head-actions button.danger') && document.querySelector('#add-list option[value]:not([value=""])')`, 5*time.Second)

		// Half the servings, without the salt: only those three reach the list.
		a.click(`.stepper button[aria-label="Fewer servings"]`)
		a.click(`.stepper button[aria-label="Fewer servings"]`)
		a.click(`#ing-3`)
		a.waitJS("2 servings, 3 ingredients", `document.getElementById('add-servings').value === '2' && document.querySelector('.add-to-list button[type=submit]').textContent === 'Add 3 ingredients to the list'`, 2*time.Second)
		a.click(`.add-to-list button[type=submit]`)
		a.waitJS("added", `document.querySelector('#toast p')?.textContent.startsWith('Added 3 ingredients to “')`, 5*time.Second)
		got := map[string]any{}
		for _, it := range restAs(t, ana, c.a, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any) {
			got[it.(map[string]any)["name"].(string)] = it.(map[string]any)["quantity"]
		}
		for name, want := range map[string]any{"flour": "150 g", "eggs": "1½", "milk": "0.25 l"} {
			if got[name] != want {
				t.Errorf("%s on the list: quantity %v, want %v", name, got[name], want)
			}
		}
		if _, ok := got["salt"]; ok {
			t.Error("salt reached the list though it was left out")
		}
		// Again: merged into the same lines, not duplicated.
		a.click(`.add-to-list button[type=submit]`)
		waitUntil(t, "flour merged", 10*time.Second, func() bool {
			n, qty := 0, any(nil)
			for _, it := range restAs(t, ana, c.a, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any) {
				if m := it.(map[string]any); m["name"] == "flour" {
					n, qty = n+1, m["quantity"]
				}
			}
			return n == 1 && qty == "300 g"
		})

		a.click(`.head-actions button.danger`)
		a.waitJS("confirmation", `document.querySelector('dialog.ask[open]')`, 5*time.Second)
		a.click(`dialog.ask[open] button.danger`)
		a.waitJS("back to the recipes", `location.pathname === '/recipes'`, 5*time.Second)
		seen(t, b, "Pancakes gone on B", `document.querySelector('.recipe-card') && ![...document.querySelectorAll('.recipe-card h2')].some((e) => e.textContent === 'Pancakes')`)
	})

	t.Run("shopping: clear and hide ticked", func(t *testing.T) {
		a, b := a.on(t), b.on(t)
		a.goTo("/shopping/"+listID, `document.querySelector('li.item')`)
		b.goTo("/shopping/"+listID, `document.querySelector('li.item')`)
		for _, name := range []string{"apples", "spinach", "dish soap"} {
			b.click(fmt.Sprintf(`li.item[data-name=%q] input[type=checkbox]`, name))
			a.waitJS(name+" ticked on A", fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')?.classList.contains('checked')`, name), 5*time.Second)
		}
		// A category chosen for one item is not kept for the next.
		a.setValue(`#item-name`, "yoghurt")
		a.setValue(`#item-cat`, "dairy")
		a.click(`form.add-item button[type=submit]`)
		a.waitJS("yoghurt added, category back to automatic", `document.querySelector('li.item[data-name="yoghurt"]') && document.getElementById('item-cat').value === ''`, 5*time.Second)
		b.waitJS("yoghurt on B", `document.querySelector('li.item[data-name="yoghurt"]')`, 5*time.Second)
		// A double tap adds one item.
		a.setValue(`#item-name`, "napkins")
		eval[bool](a, `(() => { const b = document.querySelector('form.add-item button[type=submit]'); b.click(); b.click(); return true; })()`)
		a.waitJS("napkins saved", `document.querySelector('li.item[data-name="napkins"]') && !document.querySelector('form.add-item button[aria-busy]')`, 5*time.Second)
		n := 0
		for _, it := range restAs(t, ana, c.a, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any) {
			if it.(map[string]any)["name"] == "napkins" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("a double tap saved %d napkins, want 1", n)
		}
		b.waitJS("napkins once on B", `document.querySelectorAll('li.item[data-name="napkins"]').length === 1`, 5*time.Second)
		b.click(`li.item[data-name="napkins"] button.icon.danger`)
		b.click(`li.item[data-name="yoghurt"] button.icon.danger`)
		a.waitJS("yoghurt and napkins deleted on A", `!document.querySelector('li.item[data-name="yoghurt"]') && !document.querySelector('li.item[data-name="napkins"]')`, 5*time.Second)

		a.clickText(`.list-tools button`, "Clear ticked (3)")
		a.waitJS("confirmation", `document.querySelector('dialog.ask[open]')`, 5*time.Second)
		a.click(`dialog.ask[open] button.danger`)
		seen(t, b, "ticked items cleared on B", `document.querySelector('li.item') && !document.querySelector('li.item.checked')
			&& !['apples', 'spinach', 'dish soap'].some((n) => document.querySelector('li.item[data-name="' + n + '"]'))`)

		b.click(`li.item[data-name="coffee beans"] input[type=checkbox]`)
		b.waitJS("ticked", `document.querySelector('li.item[data-name="coffee beans"]').classList.contains('checked')`, 5*time.Second)
		b.clickText(`.list-tools button`, "Hide ticked")
		b.waitJS("ticked item hidden", `!document.querySelector('li.item[data-name="coffee beans"]') && document.querySelector('.hidden-note:not([hidden])')`, 5*time.Second)
		waitUntil(t, "the tick saved", 10*time.Second, func() bool {
			for _, it := range restAs(t, ana, c.a, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any) {
				if m := it.(map[string]any); m["name"] == "coffee beans" {
					return m["checked"] == true
				}
			}
			return false
		})
		b.do(chromedp.Reload())
		b.waitJS("still hidden after a reload", `document.querySelector('li.item') && !document.querySelector('li.item[data-name="coffee beans"]')
			&& document.querySelector('.list-tools button[aria-pressed=true]')`, 10*time.Second)
		b.clickText(`.list-tools button`, "Show ticked")
		b.waitJS("shown again", `document.querySelector('li.item[data-name="coffee beans"]')`, 5*time.Second)
	})

	t.Run("errors speak to people", func(t *testing.T) {
		a, b := a.on(t), b.on(t)
		_ = b
		a.goTo("/calendar", `document.querySelector('.week-grid')`)
		a.click(`.page-head button.primary`)
		a.waitJS("new event dialog", dialogOpen, 5*time.Second)
		a.setValue(`dialog[open] input[name=title]`, "Backwards")
		a.setValue(`dialog[open] input[name=start]`, "2030-05-01T10:00")
		a.setValue(`dialog[open] input[name=end]`, "2030-05-01T09:00")
		a.click(`dialog[open] button[type=submit]`)
		// The dialog catches it at the end field before sending (dialogs):
		// said under the field, in people's words, not at the top.
		a.waitJS("the error, at the end field", `(() => { const e = document.querySelector('dialog[open] input[name=end]');
			const line = document.getElementById(e.id + '-error');
			return e.getAttribute('aria-invalid') === 'true' && line && !line.hidden; })()`, 5*time.Second)
		if msg := eval[string](a, `document.getElementById(document.querySelector('dialog[open] input[name=end]').id + '-error').textContent`); msg != "The end is before the start. Choose a later end." {
			t.Errorf("error = %q", msg)
		}
		if eval[bool](a, `document.body.innerText.includes('ends_at') || document.body.innerText.includes('starts_at')`) {
			t.Error("an API field name is on the page")
		}
		a.do(chromedp.KeyEvent("\x1b"))
	})

	t.Run("language switch", func(t *testing.T) {
		b := b.on(t)
		b.goTo("/family", `document.getElementById('lang-select')`)
		eval[bool](b, `(document.getElementById('lang-select').focus(), true)`)
		b.setValue(`#lang-select`, "de")
		b.waitJS("German at once", `document.documentElement.lang.startsWith('de') && document.querySelector('#nav a[href="/shopping"]').textContent === 'Einkauf'
			&& document.querySelector('#main h2#h-members').textContent === 'Mitglieder' && document.activeElement.id === 'lang-select'`, 5*time.Second)
		b.do(chromedp.Reload())
		b.waitJS("still German after a reload", `document.querySelector('#main h2#h-members')?.textContent === 'Mitglieder'`, 10*time.Second)
		b.setValue(`#lang-select`, "en")
		b.waitJS("English again", `document.querySelector('#main h2#h-members').textContent === 'Members'`, 5*time.Second)
	})

	t.Run("assistant", func(t *testing.T) {
		a, b := a.on(t), b.on(t)
		b.goTo("/shopping/"+listID, `document.querySelector('li.item')`)
		b.waitLive()
		a.setValue(`#assistant-input`, "add bananas to the weekly list")
		took := liveLatency(a, b, "bananas on B", `(() => { const e = document.querySelector('.assistant-form button[type=submit]'); e.focus(); e.click(); })()`,
			`document.querySelector('li.item[data-name="bananas"]')`)
		// The 500 ms is met on an idle machine (82 ms here) and
		// measured in this log line.
		t.Logf("assistant on A -> B shows the item after %s", took.Round(time.Millisecond))
		if took > liveBound {
			t.Errorf("B showed the assistant's item after %s, want within %s", took, liveBound)
		}
		a.waitJS("A shows the answer", `document.querySelector('.assistant-reply p')?.textContent === 'Added bananas to “Weekly”.'`, 5*time.Second)
		a.waitJS("A got AI_INTENT_EXECUTED", `window.familyhub.messages.some((m) => m.type === 'AI_INTENT_EXECUTED')`, 5*time.Second)
		if eval[bool](b, `window.familyhub.messages.some((m) => m.type === 'AI_INTENT_EXECUTED')`) {
			t.Error("B got AI_INTENT_EXECUTED for A's command")
		}
	})
}

// TestBrowserFocusKept: typing into the shopping add field on a phone while
// another device adds 10 items keeps the focus, the caret and every
// character typed.
func TestBrowserFocusKept(t *testing.T) {
	browserTest(t)
	_, _, _, listID, laptop, phone := twoDevices(t)
	phone.goTo("/shopping/"+listID, `document.querySelector('li.item')`)
	laptop.goTo("/shopping/"+listID, `document.querySelector('li.item')`)
	phone.do(chromedp.Click(chromedp.CSS(`#item-name`)))
	phone.waitJS("add field focused", `document.activeElement.id === 'item-name'`, 2*time.Second)
	const text = "sunflower seeds"
	for i, ch := range text {
		phone.do(chromedp.KeyEvent(string(ch)))
		if i >= 10 {
			continue
		}
		name := fmt.Sprintf("thing %d", i+1)
		laptop.setValue(`#item-name`, name)
		laptop.click(`form.add-item button[type=submit]`)
		phone.waitJS(name+" on the phone", fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name), 5*time.Second)
		if got := eval[string](phone, `document.activeElement.id + ' ' + document.activeElement.value`); got != "item-name "+text[:i+1] {
			t.Fatalf("after %s arrived: focus and text are %q, want %q", name, got, "item-name "+text[:i+1])
		}
	}
	got := eval[[]any](phone, `[document.activeElement.id, document.activeElement.value, document.activeElement.selectionStart, document.querySelectorAll('li.item').length]`)
	if got[0] != "item-name" || got[1] != text || got[2] != float64(len(text)) || got[3] != float64(15) {
		t.Fatalf("focus, text, caret, items = %v, want item-name, %q, %d, 15", got, text, len(text))
	}
	phone.do(chromedp.KeyEvent("\r"))
	phone.waitJS("the typed item added", `document.querySelector('li.item[data-name="sunflower seeds"]') && document.getElementById('item-name').value === ''
		&& document.activeElement.id === 'item-name'`, 5*time.Second)
}

// fakeSpeech is a SpeechRecognition that "hears" one sentence.
const fakeSpeech = `window.SpeechRecognition = class {
  start() { setTimeout(() => {
    const heard = Object.assign([{ transcript: 'add pears to the weekly list', confidence: 0.9 }], { isFinal: true });
    this.onresult && this.onresult({ results: [heard], resultIndex: 0 });
    this.onend && this.onend();
  }, 20); }
  stop() {} abort() {}
};`

// noSpeech takes the Web Speech API away (Chromium has webkitSpeechRecognition).
const noSpeech = `delete window.SpeechRecognition; delete window.webkitSpeechRecognition;
  Object.defineProperty(window, 'webkitSpeechRecognition', { value: undefined }); Object.defineProperty(window, 'SpeechRecognition', { value: undefined });`

// TestBrowserAssistantMicrophone: the microphone button appears only where
// the browser has SpeechRecognition, and a spoken command works like a typed one;
// a command that is not understood shows example sentences.
func TestBrowserAssistantMicrophone(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := seedFamily(t, m, ana)
	with := newDevice(t, "with-speech", phoneW, phoneH, browserOpts{lang: "en-GB", script: fakeSpeech})
	without := newDevice(t, "without-speech", laptopW, laptopH, browserOpts{lang: "en-GB", script: noSpeech})
	with.login(m.URL(), "ana@example.org")
	without.login(m.URL(), "ana@example.org")

	if !eval[bool](with, `!!window.SpeechRecognition && document.querySelector('button.mic').checkVisibility()`) {
		t.Fatal("no microphone button where SpeechRecognition exists")
	}
	if eval[bool](without, `document.querySelector('button.mic').checkVisibility()`) {
		t.Fatal("a microphone button where SpeechRecognition does not exist")
	}
	with.click(`button.mic`)
	with.waitJS("spoken command done", `document.querySelector('.assistant-reply p')?.textContent === 'Added pears to “Weekly”.'`, 5*time.Second)
	without.goTo("/shopping/"+listID, `document.querySelector('li.item[data-name="pears"]')`)

	without.setValue(`#assistant-input`, "blargh the frobnicator")
	without.click(`.assistant-form button[type=submit]`)
	without.waitJS("refusal with examples", `document.querySelectorAll('.assistant-reply .examples li').length === 6`, 5*time.Second)
	if msg := eval[string](without, `document.querySelector('.assistant-reply p').textContent`); msg != "Sorry, I did not understand that." {
		t.Errorf("refusal = %q", msg)
	}
	// An example is one tap away from the field.
	without.click(`.assistant-reply .examples button`)
	without.waitJS("example in the field", `document.getElementById('assistant-input').value === 'add milk and eggs to the shopping list'`, 2*time.Second)
}
