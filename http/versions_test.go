package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// send is c.do for goroutines: it returns errors instead of failing.
func (c *client) send(method, path, body string, header map[string]string) (int, http.Header, []byte, error) {
	req, err := http.NewRequest(method, c.env.ts.URL+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// TestIfMatchConcurrentPatches: 50 PATCHes of one item with the same
// If-Match at once: exactly one wins (200), the others get 412 with the
// winner's record, and the stored item is the winner's.
func TestIfMatchConcurrentPatches(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("race@example.org", "Race")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}).decode(t, &list)
	var item shoppingItemJSON
	r := c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "Milk"})
	r.decode(t, &item)
	if item.Version != 1 || r.Header.Get("ETag") != `"1"` {
		t.Fatalf("new item: version %d, ETag %q", item.Version, r.Header.Get("ETag"))
	}
	const n = 50
	type answer struct {
		status int
		body   []byte
		err    error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			st, _, b, err := c.send("PATCH", "/api/shopping/items/"+item.ID.String(), fmt.Sprintf(`{"name":"Milk %d"}`, i), map[string]string{"If-Match": `"1"`})
			answers[i] = answer{st, b, err}
		})
	}
	wg.Wait()
	var winner string
	for i, a := range answers {
		if a.err != nil {
			t.Fatal(a.err)
		}
		switch a.status {
		case http.StatusOK:
			if winner != "" {
				t.Fatalf("two PATCHes won: %s and Milk %d", winner, i)
			}
			winner = fmt.Sprintf("Milk %d", i)
		case http.StatusPreconditionFailed:
			var body struct {
				Error   errorJSON
				Current shoppingItemJSON
			}
			if err := json.Unmarshal(a.body, &body); err != nil || body.Error.Code != "conflict" || body.Current.ID != item.ID || body.Current.Version != 2 {
				t.Fatalf("412 body %s", a.body)
			}
		default:
			t.Fatalf("PATCH %d: %d %s", i, a.status, a.body)
		}
	}
	var got shoppingItemJSON
	c.must(http.StatusOK, "GET", "/api/shopping/lists/"+list.ID.String(), nil)
	var full shoppingListWithItemsJSON
	c.must(http.StatusOK, "GET", "/api/shopping/lists/"+list.ID.String(), nil).decode(t, &full)
	got = full.Items[0]
	if winner == "" || got.Name != winner || got.Version != 2 {
		t.Fatalf("stored %q v%d, winner %q", got.Name, got.Version, winner)
	}
}

// TestIdempotentCreates: 20 POSTs with one client id at once make one
// record, and every answer is that record (201 for the first, 200 for the
// repeats); the same id with other content, or from another family, is 409.
func TestIdempotentCreates(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("idem@example.org", "Idem")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}).decode(t, &list)
	items := "/api/shopping/lists/" + list.ID.String() + "/items"
	id := uuid.NewString()
	body := `{"id":"` + id + `","name":"Sunscreen","quantity":"1"}`
	const n = 20
	statuses := make([]int, n)
	bodies := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { statuses[i], _, bodies[i], errs[i] = c.send("POST", items, body, nil) })
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch statuses[i] {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Fatalf("POST %d: %d %s", i, statuses[i], bodies[i])
		}
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("answers differ:\n%s\n%s", bodies[i], bodies[0])
		}
	}
	if created != 1 {
		t.Fatalf("%d answers were 201, want 1", created)
	}
	if n := env.count("shopping_items WHERE name = 'Sunscreen'"); n != 1 {
		t.Fatalf("%d items stored, want 1", n)
	}
	// The same id, other content: 409, nothing written.
	r := c.do("POST", items, `{"id":"`+id+`","name":"Sunscreen","quantity":"2"}`)
	if r.StatusCode != http.StatusConflict || r.errorBody(t).Field != "id" {
		t.Fatalf("same id, other content: %d %s", r.StatusCode, r.body)
	}
	// The same id as another kind of record: 409.
	if r := c.do("POST", "/api/tasks", `{"id":"`+id+`","title":"Sunscreen"}`); r.StatusCode != http.StatusConflict {
		t.Fatalf("same id, another kind: %d %s", r.StatusCode, r.body)
	}
	// Another family using the id: 409, revealing nothing.
	other, _ := env.signup("other@example.org", "Other")
	var olist shoppingListJSON
	other.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}).decode(t, &olist)
	r = other.do("POST", "/api/shopping/lists/"+olist.ID.String()+"/items", body)
	if r.StatusCode != http.StatusConflict || strings.Contains(string(r.body), "Sunscreen") {
		t.Fatalf("another family's id: %d %s", r.StatusCode, r.body)
	}
	// A malformed id is invalid input.
	if r := c.do("POST", items, `{"id":"nope","name":"x"}`); r.StatusCode != http.StatusUnprocessableEntity || r.errorBody(t).Field != "id" {
		t.Fatalf("malformed id: %d %s", r.StatusCode, r.body)
	}
	// Deleted since: a retry does not resurrect it.
	var item shoppingItemJSON
	json.Unmarshal(bodies[0], &item)
	c.must(http.StatusNoContent, "DELETE", "/api/shopping/items/"+item.ID.String(), nil)
	c.must(http.StatusNotFound, "DELETE", "/api/shopping/items/"+item.ID.String(), nil)
	if r := c.do("POST", items, body); r.StatusCode != http.StatusNotFound {
		t.Fatalf("retry of a deleted item's create: %d %s", r.StatusCode, r.body)
	}
	if n := env.count("shopping_items WHERE name = 'Sunscreen'"); n != 0 {
		t.Fatalf("the retry resurrected the item (%d)", n)
	}
}

