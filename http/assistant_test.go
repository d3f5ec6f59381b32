package http

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/assistant"
	"github.com/familyhub/familyhub/llm"
)

type assistantAnswer struct {
	ID      string           `json:"id"`
	Intent  assistant.Intent `json:"intent"`
	Source  string           `json:"source"`
	Result  json.RawMessage  `json:"result"`
	Message string           `json:"message"`
}

func (c *client) command(t testing.TB, text string) assistantAnswer {
	t.Helper()
	var a assistantAnswer
	c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": text}).decode(t, &a)
	return a
}

// domainState is everything a command may write, and the family's event
// seq: equal states mean nothing was written.
func (e *testEnv) domainState(t testing.TB, family string) string {
	t.Helper()
	var s string
	err := e.pool.QueryRow(context.Background(), `SELECT concat_ws(' ',
		(SELECT count(*) FROM shopping_lists), (SELECT count(*) FROM shopping_items),
		(SELECT count(*) FILTER (WHERE checked) FROM shopping_items),
		(SELECT count(*) FROM tasks), (SELECT count(*) FILTER (WHERE completed_at IS NOT NULL) FROM tasks),
		(SELECT count(*) FROM calendar_events), (SELECT seq FROM family_event_seq WHERE family_id = $1))`, family).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newAssistantFamily(t testing.TB, cfg Config) (*testEnv, *client, accountResponse, *time.Location) {
	env := newTestEnv(t, cfg)
	c, acc := env.signup("ana@example.org", "Rivera")
	c.must(http.StatusOK, "PATCH", "/api/family", map[string]any{"time_zone": "Europe/Berlin"})
	c.header.Set("X-Device-ID", "ana-phone")
	loc, _ := time.LoadLocation("Europe/Berlin")
	return env, c, acc, loc
}

func TestAssistantCommands(t *testing.T) {
	env, c, acc, loc := newAssistantFamily(t, Config{})

	// shopping.add_items: a new family has no list; the named one is made.
	a := c.command(t, "add milk and eggs to the groceries list")
	if a.Intent.Type != assistant.IntentShoppingAddItems || a.Source != "parser" || a.ID == "" {
		t.Fatalf("answer %+v", a)
	}
	if a.Message != "Created the list Groceries and added milk and eggs." {
		t.Errorf("message %q", a.Message)
	}
	var added struct {
		List  shoppingListJSON
		Items []shoppingItemJSON
	}
	json.Unmarshal(a.Result, &added)
	if added.List.Name != "Groceries" || len(added.Items) != 2 || added.Items[0].Name != "milk" || added.Items[1].Position != 1 {
		t.Fatalf("result %s", a.Result)
	}
	// Now the list exists, and "the shopping list" means it too.
	if a := c.command(t, "add 2 litres of oat milk to the shopping list"); a.Message != "Added 2 litres of oat milk to Groceries." {
		t.Errorf("message %q", a.Message)
	}
	if a := c.command(t, "we need bread"); a.Message != "Added bread to Groceries." {
		t.Errorf("message %q", a.Message)
	}
	var list shoppingListWithItemsJSON
	c.must(http.StatusOK, "GET", "/api/shopping/lists/"+added.List.ID.String(), nil).decode(t, &list)
	if len(list.Items) != 4 || *list.Items[2].Quantity != "2 litres" || list.Items[2].Name != "oat milk" {
		t.Fatalf("list %+v", list)
	}

	// shopping.check_items: "milk" is milk, not oat milk.
	if a := c.command(t, "check off milk and bread"); a.Message != "Checked off milk and bread on Groceries." {
		t.Errorf("message %q", a.Message)
	}
	c.must(http.StatusOK, "GET", "/api/shopping/lists/"+added.List.ID.String(), nil).decode(t, &list)
	for _, it := range list.Items {
		if it.Checked != (it.Name == "milk" || it.Name == "bread") || (it.Checked && *it.CheckedBy != acc.User.ID) {
			t.Errorf("item %s checked=%v", it.Name, it.Checked)
		}
	}

	// task.create in the family's zone.
	a = c.command(t, "remind me to call grandma tomorrow at 6pm")
	var task struct{ Task taskJSON }
	json.Unmarshal(a.Result, &task)
	now := time.Now().In(loc)
	want := time.Date(now.Year(), now.Month(), now.Day()+1, 18, 0, 0, 0, loc)
	if task.Task.Title != "Call grandma" || !task.Task.DueAt.Equal(want) || *task.Task.CreatedBy != acc.User.ID {
		t.Fatalf("task %+v, want due %v", task.Task, want)
	}
	if a.Message != `Added the task "Call grandma", due tomorrow at 18:00.` {
		t.Errorf("message %q", a.Message)
	}

	// task.complete by fuzzy title.
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"})
	a = c.command(t, "mark take out the trash as done")
	json.Unmarshal(a.Result, &task)
	if task.Task.Title != "Take out the trash" || task.Task.CompletedAt == nil || a.Message != `Marked "Take out the trash" as done.` {
		t.Fatalf("complete: %+v %q", task.Task, a.Message)
	}
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Water the plants"})
	if a := c.command(t, "finish watr the plant"); a.Message != `Marked "Water the plants" as done.` {
		t.Errorf("typo: %q", a.Message)
	}

	// calendar.create: "Friday at 3" is 15:00 on the next Friday.
	a = c.command(t, "put dentist on Friday at 3")
	var ev struct{ Event calendarEventJSON }
	json.Unmarshal(a.Result, &ev)
	start := ev.Event.StartsAt.In(loc)
	if ev.Event.Title != "Dentist" || start.Weekday() != time.Friday || start.Hour() != 15 || start.Sub(now) > 7*24*time.Hour || start.Before(now) ||
		ev.Event.EndsAt.Sub(ev.Event.StartsAt) != time.Hour || ev.Event.AllDay {
		t.Fatalf("event %+v", ev.Event)
	}

	// query.today reads tasks and events of today, and writes nothing.
	c.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{"title": "Swim", "starts_at": now.Format(time.DateOnly), "ends_at": now.AddDate(0, 0, 1).Format(time.DateOnly), "all_day": true})
	before := env.domainState(t, acc.Family.ID.String())
	a = c.command(t, "what's on today?")
	if env.domainState(t, acc.Family.ID.String()) != before {
		t.Error("query.today wrote something")
	}
	var today assistantTodayResult
	json.Unmarshal(a.Result, &today)
	if today.Date != now.Format(time.DateOnly) || len(today.Events) != 1 || !strings.Contains(a.Message, "Swim (all day)") {
		t.Errorf("today: %s %q", a.Result, a.Message)
	}

	// Every command is recorded, executed ones with their intent.
	var n int
	env.pool.QueryRow(context.Background(), `SELECT count(*) FROM assistant_commands WHERE family_id = $1 AND outcome = 'executed'
		AND device_id = 'ana-phone' AND user_id = $2 AND intent IS NOT NULL AND source = 'parser'`, acc.Family.ID, acc.User.ID).Scan(&n)
	if n < 9 {
		t.Errorf("%d executed commands recorded", n)
	}
}

