package http

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestAssistantUndoBusyEndToEnd: the Undo button's request (POST
// …/undo) meets the row of the item it would delete held by another
// transaction (another member's change) until its budget runs out: 503,
// code busy, reason other_change (the PWA's "another change got in the
// way"), Retry-After set, and nothing undone; once the row is free the
// same Undo undoes the command. No fake: the server's answer as the PWA
// gets it (TestBrowserAssistantUndoBusy fakes this answer).
// It takes the undo's whole budget (25 s): assistant.Service.budget,
// which the assistant's own tests shorten, is unexported and no hook
// reaches it from package http; TestSpokenUndoDeadlineCoversStatements
// checks the same wait under a short budget there.
func TestAssistantUndoBusyEndToEnd(t *testing.T) {
	env, c, _, _ := newAssistantFamily(t, Config{})
	a := c.command(t, "add bananas to the weekly list")
	if !a.Undoable {
		t.Fatalf("command not undoable: %+v", a)
	}
	family := onlyFamilyID(t, env)
	before := env.domainState(t, family)

	ctx := context.Background()
	hold, err := env.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	release := func() { _ = hold.Rollback(ctx) }
	t.Cleanup(release)
	var held int
	if err := hold.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM shopping_items WHERE family_id = $1 AND lower(name) = 'bananas' FOR UPDATE) x`, family).Scan(&held); err != nil || held != 1 {
		t.Fatalf("holding the bananas' row: %d rows, %v", held, err)
	}

	undo := "/api/assistant/commands/" + a.ID + "/undo"
	start := time.Now()
	r := c.do("POST", undo, map[string]any{"locale": "en-GB"})
	took := time.Since(start)
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("undo with the row held: %d %s, want 503", r.StatusCode, r.body)
	}
	e := r.errorBody(t)
	if e.Code != "busy" || e.Reason != "other_change" || e.Message != "Another change got in the way; nothing was done. Try again in a moment." {
		t.Errorf("undo with the row held: %s, want busy, reason other_change", r.body)
	}
	if got := r.Header.Get("Retry-After"); got != busyRetryAfter {
		t.Errorf("Retry-After %q, want %q", got, busyRetryAfter)
	}
	if took > 29*time.Second {
		t.Errorf("busy after %v, past the 30 s the PWA waits", took)
	}
	if after := env.domainState(t, family); after != before {
		t.Errorf("a busy undo changed the family's data:\nbefore %s\nafter  %s", before, after)
	}

	// the row free again, the same Undo runs: nothing was recorded for it
	release()
	var u struct{ Undone bool }
	c.must(http.StatusOK, "POST", undo, map[string]any{"locale": "en-GB"}).decode(t, &u)
	if !u.Undone {
		t.Errorf("undo once the row is free: not undone")
	}
	if after := env.domainState(t, family); after == before {
		t.Errorf("the undo once the row is free changed nothing: %s", after)
	}
}
