package main

import (
	"testing"
	"time"
)

// TestEventTable walks the product's event table through the REST API: each
// action by Ana on replica A reaches Ben's socket on replica B as the right
// event, with consecutive seqs; another family's socket hears nothing.
func TestEventTable(t *testing.T) {
	parallelInQuickLoop(t)
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ben := join(t, c.b, ana, "ben@example.org")
	zoe := newFamily(t, c.a, "zoe@example.org")
	benWS := dialWS(t, c.b, ben, "device_id=ben-phone")
	zoeWS := dialWS(t, c.b, zoe, "")
	// Ben's joining was the family's last event (FAMILY_UPDATED).
	seq := seqOf(benWS.nextType("hello", 5*time.Second))
	zoeWS.nextType("hello", 5*time.Second)

	expect := func(typ, op, id string) map[string]any {
		t.Helper()
		seq++
		m := benWS.next(5 * time.Second)
		if m["type"] != typ || m["op"] != op || m["id"] != id || seqOf(m) != seq || m["actor"] != ana.userID {
			t.Fatalf("want %s %s %s seq %d by %s, got %v", typ, op, id, seq, ana.userID, m)
		}
		return m
	}
	type obj struct {
		ID string `json:"id"`
	}

	// Shopping lists and items.
	var list obj
	ana.call(t, c.a.URL(), 201, "POST", "/api/shopping/lists", map[string]any{"name": "Groceries"}, &list)
	expect("SHOPPING_LIST_UPDATED", "insert", list.ID)
	ana.call(t, c.a.URL(), 200, "PATCH", "/api/shopping/lists/"+list.ID, map[string]any{"name": "Weekly groceries"}, nil)
	expect("SHOPPING_LIST_UPDATED", "update", list.ID)
	var item obj
	ana.call(t, c.a.URL(), 201, "POST", "/api/shopping/lists/"+list.ID+"/items", map[string]any{"name": "milk", "category": "dairy"}, &item)
	if m := expect("SHOPPING_ITEM_UPDATED", "insert", item.ID); m["list_id"] != list.ID {
		t.Fatalf("item event without list_id: %v", m)
	}
	ana.call(t, c.a.URL(), 200, "PATCH", "/api/shopping/items/"+item.ID, map[string]any{"quantity": "2 l"}, nil)
	expect("SHOPPING_ITEM_UPDATED", "update", item.ID)
	ana.call(t, c.a.URL(), 200, "PATCH", "/api/shopping/items/"+item.ID, map[string]any{"checked": true}, nil)
	expect("SHOPPING_ITEM_UPDATED", "update", item.ID)
	ana.call(t, c.a.URL(), 200, "PATCH", "/api/shopping/items/"+item.ID, map[string]any{"checked": false}, nil)
	expect("SHOPPING_ITEM_UPDATED", "update", item.ID)
	ana.call(t, c.a.URL(), 204, "DELETE", "/api/shopping/items/"+item.ID, nil, nil)
	expect("SHOPPING_ITEM_UPDATED", "delete", item.ID)

	// Tasks.
	var task obj
	ana.call(t, c.a.URL(), 201, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"}, &task)
	expect("TASK_UPDATED", "insert", task.ID)
	ana.call(t, c.a.URL(), 200, "PATCH", "/api/tasks/"+task.ID, map[string]any{"notes": "blue bin"}, nil)
	expect("TASK_UPDATED", "update", task.ID)
	ana.call(t, c.a.URL(), 200, "POST", "/api/tasks/"+task.ID+"/complete", nil, nil)
	expect("TASK_UPDATED", "update", task.ID)
	ana.call(t, c.a.URL(), 200, "POST", "/api/tasks/"+task.ID+"/uncomplete", nil, nil)
	expect("TASK_UPDATED", "update", task.ID)
	ana.call(t, c.a.URL(), 200, "POST", "/api/tasks/"+task.ID+"/snooze", map[string]any{"until": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, nil)
	expect("TASK_UPDATED", "update", task.ID)

	// Calendar.
	var ev obj
	start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Hour)
	ana.call(t, c.a.URL(), 201, "POST", "/api/calendar/events", map[string]any{
		"title": "Dentist", "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Hour).Format(time.RFC3339),
	}, &ev)
	expect("CALENDAR_EVENT_UPDATED", "insert", ev.ID)
	ana.call(t, c.a.URL(), 200, "PATCH", "/api/calendar/events/"+ev.ID, map[string]any{"location": "Main St 1"}, nil)
	expect("CALENDAR_EVENT_UPDATED", "update", ev.ID)
	ana.call(t, c.a.URL(), 204, "DELETE", "/api/calendar/events/"+ev.ID, nil, nil)
	expect("CALENDAR_EVENT_UPDATED", "delete", ev.ID)

	// Recipes.
	var recipe obj
	ana.call(t, c.a.URL(), 201, "POST", "/api/recipes", map[string]any{
		"title": "Pancakes", "servings": 4, "ingredients": []any{map[string]any{"name": "flour", "quantity": 200, "unit": "g"}}, "steps": []string{"Mix", "Fry"},
	}, &recipe)
	expect("RECIPE_UPDATED", "insert", recipe.ID)
	ana.call(t, c.a.URL(), 200, "PATCH", "/api/recipes/"+recipe.ID, map[string]any{"servings": 2}, nil)
	expect("RECIPE_UPDATED", "update", recipe.ID)

	// Deleting the list: its (now empty) item set and the list itself.
	ana.call(t, c.a.URL(), 204, "DELETE", "/api/shopping/lists/"+list.ID, nil, nil)
	expect("SHOPPING_LIST_UPDATED", "delete", list.ID)

	// Zoe's family heard none of it: its first event is its own.
	var zlist obj
	zoe.call(t, c.a.URL(), 201, "POST", "/api/shopping/lists", map[string]any{"name": "Zoe's"}, &zlist)
	if m := zoeWS.next(5 * time.Second); m["id"] != zlist.ID || seqOf(m) != 1 {
		t.Fatalf("other family got %v", m)
	}
}
