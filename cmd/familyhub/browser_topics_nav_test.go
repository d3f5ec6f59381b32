package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbtest"
)

// Topic changes, refusals and resyncs as the PWA's realtime client lives
// them (docs/realtime.md "Client messages", docs/pwa.md "Topics").

// dropTopicMessages: while window.__dropTopics is true, the page's
// sockets send no topic message (topics, subscribe, unsubscribe): as if
// the socket ended before the server read it. window.__dropped lists them;
// window.__sendDropped() sends them after all (as if they had been slow).
const dropTopicMessages = `(() => {
  const send = WebSocket.prototype.send;
  window.__dropped = [];
  window.__sendDropped = () => { for (const [ws, d] of window.__droppedTo.splice(0)) send.call(ws, d); };
  window.__droppedTo = [];
  WebSocket.prototype.send = function (d) {
    if (window.__dropTopics && /"type":"(topics|subscribe|unsubscribe)"/.test(d)) { window.__dropped.push(d); window.__droppedTo.push([this, d]); return; }
    return send.call(this, d);
  };
})();`

// oneDevice is a server, Ana with a list holding milk, and her phone on
// the list, live, its sockets watched (watchWebSockets) and its re-reads
// listed in window.__resyncs.
func oneDevice(t *testing.T) (m *Main, ana member, listID string, b *browser) {
	t.Helper()
	m = startMain(t, dbtest.URL(t))
	ana = signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID = restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})
	b = newDevice(t, "B", phoneW, phoneH, browserOpts{lang: "en-GB", script: watchWebSockets + dropTopicMessages})
	b.login(m.URL(), "ana@example.org")
	b.waitJS("the list", `document.querySelector('li.item[data-name="milk"]')`, 5*time.Second)
	eval[bool](b, `(() => { window.__resyncs = []; const rt = window.familyhub.rt, on = rt.onResync;
		rt.onResync = (r) => { window.__resyncs.push(r); on(r); }; return true; })()`)
	return m, ana, listID, b
}

// skippedItem puts b on the Tasks page, then opens the list with its
// topics message held in the page, and adds "apricots" once the list is
// read: committed (a witness socket has its event) while b's socket is
// still on the Tasks page's topic, so skipped by it.
func skippedItem(t *testing.T, m *Main, ana member, listID string, b *browser) {
	t.Helper()
	b.goTo("/tasks", `window.__sockets.at(-1).__messages.some((m) => m.includes('"subscribed"') && m.includes('"tasks"'))`)
	witness := dialWS(t, m, ana, "")
	witness.nextType("hello", 5*time.Second)

	eval[bool](b, `(window.__dropTopics = true)`)
	b.goTo("/shopping/"+listID, `document.querySelector('li.item[data-name="milk"]') && window.__dropped.length > 0`)
	item := restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "apricots"})
	for deadline := time.Now().Add(5 * time.Second); witness.next(time.Until(deadline))["id"] != item["id"]; {
	}
}

// TestBrowserTopicsOnAnOpenSocket: a page opened on an open socket shows
// what changed between its read and the server reading its topics. The
// list is read as the page opens; its topics message is slow (held here),
// an item is added meanwhile and skipped by the socket (still on the
// Tasks page's topic): the server subscribed the socket later and the
// item never came, until something re-read the list.
func TestBrowserTopicsOnAnOpenSocket(t *testing.T) {
	browserTest(t)
	m, ana, listID, b := oneDevice(t)
	skippedItem(t, m, ana, listID, b)
	eval[bool](b, `(window.__dropTopics = false, window.__sendDropped(), true)`)
	took := b.waitJS("apricots on B", `document.querySelector('li.item[data-name="apricots"]')`, 10*time.Second)
	t.Logf("the item added before the server read the page's topics shows after %s", took.Round(time.Millisecond))
	if got := eval[[]string](b, `window.__resyncs`); len(got) != 0 {
		t.Errorf("re-reads %v: the item should come as a replayed event", got)
	}
}

