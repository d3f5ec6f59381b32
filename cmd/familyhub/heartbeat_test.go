package main

import (
	"context"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestHeartbeatEndsSilentPeer: the server pings every socket every 25 s; a
// peer that does not answer within the write timeout (10 s) is ended, one
// that reads (and so answers) stays. A socket whose peer vanished without
// a FIN would otherwise be held for good. The test shortens both (to 2 s
// and 5 s) rather than wait 35 s for the real ones.
func TestHeartbeatEndsSilentPeer(t *testing.T) {
	skipInShortMode(t, "the heartbeat and its answer timeout")
	const ping, answer = 2 * time.Second, 5 * time.Second
	m := startMain(t, dbtest.URL(t), func(c *Config) { c.RealtimePing, c.RealtimeWriteTimeout = ping, answer })
	ana := newFamily(t, m, "ana@example.org")
	reading := dialWS(t, m, ana, "device_id=reading")
	start := time.Now() // before the silent socket's first ping is timed
	silent, resp, err := dialAt(context.Background(), m.URL(), ana, "device_id=silent", nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	defer silent.CloseNow() // never read: pings stay unanswered
	waitUntil(t, "two sockets", 5*time.Second, func() bool { return metricAt(t, m.URL(), wsConns) == 2 })
	waitUntil(t, "the silent socket ended", 30*time.Second, func() bool { return metricAt(t, m.URL(), wsConns) == 1 })
	if took := time.Since(start); took < ping+answer {
		t.Errorf("the silent socket ended after %s, before its first ping (%s) went unanswered for %s", took, ping, answer)
	}
	t.Logf("silent socket ended after %s", time.Since(start).Round(time.Second))
	select {
	case err := <-reading.err:
		t.Fatalf("the reading socket ended too: %v", err)
	default:
	}
}
