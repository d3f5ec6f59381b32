package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBrowserResyncPongMark: a device whose position last moved by a pong
// (an event of a topic it does not watch, passed over, no event of its own
// since) while the database went back and new writes took the lost seqs.
// The pong named the event under its seq (since_id, since_at); the client
// used to forget its mark when a pong moved its seq, resumed with since
// alone, and never showed the items written under the lost seqs until a
// reload. Kept, the reconnect names the event, the server finds another one
// under that seq and tells it to resync: it shows them, without a reload.
// The device's copy keeps the pong's seq with its mark too.
func TestBrowserResyncPongMark(t *testing.T) {
	browserTest(t)
	m, pool, ana, listID, b := resyncDevice(t)
	b.waitLive()
	items := "/api/shopping/lists/" + listID + "/items"
	// A topics message with since on this socket: from then on its pongs
	// say its position.
	eval[bool](b, `(window.familyhub.rt.setTopics(['family', 'shopping']), true)`)
	b.waitJS("the topics answer", `window.__sockets.at(-1).__messages.some((m) => m.includes('"subscribed"') && m.includes('"seq"'))`, 5*time.Second)
	for _, name := range []string{"apricots", "bananas"} {
		restAs(t, ana, m, "POST", items, map[string]any{"name": name})
	}
	b.waitJS("bananas shown", `document.querySelector('li.item[data-name="bananas"]')`, 5*time.Second)
	eval[bool](b, `(window.__sameLoad = true)`) // gone on a reload
	// A task: the socket passes over its event (tasks are not watched).
	task := restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"})
	var since int64
	ctx := context.Background()
	if err := pool.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, ana.familyID).Scan(&since); err != nil {
		t.Fatal(err)
	}
	// A ping: its pong moves the device's position to the task's seq.
	b.waitJS("the pong's seq taken", fmt.Sprintf(`(window.__sockets.at(-1).send('{"type":"ping"}'), window.familyhub.rt.lastSeq === %d)`, since), 5*time.Second)
	if msgs := eval[[]string](b, `window.__sockets.at(-1).__messages`); !strings.Contains(strings.Join(msgs, "\n"), fmt.Sprintf(`"since_id":%q`, task["id"])) {
		t.Fatalf("no pong named the task's event (the case under test): %v", msgs)
	}
	// The device's copy keeps the pong's seq and the event under it.
	b.waitJS("the pong's mark kept", fmt.Sprintf(`(import('/js/idb.js').then((i) => i.get('data', 'meta')).then((m) => { window.__keptMeta = m; }),
		window.__keptMeta?.seq === %d && window.__keptMeta?.mark?.id === %q)`, since, task["id"]), 5*time.Second)

	b.goOffline()
	b.waitJS("the connection down", `document.getElementById('conn').dataset.state !== 'live'`, 5*time.Second)
	// The restore: the log and the family's seq go back before bananas'
	// and the task's events; dates and elderberries take the lost seqs.
	if _, err := pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1 AND seq > $2`, ana.familyID, since-2); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE family_event_seq SET seq = $2 WHERE family_id = $1`, ana.familyID, since-2); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dates", "elderberries"} {
		restAs(t, ana, m, "POST", items, map[string]any{"name": name})
	}
	n := eval[int](b, `window.__sockets.length`)

	b.setOffline(false)
	b.waitLive()
	b.waitJS("reconnected", fmt.Sprintf(`window.__sockets.length > %d`, n), 10*time.Second)
	if url := eval[string](b, fmt.Sprintf(`window.__sockets[%d].url`, n)); !strings.Contains(url, fmt.Sprintf("since=%d&", since)) {
		t.Fatalf("the reconnect is not the case under test (a resume from the pong's seq %d): %s", since, url)
	}
	b.waitJS("the items written under the lost seqs shown", `['dates', 'elderberries'].every((n) => document.querySelector(`+"`li.item[data-name=\"${n}\"]`"+`))`, 10*time.Second)
	if !eval[bool](b, `window.__sameLoad === true`) {
		t.Fatal("the page was reloaded")
	}
}