// TestIdempotentCreatesEveryKind: each create endpoint takes a client id
// and answers a repeat with the record made the first time.
func TestIdempotentCreatesEveryKind(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("kinds@example.org", "Kinds")
	var list shoppingListJSON
	var recipe recipeJSON
	for _, tc := range []struct {
		path string
		body func(id string) string
		out  any
	}{
		{"/api/shopping/lists", func(id string) string { return `{"id":"` + id + `","name":"Weekly"}` }, &list},
		{"/api/tasks", func(id string) string { return `{"id":"` + id + `","title":"Bins","recurrence":"FREQ=WEEKLY"}` }, nil},
		{"/api/recipes", func(id string) string {
			return `{"id":"` + id + `","title":"Pancakes","servings":4,"ingredients":[{"name":"flour","quantity":300,"unit":"g"}]}`
		}, &recipe},
		{"/api/calendar/events", func(id string) string {
			return `{"id":"` + id + `","title":"Dentist","starts_at":"2026-05-01T10:00:00Z","ends_at":"2026-05-01T11:00:00Z"}`
		}, nil},
	} {
		id := uuid.NewString()
		first := c.must(http.StatusCreated, "POST", tc.path, tc.body(id))
		again := c.must(http.StatusOK, "POST", tc.path, tc.body(id))
		var a, b struct {
			ID      string
			Version int64
		}
		first.decode(t, &a)
		again.decode(t, &b)
		if a.ID != id || b.ID != id || a.Version != b.Version {
			t.Fatalf("%s: first %+v, repeat %+v", tc.path, a, b)
		}
		if tc.out != nil {
			first.decode(t, tc.out)
		}
	}
	// Recipe add-to-list: the request's id makes the repeat add nothing and
	// answer the items the first one made (ids other than the request's:
	// recorded after the create).
	add := `{"id":"` + uuid.NewString() + `","list_id":"` + list.ID.String() + `"}`
	var made, again []shoppingItemJSON
	c.must(http.StatusCreated, "POST", "/api/recipes/"+recipe.ID.String()+"/add-to-list", add).decode(t, &made)
	c.must(http.StatusOK, "POST", "/api/recipes/"+recipe.ID.String()+"/add-to-list", add).decode(t, &again)
	if n := env.count("shopping_items WHERE name = 'flour'"); n != 1 {
		t.Fatalf("add-to-list twice with one id: %d flour items", n)
	}
	if len(made) != 1 || len(again) != 1 || again[0].ID != made[0].ID {
		t.Fatalf("add-to-list: first answered %+v, the repeat %+v", made, again)
	}
}

