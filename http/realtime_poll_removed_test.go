package http

import (
	"net/http"
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
)

// TestPollRemovedBetweenWakeAndRead: Ben's long poll is woken by an event
// and held between its wake-up (its client still open) and its read of the
// log; meanwhile Ana removes him and adds a list. The poll answers 401
// removed_from_family, without the list made after his removal (looked
// for by its id: events name no names). Before,
// the read took whatever the log held by then, the event after the
// removal too: the membership was checked (through the client's close)
// before the read, not with it.
func TestPollRemovedBetweenWakeAndRead(t *testing.T) {
	env := newTestEnv(t, Config{})
	hub := startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	ben, benAcc := env.joinFamily(ana, "ben@example.org")

	woke, release := make(chan struct{}), make(chan struct{})
	hook := func() { close(woke); <-release }
	pollReadHook.Store(&hook)
	t.Cleanup(func() { pollReadHook.Store(nil) })

	poll := longPoll(t, ben, hub)
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Before Ben left"})
	wait(t, "the poll woken, before its read", woke)
	ana.must(http.StatusNoContent, "DELETE", "/api/family/members/"+benAcc.User.ID.String(), nil)
	var after shoppingListJSON
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "After Ben left"}).decode(t, &after)
	close(release)

	// Events name ids, not names: the list made after the removal is
	// looked for by its id.
	p := wait(t, "the poll's answer", poll)
	if strings.Contains(p.body, after.ID.String()) {
		t.Fatalf("the poll of a member removed before its read was handed an event written after the removal (list %s): %d %s", after.ID, p.status, p.body)
	}
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, `"code":"`+familyhub.EREMOVED+`"`) {
		t.Errorf("poll answered %d %s; want 401 %s", p.status, p.body, familyhub.EREMOVED)
	}
}
