package realtime

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// TestParseView: the views a device may report in ?view= (SSE, WebSocket)
// are the ones a presence message takes, in lower case.
func TestParseView(t *testing.T) {
	t.Parallel()
	id := "0B7C1A6E-3C1F-4E52-9A61-1D2C3B4A5F60"
	for in, want := range map[string]string{
		"": "", "shopping": "shopping", "Tasks": "tasks", "calendar": "calendar", "recipes": "recipes",
		"shopping-list:" + id: "shopping-list:0b7c1a6e-3c1f-4e52-9a61-1d2c3b4a5f60",
		"recipe:" + id:        "recipe:0b7c1a6e-3c1f-4e52-9a61-1d2c3b4a5f60",
	} {
		if got, err := ParseView(in); err != nil || got != want {
			t.Errorf("ParseView(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"nowhere", "shopping-list:", "shopping-list:42", "recipe:" + id + "x", "family", " shopping"} {
		if _, err := ParseView(in); familyhub.ErrorCode(err) != familyhub.EINVALID {
			t.Errorf("ParseView(%q): %v, want EINVALID", in, err)
		}
	}
}

// TestPresenceKeptWhileSocketReopens: Ben's device is the family's only
// socket on this replica and reopens it (an SSE stream does on every page
// change). The new socket's first members list names Ana, whom another
// replica announced before: the replica kept hearing the others for
// presenceGrace. Before, it forgot the family when the old socket closed
// and the new one's list held only Ben until the other replica answered
// its "ask" (seconds on a loaded server: avatars late after every page
// change). After the grace the family is forgotten.
func TestPresenceKeptWhileSocketReopens(t *testing.T) {
	hub := NewHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	p := hub.presence
	p.notify = func(context.Context, []string, []string) error { return nil }
	fam, ana, ben := uuid.New(), uuid.New(), uuid.New()
	join := func(view string) *Client {
		c := newClient(JoinParams{FamilyID: fam, UserID: ben, DeviceID: "ben-phone", Transport: "sse"})
		hub.mu.Lock()
		f := hub.families[fam]
		if f == nil {
			f = &family{clients: map[*Client]struct{}{}}
			hub.families[fam] = f
		}
		f.clients[c] = struct{}{}
		hub.presence.joinedLocked(c)
		hub.setPresenceLocked(c, view)
		hub.mu.Unlock()
		return c
	}
	members := func(c *Client) []string {
		t.Helper()
		msgs := c.queue.take()
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want one members list", len(msgs))
		}
		var m struct{ Members []PresenceDevice }
		if err := json.Unmarshal(msgs[0].Data, &m); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range m.Members {
			out = append(out, d.DeviceID+" "+d.View)
		}
		slices.Sort(out)
		return out
	}
	ctx := context.Background()
	first := join("shopping")
	p.receive(presenceNotice{FamilyID: fam, Replica: uuid.New(), Devices: []PresenceDevice{{UserID: ana, DeviceID: "ana-tablet", View: "shopping"}}})
	p.announceStep(ctx, false)
	if got := members(first); !slices.Equal(got, []string{"ana-tablet shopping", "ben-phone shopping"}) {
		t.Fatalf("first socket: %v", got)
	}
	hub.mu.Lock()
	hub.removeLocked(first)
	hub.mu.Unlock()
	p.announceStep(ctx, false) // says "nobody here" to the others
	again := join("tasks")
	p.announceStep(ctx, false)
	if got := members(again); !slices.Equal(got, []string{"ana-tablet shopping", "ben-phone tasks"}) {
		t.Errorf("reopened socket's first list: %v, want Ana's tablet too", got)
	}

	hub.mu.Lock()
	hub.removeLocked(again)
	p.fams[fam].gone = time.Now().Add(-presenceGrace - time.Second)
	hub.mu.Unlock()
	p.announceStep(ctx, false)
	hub.mu.Lock()
	kept := p.fams[fam] != nil
	hub.mu.Unlock()
	if kept {
		t.Error("family still kept after the grace")
	}
}

// TestRecheckNeverPeriodic: RecheckEvery < 0 means no periodic re-check
// (the loop still answers wake-ups); before, time.NewTicker panicked on it.
func TestRecheckNeverPeriodic(t *testing.T) {
	hub := NewHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	hub.RecheckEvery = -1
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); hub.runRecheck(ctx) }()
	hub.requestRecheck(uuid.Nil) // a wake-up with nothing to re-check: no database needed
	cancel()
	<-done
}
