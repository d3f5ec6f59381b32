package http

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestAssistantShownListChoice: a command said with a list on screen
// (list_id) that asks a question puts the chosen option's items on that
// list, not on the list the command would choose without one: the PWA
// sends the command's list_id again with the choice. Before, the choice
// ran without it, and "add fish and chips" said on Weekly landed, one
// tap later, on the list used most recently.
func TestAssistantShownListChoice(t *testing.T) {
	t.Parallel()
	_, c, _, _ := newAssistantFamily(t, Config{})
	var lists []shoppingListJSON
	c.must(http.StatusOK, "GET", "/api/shopping/lists", nil).decode(t, &lists)
	weekly, hardware := lists[0], shoppingListJSON{}
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Hardware"}).decode(t, &hardware)

	// Without a list on screen, the most recently active list (Hardware).
	if a := c.command(t, "add nails"); a.Message != "Added nails to “Hardware”." {
		t.Fatalf("no list on screen: %q", a.Message)
	}
	var q, a assistantAnswer
	c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": "add fish and chips", "list_id": weekly.ID}).decode(t, &q)
	if q.Outcome != "question" || len(q.Choices) != 2 {
		t.Fatalf("question: %+v", q)
	}
	c.must(http.StatusOK, "POST", "/api/assistant/commands/"+q.ID+"/choice", map[string]any{"option": 0, "list_id": weekly.ID}).decode(t, &a)
	var res struct {
		List shoppingListJSON `json:"list"`
	}
	if err := json.Unmarshal(a.Result, &res); err != nil || a.Outcome != "executed" || res.List.ID != weekly.ID {
		t.Errorf("the choice went to %q (%q), want the list on screen, Weekly", res.List.Name, a.Message)
	}
}