// TestAssistantRefusedWritesNothing: nonsense, ambiguity and a command that
// fails half-way answer 422 with a message and leave the domain as it was;
// the refusal is recorded.
func TestAssistantRefusedWritesNothing(t *testing.T) {
	env, c, acc, _ := newAssistantFamily(t, Config{})
	c.command(t, "add milk, eggs and oat milk to the groceries list")
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"})
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the recycling"})
	family := acc.Family.ID.String()
	before := env.domainState(t, family)
	for _, tc := range []struct{ text, want string }{
		{"colorless green ideas sleep furiously", "did not understand"},
		{"mark take out as done", `Which task do you mean: "Take out the trash" or "Take out the recycling"?`},
		{"complete fly to the moon", `No open task matches "Fly to the moon"`},
		// eggs would be checked, then flour is missing: all or nothing.
		{"check off eggs and flour", `I could not find "flour" unchecked on any list.`},
		{"check off mil", `Which one do you mean: "milk" or "oat milk"?`},
		{"tick off milk from the hardware list", `There is no list called "hardware"`},
		// Understood, but not executed yet: refused, not half done.
		{"Tim takes out the bins every Tuesday", "not supported yet"},
		{"delete the dentist", "not supported yet"},
	} {
		r := c.do("POST", "/api/assistant/commands", map[string]any{"text": tc.text})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%q: status %d %s", tc.text, r.StatusCode, r.body)
		}
		if e := r.errorBody(t); e.Code != familyhub.EINVALID || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%q: error %+v, want %q", tc.text, e, tc.want)
		}
		if got := env.domainState(t, family); got != before {
			t.Fatalf("%q wrote: %s → %s", tc.text, before, got)
		}
	}
	var refused, withIntent int
	env.pool.QueryRow(context.Background(), `SELECT count(*), count(intent) FROM assistant_commands WHERE family_id = $1 AND outcome = 'refused'
		AND error_code = 'invalid' AND message <> ''`, acc.Family.ID).Scan(&refused, &withIntent)
	if refused != 8 || withIntent != 7 {
		t.Errorf("refused recorded %d, with intent %d", refused, withIntent)
	}
}