// TestBrowserTopicsUnconfirmedReconnect: a socket that ends before the
// server read the page's topics, after it delivered a later event of the
// old page's, does not make the reconnect pass over what it skipped of
// the new page. The list is read as the page opens; an item added then
// was skipped (the socket was on the Tasks page's topic), a task added
// after it was delivered; the reconnect resumed after the task and the
// item was never shown, until something re-read the list.
func TestBrowserTopicsUnconfirmedReconnect(t *testing.T) {
	browserTest(t)
	m, ana, listID, b := oneDevice(t)
	skippedItem(t, m, ana, listID, b)
	task := restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Call grandma"})
	// Applied: the client's last seq reached the task event's (a presence
	// or ping message may come after it on the socket).
	b.waitJS("the task's event applied", fmt.Sprintf(`(() => {
		const m = window.__sockets.at(-1).__messages.find((m) => m.includes(%q));
		return m && window.familyhub.rt.lastSeq >= JSON.parse(m).seq; })()`, task["id"]), 5*time.Second)
	if eval[bool](b, `!!document.querySelector('li.item[data-name="apricots"]')`) {
		t.Fatal("apricots shown before the reconnect: not the case under test (something re-read the list)")
	}
	n := eval[int](b, `window.__sockets.length`)
	eval[bool](b, `(window.__dropTopics = false, window.__sockets.at(-1).close(3000), true)`)
	b.waitJS("reconnected", fmt.Sprintf(`window.__sockets.length > %d`, n), 15*time.Second)
	b.waitLive()
	took := b.waitJS("apricots on B", `document.querySelector('li.item[data-name="apricots"]')`, 10*time.Second)
	t.Logf("the item skipped before the socket ended shows %s after the reconnect is live", took.Round(time.Millisecond))
	if got := eval[[]string](b, `window.__resyncs`); len(got) != 0 {
		t.Errorf("re-reads %v: the item should come as a replayed event", got)
	}
}

// TestBrowserTopicsRefused: a change to 64 topics from one is made (the
// socket never holds more than 64), and one to 65 changes nothing, on the
// server and in the client. Sent as a subscribe and an unsubscribe, the
// subscribe to 64 was refused (65 with the old one) and the unsubscribe
// went through: the socket, left without topics, received every event
// while the client believed it had the 64 it asked for.
func TestBrowserTopicsRefused(t *testing.T) {
	browserTest(t)
	m, ana, listID, b := oneDevice(t)
	topics := []string{fmt.Sprintf("%q", "shopping-list:"+listID)}
	for len(topics) < 65 {
		topics = append(topics, fmt.Sprintf("%q", "shopping-list:"+uuid.NewString()))
	}
	// Only the list's events, and no task's, reach the socket.
	onlyTheList := func(what string) {
		t.Helper()
		task := restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Call grandma " + what})
		item := restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "apricots " + what})
		b.waitJS("the item's event", fmt.Sprintf(`window.__sockets.at(-1).__messages.some((m) => m.includes(%q))`, item["id"]), 5*time.Second)
		if eval[bool](b, fmt.Sprintf(`window.__sockets.at(-1).__messages.some((m) => m.includes(%q))`, task["id"])) {
			t.Fatalf("%s: the socket received a task's event: it is on everything", what)
		}
	}
	n := eval[int](b, `window.__sockets.at(-1).__messages.length`)
	eval[bool](b, `(window.familyhub.rt.setTopics([`+strings.Join(topics[:64], ",")+`]), true)`)
	b.waitJS("the answer", fmt.Sprintf(`window.__sockets.at(-1).__messages.slice(%d).some((m) => m.includes('"subscribed"') || m.includes('"error"'))`, n), 5*time.Second)
	onlyTheList("64 topics")
	if got := eval[int](b, `window.familyhub.rt.conn.topics.length`); got != 64 {
		t.Fatalf("the client believes the socket has %d topics, want 64", got)
	}

	eval[bool](b, `(window.familyhub.rt.setTopics([`+strings.Join(topics, ",")+`]), true)`)
	b.waitJS("the refusal", `window.__sockets.at(-1).__messages.some((m) => m.includes('too_many_topics'))`, 5*time.Second)
	if got := eval[int](b, `window.familyhub.rt.conn.topics.length`); got != 64 {
		t.Errorf("after the refusal the client believes the socket has %d topics, want the 64 it had", got)
	}
	onlyTheList("65 refused")
	// Back to the page's topics.
	eval[bool](b, `(window.familyhub.rt.setTopics(['shopping']), true)`)
	b.waitJS("back on shopping", `window.familyhub.rt.conn.confirmed.join() === 'shopping'`, 5*time.Second)
	if got := eval[any](b, `window.familyhub.rt.pendingSince`); got != nil {
		t.Errorf("pendingSince %v after returning to the socket's topics", got)
	}
}

