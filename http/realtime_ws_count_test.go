package http

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestWSCountsWrittenBeforeEnd: when a socket's connection ends in the
// middle of a batch (here its context is cancelled after the batch's
// first message, as a close requested by the server does), the messages
// written before still reach the client, and they are counted as
// delivered (and, in the same loop, as seen by the device for push
// notifications). Before, none of the batch was counted: the device was
// later pushed a notice for an event it had shown.
func TestWSCountsWrittenBeforeEnd(t *testing.T) {
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	reg := prometheus.NewRegistry()
	reg.MustRegister(env.server.rt.metrics.Delivered)
	delivered := func() float64 {
		mfs, err := reg.Gather()
		if err != nil || len(mfs) != 1 {
			t.Fatal(mfs, err)
		}
		return mfs[0].GetMetric()[0].GetCounter().GetValue()
	}
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	ws := ana.socket(t, "")
	last := ws.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
	before := delivered()

	// The first batch of more than one message: cut after its first.
	cut := make(chan int, 1)
	var once sync.Once
	f := func(w *wsConn, n, size int) {
		if size > 1 && w.cork != nil && w.cork.LocalAddr().String() == env.ts.Listener.Addr().String() {
			once.Do(func() { w.cancel(); cut <- size })
		}
	}
	wsWroteHook.Store(&f)
	t.Cleanup(func() { wsWroteHook.Store(nil) })
	// 50 events in one transaction reach the queue faster than one write
	// each goes out, so the writer finds several queued: a batch.
	upto := writeEvents(t, env, list.ID, 50)

	// Read until the server ends the connection (after the batch).
	received := 0
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, data, err := ws.conn.Read(ctx)
		if err != nil {
			break
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if m["seq"] != last+1 {
			t.Fatalf("got %v after seq %v", m, last)
		}
		last++
		received++
	}
	var size int
	select {
	case size = <-cut:
	default:
		t.Fatal("no batch of more than one message was cut")
	}
	if last >= upto {
		t.Fatalf("the client got every event (through %v): the batch of %d was not cut", last, size)
	}
	if received == 0 {
		t.Fatal("the message written before the cut did not reach the client")
	}
	if got := delivered() - before; got != float64(received) {
		t.Fatalf("%v messages counted as delivered, the client got %d", got, received)
	}
}
