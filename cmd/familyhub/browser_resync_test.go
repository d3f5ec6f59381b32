package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db/dbtest"
)

// resyncDevice starts the server and a phone signed in as Ana on her list,
// its WebSockets watched (window.__sockets) and its re-reads counted by
// reason (window.__resyncs).
func resyncDevice(t *testing.T) (*Main, *pgxpool.Pool, member, string, *browser) {
	t.Helper()
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
	return m, pool, ana, listID, b
}

// TestBrowserResyncResumes: a device that comes back after the event log
// was pruned past its position is told to resync and re-reads what it
// shows, once. Its next reconnect resumes from where the server said the
// events continue, not from the pruned position: kept there, every
// reconnect was told to resync again and re-read everything again, until
// some event happened to arrive between two reconnects. The events that
// follow the resync are applied as events (no gap).
func TestBrowserResyncResumes(t *testing.T) {
	browserTest(t)
	m, pool, ana, listID, b := resyncDevice(t)

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

// TestBrowserResyncRewrittenSince: a device offline while the database
// went back (a restore lost the family's last two events, which it had
// shown) and new writes took the lost seqs past its position. Its since is
// a seq the database has, so it resumed after it and never showed the
// items written under the lost seqs up to it, until a reload. It names the
// event it saw there (since_id, since_at), the server finds another one
// and tells it to resync: it shows every new item, without a reload. After
// that it does not name the lost event again (no second resync), and its
// next reconnect, naming the event it saw since, is an ordinary resume.
func TestBrowserResyncRewrittenSince(t *testing.T) {
	browserTest(t)
	m, pool, ana, listID, b := resyncDevice(t)
	b.waitLive() // the items' events come on the socket
	items := "/api/shopping/lists/" + listID + "/items"
	// Another list: its events reach the device but do not re-read the
	// shown one (which any event of the shown list does, and would show
	// every item whatever the resume missed).
	party := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Party"})["id"].(string)
	for _, name := range []string{"apricots", "bananas", "cherries"} {
		restAs(t, ana, m, "POST", items, map[string]any{"name": name})
	}
	b.waitJS("cherries shown", `document.querySelector('li.item[data-name="cherries"]')`, 5*time.Second)
	eval[bool](b, `(window.__sameLoad = true)`) // gone on a reload
	var since int64
	if err := pool.QueryRow(context.Background(), `SELECT seq FROM family_event_seq WHERE family_id = $1`, ana.familyID).Scan(&since); err != nil {
		t.Fatal(err)
	}
	// Cherries' event came on the socket: the device's position names it.
	b.waitJS("at cherries' event", fmt.Sprintf(`window.familyhub.rt.lastSeq === %d && window.familyhub.rt.lastMark !== null`, since), 5*time.Second)

	b.goOffline()
	b.waitJS("the connection down", `document.getElementById('conn').dataset.state !== 'live'`, 5*time.Second)
	// The restore: the log and the family's seq go back before bananas'
	// and cherries' events (the items stay: what matters is the log).
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1 AND seq > $2`, ana.familyID, since-2); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE family_event_seq SET seq = $2 WHERE family_id = $1`, ana.familyID, since-2); err != nil {
		t.Fatal(err)
	}
	// Dates and elderberries take the lost seqs (up to the device's since),
	// figs (on the other list) the one after it.
	for _, name := range []string{"dates", "elderberries"} {
		restAs(t, ana, m, "POST", items, map[string]any{"name": name})
	}
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+party+"/items", map[string]any{"name": "figs"})
	n := eval[int](b, `window.__sockets.length`)

	b.setOffline(false)
	b.waitLive()
	b.waitJS("the items written under the lost seqs shown", `['dates', 'elderberries'].every((n) => document.querySelector(`+"`li.item[data-name=\"${n}\"]`"+`))`, 10*time.Second)
	if !eval[bool](b, `window.__sameLoad === true`) {
		t.Fatal("the page was reloaded")
	}
	if url := eval[string](b, fmt.Sprintf(`window.__sockets[%d].url`, n)); !strings.Contains(url, fmt.Sprintf("since=%d&since_id=", since)) {
		t.Fatalf("the reconnect is not the case under test (a resume from %d naming its event): %s", since, url)
	}
	b.waitJS("figs' event", fmt.Sprintf(`window.familyhub.rt.lastSeq === %d`, since+1), 5*time.Second)
	if seq := eval[int64](b, `window.familyhub.rt.lastSeq`); seq != since+1 {
		t.Fatalf("after the resync the device is at seq %d, want the family's %d", seq, since+1)
	}

	// Grapes: the device takes its event as its position, and a reconnect
	// names it; it is not told to resync again.
	grapes := restAs(t, ana, m, "POST", items, map[string]any{"name": "grapes"})
	b.waitJS("grapes shown", `document.querySelector('li.item[data-name="grapes"]')`, 5*time.Second)
	resyncs := eval[int](b, `window.__resyncs.length`)
	last := eval[int](b, `window.__sockets.length`) - 1
	eval[bool](b, fmt.Sprintf(`(window.__sockets[%d].close(3000), true)`, last))
	b.waitJS("reconnected", fmt.Sprintf(`window.__sockets.length > %d && window.__sockets.at(-1).__messages.some((m) => m.includes('"hello"'))`, last+1), 15*time.Second)
	b.waitLive()
	if url := eval[string](b, `window.__sockets.at(-1).url`); !strings.Contains(url, "since_id="+grapes["id"].(string)) {
		t.Fatalf("the reconnect does not name grapes' event: %s", url)
	}
	item := restAs(t, ana, m, "POST", items, map[string]any{"name": "honeydew"})
	b.waitJS("honeydew's event on the socket", fmt.Sprintf(`window.__sockets.at(-1).__messages.some((m) => m.includes(%q))`, item["id"]), 10*time.Second)
	if msgs := eval[[]string](b, `window.__sockets.at(-1).__messages`); strings.Contains(strings.Join(msgs, "\n"), `"resync"`) {
		t.Fatalf("the reconnect after grapes was told to resync: %v", msgs)
	}
	if got := eval[[]string](b, `window.__resyncs`); len(got) != resyncs {
		t.Fatalf("re-reads after the reconnect: %v (had %d before it)", got, resyncs)
	}
	// The device's copy keeps the event beside the seq: a start from that
	// copy (the server unreachable) names it too.
	b.waitJS("honeydew's event kept", fmt.Sprintf(`(import('/js/idb.js').then((i) => i.get('data', 'meta')).then((m) => { window.__keptMeta = m; }),
		window.__keptMeta?.seq === window.familyhub.rt.lastSeq && window.__keptMeta?.mark?.id === %q)`, item["id"]), 5*time.Second)
}
