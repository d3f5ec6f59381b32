package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// tickBox is the checkbox label of the item named name (a JS expression).
func tickBox(name string) string {
	return `document.querySelector('li.item[data-name=` + js(name) + `] label.tick')`
}

// rows lists the shown items of the category section holding name, in
// order, each with ✓ when ticked.
const rows = `((name) => [...document.querySelector('li.item[data-name="' + name + '"]').closest('ul').children]
  .map((li) => li.dataset.name + (li.classList.contains('checked') ? '✓' : '')).join(', '))`

// TestBrowserShoppingTicksKeepPlace: in a shop, ticking items one after
// another by tapping where each is. On the kitchen tablet (1180 × 820,
// English) a tap on apples and a quick tap where bananas is tick apples
// and bananas: the ticked rows keep their place while the ticking goes on,
// and move to the end of their category once it pauses. On a 360 px phone
// in German with "Hide ticked" on, spinach ticked stays in sight (struck
// through) for that moment, then goes, and the note counts it. Before, a
// ticked row moved (or went) at once, the next row slid under the finger
// and the second tap ticked spinach.
func TestBrowserShoppingTicksKeepPlace(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t), func(c *Config) { c.Calendar.AllowPrivateSubscriptions = true })
	f := seedShots(t, m, "en")
	tablet := newDevice(t, "tablet", 1180, 820, browserOpts{lang: "en-GB", script: pageTimers(0, heldSettle)})
	tablet.login(m.URL(), f.email)
	tablet.goTo("/shopping/"+f.listID, `document.querySelector('li.item[data-name="spinach"]')`)
	if got := eval[string](tablet, rows+`('apples')`); got != "apples, bananas, spinach" {
		t.Fatalf("fruit & vegetables before: %s", got)
	}
	apples := tablet.centerOf(tickBox("apples"))
	bananas := tablet.centerOf(tickBox("bananas"))
	// The second tap comes once the first tick's write is in the outbox and
	// the list is drawn again (as a person's second tap would: the first
	// came 50 ms before that redraw and met the rows still in place).
	eval[bool](tablet, `(window.__drawn = false, new MutationObserver(() => { window.__drawn = true; })
		.observe(document.querySelector('li.item[data-name="apples"]').closest('.sections'), { subtree: true, childList: true, attributeFilter: ['aria-busy', 'data-pending'] }), true)`)
	tablet.do(chromedp.MouseClickXY(apples[0], apples[1]))
	tablet.waitJS("the list drawn again after the first tick", `window.__drawn`, 5*time.Second)
	tablet.do(chromedp.MouseClickXY(bananas[0], bananas[1]))
	tablet.waitJS("two ticks sent", `document.querySelectorAll('li.item.checked').length === 4`, 5*time.Second)
	// The pause after the ticks is held (pageTimers): the rows cannot have
	// moved yet, however slow the machine.
	if got := eval[string](tablet, rows+`('apples')`); got != "apples✓, bananas✓, spinach" {
		t.Errorf("right after two quick taps: %s, want apples✓, bananas✓, spinach (the rows in place)", got)
	}
	fireSettle(t, tablet)
	tablet.waitJS("the ticked rows moved down once the ticking paused", rows+`('apples') === 'spinach, apples✓, bananas✓'`, 10*time.Second)

	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "de-DE", script: pageTimers(0, heldSettle)})
	phone.login(m.URL(), f.email)
	phone.goTo("/shopping/"+f.listID, `document.querySelector('li.item[data-name="spinach"]')`)
	phone.clickText(`.list-tools button`, "Abgehakte ausblenden")
	phone.waitJS("ticked items hidden", `!document.querySelector('li.item.checked') && document.querySelector('.hidden-note')?.textContent === '4 abgehakte Artikel ausgeblendet.'`, 5*time.Second)
	eval[bool](phone, `(`+tickBox("spinach")+`.scrollIntoView({ block: 'center' }), true)`)
	eval[bool](phone, `(window.__drawn = false, new MutationObserver(() => { window.__drawn = true; })
		.observe(document.querySelector('.sections'), { subtree: true, childList: true, attributeFilter: ['aria-busy', 'data-pending'] }), true)`)
	phone.clickAt(tickBox("spinach"))
	phone.waitJS("the list drawn again after the tick", `window.__drawn`, 5*time.Second)
	if got := eval[string](phone, `[...document.querySelectorAll('li.item')].map((li) => li.dataset.name + (li.classList.contains('checked') ? '✓' : '')).join(', ')`); !strings.HasPrefix(got, "spinach✓, sourdough bread") {
		t.Errorf("right after the tap with ticked items hidden: %s, want spinach✓ still first", got)
	}
	fireSettle(t, phone)
	phone.waitJS("spinach hidden once the ticking paused, and counted", `!document.querySelector('li.item[data-name="spinach"]')
		&& document.querySelector('.hidden-note')?.textContent === '5 abgehakte Artikel ausgeblendet.'`, 10*time.Second)
}

