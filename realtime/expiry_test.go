package realtime

import (
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// newMemHub is a hub without a database, for counting what joined
// clients hold (join takes the family's seq as given).
func newMemHub() *Hub {
	return NewHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(prometheus.NewRegistry(), nil))
}

// joinIdle joins n clients of one family, with sessions expiring at
// expires (zero: none), and returns the heap bytes and allocations
// they hold and made, per client.
func joinIdle(t *testing.T, h *Hub, n int, expires time.Time) (heap, allocs float64, clients []*Client) {
	t.Helper()
	family := uuid.New()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		j, err := h.join(JoinParams{FamilyID: family, UserID: uuid.New(), SessionID: uuid.New(), SessionExpires: expires, Transport: "ws"}, dbsqlc.FamilySeqGetRow{}, h.missed.Load())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, j.Client)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n),
		float64(after.Mallocs-before.Mallocs) / float64(n), clients
}

// TestSessionExpiryCostsAnIdleClientNothing: an idle socket's client
// holds nothing for its session's expiry beyond the time itself: one
// timer for the replica, armed for the earliest expiry, closes the
// clients whose sessions ended (Hub.expireSessions), instead of a timer
// and its function per client (issue 20: an idle socket's memory). The
// figures (heap and allocations per joined client, with and without an
// expiry) are logged; counted, not timed.
func TestSessionExpiryCostsAnIdleClientNothing(t *testing.T) {
	const n = 2000
	h := newMemHub()
	heapNone, allocsNone, none := joinIdle(t, h, n, time.Time{})
	heapExp, allocsExp, exp := joinIdle(t, h, n, time.Now().Add(24*time.Hour))
	t.Logf("per joined client: %.0f B heap, %.1f allocations without a session expiry; %.0f B, %.1f with one", heapNone, allocsNone, heapExp, allocsExp)
	if allocsExp > allocsNone+0.05 {
		t.Errorf("a session expiry costs a joined client %.2f allocations, want none", allocsExp-allocsNone)
	}
	for _, c := range append(none, exp...) {
		h.Leave(c)
	}
}

// TestSessionExpiryClosesOnTime: the replica's one expiry timer closes
// each client when its own session ends, whichever joined first, and
// not a client whose expiry moved later (a refresh) from the same time.
func TestSessionExpiryClosesOnTime(t *testing.T) {
	h := newMemHub()
	family := uuid.New()
	join := func(expires time.Time) *Client {
		j, err := h.join(JoinParams{FamilyID: family, UserID: uuid.New(), SessionID: uuid.New(), SessionExpires: expires, Transport: "ws"}, dbsqlc.FamilySeqGetRow{}, h.missed.Load())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Leave(j.Client) })
		return j.Client
	}
	soon := time.Now().Add(150 * time.Millisecond)
	later := join(time.Now().Add(time.Hour)) // armed the timer first, for an hour
	ends := join(soon)
	moved := join(soon)
	h.mu.Lock()
	h.setExpiryLocked(moved, time.Now().Add(time.Hour)) // refreshed
	h.mu.Unlock()

	select {
	case <-ends.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the client whose session ended is still open 10 s later")
	}
	if late := time.Since(soon); late < 0 {
		t.Errorf("closed %v before its session ended", -late)
	}
	if code, reason := ends.CloseStatus(); code != CloseSessionEnded || reason != ReasonSessionExpired {
		t.Errorf("closed with %d %q, want %d %q", code, reason, CloseSessionEnded, ReasonSessionExpired)
	}
	for name, c := range map[string]*Client{"the later session's": later, "the refreshed session's": moved} {
		select {
		case <-c.Done():
			t.Errorf("%s client was closed too", name)
		default:
		}
	}
	h.mu.Lock()
	armed := h.expiry.at
	h.mu.Unlock()
	if armed.IsZero() || armed.Before(soon) {
		t.Errorf("after the close the timer is armed for %v, want the next expiry (an hour away)", armed)
	}
}

// TestShutdownStopsExpiryTimer: a hub that was shut down holds no armed
// expiry timer (armed for a session weeks away, it kept the stopped hub
// and its clients reachable until then).
func TestShutdownStopsExpiryTimer(t *testing.T) {
	h := newMemHub()
	_, _, clients := joinIdle(t, h, 1, time.Now().Add(30*24*time.Hour))
	go h.Leave(clients[0]) // Shutdown waits for the client to leave
	if err := h.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	timer := h.expiry.timer
	h.mu.Unlock()
	if timer != nil && timer.Stop() {
		t.Error("after Shutdown the session expiry timer is still armed")
	}
}
