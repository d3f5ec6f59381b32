package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOffline is issue 13's shop without signal, on two devices of
// one family on two replicas: A (Ana's laptop) goes offline, adds three
// items, ticks two, closes the tab and opens it again, still offline: the
// list comes from IndexedDB with what waits. Meanwhile B (Ben's phone)
// deletes one of the ticked items and renames the other. Back online,
// within 2 s both show the same list, nothing twice, the deleted item stays
// deleted, A is told of both conflicts in Ben's name, and the server holds
// all of A's adds.
func TestBrowserOffline(t *testing.T) {
	browserTest(t)
	c, ana, _, listID, a, b := twoDevices(t)
	adds := []string{"batteries", "sunscreen", "oat milk"}
	const deleted, renamed, newName = "sourdough bread", "coffee beans", "decaf beans"
	row := func(name string) string { return fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, name) }

	// A's app runs in a tab of its own, so that it can be closed and opened
	// again; the first tab (which cannot be closed alone) leaves the app.
	a1 := a.newTab("A tab 1", laptopW, laptopH, false)
	a1.do(chromedp.Navigate(c.a.URL() + "/shopping/" + listID))
	a1.waitJS("A's list", row(deleted)+` && `+row(renamed)+` && navigator.serviceWorker.controller`, 10*time.Second)
	a1.waitLive()
	a.do(chromedp.Navigate("about:blank"))
	b.goTo("/shopping/"+listID, row(deleted))

	// Offline: the page says so, with the time of the last sync.
	a1.setOffline(true)
	a1.waitJS("A offline", `navigator.onLine === false && document.getElementById('conn').dataset.state === 'offline'
		&& /^Offline, last synced \d{1,2}:\d{2}/.test(document.getElementById('offline-line').textContent)
		&& document.getElementById('offline-line').checkVisibility()`, 5*time.Second)
	t.Logf("A offline: %q", eval[string](a1, `document.getElementById('offline-line').textContent`))

	// Three adds and two ticks, each waiting to sync, counted by the badge.
	for _, name := range adds {
		a1.setValue(`#item-name`, name)
		a1.click(`form.add-item button[type=submit]`)
		a1.waitJS(name+" waiting on A", row(name)+`?.dataset.pending === 'waiting' && document.getElementById('item-name').value === ''`, 5*time.Second)
	}
	for _, name := range []string{deleted, renamed} {
		a1.click(fmt.Sprintf(`li.item[data-name=%q] input[type=checkbox]`, name))
		a1.waitJS(name+" ticked, waiting, on A", row(name)+`?.dataset.pending === 'waiting' && `+row(name)+`.classList.contains('checked')`, 5*time.Second)
	}
	a1.waitJS("badge: 5 waiting", `document.getElementById('pending').checkVisibility() && document.getElementById('pending').textContent === '5 waiting'`, 5*time.Second)
	if got := serverItems(t, ana, c.a, listID); slices.Contains(got, "batteries") {
		t.Fatalf("an offline add reached the server: %v", got)
	}
	waitingRows := `[...document.querySelectorAll('li.item[data-pending=waiting]')].map((li) => li.dataset.name + (li.classList.contains('checked') ? '✓' : '')).sort().join()`
	want := eval[string](a1, waitingRows)
	if want != "batteries,coffee beans✓,oat milk,sourdough bread✓,sunscreen" {
		t.Fatalf("waiting rows on A: %q", want)
	}

	// The tab is closed and opened again, still offline: the list and what
	// waits come from IndexedDB.
	a1.closeTab()
	a2 := a.newTab("A tab 2", laptopW, laptopH, true)
	a2.do(chromedp.Navigate(c.a.URL() + "/shopping/" + listID))
	a2.waitJS("A's list from the device, offline", row("apples")+` && `+waitingRows+` === `+js(want)+`
		&& document.getElementById('pending').textContent === '5 waiting'
		&& /^Offline, last synced \d{1,2}:\d{2}/.test(document.getElementById('offline-line').textContent)`, 10*time.Second)
	a2.docShot("offline-waiting")

	// Meanwhile Ben deletes one of the two and renames the other.
	b.click(fmt.Sprintf(`li.item[data-name=%q] button.icon.danger`, deleted))
	b.click(fmt.Sprintf(`li.item[data-name=%q] button.icon:not(.danger)`, renamed))
	b.waitJS("edit dialog", dialogOpen, 5*time.Second)
	b.setValue(`dialog[open] input[name=name]`, newName)
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("B's changes saved", `!`+row(deleted)+` && `+row(newName)+` && !document.querySelector('li.item[data-pending]')`, 5*time.Second)
	waitUntil(t, "B's changes on the server", 5*time.Second, func() bool {
		got := serverItems(t, ana, c.a, listID)
		return !slices.Contains(got, deleted) && slices.Contains(got, newName)
	})

	// Back online: within 2 s both show the same list.
	a2.setOffline(false)
	var last string
	took := waitBoth(t, "A and B show the same list", 2*time.Second, func() (bool, string) {
		sa, sb := shownItems(a2), shownItems(b)
		last = fmt.Sprintf("A %v, B %v; A: %s", sa, sb, pageState(a2))
		return slices.Equal(sa, sb) && slices.Contains(sa, "batteries") && slices.Contains(sa, "oat milk") && slices.Contains(sa, "sunscreen") &&
			!eval[bool](a2, `!!document.querySelector('li.item[data-pending]')`), last
	})
	t.Logf("A back online: both devices show the same list after %s", took.Round(time.Millisecond))
	final := shownItems(a2)
	seen := map[string]bool{}
	for _, name := range final {
		if seen[name] {
			t.Errorf("%q twice: %v", name, final)
		}
		seen[name] = true
	}
	if seen[deleted] || seen[deleted+"✓"] {
		t.Errorf("%q came back after Ben deleted it: %v", deleted, final)
	}
	if !seen[newName] || seen[renamed] || seen[renamed+"✓"] {
		t.Errorf("want Ben's %q (not ticked: A's tick is a conflict) and no %q: %v", newName, renamed, final)
	}
	if got := serverItems(t, ana, c.a, listID); !slices.Equal(got, final) {
		t.Errorf("server %v, devices %v", got, final)
	}
	if eval[bool](a2, `document.getElementById('pending').checkVisibility()`) {
		t.Error("the badge still shows after the queue was sent")
	}

	// A was told about both, in Ben's name and in plain words.
	a2.waitJS("two notices on A", `document.querySelectorAll('#notices li.conflict').length === 2`, 2*time.Second)
	stale := eval[string](a2, `document.querySelector('#notices li[data-kind=stale]')?.textContent ?? ''`)
	gone := eval[string](a2, `document.querySelector('#notices li[data-kind=gone]')?.textContent ?? ''`)
	t.Logf("A was told: %q / %q", stale, gone)
	if !strings.Contains(stale, "Ben changed “coffee beans, 500 g” to “decaf beans, 500 g” while you were offline.") || !strings.Contains(stale, "You ticked it.") ||
		!strings.Contains(stale, "Keep mine") || !strings.Contains(stale, "Keep theirs") {
		t.Errorf("the rename's conflict says %q", stale)
	}
	if !strings.Contains(gone, "Ben deleted “sourdough bread” while you were offline.") {
		t.Errorf("the delete's notice says %q", gone)
	}
	a2.docShot("offline-conflicts")

	// Keep mine: the tick goes again, now against Ben's version; the
	// deletion is acknowledged and stays.
	a2.click(`#notices li[data-kind=stale] button.primary`)
	a2.click(`#notices li[data-kind=gone] button`)
	b.waitJS("decaf beans ticked on B", row(newName)+`?.classList.contains('checked')`, 5*time.Second)
	a2.waitJS("no notices left on A", `document.getElementById('notices').hidden && !document.querySelector('li.item[data-pending]')`, 5*time.Second)
	if got, want := serverItems(t, ana, c.a, listID), shownItems(b); !slices.Equal(got, want) || !slices.Contains(got, newName+"✓") || slices.Contains(got, deleted) {
		t.Errorf("after keep mine: server %v, B %v", got, want)
	}
	if n := len(regexp.MustCompile(`batteries`).FindAllString(strings.Join(serverItems(t, ana, c.a, listID), ","), -1)); n != 1 {
		t.Errorf("batteries %d times on the server", n)
	}
}