// TestVersionsFollowEveryChange: every change bumps the version by exactly
// one, from REST and from psql alike; a change that changes nothing keeps
// it; stale If-Match on PATCH, DELETE and the task actions is 412.
func TestVersionsFollowEveryChange(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("ver@example.org", "Ver")
	var task taskJSON
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Bins"}).decode(t, &task)
	T := "/api/tasks/" + task.ID.String()
	c.must(http.StatusOK, "PATCH", T, map[string]any{"title": "Bins out"}).decode(t, &task)
	if task.Version != 2 {
		t.Fatalf("after a PATCH: version %d", task.Version)
	}
	c.must(http.StatusOK, "PATCH", T, map[string]any{"title": "Bins out"}).decode(t, &task)
	if task.Version != 2 {
		t.Fatalf("after a PATCH that changes nothing: version %d", task.Version)
	}
	if _, err := env.pool.Exec(context.Background(), `UPDATE tasks SET notes = 'from psql', version = 99 WHERE id = $1`, task.ID); err != nil {
		t.Fatal(err)
	}
	c.must(http.StatusOK, "GET", T, nil).decode(t, &task)
	if task.Version != 3 || task.Notes != "from psql" {
		t.Fatalf("after psql: version %d, notes %q (the database keeps the version)", task.Version, task.Notes)
	}
	for _, tc := range []struct{ method, path, body string }{
		{"PATCH", T, `{"title":"x"}`},
		{"POST", T + "/complete", ``},
		{"POST", T + "/snooze", `{"until":"2999-01-01T00:00:00Z"}`},
		{"DELETE", T, ``},
	} {
		st, h, b, err := c.send(tc.method, tc.path, tc.body, map[string]string{"If-Match": `"2"`})
		if err != nil || st != http.StatusPreconditionFailed || h.Get("ETag") != `"3"` || !strings.Contains(string(b), `"current"`) {
			t.Fatalf("%s %s with a stale If-Match: %d %s (ETag %q)", tc.method, tc.path, st, b, h.Get("ETag"))
		}
	}
	c.must(http.StatusOK, "POST", T+"/complete", nil)
	st, _, _, _ := c.send("POST", T+"/complete", "", map[string]string{"If-Match": `"4"`})
	if st != http.StatusOK {
		t.Fatalf("completing a completed task at its version: %d", st)
	}
	if st, _, b, _ := c.send("DELETE", T, "", map[string]string{"If-Match": `W/"4"`}); st != http.StatusNoContent {
		t.Fatalf("DELETE at the current version: %d %s", st, b)
	}
	if st, _, b, _ := c.send("PATCH", T, `{}`, map[string]string{"If-Match": "banana"}); st != http.StatusBadRequest {
		t.Fatalf("malformed If-Match: %d %s", st, b)
	}
}

// TestVersionsFollowCalDAV: a change through CalDAV bumps the event's
// version like any other writer's.
func TestVersionsFollowCalDAV(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	_, acc := env.signup("ana@example.org", "DavVer")
	c := env.newClient()
	c.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse"})
	path := "/dav/" + acc.User.ID.String() + "/calendars/family/v.ics"
	ev := func(summary string) string {
		return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\nUID:v-1\nDTSTAMP:20260101T000000Z\nDTSTART:20260501T100000Z\nDTEND:20260501T110000Z\nSUMMARY:" + summary + "\nEND:VEVENT\nEND:VCALENDAR\n"
	}
	version := func() int64 {
		var got []calendarOccurrenceJSON
		c.must(http.StatusOK, "GET", "/api/calendar/events?from=2026-05-01T00:00:00Z&to=2026-05-02T00:00:00Z", nil).decode(t, &got)
		if len(got) != 1 {
			t.Fatalf("events: %+v", got)
		}
		return got[0].Version
	}
	// davPut signs in as ana@example.org (the family made above).
	if st := davPut(t, env, path, ev("One"), nil); st != http.StatusCreated {
		t.Fatalf("PUT: %d", st)
	}
	if v := version(); v != 1 {
		t.Fatalf("after the CalDAV create: version %d", v)
	}
	if st := davPut(t, env, path, ev("Two"), nil); st != http.StatusNoContent && st != http.StatusCreated {
		t.Fatalf("PUT again: %d", st)
	}
	if v := version(); v != 2 {
		t.Fatalf("after a CalDAV change: version %d", v)
	}
}

