package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserResyncResumes: a device that comes back after the event log
// was pruned past its position is told to resync and re-reads what it
// shows, once. Its next reconnect resumes from where the server said the
// events continue, not from the pruned position: kept there, every
// reconnect was told to resync again and re-read everything again, until
// some event happened to arrive between two reconnects. The events that
// follow the resync are applied as events (no gap).
func TestBrowserResyncResumes(t *testing.T) {
	browserTest(t)
	url := dbtest.URL(t)
	m := startMain(t, url)
	pool := dbtest.PoolFor(t, url)
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)

	b := newDevice(t, "resync", phoneW, phoneH, browserOpts{lang: "en-GB", script: watchWebSockets})
	b.login(m.URL(), "ana@example.org")
	b.waitJS("the list", fmt.Sprintf(`location.pathname === '/shopping/%s'`, listID), 5*time.Second)
	eval[bool](b, `(() => { window.__resyncs = []; const rt = window.familyhub.rt, on = rt.onResync;
		rt.onResync = (r) => { window.__resyncs.push(r); on(r); }; return true; })()`)

	// Away: two items are added meanwhile, and the log is pruned past
	// the device's position (as after FAMILYHUB_EVENT_RETENTION).
	b.goOffline()
	b.waitJS("the connection down", `document.getElementById('conn').dataset.state !== 'live'`, 5*time.Second)
	old := eval[int64](b, `window.familyhub.rt.lastSeq`)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "apricots"})
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "bananas"})
	var cur int64
	ctx := context.Background()
	if err := pool.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, ana.familyID).Scan(&cur); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1 AND seq < $2`, ana.familyID, cur); err != nil {
		t.Fatal(err)
	}

	// Back: resync, and everything is re-read once.
	b.setOffline(false)
	b.waitLive()
	b.waitJS("the resync handled", `window.__resyncs.includes('resync')`, 10*time.Second)
	b.waitJS("both items, re-read", `document.querySelector('li.item[data-name="apricots"]') && document.querySelector('li.item[data-name="bananas"]')`, 5*time.Second)
	first := eval[int](b, `window.__sockets.length`) - 1
	if url := eval[string](b, `window.__sockets.at(-1).url`); !strings.Contains(url, fmt.Sprintf("since=%d&", old)) ||
		!eval[bool](b, `window.__sockets.at(-1).__messages.some((m) => m.includes('"resync"'))`) {
		t.Fatalf("the reconnect is not the case under test (a socket resuming from seq %d, told to resync): %s", old, url)
	}
	if seq := eval[int64](b, `window.familyhub.rt.lastSeq`); seq != cur {
		t.Fatalf("after the resync the device is at seq %d, want the family's %d", seq, cur)
	}

	// The socket drops again before anything else happened: the reconnect
	// resumes from the family's seq, is not told to resync, and re-reads
	// nothing.
	resyncs := eval[int](b, `window.__resyncs.length`)
	eval[bool](b, fmt.Sprintf(`(window.__sockets[%d].close(3000), true)`, first))
	b.waitJS("reconnected", fmt.Sprintf(`window.__sockets.length > %d && window.__sockets.at(-1).__messages.some((m) => m.includes('"hello"'))`, first+1), 15*time.Second)
	b.waitLive()
	if url := eval[string](b, `window.__sockets.at(-1).url`); !strings.Contains(url, fmt.Sprintf("since=%d&", cur)) {
		t.Fatalf("the second reconnect does not resume from the resync's seq %d: %s", cur, url)
	}
	// Something that follows on this socket: whatever the server had to
	// say about the resume (a resync) came before it.
	item := restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "cherries"})
	b.waitJS("cherries' event on the socket", fmt.Sprintf(`window.__sockets.at(-1).__messages.some((m) => m.includes(%q))`, item["id"]), 10*time.Second)
	b.waitJS("cherries shown", `document.querySelector('li.item[data-name="cherries"]')`, 5*time.Second)
	if msgs := eval[[]string](b, `window.__sockets.at(-1).__messages`); strings.Contains(strings.Join(msgs, "\n"), `"resync"`) {
		t.Fatalf("the second reconnect was told to resync again: %v", msgs)
	}
	if got := eval[[]string](b, `window.__resyncs`); len(got) != resyncs {
		t.Fatalf("re-reads after the second reconnect: %v (had %d before it)", got, resyncs)
	}
	if seq := eval[int64](b, `window.familyhub.rt.lastSeq`); seq != cur+1 {
		t.Fatalf("after cherries the device is at seq %d, want %d", seq, cur+1)
	}
}
