package http

import (
	"bufio"
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// SSE streams ping on the write watchdog's tick (realtime_sse_tick.go):
// each gets its ": ping" comment within the ping interval and a tick or
// two, and no stream holds a timer or a goroutine beyond its own request's.

// TestSSEPingOnWatchdogTick: 20 idle streams are each pinged on the
// watchdog's ticks, within the watchdog's ping interval and a tick or two,
// and again after as many ticks; one goroutine each (its request's). The
// replica's ping interval is an hour here and only the watchdog is told
// to ping every two ticks (400 ms): a stream with a timer of its own for
// its pings would get none. Before, every stream held a time.Ticker of
// the ping interval. (This test once counted the timers made under the
// handler in the heap profile with runtime.MemProfileRate = 1, which
// sampled every allocation of the test binary while set.)
func TestSSEPingOnWatchdogTick(t *testing.T) {
	const streams = 20
	const writeTimeout = 2 * time.Second // ticks of 200 ms
	env := newTestEnv(t, Config{RealtimePing: time.Hour, RealtimeWriteTimeout: writeTimeout})
	hub := startTestHub(t, env, 0)
	d := env.server.rt.watchdog
	d.mu.Lock()
	d.pingTicks = 2 // read under d.mu, by addSSE and the ticks
	d.mu.Unlock()
	const ping = 2 * writeTimeout / watchdogTicks
	ana, _ := env.signup("ana@example.org", "Ana's")
	pinged := make(chan time.Duration, streams)
	var pings [streams]atomic.Int64
	for i := range streams {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, "GET", env.ts.URL+"/sse", nil)
		resp, err := ana.hc.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /sse: %v %v", resp, err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		go func() {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() && !strings.Contains(sc.Text(), `"hello"`) {
			}
			start := time.Now()
			for sc.Scan() { // keep reading: later pings must not block
				if sc.Text() == ": ping" && pings[i].Add(1) == 1 {
					pinged <- time.Since(start)
				}
			}
		}()
	}
	waitCond(t, "every stream open", func() bool { return hub.ConnectionCount() == streams })
	deadline := time.After(10 * time.Second)
	for i := range streams {
		select {
		case d := <-pinged:
			if d > ping+writeTimeout {
				t.Errorf("a ping came %v after hello, want within %v", d, ping+writeTimeout)
			}
		case <-deadline:
			t.Fatalf("%d of %d streams got no ping comment", streams-i, streams)
		}
	}
	waitCond(t, "every stream pinged again", func() bool {
		for i := range streams {
			if pings[i].Load() < 2 {
				return false
			}
		}
		return true
	})
	buf := make([]byte, 1<<22)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if n := strings.Count(stacks, ").handleSSE("); n != streams {
		t.Errorf("%d goroutines in handleSSE, want %d (one per stream)", n, streams)
	}
}