func TestAssistantInputLimits(t *testing.T) {
	env, c, acc, _ := newAssistantFamily(t, Config{})
	for _, tc := range []struct {
		body   any
		status int
		field  string
	}{
		{map[string]any{"text": ""}, 422, "text"},
		{map[string]any{"text": "   "}, 422, "text"},
		{map[string]any{}, 422, "text"},
		{map[string]any{"text": "add " + strings.Repeat("x", 497)}, 422, "text"},
		{map[string]any{"text": "add milk", "locale": "fr-FR"}, 422, "locale"},
		{map[string]any{"text": "add milk", "intent": "x"}, 422, "intent"},
		{map[string]any{"text": 5}, 422, "text"},
		{`{"text":`, 400, ""},
	} {
		r := c.do("POST", "/api/assistant/commands", tc.body)
		if r.StatusCode != tc.status || r.errorBody(t).Field != tc.field {
			t.Errorf("%v: %d %s", tc.body, r.StatusCode, r.body)
		}
	}
	if n := env.count("assistant_commands"); n != 0 {
		t.Errorf("%d malformed requests recorded", n)
	}
	// 500 characters are fine, German too.
	c.command(t, "add "+strings.Repeat("x", 196))
	var a assistantAnswer
	c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": "setz Milch auf die Einkaufsliste", "locale": "de-DE"}).decode(t, &a)
	if a.Intent.Type != assistant.IntentShoppingAddItems || a.Message != "Added Milch to Shopping." {
		t.Errorf("German: %+v", a)
	}
	// Without a session: 401.
	anon := env.newClient()
	if r := anon.do("POST", "/api/assistant/commands", map[string]any{"text": "add milk"}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
	_ = acc
}

// fakeModel is an OpenAI-compatible chat endpoint answering content.
func fakeModel(t *testing.T, content func(user string) string, delay time.Duration) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-test" {
			http.Error(w, "bad request "+r.URL.Path, http.StatusBadRequest)
			return
		}
		var req struct {
			Model    string
			Messages []struct{ Role, Content string }
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &req); err != nil || req.Model != "tiny" || len(req.Messages) != 2 || !strings.Contains(req.Messages[0].Content, "Europe/Berlin") {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": content(req.Messages[1].Content)}}}})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestAssistantModel(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin") // the family's zone
	y, m, d := time.Now().In(berlin).AddDate(0, 0, 1).Date()
	at := func(hour int) string { return time.Date(y, m, d, hour, 0, 0, 0, berlin).Format(time.RFC3339) }
	srv, calls := fakeModel(t, func(user string) string {
		switch user {
		case "we're low on coffee beans":
			return "```json\n" + `{"type":"shopping.add_items","slots":{"items":[{"name":"coffee beans","quantity":"1 bag"}]}}` + "\n```"
		case "dinner with the Smiths tomorrow evening":
			return `{"type":"calendar.create","slots":{"title":"Dinner with the Smiths","starts_at":"` + at(19) + `","ends_at":"` + at(22) + `"}}`
		case "delete everything":
			return `{"type":"shopping.delete_all","slots":{}}`
		case "add milk":
			return `{"type":"shopping.add_items","slots":{"items":[{"name":"milk"}],"sql":"DROP TABLE"}}`
		case "put dentist on Friday at 3":
			return `Sure! The dentist is on Friday.`
		}
		return `{"type":"none","slots":{}}`
	}, 0)
	env, c, _, _ := newAssistantFamily(t, Config{Assistant: llm.Config{URL: srv.URL + "/v1/", Model: "tiny", Key: "sk-test"}})

	a := c.command(t, "we're low on coffee beans")
	if a.Source != "llm" || a.Message != "Created the list Shopping and added 1 bag of coffee beans." {
		t.Errorf("model intent: %+v", a)
	}
	a = c.command(t, "dinner with the Smiths tomorrow evening")
	if a.Source != "llm" || a.Intent.Type != assistant.IntentCalendarCreate || !strings.Contains(a.Message, "tomorrow at 19:00") {
		t.Errorf("model event: %+v", a)
	}
	// Invalid proposals (unknown type, unknown slot, prose) fall back to
	// the built-in parser, which understands some of them.
	if a := c.command(t, "add milk"); a.Source != "parser" || a.Intent.Type != assistant.IntentShoppingAddItems {
		t.Errorf("unknown slot: %+v", a)
	}
	if a := c.command(t, "put dentist on Friday at 3"); a.Source != "parser" || a.Intent.Type != assistant.IntentCalendarCreate {
		t.Errorf("prose: %+v", a)
	}
	before := env.domainState(t, onlyFamilyID(t, env))
	if r := c.do("POST", "/api/assistant/commands", map[string]any{"text": "delete everything"}); r.StatusCode != 422 {
		t.Errorf("unknown type: %d %s", r.StatusCode, r.body)
	}
	if env.domainState(t, onlyFamilyID(t, env)) != before {
		t.Error("refused model proposal wrote")
	}
	if calls.Load() != 5 {
		t.Errorf("%d calls to the model", calls.Load())
	}

	// A model that does not answer in time: the parser answers.
	slow, _ := fakeModel(t, func(string) string { return `{"type":"none","slots":{}}` }, 5*time.Second)
	_, c2, _, _ := newAssistantFamily(t, Config{Assistant: llm.Config{URL: slow.URL + "/v1/chat/completions", Model: "tiny", Key: "sk-test", Timeout: 200 * time.Millisecond}})
	start := time.Now()
	if a := c2.command(t, "add milk"); a.Source != "parser" || time.Since(start) > 3*time.Second {
		t.Errorf("slow model: %+v after %s", a, time.Since(start))
	}
	// A model that is down: the parser answers.
	down, _ := fakeModel(t, nil, 0)
	down.Close()
	_, c3, _, _ := newAssistantFamily(t, Config{Assistant: llm.Config{URL: down.URL, Model: "tiny"}})
	if a := c3.command(t, "add milk"); a.Source != "parser" {
		t.Errorf("model down: %+v", a)
	}
}

