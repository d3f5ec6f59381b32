package http

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/familyhub/familyhub"
)

// TestLimitReachedAnswer: a create at a collection's limit answers 409
// limit_reached naming the limit, in English and in German, and writes
// nothing: an administrative collection (child devices) and the shopping
// item add (the one-statement write, near the limit counted in a
// transaction).
func TestLimitReachedAnswer(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("limits@example.org", "Limits")
	ctx := context.Background()

	for i := range familyhub.MaxChildDevices {
		c.must(http.StatusCreated, "POST", "/api/family/child-devices", map[string]any{"name": fmt.Sprint("tablet ", i)})
	}
	var list struct{ ID string }
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	if _, err := env.pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'x' || g, g FROM generate_series(1, $3) g`, acc.Family.ID, list.ID, familyhub.MaxShoppingItemsPerList); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, path, body, table string
		en, de                  string
	}{
		{"child device", "/api/family/child-devices", `{"name":"one more"}`, "child_devices",
			"A family can have at most 50 devices for children; remove one first.",
			"Eine Familie kann höchstens 50 Geräte für Kinder haben; entferne zuerst eines."},
		{"shopping item", "/api/shopping/lists/" + list.ID + "/items", `{"name":"milk"}`, "shopping_items",
			"A shopping list can have at most 10000 items; delete some first (ticked ones too).",
			"Eine Einkaufsliste kann höchstens 10000 Einträge haben; lösche zuerst welche (abgehakte zählen mit)."},
	} {
		before := env.count(tc.table)
		for _, lang := range []struct{ accept, want, lang string }{{"en", tc.en, "en"}, {"de-DE,de;q=0.9", tc.de, "de"}} {
			st, h, body, err := c.send("POST", tc.path, tc.body, map[string]string{"Accept-Language": lang.accept})
			if err != nil {
				t.Fatal(err)
			}
			r := response{&http.Response{StatusCode: st, Header: h}, body}
			if st != http.StatusConflict {
				t.Errorf("%s (%s): status %d, want 409; %s", tc.name, lang.accept, st, body)
				continue
			}
			if e := r.errorBody(t); e.Code != familyhub.ELIMIT || e.Message != lang.want {
				t.Errorf("%s (%s): %+v, want %s %q", tc.name, lang.accept, e, familyhub.ELIMIT, lang.want)
			}
			if got := h.Get("Content-Language"); got != lang.lang {
				t.Errorf("%s (%s): Content-Language %q", tc.name, lang.accept, got)
			}
		}
		if n := env.count(tc.table); n != before {
			t.Errorf("%s: %d rows after the refusals, want %d", tc.name, n, before)
		}
	}
}

// TestUndoAtLimit: the assistant's undo of a completion reopens the task,
// so at the open tasks' limit it is refused as a new task is: 409
// limit_reached with the limit's sentence in the command's language (the
// PWA shows it under the assistant's reply), and nothing undone.
func TestUndoAtLimit(t *testing.T) {
	t.Parallel()
	env, c, acc, _ := newAssistantFamily(t, Config{})
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Water the plants"})
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Oma anrufen"})
	en := c.command(t, "mark water the plants as done")
	de := c.command(t, "Oma anrufen ist erledigt")
	if !en.Undoable || en.Lang != "en" || !de.Undoable || de.Lang != "de" {
		t.Fatalf("commands: %+v %+v", en, de)
	}
	if _, err := env.pool.Exec(context.Background(), `INSERT INTO tasks (family_id, title) SELECT $1, 't' || g FROM generate_series(1, $2) g`,
		acc.Family.ID, familyhub.MaxOpenTasks); err != nil {
		t.Fatal(err)
	}
	before := env.domainState(t, acc.Family.ID.String())
	for _, tc := range []struct {
		cmd          assistantAnswer
		accept, want string
	}{
		{en, "en", "A family can have at most 5000 open tasks; complete or delete some first."},
		{de, "de-DE,de;q=0.9", "Eine Familie kann höchstens 5000 offene Aufgaben haben; erledige oder lösche zuerst welche."},
	} {
		st, h, body, err := c.send("POST", "/api/assistant/commands/"+tc.cmd.ID+"/undo", `{}`, map[string]string{"Accept-Language": tc.accept})
		if err != nil {
			t.Fatal(err)
		}
		r := response{&http.Response{StatusCode: st, Header: h}, body}
		if st != http.StatusConflict {
			t.Fatalf("undo (%s): status %d, want 409; %s", tc.cmd.Lang, st, body)
		}
		if e := r.errorBody(t); e.Code != familyhub.ELIMIT || e.Message != tc.want || h.Get("Content-Language") != tc.cmd.Lang {
			t.Errorf("undo (%s): %+v, Content-Language %q; want %q", tc.cmd.Lang, e, h.Get("Content-Language"), tc.want)
		}
	}
	if after := env.domainState(t, acc.Family.ID.String()); after != before {
		t.Errorf("a refused undo wrote: %s, then %s", before, after)
	}
}
