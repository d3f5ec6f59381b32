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
// a FIN would otherwise be held for good.
func TestHeartbeatEndsSilentPeer(t *testing.T) {
	skipInShortMode(t, "the 25 s heartbeat and its 10 s answer timeout")
	m := startMain(t, dbtest.URL(t))
	ana := newFamily(t, m, "ana@example.org")
	reading := dialWS(t, m, ana, "device_id=reading")
	silent, resp, err := dialAt(context.Background(), m.URL(), ana, "device_id=silent", nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	defer silent.CloseNow() // never read: pings stay unanswered
	waitUntil(t, "two sockets", 5*time.Second, func() bool { return metricAt(t, m.URL(), wsConns) == 2 })
	start := time.Now()
	waitUntil(t, "the silent socket ended", 50*time.Second, func() bool { return metricAt(t, m.URL(), wsConns) == 1 })
	t.Logf("silent socket ended after %s", time.Since(start).Round(time.Second))
	select {
	case err := <-reading.err:
		t.Fatalf("the reading socket ended too: %v", err)
	default:
	}
}