// TestBrowserShoppingLastTickFocus: on a 360 px phone in German, dark,
// with "Abgehakte ausblenden" on, a keyboard user ticks the list's only
// unticked item with Space; once the ticking pauses the row goes and the
// focus is on "Alles abgehakt.", with its focus ring, which a screen
// reader then reads. Before, the row's category section went with it and
// the focus fell to <body>.
func TestBrowserShoppingLastTickFocus(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	list := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Wocheneinkauf"})["id"].(string)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+list+"/items", map[string]any{"name": "Milch"})
	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "de-DE", dark: true, script: pageTimers(0, heldSettle)})
	phone.login(m.URL(), "ana@example.org")
	phone.goTo("/shopping/"+list, `document.querySelector('li.item[data-name="Milch"] input[type=checkbox]')`)
	phone.clickText(`.list-tools button`, "Abgehakte ausblenden")
	phone.waitJS("Hide ticked on", `document.querySelector('.list-tools button[aria-pressed=true]')`, 5*time.Second)
	eval[bool](phone, `(document.querySelector('li.item[data-name="Milch"] input[type=checkbox]').focus(), true)`)
	phone.do(chromedp.KeyEvent(" "))
	// The tick in the outbox and the list drawn from it (the count), the row still shown.
	phone.waitJS("ticked, still shown", `document.querySelector('li.item[data-name="Milch"].checked')
		&& document.querySelector('.list-head .count').textContent === '0 zu kaufen'`, 5*time.Second)
	fireSettle(t, phone)
	phone.waitJS("the row gone", `!document.querySelector('li.item')`, 10*time.Second)
	phone.waitJS("the focus on Alles abgehakt.", `document.activeElement?.textContent === 'Alles abgehakt.'`, 2*time.Second)
	if got := eval[string](phone, `getComputedStyle(document.activeElement).outlineStyle`); got != "solid" {
		t.Errorf("the focused line's outline is %q, want the focus ring (solid)", got)
	}
}

// focusedItem names the item whose tick box has the focus, else the
// focused element's tag ("BODY" when the focus was lost).
const focusedItem = `(document.activeElement?.matches('li.item input[type=checkbox]')
  ? document.activeElement.closest('li.item').dataset.name : document.activeElement?.tagName ?? 'none')`

// settleFirst makes the pause after the next tick end at once, inside the
// tick's own change event (after the row's handler put the write on its way
// to the outbox, before the outbox drew the list again: it awaits storage);
// window.__settledFirst then holds the settles fired and the count the list
// head said at that moment.
const settleFirst = `(document.addEventListener('change', () => {
  window.__settledFirst = window.__fire('settle') + ' ' + document.querySelector('.list-head .count').textContent;
}, { once: true }), true)`

