package http

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/familyhub/familyhub/realtime"
)

// TestWSServerCloseCountsWhatWasWritten: a socket the server closes (its
// session expired or was revoked, it was too slow, the replica shuts
// down) right after it was written an event has shown that event, and
// its device's push presence must say so: exactly the event written,
// not one short (the device would be pushed what it showed). Before,
// presence took the client's context, which the server's close (Client.Close)
// ends at once, as the sign that the socket was gone: it could look
// between the close and the writer's count (Tracker.Seen) of the batch
// it had just written, and record the device one event short. Here the
// close comes while the writer holds its written batch (wsWroteHook),
// and presence looks over its devices twice before the writer goes on.
func TestWSServerCloseCountsWhatWasWritten(t *testing.T) {
	for _, tc := range []struct {
		name   string
		code   int
		reason string
	}{
		{"session expired", realtime.CloseSessionEnded, realtime.ReasonSessionExpired},
		{"too slow", realtime.CloseSlowConsumer, "too slow: reconnect with since"},
		{"restart", realtime.CloseRestart, "server restarting: reconnect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newResumeEnv(t)
			startTestHub(t, env, 0)
			ana, _ := env.signup("ana@example.org", "Ana's")
			var list struct{ ID string }
			ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
			ws := ana.socket(t, "device_id=phone-ws")
			last := ws.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
			devicePresence(t, env, "phone-ws", true)

			presence := env.server.cfg.Notify.Presence()
			var once sync.Once
			f := func(w *wsConn, n, size int) {
				if n != size || w.c.DeviceID != "phone-ws" {
					return
				}
				once.Do(func() {
					w.c.Close(tc.code, tc.reason) // the server closes the socket it just wrote to
					awaitPresenceFlushes(t, presence, 2)
				})
			}
			wsWroteHook.Store(&f)
			t.Cleanup(func() { wsWroteHook.Store(nil) })

			upto := writeEvents(t, env, list.ID, 1)
			ws.wantInOrder(last, upto)
			if got := devicePresence(t, env, "phone-ws", false); got != int64(upto) {
				t.Errorf("closed by the server (%s) right after it was written seq %v: recorded as sent through seq %d, want %v", tc.name, upto, got, upto)
			}
		})
	}
}

// TestSSEServerCloseCountsWhatWasWritten is TestWSServerCloseCountsWhatWasWritten
// for /sse: the stream writes and counts on its own goroutine, and the
// server's close came between the two (sseSentHook).
func TestSSEServerCloseCountsWhatWasWritten(t *testing.T) {
	env := newResumeEnv(t)
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	sse := ana.sse(t, "device_id=laptop-sse")
	if hello := sse.next(); !strings.Contains(hello, `"hello"`) {
		t.Fatalf("first message %s, want hello", hello)
	}
	devicePresence(t, env, "laptop-sse", true)

	presence := env.server.cfg.Notify.Presence()
	var once sync.Once
	f := func(c *realtime.Client) {
		if c.DeviceID != "laptop-sse" {
			return
		}
		once.Do(func() {
			c.Close(realtime.CloseSessionEnded, realtime.ReasonSessionExpired)
			awaitPresenceFlushes(t, presence, 2)
		})
	}
	sseSentHook.Store(&f)
	t.Cleanup(func() { sseSentHook.Store(nil) })

	upto := writeEvents(t, env, list.ID, 1)
	if ev := sse.next(); !strings.Contains(ev, `"seq":`+strconv.Itoa(int(upto))) {
		t.Fatalf("event %s, want seq %v", ev, upto)
	}
	if got := devicePresence(t, env, "laptop-sse", false); got != int64(upto) {
		t.Errorf("closed by the server right after it was written seq %v: recorded as sent through seq %d, want %v", upto, got, upto)
	}
}
