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
//
// It also pins what makes the grace correct, so it cannot pass with the
// family simply kept for good or forgotten at once: the closed socket's
// "nobody here" is announced; the reopened socket does not ask (the
// others were heard meanwhile) and is not shown a device of a replica
// that went away during the grace (its notice aged past presenceTTL:
// expiry runs when the family comes back, not only at the next sweep);
// back after the grace the replica asks again and shows nothing old.
func TestPresenceKeptWhileSocketReopens(t *testing.T) {
	hub := NewHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	p := hub.presence
	var sent []presenceNotice // what this replica announced, in order
	p.notify = func(_ context.Context, _, payloads []string) error {
		for _, pl := range payloads {
			var n presenceNotice
			if err := json.Unmarshal([]byte(pl), &n); err != nil {
				t.Fatal(err)
			}
			sent = append(sent, n)
		}
		return nil
	}
	// announced is the one notice of the last step (what it said, and
	// whether it asked the others).
	announced := func() (devices int, ask bool) {
		t.Helper()
		if len(sent) != 1 {
			t.Fatalf("a step announced %d notices, want one", len(sent))
		}
		n := sent[0]
		sent = nil
		return len(n.Devices), n.Ask
	}
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
	away := uuid.New() // a replica that goes away while nobody is here
	p.receive(presenceNotice{FamilyID: fam, Replica: away, Devices: []PresenceDevice{{UserID: ana, DeviceID: "ana-phone", View: "tasks"}}})
	p.announceStep(ctx, false)
	if n, ask := announced(); n != 1 || !ask {
		t.Errorf("first notice: %d devices, ask %v; want Ben's phone, asking the others", n, ask)
	}
	if got := members(first); !slices.Equal(got, []string{"ana-phone tasks", "ana-tablet shopping", "ben-phone shopping"}) {
		t.Fatalf("first socket: %v", got)
	}
	hub.mu.Lock()
	hub.removeLocked(first)
	gone := hub.families[fam] == nil
	hub.mu.Unlock()
	if !gone {
		t.Fatal("the family is still here after its only socket closed: the test proves nothing")
	}
	p.announceStep(ctx, false)
	if n, _ := announced(); n != 0 {
		t.Errorf("after the only socket closed: announced %d devices, want \"nobody here\"", n)
	}
	// The other replica's last notice ages past presenceTTL meanwhile (it
	// went away): the reopened socket must not be shown its device.
	hub.mu.Lock()
	n := p.fams[fam].remote[away]
	n.received = time.Now().Add(-presenceTTL - time.Second)
	p.fams[fam].remote[away] = n
	hub.mu.Unlock()
	again := join("tasks")
	p.announceStep(ctx, false)
	if n, ask := announced(); n != 1 || ask {
		t.Errorf("reopened within the grace: %d devices, ask %v; want Ben's phone, not asking (the others were heard meanwhile)", n, ask)
	}
	if got := members(again); !slices.Equal(got, []string{"ana-tablet shopping", "ben-phone tasks"}) {
		t.Errorf("reopened socket's first list: %v, want Ana's tablet too and not the expired phone", got)
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
	sent = nil
	// Back after the grace: the replica is new to the family again, so it
	// asks the others, and Ana (not heard since) is not shown from old state.
	last := join("calendar")
	p.announceStep(ctx, false)
	if n, ask := announced(); n != 1 || !ask {
		t.Errorf("back after the grace: %d devices, ask %v; want Ben's phone, asking the others", n, ask)
	}
	if got := members(last); !slices.Equal(got, []string{"ben-phone calendar"}) {
		t.Errorf("back after the grace: %v, want only Ben until the others answer", got)
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
