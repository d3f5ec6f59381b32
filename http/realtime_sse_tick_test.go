package http

import (
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// SSE streams ping on the write watchdog's tick (realtime_sse_tick.go):
// each gets its ping event within the ping interval and a tick or two,
// and no stream holds a timer or a goroutine beyond its own request's.

// TestSSEPingOnWatchdogTick: 20 idle streams are each pinged on the
// watchdog's ticks, within the watchdog's ping interval and a tick or two,
// and again after as many ticks; one goroutine each (its request's). The
// ping is an event named ping (an EventSource shows it to the page; a
// comment it never shows) whose data says the interval the ticks make,
// for the client's liveness check. The
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
	wantData := fmt.Sprintf(`data: {"type":"ping","interval_ms":%d}`, ping.Milliseconds())
	ana, _ := env.signup("ana@example.org", "Ana's")
	pinged := make(chan time.Duration, streams)
	var pings [streams]atomic.Int64
	for i := range streams {
		sc := ana.sse(t, "").sc
		go func() {
			for sc.Scan() && !strings.Contains(sc.Text(), `"hello"`) {
			}
			start := time.Now()
			for sc.Scan() { // keep reading: later pings must not block
				if sc.Text() != "event: ping" {
					continue
				}
				if !sc.Scan() || sc.Text() != wantData {
					t.Errorf("the ping event's data: %q, want %q", sc.Text(), wantData)
					return
				}
				if pings[i].Add(1) == 1 {
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
			t.Fatalf("%d of %d streams got no ping event", streams-i, streams)
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

// TestSSEOpensWithPing: the first thing a new stream carries, with the
// retry and before the hello, is a ping event with the interval the ticks
// make: the PWA learns at once that the server pings and how often, and
// times a stream held silent from its first byte. The interval (40 s here)
// is above the 25 s the PWA assumes, which it now learns before it could
// matter. Before, the first ping came an interval after the stream opened.
func TestSSEOpensWithPing(t *testing.T) {
	env := newTestEnv(t, Config{RealtimePing: 40 * time.Second})
	startTestHub(t, env, 0)
	d := env.server.rt.watchdog
	d.mu.Lock()
	every := time.Duration(d.pingTicks) * d.period
	d.mu.Unlock()
	ana, _ := env.signup("ana@example.org", "Ana's")
	sc := ana.sse(t, "").sc
	want := []string{"retry: 1000", "", "event: ping", fmt.Sprintf(`data: {"type":"ping","interval_ms":%d}`, every.Milliseconds()), ""}
	for i, w := range want {
		if !sc.Scan() {
			t.Fatalf("the stream ended after %d lines: %v", i, sc.Err())
		}
		if sc.Text() != w {
			t.Fatalf("line %d of the stream: %q, want %q", i+1, sc.Text(), w)
		}
	}
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "data: ") || !strings.Contains(sc.Text(), `"hello"`) {
		t.Errorf("after the ping: %q, want the hello", sc.Text())
	}
	if every != 40*time.Second {
		t.Errorf("the ticks ping every %v, want the configured 40s", every)
	}
}

// TestWatchdogTicksForSSEStreams: the watchdog's ticks, driven by hand,
// ask an SSE stream for a ping every pingTicks ticks, never twice while
// one is not yet written, keep running while a stream remains after the
// last socket left, and stop with the last stream.
func TestWatchdogTicksForSSEStreams(t *testing.T) {
	d := newWriteWatchdog(10*time.Hour, 2*time.Hour) // ticks of an hour: only the test's run
	ws := &wsConn{}
	d.add(ws)
	b := &sseBeat{ping: make(chan struct{}, 1)}
	d.addSSE(b)
	t.Cleanup(func() { d.timer.Stop() })
	pinged := func() bool {
		select {
		case <-b.ping:
			return true
		default:
			return false
		}
	}
	d.tick() // 2: the ping is due at 3
	if pinged() {
		t.Fatal("pinged a tick after it was added, want two ticks")
	}
	d.remove(ws) // the last socket leaves; the stream stays
	d.tick()     // 3
	if !pinged() {
		t.Fatal("not pinged two ticks after it was added")
	}
	d.tick() // 4
	d.tick() // 5: due, left unread
	d.tick() // 6
	d.tick() // 7: due again, the first not yet written
	if !pinged() || pinged() {
		t.Fatal("want one ping waiting after two due ticks unread")
	}
	d.mu.Lock()
	running := d.running
	d.mu.Unlock()
	if !running {
		t.Fatal("the ticks stopped while a stream is open")
	}
	d.removeSSE(b)
	d.tick()
	d.mu.Lock()
	running = d.running
	d.mu.Unlock()
	if running {
		t.Error("the ticks go on with no socket or stream left")
	}
}

// TestSSEPingIntervalAgreesWithPWA: the PWA assumes the server's default
// ping interval (SSE_PING in realtime-transports.js) until a stream's
// first ping says it, and takes a stream silent for 2.5 of them for dead:
// a server that pinged less often than the PWA assumes would have every
// stream dropped before its first ping.
func TestSSEPingIntervalAgreesWithPWA(t *testing.T) {
	js, err := os.ReadFile("../web/static/js/realtime-transports.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^export const SSE_PING = (\d+);`).FindSubmatch(js)
	if m == nil {
		t.Fatal("no `export const SSE_PING = <ms>;` in realtime-transports.js")
	}
	every := time.Duration(newWriteWatchdog(realtimeWriteTimeout, realtimePingInterval).pingTicks) * (realtimeWriteTimeout / watchdogTicks)
	if got, want := string(m[1]), strconv.FormatInt(every.Milliseconds(), 10); got != want {
		t.Errorf("the PWA assumes SSE pings every %s ms, the server sends them every %s", got, want)
	}
}