// TestVersionIgnoresBookkeeping: the categoriser's note on a list
// (categorised_at) is no change of the list: its version stays, so a rename
// made against that version still applies.
func TestVersionIgnoresBookkeeping(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("book@example.org", "Book")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}).decode(t, &list)
	if _, err := env.pool.Exec(context.Background(), `UPDATE shopping_lists SET categorised_at = now() WHERE id = $1`, list.ID); err != nil {
		t.Fatal(err)
	}
	st, _, b, err := c.send("PATCH", "/api/shopping/lists/"+list.ID.String(), `{"name":"Weekly"}`, map[string]string{"If-Match": `"1"`})
	if err != nil || st != http.StatusOK || !strings.Contains(string(b), `"version":2`) {
		t.Fatalf("rename after the categoriser's note: %d %s", st, b)
	}
}

// TestIfMatchAfterValidation: a change whose body is invalid is refused as
// invalid (422, or 400 when it is not JSON) whatever its If-Match, on
// every kind of record; only a valid change is refused as stale (412).
// Nothing is written either way.
func TestIfMatchAfterValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("validate@example.org", "Validate")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}).decode(t, &list)
	var item shoppingItemJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID.String()+"/items", map[string]any{"name": "Milk"}).decode(t, &item)
	var task taskJSON
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Bins"}).decode(t, &task)
	var recipe recipeJSON
	c.must(http.StatusCreated, "POST", "/api/recipes", map[string]any{"title": "Pancakes", "servings": 2}).decode(t, &recipe)
	var event calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{"title": "Dentist",
		"starts_at": "2027-05-01T10:00:00Z", "ends_at": "2027-05-01T11:00:00Z"}).decode(t, &event)
	var series calendarEventJSON
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{"title": "Swimming", "rrule": "FREQ=WEEKLY",
		"starts_at": "2027-05-01T16:00:00Z", "ends_at": "2027-05-01T17:00:00Z"}).decode(t, &series)
	paths := map[string]string{
		"list": "/api/shopping/lists/" + list.ID.String(), "item": "/api/shopping/items/" + item.ID.String(),
		"task": "/api/tasks/" + task.ID.String(), "recipe": "/api/recipes/" + recipe.ID.String(),
		"event":      "/api/calendar/events/" + event.ID.String(),
		"occurrence": "/api/calendar/events/" + series.ID.String() + "/occurrences/2027-05-08T16:00:00Z",
	}
	for _, tc := range []struct {
		record, method, suffix, body string
		want                         int
		field                        string
	}{
		{"list", "PATCH", "", `{"name":""}`, http.StatusUnprocessableEntity, "name"},
		{"item", "PATCH", "", `{"name":""}`, http.StatusUnprocessableEntity, "name"},
		{"item", "PATCH", "", `{"category":"no such category"}`, http.StatusUnprocessableEntity, "category"},
		{"task", "PATCH", "", `{"title":""}`, http.StatusUnprocessableEntity, "title"},
		{"task", "PATCH", "", `{"recurrence":"FREQ=SOMETIMES"}`, http.StatusUnprocessableEntity, "recurrence"},
		{"task", "PATCH", "", `{"assignee_id":"` + uuid.NewString() + `"}`, http.StatusUnprocessableEntity, "assignee_id"},
		{"task", "POST", "/snooze", `{"until":"2020-01-01T09:00:00Z"}`, http.StatusUnprocessableEntity, "until"},
		{"recipe", "PATCH", "", `{"servings":0}`, http.StatusUnprocessableEntity, "servings"},
		{"event", "PATCH", "", `{"title":""}`, http.StatusUnprocessableEntity, "title"},
		{"event", "PATCH", "", `{"rrule":"FREQ=SOMETIMES"}`, http.StatusUnprocessableEntity, "rrule"},
		{"event", "PATCH", "", `{"starts_at":"2027-05-01T12:00:00Z","ends_at":"2027-05-01T11:00:00Z"}`, http.StatusUnprocessableEntity, "ends_at"},
		{"event", "PATCH", "", `{"starts_at":"tomorrow"}`, http.StatusUnprocessableEntity, "starts_at"},
		{"event", "PATCH", "", `{"ends_at":"1066-10-14T09:00:00Z"}`, http.StatusUnprocessableEntity, "ends_at"},
		{"event", "PATCH", "", `{"all_day":true,"starts_at":"2027-05-01T10:00:00Z"}`, http.StatusUnprocessableEntity, "starts_at"},
		{"event", "PATCH", "", `{"all_day":null}`, http.StatusUnprocessableEntity, "all_day"},
		{"event", "PATCH", "", `{"exdates":["soon"]}`, http.StatusUnprocessableEntity, "exdates"},
		{"event", "PATCH", "", `{"location":"` + strings.Repeat("x", 501) + `"}`, http.StatusUnprocessableEntity, "location"},
		{"event", "PATCH", "", `{"title":`, http.StatusBadRequest, ""},
		{"occurrence", "PATCH", "", `{"title":""}`, http.StatusUnprocessableEntity, "title"},
		{"occurrence", "PATCH", "", `{"starts_at":"2027-05-08T12:00:00Z","ends_at":"2027-05-08T11:00:00Z"}`, http.StatusUnprocessableEntity, "ends_at"},
		{"occurrence", "PATCH", "", `{"all_day":true,"starts_at":"2027-05-08T10:00:00Z"}`, http.StatusUnprocessableEntity, "starts_at"},
		// Valid changes: the If-Match decides.
		{"list", "PATCH", "", `{"name":"Weekly"}`, http.StatusPreconditionFailed, ""},
		{"item", "PATCH", "", `{"name":"Oat milk"}`, http.StatusPreconditionFailed, ""},
		{"task", "PATCH", "", `{"title":"Bins out"}`, http.StatusPreconditionFailed, ""},
		{"task", "POST", "/snooze", `{"until":"2099-01-01T09:00:00Z"}`, http.StatusPreconditionFailed, ""},
		{"recipe", "PATCH", "", `{"servings":4}`, http.StatusPreconditionFailed, ""},
		{"event", "PATCH", "", `{"title":"Dentist (moved)"}`, http.StatusPreconditionFailed, ""},
		// Invalid only with the event as stored (an end before the start
		// another device set, a date for an event that is not all-day):
		// a stale one is a conflict, for the client to show.
		{"event", "PATCH", "", `{"ends_at":"2027-05-01T09:00:00Z"}`, http.StatusPreconditionFailed, ""},
		{"event", "PATCH", "", `{"starts_at":"2027-05-01T12:00:00Z"}`, http.StatusPreconditionFailed, ""},
		{"event", "PATCH", "", `{"ends_at":"2027-05-02"}`, http.StatusPreconditionFailed, ""},
		{"event", "PATCH", "", `{"all_day":true}`, http.StatusPreconditionFailed, ""},
		{"occurrence", "PATCH", "", `{"title":"Swimming (Ben)"}`, http.StatusPreconditionFailed, ""},
		{"occurrence", "PATCH", "", `{"ends_at":"2027-05-08T15:00:00Z"}`, http.StatusPreconditionFailed, ""},
	} {
		st, _, body, err := c.send(tc.method, paths[tc.record]+tc.suffix, tc.body, map[string]string{"If-Match": `"7"`})
		if err != nil {
			t.Fatal(err)
		}
		var e errorBody
		json.Unmarshal(body, &e)
		if st != tc.want || tc.field != "" && e.Error.Field != tc.field {
			t.Errorf("%s %s%s %s with a stale If-Match: %d %s, want %d (field %q)", tc.method, tc.record, tc.suffix, tc.body, st, body, tc.want, tc.field)
		}
	}
	// With the current version the same changes are checked against the
	// event as stored: refused as invalid.
	for _, tc := range []struct{ body, field string }{
		{`{"ends_at":"2027-05-01T09:00:00Z"}`, "ends_at"},
		{`{"starts_at":"2027-05-01T12:00:00Z"}`, "ends_at"},
		{`{"ends_at":"2027-05-02"}`, "ends_at"},
		{`{"all_day":true}`, "starts_at"},
	} {
		st, _, body, err := c.send("PATCH", paths["event"], tc.body, map[string]string{"If-Match": `"1"`})
		if err != nil {
			t.Fatal(err)
		}
		var e errorBody
		json.Unmarshal(body, &e)
		if st != http.StatusUnprocessableEntity || e.Error.Field != tc.field {
			t.Errorf("PATCH event %s with the current If-Match: %d %s, want 422 (field %q)", tc.body, st, body, tc.field)
		}
	}
	if n := env.count("event_log WHERE op = 'update'"); n != 0 {
		t.Errorf("%d changes written, want none", n)
	}
}
