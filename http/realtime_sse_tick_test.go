package http

import (
	"bufio"
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// SSE streams ping on the write watchdog's tick (realtime_sse_tick.go):
// each gets its ": ping" comment within the ping interval and a tick or
// two, and no stream holds a timer or a goroutine beyond its own request's.

// sseTimers counts the timers and tickers in use that a stream's handler
// made for itself (time.NewTicker, time.NewTimer, time.AfterFunc under
// handleSSE, but not the replica's that the first stream starts),
// from the heap profile: runtime.MemProfileRate must be 1 since before
// the streams opened.
func sseTimers() int {
	runtime.GC()
	runtime.GC() // the profile is as of the last completed cycle
	var recs []runtime.MemProfileRecord
	n, _ := runtime.MemProfile(nil, true)
	for {
		recs = make([]runtime.MemProfileRecord, n+50)
		var ok bool
		if n, ok = runtime.MemProfile(recs, true); ok {
			recs = recs[:n]
			break
		}
	}
	count := 0
	for _, r := range recs {
		if r.InUseObjects() == 0 {
			continue
		}
		frames := runtime.CallersFrames(r.Stack())
		timer, sse, replica := false, false, false
		for {
			f, more := frames.Next()
			switch {
			case f.Function == "time.NewTicker" || f.Function == "time.NewTimer" || f.Function == "time.AfterFunc":
				timer = true
			case strings.HasSuffix(f.Function, ".handleSSE"):
				sse = true
			case strings.Contains(f.Function, "(*writeWatchdog)") || strings.Contains(f.Function, "realtime.(*Hub)"):
				// The replica's: the watchdog's one timer, the hub's
				// session expiry; the first stream starts them.
				replica = true
			}
			if !more {
				break
			}
		}
		if timer && sse && !replica {
			count += int(r.InUseObjects())
		}
	}
	return count
}

// TestSSEPingOnWatchdogTick: 20 idle streams each get a ping comment within
// the ping interval plus the write timeout (in practice a tick or two
// late), while the replica holds no timer made by a stream and one
// goroutine per stream (its request's). Before, every stream held a
// time.Ticker of its own.
func TestSSEPingOnWatchdogTick(t *testing.T) {
	rate := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	t.Cleanup(func() { runtime.MemProfileRate = rate })
	const streams = 20
	const ping, writeTimeout = 300 * time.Millisecond, 2 * time.Second // ticks of 200 ms
	env := newTestEnv(t, Config{RealtimePing: ping, RealtimeWriteTimeout: writeTimeout})
	hub := startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Ana's")
	pinged := make(chan time.Duration, streams)
	for range streams {
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
			for sc.Scan() {
				if sc.Text() == ": ping" {
					pinged <- time.Since(start)
					break
				}
			}
			for sc.Scan() { // keep reading: later pings must not block
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
	if n := sseTimers(); n != 0 {
		t.Errorf("%d timers made by %d open streams are in use, want 0", n, streams)
	}
	buf := make([]byte, 1<<22)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if n := strings.Count(stacks, ").handleSSE("); n != streams {
		t.Errorf("%d goroutines in handleSSE, want %d (one per stream)", n, streams)
	}
}
