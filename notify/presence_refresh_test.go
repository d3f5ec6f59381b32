package notify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
)

// TestPresenceRefreshIsOneStatement: the periodic refresh of live devices
// with nothing new is one statement for the replica, whatever the number
// of devices: a flush that refreshes 199 allocates far fewer times than
// there are devices, every live row is extended, and the row of a device
// that closed stays not live. Before, each due device's row was written
// again (its key, family, seq, topics): a few allocations per device,
// most of an idle replica's garbage at 10,000 sockets (docs/benchmarks.md,
// "Idle sockets").
func TestPresenceRefreshIsOneStatement(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	topics := func() []string { return []string{familyhub.TopicTasks} }
	const devices = 200
	var gone *Tracker
	for i := range devices {
		tr := p.Track(e.family, e.ben, fmt.Sprintf("phone-%d", i), 0, topics)
		if i == 0 {
			gone = tr
		}
	}
	p.flush(context.Background(), false) // writes the new devices
	gone.Close()
	p.flush(context.Background(), false) // phone-0: not live
	closedAt := e.presenceRow(e.ben, "phone-0").live
	if closedAt.After(e.clock.Now()) {
		t.Fatalf("phone-0 live until %v after it closed", closedAt)
	}
	// Each run is a third of the TTL later: every live device is due.
	allocs := testing.AllocsPerRun(5, func() {
		e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL/3 + time.Second))
		p.flush(context.Background(), false)
	})
	if allocs >= devices/4 {
		t.Errorf("a flush that refreshed %d devices allocated %.0f times: per device", devices-1, allocs)
	}
	want := e.clock.Now().Add(e.s.cfg.PresenceTTL)
	for _, d := range []string{"phone-1", "phone-7", fmt.Sprintf("phone-%d", devices-1)} {
		if r := e.presenceRow(e.ben, d); !r.live.Equal(want) {
			t.Errorf("%s live until %v, want %v", d, r.live, want)
		}
	}
	if r := e.presenceRow(e.ben, "phone-0"); !r.live.Equal(closedAt) {
		t.Errorf("phone-0, closed, live until %v, was %v: refreshed", r.live, closedAt)
	}
	t.Logf("%.0f allocations per refresh of %d devices", allocs, devices-1)
}
