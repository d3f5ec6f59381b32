package main

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// noticeCovers is a page function: the notice's box (#toast) overlaps the
// element sel, or the bottom navigation when it is shown ("" when neither).
const noticeCovers = `((sel) => {
  const box = document.querySelector('#toast .toast-box');
  if (!box) return 'no notice';
  const a = box.getBoundingClientRect();
  const hit = (el) => { if (!el || !el.checkVisibility()) return false; const b = el.getBoundingClientRect();
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; };
  if (hit(document.querySelector(sel))) return 'covers ' + sel;
  if (hit(document.getElementById('nav'))) return 'covers the navigation';
  if (a.bottom > innerHeight || a.top < 0) return 'off screen';
  return '';
})`

// TestBrowserUndoDelete: an item deleted with ✕ comes back with Undo, on
// both devices, with its quantity, note and category; the notice is
// polite (it takes no focus), covers neither the add field nor the
// navigation on a phone, is replaced by the next delete and goes with the
// page; an Undo pressed offline waits in the outbox and lands when the
// phone is back online.
func TestBrowserUndoDelete(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	listID := seedFamily(t, c.a, ana)
	a, b := anaAndBen(t, c, device{"Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"}},
		device{"Ben's laptop", laptopW, laptopH, browserOpts{lang: "en-GB"}})
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }
	del := func(name string) { a.click(fmt.Sprintf(`li.item[data-name=%q] button.icon.danger`, name)) }
	// back is the condition "the item is shown, saved, with its quantity, note and category".
	back := func(name, qty, note, category string) string {
		return row(name) + ` && !` + row(name) + `.dataset.pending && ` + row(name) + `.querySelector('.qty')?.textContent === ` + js(qty) +
			` && (` + row(name) + `.querySelector('.note')?.textContent ?? '') === ` + js(note) +
			` && ` + row(name) + `.closest('section').querySelector('h3').id === ` + js("cat-"+category)
	}
	const notice = `document.querySelector('#toast .toast-box')`
	noticeText := func(want string) string {
		return notice + `?.querySelector('p').textContent === ` + js(want) + ` && ` + notice + `.querySelector('button').textContent === 'Undo'`
	}
	a.goTo("/shopping/"+listID, row("apples"))
	b.goTo("/shopping/"+listID, row("apples"))
	if role := eval[string](a, `document.getElementById('toast').getAttribute('role')`); role != "status" {
		t.Fatalf("the notice's region has role %q, want status (polite)", role)
	}

	// Ana deletes apples on her phone: Ben's page drops them, Ana's says so
	// with Undo, and the focus stays in the list: on the next row's tick
	// box, not its ✕ (a second Enter deleted that row too).
	del("apples")
	a.waitJS("the notice", noticeText("Deleted “apples, 1 kg”."), 5*time.Second)
	b.waitJS("apples gone on Ben's page", `!`+row("apples"), 5*time.Second)
	if got := eval[string](a, `document.activeElement.closest('#toast') ? 'the notice' : document.activeElement.closest('li.item') && document.activeElement.type === 'checkbox' ? 'tick box' : document.activeElement.getAttribute('aria-label') || document.activeElement.id`); got != "tick box" {
		t.Errorf("focus after the delete: %q, want the next row's tick box", got)
	}
	if ok := eval[bool](a, notice+`.querySelector('button').tabIndex >= 0 && `+notice+`.querySelector('button').checkVisibility()`); !ok {
		t.Error("the Undo button cannot be reached by keyboard")
	}
	if bad := eval[string](a, noticeCovers+`('#item-name')`); bad != "" {
		t.Errorf("the notice on a phone: %s", bad)
	}
	a.screenshot("undo-notice-phone")
	// Typing in the add field: the navigation steps aside, the notice goes
	// down and still leaves the field free.
	eval[bool](a, `(document.getElementById('item-name').focus(), true)`)
	a.waitJS("typing", `document.documentElement.classList.contains('typing')`, 2*time.Second)
	if bad := eval[string](a, noticeCovers+`('#item-name')`); bad != "" {
		t.Errorf("the notice while typing: %s", bad)
	}
	a.savePNG("undo-notice-phone-typing", chromedp.CaptureScreenshot())
	eval[bool](a, `(document.activeElement.blur(), true)`)

	// Undo: apples are back on both pages, with quantity and category.
	a.click(`#toast .toast-box button`)
	a.waitJS("the notice gone", `!`+notice, 2*time.Second)
	a.waitJS("apples back on Ana's phone", back("apples", "1 kg", "", "produce"), 5*time.Second)
	b.waitJS("apples back on Ben's laptop", back("apples", "1 kg", "", "produce"), 5*time.Second)
	var list struct {
		Items []struct {
			Name           string
			CategorySource *string `json:"category_source"`
		}
	}
	ana.call(t, c.a.URL(), 200, "GET", "/api/shopping/lists/"+listID, nil, &list)
	for _, it := range list.Items {
		if it.Name == "apples" && (it.CategorySource == nil || *it.CategorySource != "user") {
			t.Errorf("apples came back filed by %v, want the person's choice (user)", it.CategorySource)
		}
	}

	// The next delete replaces the notice; leaving the page takes it away.
	del("spinach")
	a.waitJS("spinach's notice", noticeText("Deleted “spinach”."), 5*time.Second)
	del("dish soap")
	a.waitJS("dish soap's notice, alone", noticeText("Deleted “dish soap”.")+` && document.querySelectorAll('#toast .toast-box').length === 1`, 5*time.Second)
	a.goTo("/tasks", `document.querySelector('li.task') && !`+notice)
	a.goTo("/shopping/"+listID, row("coffee beans"))

	// Offline: the delete and the Undo both wait, in order, and land when
	// the phone is back online.
	a.setOffline(true)
	a.waitJS("offline", `document.getElementById('conn').dataset.state === 'offline'`, 5*time.Second)
	oldID := eval[string](a, row("coffee beans")+`.dataset.id`)
	del("coffee beans")
	a.waitJS("the notice, offline", noticeText("Deleted “coffee beans, 500 g”."), 5*time.Second)
	a.click(`#toast .toast-box button`)
	a.waitJS("coffee beans back, waiting", row("coffee beans")+`?.dataset.pending === 'waiting' && `+row("coffee beans")+`.querySelector('.qty')?.textContent === '500 g'
		&& document.getElementById('pending').textContent === '2 waiting'`, 5*time.Second)
	eval[bool](a, `(`+row("coffee beans")+`.scrollIntoView({block: 'center'}), true)`)
	a.savePNG("undo-offline-waiting", chromedp.CaptureScreenshot())
	if n := countItems(t, ana, c.a, listID, "coffee beans"); n != 1 {
		t.Fatalf("offline, the server has %d coffee beans, want the old one", n)
	}
	a.setOffline(false)
	a.waitJS("coffee beans saved on Ana's phone", back("coffee beans", "500 g", "the dark roast", "pantry")+` && !document.querySelector('li.item[data-pending]')`, 10*time.Second)
	b.waitJS("coffee beans on Ben's laptop", back("coffee beans", "500 g", "the dark roast", "pantry"), 10*time.Second)
	waitUntil(t, "one coffee beans on the server", 5*time.Second, func() bool { return countItems(t, ana, c.a, listID, "coffee beans") == 1 })
	if id := eval[string](a, row("coffee beans")+`.dataset.id`); id == oldID {
		t.Errorf("coffee beans came back under the deleted id %s, want a new one", id)
	}
	if sa, sb := shownItems(a), shownItems(b); !slices.Equal(sa, sb) {
		t.Errorf("Ana shows %v, Ben %v", sa, sb)
	}
}
