package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPresenceSendLeavesOutOversized: one notice too large for NOTIFY
// (8000 bytes) would fail the whole call, the other families' notices
// with it; it is left out and the others are heard.
func TestPresenceSendLeavesOutOversized(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	store := db.NewStore(dbtest.PoolFor(t, url))
	hub := NewHub(store, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(prometheus.NewRegistry(), store))
	listen, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listen.Close(context.Background()) })
	if _, err := listen.Exec(ctx, "LISTEN "+ChannelPresence); err != nil {
		t.Fatal(err)
	}

	replica := uuid.New()
	notice := func(device string) presenceNotice {
		return presenceNotice{FamilyID: uuid.New(), Replica: replica, Devices: []PresenceDevice{{UserID: uuid.New(), DeviceID: device}}}
	}
	notices := []presenceNotice{notice("a"), notice(strings.Repeat("x", 8000)), notice("b")}
	if failed := hub.presence.send(ctx, notices); len(failed) != 0 {
		t.Errorf("%d notices failed, want none (the oversized one left out)", len(failed))
	}
	// A marker after them: the two good notices must come before it.
	end := notice("end")
	if failed := hub.presence.send(ctx, []presenceNotice{end}); len(failed) != 0 {
		t.Fatal("the marker failed")
	}
	var heard []uuid.UUID
	for {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		n, err := listen.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("heard %v, then: %v", heard, err)
		}
		var got presenceNotice
		if err := json.Unmarshal([]byte(n.Payload), &got); err != nil {
			t.Fatal(err)
		}
		if got.FamilyID == end.FamilyID {
			break
		}
		heard = append(heard, got.FamilyID)
	}
	if len(heard) != 2 || heard[0] != notices[0].FamilyID || heard[1] != notices[2].FamilyID {
		t.Errorf("heard %v before the marker, want the two good notices %v and %v", heard, notices[0].FamilyID, notices[2].FamilyID)
	}
}

// TestPresenceRetriesFailedCall: a failed call loses the notices of up to
// presenceBatch families, so they go again at the next step: a family
// still here with its devices (and "ask" when the lost notice asked), a
// forgotten one with its "nobody here" (else the others would show its
// devices until they expire, 50 s).
func TestPresenceRetriesFailedCall(t *testing.T) {
	hub := NewHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	p := hub.presence
	var calls [][]presenceNotice
	fail := true
	p.notify = func(_ context.Context, channels, payloads []string) error {
		var got []presenceNotice
		for _, pl := range payloads {
			var n presenceNotice
			if err := json.Unmarshal([]byte(pl), &n); err != nil {
				t.Fatal(err)
			}
			got = append(got, n)
		}
		calls = append(calls, got)
		if fail {
			return errors.New("connection reset")
		}
		return nil
	}
	here, gone := uuid.New(), uuid.New()
	hub.mu.Lock()
	hub.families[here] = &family{clients: map[*Client]struct{}{}}
	p.famLocked(here).local = true
	p.famLocked(gone).local = true // nobody here: says so once
	hub.mu.Unlock()

	ctx := context.Background()
	p.announceStep(ctx, false)
	if len(calls) != 1 || len(calls[0]) != 2 {
		t.Fatalf("first step: calls %v, want one with both families", calls)
	}
	fail = false
	p.announceStep(ctx, false)
	if len(calls) != 2 {
		t.Fatalf("after a failed call the next step sent %d calls, want one with both families again", len(calls)-1)
	}
	got := map[uuid.UUID]presenceNotice{}
	for _, n := range calls[1] {
		got[n.FamilyID] = n
	}
	if n, ok := got[here]; !ok || !n.Ask {
		t.Errorf("family still here: resent %v (%+v), want its devices again, asking", ok, n)
	}
	if n, ok := got[gone]; !ok || len(n.Devices) != 0 {
		t.Errorf("family gone: resent %v (%+v), want its empty list again", ok, n)
	}
	p.announceStep(ctx, false)
	if len(calls) != 2 {
		t.Errorf("a third step sent %v, want nothing (all delivered)", calls[2:])
	}
}

// TestPresenceNoticeFitsNotify pins that the largest notice a replica can
// make (maxPresenceDevices devices, 64-character device ids, the longest
// view, "ask") stays below NOTIFY's limit, so send never has to leave one out.
func TestPresenceNoticeFitsNotify(t *testing.T) {
	n := presenceNotice{FamilyID: uuid.New(), Replica: uuid.New(), Ask: true}
	for range maxPresenceDevices {
		n.Devices = append(n.Devices, PresenceDevice{UserID: uuid.New(), DeviceID: strings.Repeat("x", 64),
			View: "shopping-list:" + uuid.NewString(), Since: time.Now().UTC().Truncate(time.Second), Active: true})
	}
	b, _ := json.Marshal(n)
	if len(b) >= presencePayloadMax {
		t.Errorf("largest presence notice: %d bytes, NOTIFY takes fewer than %d", len(b), presencePayloadMax)
	}
	t.Logf("largest presence notice: %d bytes", len(b))
}