// TestBrowserShoppingTickFocusEitherOrder: a keyboard user on a phone
// ticks items with Space; the focus stays on the ticked row, or lands on
// the next row when the ticked one goes ("Hide ticked"), whether the pause
// after the tick ends after the outbox drew the tick or before (the page's
// settle timer fired from the tick's change event: a slow storage, a busy
// phone). Before, in the second order the settle's draw still showed the
// row (the outbox did not hold the tick yet), and the outbox's next draw
// removed it with nothing handing the focus on: it fell to <body>.
func TestBrowserShoppingTickFocusEitherOrder(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	list := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	for _, name := range []string{"milk", "eggs", "butter", "cream"} {
		restAs(t, ana, m, "POST", "/api/shopping/lists/"+list+"/items", map[string]any{"name": name, "category": "dairy"})
	}
	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "en-GB", script: pageTimers(0, heldSettle)})
	phone.login(m.URL(), "ana@example.org")
	phone.goTo("/shopping/"+list, `document.querySelector('li.item[data-name="cream"] input[type=checkbox]')`)
	focusBox := func(name string) {
		t.Helper()
		if !eval[bool](phone, `(document.querySelector('li.item[data-name=`+js(name)+`] input[type=checkbox]').focus(), document.activeElement.matches('li.item[data-name=`+js(name)+`] input'))`) {
			t.Fatalf("%s's tick box not focused", name)
		}
	}
	count := func(n string) string {
		return `document.querySelector('.list-head .count').textContent === '` + n + ` to get'`
	}

	phone.clickText(`.list-tools button`, "Hide ticked")
	phone.waitJS("Hide ticked on", `document.querySelector('.list-tools button[aria-pressed=true]')`, 5*time.Second)

	// The settle after the outbox's draw: the row stays until the pause ends.
	focusBox("milk")
	phone.do(chromedp.KeyEvent(" "))
	phone.waitJS("the tick drawn from the outbox, the row still shown", count("3")+` && document.querySelector('li.item[data-name="milk"].checked')`, 5*time.Second)
	fireSettle(t, phone)
	phone.waitJS("milk gone", `!document.querySelector('li.item[data-name="milk"]')`, 5*time.Second)
	if got := eval[string](phone, focusedItem); got != "eggs" {
		t.Errorf("focus after milk went (settle after the outbox's draw): %s, want eggs", got)
	}

	// The settle before the outbox's draw.
	focusBox("eggs")
	eval[bool](phone, settleFirst)
	phone.do(chromedp.KeyEvent(" "))
	phone.waitJS("eggs gone", `!document.querySelector('li.item[data-name="eggs"]')`, 5*time.Second)
	if got := eval[string](phone, `window.__settledFirst`); got != "1 3 to get" {
		t.Fatalf("settles fired in the change event, and the count then: %q, want \"1 3 to get\" (before the outbox drew the tick)", got)
	}
	if got := eval[string](phone, focusedItem); got != "butter" {
		t.Errorf("focus after eggs went (settle before the outbox's draw): %s, want butter", got)
	}

	// Ticked rows shown: the row moves to the end of its category, the
	// focus with it, in both orders.
	phone.clickText(`.list-tools button`, "Show ticked")
	phone.waitJS("ticked shown", `document.querySelectorAll('li.item').length === 4`, 5*time.Second)
	focusBox("butter")
	phone.do(chromedp.KeyEvent(" "))
	phone.waitJS("the tick drawn from the outbox", count("1"), 5*time.Second)
	fireSettle(t, phone)
	phone.waitJS("butter moved down", rows+`('butter') === 'cream, milk✓, eggs✓, butter✓'`, 5*time.Second)
	if got := eval[string](phone, focusedItem); got != "butter" {
		t.Errorf("focus after butter moved (settle after the outbox's draw): %s, want butter", got)
	}
	focusBox("cream")
	eval[bool](phone, settleFirst)
	phone.do(chromedp.KeyEvent(" "))
	phone.waitJS("cream moved down", rows+`('cream') === 'milk✓, eggs✓, butter✓, cream✓'`, 5*time.Second)
	if got := eval[string](phone, `window.__settledFirst`); got != "1 1 to get" {
		t.Fatalf("settles fired in the change event, and the count then: %q, want \"1 1 to get\"", got)
	}
	phone.waitJS("no write waiting", `!document.querySelector('li.item[data-pending]')`, 10*time.Second)
	if got := eval[string](phone, focusedItem); got != "cream" {
		t.Errorf("focus after cream moved (settle before the outbox's draw): %s, want cream", got)
	}
}
