package http

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/familyhub/familyhub/notify"
)

// TestWSClosedRightAfterLastMessageCountsIt: a device that read a message
// on /ws and closed at once has shown it, and its push presence must say
// so. The socket's writer counts a message (Tracker.Seen) after its
// batch is written, on its own goroutine, while the socket's serve ends
// the client (Leave) when the read ends. Before, serve did not wait for
// the batch being written: presence could look at the socket between
// its Leave and the writer's Seen, and record the device as having been
// sent one event less; the device was pushed the event it showed. Here
// the writer is held (wsWroteHook) after the message reached the client,
// until the socket's connection is cancelled and presence has looked
// over its devices twice: long enough for a Leave that does not wait.
func TestWSClosedRightAfterLastMessageCountsIt(t *testing.T) {
	env := newResumeEnv(t)
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	ws := ana.socket(t, "device_id=phone-ws")
	last := ws.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
	devicePresence(t, env, "phone-ws", true)

	presence := env.server.cfg.Notify.Presence()
	held := make(chan struct{})
	var once sync.Once
	f := func(w *wsConn, n, size int) {
		if n != size || w.c.DeviceID != "phone-ws" {
			return
		}
		once.Do(func() {
			close(held)
			// Bounded waits: with the fix serve waits for this batch,
			// presence still sees the socket open.
			select {
			case <-w.ctx.Done():
			case <-time.After(10 * time.Second):
				return
			}
			awaitPresenceFlushes(t, presence, 2)
		})
	}
	wsWroteHook.Store(&f)
	t.Cleanup(func() { wsWroteHook.Store(nil) })

	upto := writeEvents(t, env, list.ID, 1)
	ws.wantInOrder(last, upto)
	<-held
	ws.conn.CloseNow() // the device read the event and closed
	if got := devicePresence(t, env, "phone-ws", false); got != int64(upto) {
		t.Errorf("phone-ws closed right after reading seq %v: recorded as sent through seq %d, want %v (it is pushed what it showed)", upto, got, upto)
	}
}

// awaitPresenceFlushes waits until presence has looked over its devices n
// more times. It runs inside a transport's write hook, where the test
// holds a socket between a write and its count: a wait that ran out would
// let the writer go on before presence looked, and the test would pass
// without having tested anything, so running out is an error.
func awaitPresenceFlushes(t *testing.T, presence *notify.Presence, n int64) {
	t.Helper()
	from := presence.Flushes()
	for deadline := time.Now().Add(10 * time.Second); presence.Flushes() < from+n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("presence looked over its devices %d times in 10 s, want %d: the test did not hold the socket across a flush", presence.Flushes()-from, n)
			return
		}
	}
}