// TestPresenceBacksOffWhileDatabaseAway: while every call fails, a replica
// does not call for each batch of families every 250 ms step: one call an
// attempt, the attempts 1, 2, 4, … and at most 32 steps apart. Once calls
// succeed again every family is announced within 32 steps, and a change
// after that goes at the next step.
func TestPresenceBacksOffWhileDatabaseAway(t *testing.T) {
	hub := NewHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	p := hub.presence
	calls, away := 0, true
	heard := map[uuid.UUID]bool{}
	p.notify = func(_ context.Context, channels, payloads []string) error {
		calls++
		if away {
			return errors.New("connection refused")
		}
		for _, pl := range payloads {
			var n presenceNotice
			if err := json.Unmarshal([]byte(pl), &n); err != nil {
				t.Fatal(err)
			}
			heard[n.FamilyID] = true
		}
		return nil
	}
	const families = 250 // three calls a step
	var ids []uuid.UUID
	hub.mu.Lock()
	for range families {
		id := uuid.New()
		ids = append(ids, id)
		hub.families[id] = &family{clients: map[*Client]struct{}{}}
		p.famLocked(id).local = true
	}
	hub.mu.Unlock()

	ctx := context.Background()
	const steps = 40 // 10 s
	for range steps {
		p.announceStep(ctx, false)
	}
	// Attempts at steps 1, 2, 4, 8, 16 and 32.
	if calls > 6 {
		t.Errorf("%d steps with the database away: %d calls, want at most 6", steps, calls)
	}

	away, callsAway := false, calls
	n := 0
	for len(heard) < families {
		if n++; n > presenceRetryMaxSteps {
			t.Fatalf("the database back: after %d steps %d of %d families heard", n-1, len(heard), families)
		}
		p.announceStep(ctx, false)
	}
	t.Logf("%d calls while away for %d steps; every family heard %d steps after the database came back", callsAway, steps, n)

	clear(heard)
	hub.mu.Lock()
	p.fams[ids[0]].local = true
	hub.mu.Unlock()
	p.announceStep(ctx, false)
	if !heard[ids[0]] {
		t.Error("after the calls succeeded again, a change waited beyond the next step")
	}
}

// TestPresenceBackoffEndsWithNothingPending: once nothing is left to
// announce (here the "nobody here" of a family nobody is connected to,
// which failed through an outage and then was forgotten after
// presenceGrace), the backoff starts again from one step: a later single
// failed call is tried again at the next step. Before, only a successful
// call reset the count, and that one failure waited out the old outage's
// backoff (32 steps, 8 s) at once.
func TestPresenceBackoffEndsWithNothingPending(t *testing.T) {
	hub := NewHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	p := hub.presence
	calls, away := 0, true
	p.notify = func(_ context.Context, channels, payloads []string) error {
		calls++
		if away {
			return errors.New("connection refused")
		}
		return nil
	}
	gone := uuid.New()
	hub.mu.Lock()
	p.famLocked(gone).local = true // nobody here: says so
	hub.mu.Unlock()
	ctx := context.Background()
	for range 40 { // away for 10 s: attempts at steps 1, 2, 4, 8, 16 and 32
		p.announceStep(ctx, false)
	}
	hub.mu.Lock()
	fp := p.fams[gone]
	if fp == nil || !fp.local {
		hub.mu.Unlock()
		t.Fatal("the failed notice of a family nobody is connected to is not kept for the next attempt")
	}
	// The grace ends: the others have expired the family by now.
	fp.gone = time.Now().Add(-presenceGrace - time.Second)
	hub.mu.Unlock()
	for range presenceRetryMaxSteps + 1 {
		p.announceStep(ctx, false)
	}
	hub.mu.Lock()
	left := len(p.fams)
	hub.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d families still kept after the grace", left)
	}

	// A change now, whose first call fails once (a blip): the next step
	// tries again.
	here := uuid.New()
	hub.mu.Lock()
	hub.families[here] = &family{clients: map[*Client]struct{}{}}
	p.famLocked(here).local = true
	hub.mu.Unlock()
	calls = 0
	p.announceStep(ctx, false)
	away = false
	p.announceStep(ctx, false)
	if calls != 2 {
		t.Errorf("a failed call after nothing was pending: %d calls in the two steps, want 2 (tried again at the next step, not after the old outage's backoff)", calls)
	}
}
