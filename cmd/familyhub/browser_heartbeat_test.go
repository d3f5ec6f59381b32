package main

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserHeartbeatAnswered: a real browser's socket answers the
// server's heartbeat pings and stays open through many of them, and the
// events after them still arrive. The server writes its pings itself and
// takes the peer's pongs out of the byte stream before the WebSocket
// library reads it (http/realtime_ws_pong.go): the Go test clients send
// the same masked pongs, but only Chromium proves what phones and laptops
// do. If the pongs were not recognised, every idle device would be cut
// after ping + write timeout (35 s by default) and reconnect, forever.
// The test shortens the ping to 1 s and the answer's timeout to 3 s
// rather than wait minutes for the real ones.
func TestBrowserHeartbeatAnswered(t *testing.T) {
	browserTest(t)
	const ping, answer = time.Second, 3 * time.Second
	m := startMain(t, dbtest.URL(t), func(c *Config) { c.RealtimePing, c.RealtimeWriteTimeout = ping, answer })
	ana := newFamily(t, m, "ana@example.org")
	list := ana.newList(t, m.URL())
	b := newBrowser(t, "ana-laptop", laptopW, laptopH, 1)
	b.login(m.URL(), "ana@example.org")
	const pongs = `familyhub_realtime_pongs_total`
	const timeouts = `familyhub_realtime_heartbeat_timeouts_total`
	// Six answered pings: the socket has lived twice through ping + answer.
	waitUntil(t, "six pongs from the browser", 60*time.Second, func() bool { return metricAt(t, m.URL(), pongs) >= 6 })
	if n := metricAt(t, m.URL(), timeouts); n != 0 {
		t.Fatalf("%v sockets ended for an unanswered ping; the browser answers every one", n)
	}
	if n := metricAt(t, m.URL(), wsConns); n != 1 {
		t.Fatalf("%v WebSocket connections open, want the browser's one", n)
	}
	if state := eval[string](b, `document.getElementById('conn').dataset.state`); state != "live" {
		t.Fatalf("the page's connection is %q after the pings, want live", state)
	}
	// The stream the pongs were taken out of still carries events.
	ana.addItem(t, m.URL(), list)
	b.waitJS("milk shown without a reload", `!!document.querySelector('li.item[data-name="milk"]')`, 10*time.Second)
	if n := metricAt(t, m.URL(), timeouts); n != 0 {
		t.Fatalf("%v sockets ended for an unanswered ping", n)
	}
}