// onlyFamilyID returns the id of the only family in env's database.
func onlyFamilyID(t *testing.T, env *testEnv) string {
	var id string
	if err := env.pool.QueryRow(context.Background(), "SELECT id FROM families").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAssistantTitleScore(t *testing.T) {
	for _, tc := range []struct {
		said, title string
		min, max    float64
	}{
		{"take out the trash", "Take out the trash", 1, 1},
		{"trash", "Take out the trash", 0.5, 0.8},
		{"take out trash", "Take out the trash", 1, 1},
		{"take out the trsh", "Take out the trash", 0.75, 0.8},
		{"call grandma", "Take out the trash", 0, 0.49},
		{"take out", "Take out the recycling", 0.5, 0.8},
	} {
		if got := titleScore(tc.said, tc.title); got < tc.min || got > tc.max {
			t.Errorf("titleScore(%q, %q) = %.2f, want %.2f..%.2f", tc.said, tc.title, got, tc.min, tc.max)
		}
	}
}

// FuzzAssistantRefusedCommandWritesNothing: whatever the text, a command
// that is not executed (any status but 200) leaves the domain untouched.
// The seeds run in every `go test`.
func FuzzAssistantRefusedCommandWritesNothing(f *testing.F) {
	for _, s := range []string{
		"colorless green ideas sleep furiously", "check off eggs and flour", "mark take out as done",
		"add milk and eggs to the groceries list", "put on Friday at 3", "complete x", "tick off milk from the x list",
		"remind me to " + strings.Repeat("x", 300), "add " + strings.Repeat("y ", 100), "schedule z on 2999-12-31 at 23:30 for 2 hours",
		"check off milk, milk and milk", "\x00", "", "mark as done", "what's on 2026-02-30",
	} {
		f.Add(s)
	}
	env, c, acc, _ := newAssistantFamily(f, Config{})
	c.command(f, "add milk and oat milk to the groceries list")
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"})
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the recycling"})
	family := acc.Family.ID.String()
	f.Fuzz(func(t *testing.T, text string) {
		before := env.domainState(t, family)
		body, _ := json.Marshal(map[string]any{"text": text})
		req, _ := http.NewRequest("POST", env.ts.URL+"/api/assistant/commands", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Device-ID", "fuzz")
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return
		case resp.StatusCode >= 500:
			t.Fatalf("%q: %d %s", text, resp.StatusCode, b)
		}
		var e errorBody
		if json.Unmarshal(b, &e) != nil || e.Error.Message == "" {
			t.Fatalf("%q: no error message in %s", text, b)
		}
		if after := env.domainState(t, family); after != before {
			t.Fatalf("refused %q (%d) wrote: %s → %s", text, resp.StatusCode, before, after)
		}
	})
}