// TestBrowserResyncOnceWhenAhead: a device whose position is ahead of the
// family's (the database restored from a backup) re-reads what it shows
// once: the server's hello goes back and its resync follows, and each
// made the app re-read everything.
func TestBrowserResyncOnceWhenAhead(t *testing.T) {
	browserTest(t)
	m, ana, listID, b := oneDevice(t)
	cur := eval[int64](b, `window.familyhub.rt.lastSeq`)
	n := eval[int](b, `window.__sockets.length`)
	eval[bool](b, fmt.Sprintf(`(window.familyhub.rt.lastSeq = %d, window.__sockets.at(-1).close(3000), true)`, cur+100))
	b.waitJS("reconnected", fmt.Sprintf(`window.__sockets.length > %d && window.__sockets.at(-1).__messages.some((m) => m.includes('"resync"'))`, n), 15*time.Second)
	b.waitLive()
	if url := eval[string](b, `window.__sockets.at(-1).url`); !strings.Contains(url, fmt.Sprintf("since=%d&", cur+100)) {
		t.Fatalf("the reconnect is not the case under test (a position ahead of the family's): %s", url)
	}
	item := restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "apricots"})
	b.waitJS("apricots' event", fmt.Sprintf(`window.__sockets.at(-1).__messages.some((m) => m.includes(%q))`, item["id"]), 5*time.Second)
	b.waitJS("apricots shown", `document.querySelector('li.item[data-name="apricots"]')`, 5*time.Second)
	if got := eval[[]string](b, `window.__resyncs`); len(got) != 1 || got[0] != "resync" {
		t.Fatalf("re-reads %v, want one (resync)", got)
	}
	if seq := eval[int64](b, `window.familyhub.rt.lastSeq`); seq != cur+1 {
		t.Fatalf("the device is at seq %d, want %d", seq, cur+1)
	}
}

// TestBrowserTopicsRefusedTooLarge: a topics message the server refuses
// as too large (over 4 KiB) is a refusal like any other: the client's
// record of the socket's topics goes back to what the server has, and the
// page's position is no longer pending. It stayed pending for the rest of
// the connection (the refusal named no message, and the client knew only
// too_many_topics and invalid as a topic change's), and every later page
// change asked the server to go back to that position.
func TestBrowserTopicsRefusedTooLarge(t *testing.T) {
	browserTest(t)
	_, _, _, b := oneDevice(t)
	before := eval[string](b, `window.familyhub.rt.conn.topics.join()`)
	n := eval[int](b, `window.__sockets.at(-1).__messages.length`)
	eval[bool](b, `(window.familyhub.rt.setTopics(['shopping', 'x'.repeat(5000)]), true)`)
	b.waitJS("the refusal", fmt.Sprintf(`window.__sockets.at(-1).__messages.slice(%d).some((m) => m.includes('too_large'))`, n), 5*time.Second)
	if got := eval[any](b, `window.familyhub.rt.pendingSince`); got != nil {
		t.Errorf("pendingSince %v after the refusal", got)
	}
	if got := eval[string](b, `window.familyhub.rt.conn.topics.join()`); got != before {
		t.Errorf("after the refusal the client believes the socket has %.40q…, want the %q it had", got, before)
	}
	// The next page change asks from the client's position, and is done.
	eval[bool](b, `(window.familyhub.rt.setTopics(['tasks']), true)`)
	b.waitJS("on tasks", `window.familyhub.rt.conn.confirmed.join() === 'tasks'`, 5*time.Second)
	if got := eval[any](b, `window.familyhub.rt.pendingSince`); got != nil {
		t.Errorf("pendingSince %v after the next page change was answered", got)
	}
}
