//go:build unix

package http

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// parkBatch makes the next batch the server gathers for env's sockets
// (corkConn held) run act before any of its frames, on the batch's writer;
// the writer goes on when act has returned. It returns act's result.
func parkBatch(t *testing.T, env *testEnv, act func() error) <-chan error {
	t.Helper()
	addr := env.ts.Listener.Addr().String()
	res := make(chan error, 1)
	var once sync.Once
	f := func(c *corkConn) {
		if c.LocalAddr().String() == addr {
			once.Do(func() { res <- act() })
		}
	}
	corkHeldHook.Store(&f)
	t.Cleanup(func() { corkHeldHook.Store(nil) })
	return res
}

// parkedResult waits for a parked batch's act.
func parkedResult(t *testing.T, res <-chan error) error {
	t.Helper()
	select {
	case err := <-res:
		return err
	case <-time.After(20 * time.Second): // a guard: act's own waits end in 10 s
		t.Fatal("the socket gathered no batch")
		return nil
	}
}

// TestWSCloseFrameDuringBatch: a close frame the WebSocket library writes
// while the socket's writer gathers a batch (corkConn held) reaches the
// peer although the library closes the connection right after it: its
// answer to the client's close, and 1009 for a client message over 64
// KiB (docs/realtime.md, close codes). The batch here is a resume's first
// page from the log. Before, the frame waited in the gathered buffer, the
// connection was closed under it, and the client saw the connection drop
// without a close frame (a browser's 1006).
func TestWSCloseFrameDuringBatch(t *testing.T) {
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	since := writeEvents(t, env, list.ID, 1)
	writeEvents(t, env, list.ID, 5)
	resume := fmt.Sprintf("since=%d", int64(since))

	t.Run("client close", func(t *testing.T) {
		wsc := make(chan *testSocket, 1) // the hook is set before the socket opens
		res := parkBatch(t, env, func() error {
			return (<-wsc).conn.Close(websocket.StatusNormalClosure, "bye")
		})
		wsc <- ana.socket(t, resume)
		if err := parkedResult(t, res); err != nil {
			t.Fatalf("the client's close was not answered: %v", err)
		}
	})

	t.Run("1009", func(t *testing.T) {
		wsc := make(chan *testSocket, 1)
		res := parkBatch(t, env, func() error {
			ws := <-wsc
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := ws.conn.Write(ctx, websocket.MessageText, make([]byte, hardReadLimit+1)); err != nil {
				return err
			}
			for {
				if _, _, err := ws.conn.Read(ctx); err != nil {
					return err
				}
			}
		})
		wsc <- ana.socket(t, resume)
		if err := parkedResult(t, res); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
			t.Fatalf("read %v, want close 1009", err)
		}
	})
}

// TestCorkConnCloseHoldsNoTryWriter: while Close writes what a shared
// writer's stalled batch gathered to a peer that does not read (up to
// corkCloseWait), the shared writer's next frame and its release do not
// wait for it: the frame fails at once (the connection is closing), the
// release finds nothing left to write. Before,
// Close wrote under the connection's lock, and the shared writer, with
// every other socket behind it, waited until Close's deadline.
func TestCorkConnCloseHoldsNoTryWriter(t *testing.T) {
	c, peer := stalledCork(t)
	// A long bound for Close's write, so that a writer that waited for it
	// is told from one that did not by seconds, not by a scheduler stall.
	c.closeWait = 10 * time.Second
	c.hold(true)
	if err := c.writeFrame(frameText, bytes.Repeat([]byte("0123456789abcdef"), 64<<10)); err != nil {
		t.Fatal(err)
	}
	if !c.stalled {
		t.Fatal("the kernel took 1 MiB at once: the test proves nothing")
	}
	// Close's write ends at its deadline, closeWait after it began: a
	// writer that waited for it returns after that.
	began := time.Now()
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	// Close has begun: it holds the lock, or has been through it.
	waitCond(t, "Close to begin", func() bool {
		if !c.mu.TryLock() {
			return true
		}
		defer c.mu.Unlock()
		return c.closing
	})
	ferr := c.writeFrame(frameText, []byte("more"))
	stalled, rerr := c.releaseTry()
	if d := time.Since(began); d >= c.closeWait/2 {
		t.Fatalf("the shared writer returned %v after Close began: it waited for Close's write", d)
	}
	if ferr == nil || stalled || rerr != nil {
		t.Errorf("frame %v, release stalled %v %v: want the frame refused, the release done", ferr, stalled, rerr)
	}
	peer.Close() // ends Close's blocked write
	<-closed
}
