package http

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/realtime"
)

// TestForgedSinceRewritesNoDevice: a client reconnects with a since far
// past the family's seq, a number nothing the server issued backs. The
// hub tells push presence (it cannot tell such a since from a device that
// saw events the database lost), the client is told to resync, and the
// family's other devices' presence rows are not written again. Before,
// each such join had every device of the family on the replica written
// again at the next flush: one client could have them all rewritten at
// will.
func TestForgedSinceRewritesNoDevice(t *testing.T) {
	env := newResumeEnv(t)
	told := make(chan struct{}, 1)
	startTestHubWith(t, env, func(h *realtime.Hub) {
		rewound := env.server.cfg.Notify.Presence().Rewound
		h.OnRewind = func(family uuid.UUID, shown, upto int64) {
			rewound(family, shown, upto)
			select {
			case told <- struct{}{}:
			default:
			}
		}
	})
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	upto := writeEvents(t, env, list.ID, 3)
	laptop := ana.socket(t, "device_id=laptop")
	laptop.want("hello", map[string]any{"type": "hello", "seq": upto})
	devicePresence(t, env, "laptop", true)
	version := func(device string) (v string) {
		t.Helper()
		if err := env.pool.QueryRow(context.Background(), `SELECT xmin::text FROM notify_device_presence WHERE device_id = $1`, device).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := version("laptop")

	forged := ana.socket(t, "device_id=forger&since=4611686018427387904")
	forged.want("hello", map[string]any{"type": "hello", "seq": upto})
	forged.want("resync", map[string]any{"type": "resync", "seq": upto})
	select {
	case <-told:
	case <-time.After(10 * time.Second):
		t.Fatal("push presence was not told of the join ahead of the database")
	}
	// The flush that writes the forger's device, opened after the note,
	// has handled the note too.
	devicePresence(t, env, "forger", true)
	if after := version("laptop"); after != before {
		t.Errorf("the laptop's presence row was written again (version %s, was %s) after another device's made-up since", after, before)
	}
	if got := devicePresence(t, env, "laptop", true); got != int64(upto) {
		t.Errorf("the laptop is recorded as shown through seq %d, want %v", got, upto)
	}
}
