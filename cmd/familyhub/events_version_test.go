package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestEventVersions: every event of a versioned record carries the version
// the change gave it, whoever made the change (REST on either replica, a
// DBA's UPDATE in psql), on the live socket, in the DBA's NOTIFY payload and
// in every catch-up from the log (a socket resuming with since=, the delta
// and long-poll answers). Events after which a device must re-read whatever
// version it holds carry none: deletes, updates that left the version as it
// was (bookkeeping, a calendar occurrence changed), tables without versions.
func TestEventVersions(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ben := join(t, c.b, ana, "ben@example.org")
	ws := dialWS(t, c.b, ben, "device_id=ben-phone")
	since := seqOf(ws.nextType("hello", 5*time.Second))

	dba, err := pgx.Connect(context.Background(), c.url)
	if err != nil {
		t.Fatal(err)
	}
	defer dba.Close(context.Background())
	if _, err := dba.Exec(context.Background(), "LISTEN familyhub_shopping"); err != nil {
		t.Fatal(err)
	}

	// rowVersion reads what the database holds now.
	rowVersion := func(table, id string) int64 {
		t.Helper()
		var v int64
		if err := c.pool.QueryRow(context.Background(), "SELECT version FROM "+table+" WHERE id = $1", id).Scan(&v); err != nil {
			t.Fatalf("version of %s %s: %v", table, id, err)
		}
		return v
	}
	live := map[int64]map[string]any{} // seq → the event as the socket got it
	seq := since
	// expect reads the next event and checks it; want 0: no version.
	expect := func(typ, op, id string, want int64) map[string]any {
		t.Helper()
		seq++
		m := ws.next(5 * time.Second)
		if m["type"] != typ || m["op"] != op || m["id"] != id || seqOf(m) != seq {
			t.Fatalf("want %s %s %s seq %d, got %v", typ, op, id, seq, m)
		}
		got, has := m["version"]
		switch {
		case want == 0 && has:
			t.Errorf("%s %s seq %d carries version %v, want none", typ, op, seq, got)
		case want != 0 && got != float64(want):
			t.Errorf("%s %s seq %d carries version %v, want %d", typ, op, seq, got, want)
		}
		live[seq] = m
		return m
	}
	type rec struct {
		ID      string
		Version int64
	}

	// Shopping: REST on replica A, then psql.
	var list, item rec
	ana.call(t, c.a.URL(), 201, "POST", "/api/shopping/lists", map[string]any{"name": "Groceries"}, &list)
	expect("SHOPPING_LIST_UPDATED", "insert", list.ID, 1)
	ana.call(t, c.a.URL(), 201, "POST", "/api/shopping/lists/"+list.ID+"/items", map[string]any{"name": "milk", "category": "dairy"}, &item)
	expect("SHOPPING_ITEM_UPDATED", "insert", item.ID, 1)
	ana.call(t, c.a.URL(), 200, "PATCH", "/api/shopping/items/"+item.ID, map[string]any{"quantity": "2 l"}, &item)
	if item.Version != 2 {
		t.Fatalf("PATCH answered version %d", item.Version)
	}
	expect("SHOPPING_ITEM_UPDATED", "update", item.ID, item.Version)
	ben.call(t, c.b.URL(), 200, "PATCH", "/api/shopping/items/"+item.ID, map[string]any{"checked": true}, &item)
	expect("SHOPPING_ITEM_UPDATED", "update", item.ID, item.Version)
	// A DBA's UPDATE, no app involved: the database bumps the version and
	// the event carries it, also in the payload a DBA's LISTEN sees.
	c.exec(`UPDATE shopping_items SET quantity = '3 l' WHERE id = $1`, item.ID)
	if m := expect("SHOPPING_ITEM_UPDATED", "update", item.ID, rowVersion("shopping_items", item.ID)); m["version"] != 4.0 || m["actor"] != nil {
		t.Fatalf("the DBA's update: %v", m)
	}
	var payload map[string]any
	for payload["seq"] != float64(seq) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		n, err := dba.WaitForNotification(ctx)
		cancel()
		if err != nil {
			t.Fatalf("the DBA's LISTEN heard no seq %d: %v", seq, err)
		}
		payload = nil
		if err := json.Unmarshal([]byte(n.Payload), &payload); err != nil {
			t.Fatal(err)
		}
	}
	if payload["version"] != 4.0 {
		t.Errorf("the DBA's notice %v, want version 4", payload)
	}
	// Bookkeeping only: the version stays, so the event names none.
	c.exec(`UPDATE shopping_items SET updated_at = now() - interval '1 minute' WHERE id = $1`, item.ID)
	expect("SHOPPING_ITEM_UPDATED", "update", item.ID, 0)
	if v := rowVersion("shopping_items", item.ID); v != 4 {
		t.Fatalf("a touch of updated_at made version %d", v)
	}
	ana.call(t, c.a.URL(), 204, "DELETE", "/api/shopping/items/"+item.ID, nil, nil)
	expect("SHOPPING_ITEM_UPDATED", "delete", item.ID, 0)

	// Tasks: REST, psql, a delete from psql.
	var task rec
	ana.call(t, c.a.URL(), 201, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"}, &task)
	expect("TASK_UPDATED", "insert", task.ID, 1)
	ana.call(t, c.a.URL(), 200, "POST", "/api/tasks/"+task.ID+"/complete", nil, &task)
	expect("TASK_UPDATED", "update", task.ID, task.Version)
	c.exec(`UPDATE tasks SET notes = 'blue bin' WHERE id = $1`, task.ID)
	expect("TASK_UPDATED", "update", task.ID, rowVersion("tasks", task.ID))
	c.exec(`DELETE FROM tasks WHERE id = $1`, task.ID)
	expect("TASK_UPDATED", "delete", task.ID, 0)

	// Calendar: a series, and an occurrence of it changed from psql; the
	// series' version stays, what devices show of it does not.
	var ev rec
	start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Hour)
	ana.call(t, c.a.URL(), 201, "POST", "/api/calendar/events", map[string]any{"title": "Swimming", "rrule": "FREQ=WEEKLY",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Hour).Format(time.RFC3339)}, &ev)
	expect("CALENDAR_EVENT_UPDATED", "insert", ev.ID, 1)
	ana.call(t, c.a.URL(), 200, "PATCH", "/api/calendar/events/"+ev.ID, map[string]any{"location": "City pool"}, &ev)
	expect("CALENDAR_EVENT_UPDATED", "update", ev.ID, ev.Version)
	c.exec(`INSERT INTO calendar_event_overrides (family_id, event_id, recurrence_id, title, starts_at, ends_at)
		VALUES ($1, $2, $3, 'Swimming (late)', $4, $5)`, ana.familyID, ev.ID, start, start.Add(time.Hour), start.Add(2*time.Hour))
	expect("CALENDAR_EVENT_UPDATED", "update", ev.ID, 0)

	// Recipes.
	var recipe rec
	ana.call(t, c.a.URL(), 201, "POST", "/api/recipes", map[string]any{"title": "Pancakes", "servings": 4,
		"ingredients": []any{map[string]any{"name": "flour", "quantity": 200, "unit": "g"}}, "steps": []string{"Mix", "Fry"}}, &recipe)
	expect("RECIPE_UPDATED", "insert", recipe.ID, 1)
	ben.call(t, c.b.URL(), 200, "PATCH", "/api/recipes/"+recipe.ID, map[string]any{"servings": 2}, &recipe)
	expect("RECIPE_UPDATED", "update", recipe.ID, recipe.Version)

	// A list renamed from psql, then deleted through REST.
	c.exec(`UPDATE shopping_lists SET name = 'Weekly' WHERE id = $1`, list.ID)
	expect("SHOPPING_LIST_UPDATED", "update", list.ID, 2)
	ana.call(t, c.a.URL(), 204, "DELETE", "/api/shopping/lists/"+list.ID, nil, nil)
	expect("SHOPPING_LIST_UPDATED", "delete", list.ID, 0)

	// A table without a version column still makes events, without one.
	c.write(ana.familyID, 1)
	if m := ws.next(5 * time.Second); seqOf(m) != seq+1 {
		t.Fatalf("event of a table without versions: %v", m)
	} else {
		seq++
		if _, has := m["version"]; has {
			t.Errorf("event of a table without versions carries one: %v", m)
		}
		live[seq] = m
	}

	// The same events from the log: a socket resuming on the other replica,
	// the delta and the long poll.
	same := func(how string, got map[string]any) {
		t.Helper()
		want := live[seqOf(got)]
		if want == nil || fmt.Sprint(got["version"]) != fmt.Sprint(want["version"]) || got["id"] != want["id"] || got["op"] != want["op"] {
			t.Errorf("%s: seq %d is %v, live it was %v", how, seqOf(got), got, want)
		}
	}
	resumed := dialWS(t, c.a, ben, fmt.Sprintf("since=%d", since))
	resumed.nextType("hello", 5*time.Second)
	for s := since + 1; s <= seq; s++ {
		m := resumed.next(5 * time.Second)
		if seqOf(m) != s {
			t.Fatalf("replayed %v, want seq %d", m, s)
		}
		same("socket resumed with since=", m)
	}
	var delta struct {
		Seq    int64
		Events []map[string]any
	}
	getJSON(t, ben.hc, fmt.Sprintf("%s/api/realtime/events?since=%d", c.b.URL(), since), &delta)
	if delta.Seq != seq || int64(len(delta.Events)) != seq-since {
		t.Fatalf("delta: seq %d, %d events; want %d, %d", delta.Seq, len(delta.Events), seq, seq-since)
	}
	for _, m := range delta.Events {
		same("/api/realtime/events", m)
	}
	getJSON(t, ana.hc, fmt.Sprintf("%s/api/realtime/poll?since=%d&timeout=0", c.a.URL(), since), &delta)
	for _, m := range delta.Events {
		same("/api/realtime/poll", m)
	}
	// And the log itself, as a DBA reads it.
	var logged, withVersion int64
	if err := c.pool.QueryRow(context.Background(), `SELECT count(*), count(version) FROM event_log WHERE family_id = $1 AND seq > $2`,
		ana.familyID, since).Scan(&logged, &withVersion); err != nil {
		t.Fatal(err)
	}
	var wantWith int64
	for _, m := range live {
		if _, ok := m["version"]; ok {
			wantWith++
		}
	}
	if logged != seq-since || withVersion != wantWith {
		t.Errorf("event_log holds %d events, %d with a version; want %d, %d", logged, withVersion, seq-since, wantWith)
	}
}
