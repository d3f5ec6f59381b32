package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/familyhub/familyhub"
)

// TestAppPasswordEventsOwnDevicesOnly: the event of an app password made
// or revoked (00038) reaches its member's devices alone (00042): live on
// a socket, replayed from the log to a socket that resumes, and in the
// delta and the long poll. The other members' devices pass over it as
// over an event of a topic they did not ask for: their next event's
// prev_seq is before it, and the family's seq stays one count. Before,
// every member's devices heard when, on which device and by whom someone
// else made or revoked an app password.
func TestAppPasswordEventsOwnDevicesOnly(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	startTestHub(t, env, 0)
	f := newFamilyOfThree(t, env)
	member, owner := f.clients["member"], f.clients["owner"]

	mine := member.socket(t, "")
	start := mine.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
	others := owner.socket(t, "")
	others.want("hello", map[string]any{"type": "hello", "seq": start})

	ap := f.appPassword("member").String()
	apSeq := mine.want("the member's own app password", map[string]any{"type": familyhub.EventFamilyUpdated, "id": ap, "op": "insert", "prev_seq": start})["seq"].(float64)
	if apSeq != start+1 {
		t.Fatalf("the app password's event has seq %v, want %v", apSeq, start+1)
	}
	task := f.rec("task").String()
	mine.want("the task, after the app password", map[string]any{"type": "TASK_UPDATED", "id": task, "seq": apSeq + 1, "prev_seq": apSeq})
	others.want("the task, the app password passed over", map[string]any{"type": "TASK_UPDATED", "id": task, "seq": apSeq + 1, "prev_seq": start})

	// A socket that resumes reads the log (Hub.page).
	resumed := owner.socket(t, fmt.Sprintf("since=%d", int64(start)))
	resumed.want("hello", map[string]any{"type": "hello"})
	resumed.want("the task, replayed without the app password", map[string]any{"type": "TASK_UPDATED", "id": task, "prev_seq": start})
	resumedMine := member.socket(t, fmt.Sprintf("since=%d", int64(start)))
	resumedMine.want("hello", map[string]any{"type": "hello"})
	resumedMine.want("the app password, replayed to its member", map[string]any{"id": ap, "prev_seq": start})

	// The delta and the long poll (which answers at once: there are events).
	for _, path := range []string{"/api/realtime/events?since=", "/api/realtime/poll?timeout=0&since="} {
		ids := func(c *client) []string {
			var got struct {
				Seq    int64             `json:"seq"`
				Events []json.RawMessage `json:"events"`
			}
			c.must(http.StatusOK, "GET", path+fmt.Sprint(int64(start)), nil).decode(t, &got)
			if got.Seq != int64(apSeq)+1 {
				t.Fatalf("%s: seq %d, want %d", path, got.Seq, int64(apSeq)+1)
			}
			var out []string
			for _, raw := range got.Events {
				var ev struct{ ID string }
				if err := json.Unmarshal(raw, &ev); err != nil {
					t.Fatal(err)
				}
				out = append(out, ev.ID)
			}
			return out
		}
		if got := fmt.Sprint(ids(member)); got != fmt.Sprint([]string{ap, task}) {
			t.Errorf("%s as the app password's member: %v, want [%s %s]", path, got, ap, task)
		}
		for _, role := range []string{"owner", "child"} {
			if got := fmt.Sprint(ids(f.clients[role])); got != fmt.Sprint([]string{task}) {
				t.Errorf("%s as the %s: %v, want only the task %s", path, role, got, task)
			}
		}
	}

	// Revoked: the same.
	member.must(http.StatusNoContent, "DELETE", "/api/dav/app-passwords/"+ap, nil)
	var later struct{ ID string }
	owner.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Bins out"}).decode(t, &later)
	mine.want("the revocation", map[string]any{"id": ap, "op": "delete", "seq": apSeq + 2})
	mine.want("the later task", map[string]any{"id": later.ID, "seq": apSeq + 3})
	others.want("the later task, the revocation passed over", map[string]any{"type": "TASK_UPDATED", "id": later.ID, "prev_seq": apSeq + 1})
}
