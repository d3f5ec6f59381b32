package http

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/assistant"
	"github.com/familyhub/familyhub/llm"
)

// The assistant's HTTP face: shapes, languages, ids, choices and undo.
// What commands do is tested in package assistant.

type assistantAnswer struct {
	ID         string           `json:"id"`
	Intent     assistant.Intent `json:"intent"`
	Source     string           `json:"source"`
	Outcome    string           `json:"outcome"`
	Result     json.RawMessage  `json:"result"`
	Message    string           `json:"message"`
	Lang       string           `json:"lang"`
	Undoable   bool             `json:"undoable"`
	QuestionID string           `json:"question_id"`
	Choices    []struct {
		Index int    `json:"index"`
		Label string `json:"label"`
	} `json:"choices"`
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
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	c.header.Set("X-Device-ID", "ana-phone")
	loc, _ := time.LoadLocation("Europe/Berlin")
	return env, c, acc, loc
}

func TestAssistantCommands(t *testing.T) {
	oneDay(t)
	env, c, acc, loc := newAssistantFamily(t, Config{})

	// An executed command: the records in their REST shapes, the message
	// in the command's language (Content-Language), undoable.
	r := c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": "add 2 litres of milk and eggs to the shopping list"})
	var a assistantAnswer
	r.decode(t, &a)
	if a.Outcome != "executed" || a.Source != "parser" || a.Lang != "en" || r.Header.Get("Content-Language") != "en" || !a.Undoable ||
		a.Message != "Added 2 litres of milk and eggs to “Weekly”." {
		t.Fatalf("answer %s", r.body)
	}
	var added struct {
		List  shoppingListJSON
		Items []shoppingItemJSON
	}
	json.Unmarshal(a.Result, &added)
	if added.List.Name != "Weekly" || len(added.Items) != 2 || *added.Items[0].Quantity != "2 litres" || added.Items[1].Position != 1 {
		t.Fatalf("result %s", a.Result)
	}
	var n int
	env.pool.QueryRow(context.Background(), `SELECT count(*) FROM assistant_commands WHERE family_id = $1 AND outcome = 'executed'
		AND device_id = 'ana-phone' AND user_id = $2 AND intent = 'shopping.add_items' AND source = 'parser'`, acc.Family.ID, acc.User.ID).Scan(&n)
	if n != 1 {
		t.Errorf("%d executed commands recorded", n)
	}

	// German: the command's words decide; the header says so. The clock
	// read before and after: a command that ran across 04:00 (NightEnds)
	// or midnight may have seen either.
	saidFrom := time.Now().In(loc)
	r = c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": "Erinnere mich morgen um 18 Uhr, Oma anzurufen"})
	r.decode(t, &a)
	var task struct{ Task taskJSON }
	json.Unmarshal(a.Result, &task)
	now := time.Now().In(loc)
	due := func(now time.Time) time.Time {
		return time.Date(now.Year(), now.Month(), now.Day()+tomorrowAfter(now), 18, 0, 0, 0, loc)
	}
	if r.Header.Get("Content-Language") != "de" || !tomorrowSaid(a.Message, "Neue Aufgabe „Oma anrufen“, fällig morgen um 18:00 Uhr.", saidFrom, now) ||
		!task.Task.DueAt.Equal(due(saidFrom)) && !task.Task.DueAt.Equal(due(now)) {
		t.Errorf("German: %s", r.body)
	}
	// The device's clock, as the locale's hour cycle says it: 12-hour
	// English times as the app shows them; German keeps 18:00 Uhr.
	r = c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": "remind me to call grandpa tomorrow at 6pm", "locale": "en-US-u-hc-h12"})
	r.decode(t, &a)
	saidFrom, now = now, time.Now().In(loc)
	if !tomorrowSaid(a.Message, "Added the task “Call grandpa”, due tomorrow at 6:00 PM.", saidFrom, now) {
		t.Errorf("12-hour English: %s", r.body)
	}
	r = c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": "Erinnere mich morgen um 18 Uhr, Opa zu besuchen", "locale": "de-DE-u-hc-h12"})
	r.decode(t, &a)
	saidFrom, now = now, time.Now().In(loc)
	if !tomorrowSaid(a.Message, "Neue Aufgabe „Opa besuchen“, fällig morgen um 18:00 Uhr.", saidFrom, now) {
		t.Errorf("German on a 12-hour device: %s", r.body)
	}
	// A refusal in the command's language, and Accept-Language breaking a
	// tie ("Milsh" could be either).
	r = c.do("POST", "/api/assistant/commands", map[string]any{"text": "hake Butter ab"})
	if r.StatusCode != 422 || r.Header.Get("Content-Language") != "de" || r.errorBody(t).Message != "„Butter“ steht auf keiner Liste." {
		t.Errorf("German refusal: %d %s", r.StatusCode, r.body)
	}
	c.header.Set("Accept-Language", "de-DE,de;q=0.9")
	r = c.do("POST", "/api/assistant/commands", map[string]any{"text": "xyzzy"})
	if r.StatusCode != 422 || r.Header.Get("Content-Language") != "de" || !strings.HasPrefix(r.errorBody(t).Message, "Das habe ich leider nicht verstanden") {
		t.Errorf("Accept-Language: %d %s", r.StatusCode, r.body)
	}
	// An English command refused stays English under a German
	// Accept-Language: errors speak the language of the answer.
	r = c.do("POST", "/api/assistant/commands", map[string]any{"text": "tick off butter", "locale": "en-GB"})
	if r.StatusCode != 422 || r.Header.Get("Content-Language") != "en" || strings.Contains(r.errorBody(t).Message, "Liste") {
		t.Errorf("English refusal under Accept-Language de: %d %s", r.StatusCode, r.body)
	}
	c.header.Del("Accept-Language")

	// A question: choices by index, answered by POST …/choice.
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"})
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the recycling"})
	before := env.domainState(t, acc.Family.ID.String())
	q := c.command(t, "mark take out as done")
	if q.Outcome != "question" || q.Intent.Needs != "choice" || len(q.Intent.Options) != 2 || len(q.Choices) != 2 ||
		q.Choices[1].Index != 1 || q.Choices[1].Label != "“Take out the trash”" || q.Result != nil && string(q.Result) != "null" || q.Undoable {
		t.Fatalf("question: %+v", q)
	}
	if env.domainState(t, acc.Family.ID.String()) != before {
		t.Fatal("a question wrote")
	}
	path := "/api/assistant/commands/" + q.ID + "/choice"
	c.must(http.StatusOK, "POST", path, map[string]any{"option": 1}).decode(t, &a)
	if a.Outcome != "executed" || a.Message != "Marked “Take out the trash” as done." || a.QuestionID != q.ID || a.ID == q.ID {
		t.Errorf("choice: %+v", a)
	}
	var again assistantAnswer
	c.must(http.StatusOK, "POST", path, map[string]any{"option": 1}).decode(t, &again)
	if again.ID != a.ID {
		t.Errorf("choice again: %+v", again)
	}
	for _, tc := range []struct {
		body   any
		status int
	}{{map[string]any{"option": 0}, 409}, {map[string]any{"option": 7}, 422}, {map[string]any{}, 422}, {map[string]any{"option": "x"}, 422}} {
		if r := c.do("POST", path, tc.body); r.StatusCode != tc.status {
			t.Errorf("choice %v: %d %s", tc.body, r.StatusCode, r.body)
		}
	}
	if r := c.do("POST", "/api/assistant/commands/"+uuid.NewString()+"/choice", map[string]any{"option": 0}); r.StatusCode != 404 {
		t.Errorf("choice of an unknown question: %d", r.StatusCode)
	}

	// Undo: 200, then 409; unknown 404.
	undo := "/api/assistant/commands/" + a.ID + "/undo"
	var u struct {
		ID      string
		Undone  bool
		Message string
	}
	r = c.must(http.StatusOK, "POST", undo, map[string]any{"locale": "en-US-u-hc-h12"}) // as the PWA sends it
	r.decode(t, &u)
	if !u.Undone || u.Message != "Undone: Marked “Take out the trash” as done." || r.Header.Get("Content-Language") != "en" {
		t.Errorf("undo: %s", r.body)
	}
	if r := c.do("POST", undo, map[string]any{}); r.StatusCode != 409 || r.errorBody(t).Message != "That command is undone already." {
		t.Errorf("undo again: %d %s", r.StatusCode, r.body)
	}
	for _, p := range []string{"/api/assistant/commands/" + uuid.NewString() + "/undo", "/api/assistant/commands/nonsense/undo"} {
		if r := c.do("POST", p, nil); r.StatusCode != 404 {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
	other, _ := env.signup("zoe@example.org", "Other")
	if r := other.do("POST", undo, nil); r.StatusCode != 404 {
		t.Errorf("another family's undo: %d", r.StatusCode)
	}
	if r := other.do("POST", path, map[string]any{"option": 1}); r.StatusCode != 404 {
		t.Errorf("another family's choice: %d", r.StatusCode)
	}

	// The default list is a family setting.
	var l shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Aldi"}).decode(t, &l)
	var fam familyJSON
	c.must(http.StatusOK, "PATCH", "/api/family", map[string]any{"default_list_id": l.ID}).decode(t, &fam)
	if fam.DefaultListID == nil || *fam.DefaultListID != l.ID {
		t.Errorf("family %+v", fam)
	}
	if a := c.command(t, "we need bread"); a.Message != "Added bread to “Aldi”." {
		t.Errorf("default list: %q", a.Message)
	}
	if r := c.do("PATCH", "/api/family", map[string]any{"default_list_id": uuid.NewString()}); r.StatusCode != 422 || r.errorBody(t).Field != "default_list_id" {
		t.Errorf("unknown default list: %d %s", r.StatusCode, r.body)
	}
	c.must(http.StatusNoContent, "DELETE", "/api/shopping/lists/"+l.ID.String(), nil)
	c.must(http.StatusOK, "GET", "/api/me", nil).decode(t, &struct{ Family *familyJSON }{&fam})
	if fam.DefaultListID != nil {
		t.Errorf("deleted default list still set: %+v", fam)
	}
}

// TestAssistantCommandIDs: a client-chosen id makes the command safe to
// send again.
func TestAssistantCommandIDs(t *testing.T) {
	env, c, acc, _ := newAssistantFamily(t, Config{})
	id := uuid.NewString()
	var first, again assistantAnswer
	c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"id": id, "text": "add milk"}).decode(t, &first)
	state := env.domainState(t, acc.Family.ID.String())
	c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"id": id, "text": "add milk"}).decode(t, &again)
	if first.ID != id || again.ID != id || string(again.Result) != string(first.Result) || again.Message != first.Message ||
		env.domainState(t, acc.Family.ID.String()) != state {
		t.Errorf("repeat: %+v %+v", first, again)
	}
	if r := c.do("POST", "/api/assistant/commands", map[string]any{"id": id, "text": "add bread"}); r.StatusCode != 409 || r.errorBody(t).Field != "id" {
		t.Errorf("other text: %d %s", r.StatusCode, r.body)
	}
	if r := c.do("POST", "/api/assistant/commands", map[string]any{"id": "not-a-uuid", "text": "add bread"}); r.StatusCode != 422 || r.errorBody(t).Field != "id" {
		t.Errorf("bad id: %d %s", r.StatusCode, r.body)
	}

	// A family with a default list, commands, a question and an undo
	// journal can still be deleted: everything goes with it.
	var lists []shoppingListJSON
	c.must(http.StatusOK, "GET", "/api/shopping/lists", nil).decode(t, &lists)
	c.must(http.StatusOK, "PATCH", "/api/family", map[string]any{"default_list_id": lists[0].ID})
	c.command(t, "add oat milk")
	c.command(t, "tick off mil")
	c.must(http.StatusNoContent, "DELETE", "/api/family", map[string]any{"name": "Rivera"})
	for _, table := range []string{"families", "assistant_commands", "assistant_command_writes", "shopping_lists"} {
		if n := env.count(table); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
}

func TestAssistantInputLimits(t *testing.T) {
	oneDay(t)
	env, c, _, _ := newAssistantFamily(t, Config{})
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
	// said_at: RFC 3339, within the past week, not ahead of the clock
	for _, saidAt := range []string{"yesterday", time.Now().Add(time.Hour).Format(time.RFC3339), time.Now().AddDate(0, 0, -8).Format(time.RFC3339)} {
		r := c.do("POST", "/api/assistant/commands", map[string]any{"text": "add milk", "said_at": saidAt, "locale": "de-DE"})
		if e := r.errorBody(t); r.StatusCode != 422 || e.Field != "said_at" || e.Code != "invalid" || r.Header.Get("Content-Language") != "en" {
			t.Errorf("said_at %q: %d %s %s", saidAt, r.StatusCode, r.Header.Get("Content-Language"), r.body)
		}
	}
	if n := env.count("assistant_commands"); n != 0 {
		t.Errorf("%d malformed requests recorded", n)
	}
	// A command held a day: its "tomorrow" is today. (A day in the
	// family's zone, not 24 hours: around a change of summer time, 24
	// hours before 00:30 or 23:30 is two days or the same day.)
	var held assistantAnswer
	berlin, _ := time.LoadLocation("Europe/Berlin")
	heldAt := time.Now().In(berlin).AddDate(0, 0, -1)
	c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": "remind me to call grandma tomorrow at 6pm",
		"said_at": heldAt.Format(time.RFC3339)}).decode(t, &held)
	want := "due today at 18:00"
	if tomorrowAfter(heldAt) == 0 {
		want = "due yesterday (" // said before NightEnds: the day just begun then
	} else if y, m, d := time.Now().In(berlin).AddDate(0, 0, -1).Date(); y != heldAt.Year() || m != heldAt.Month() || d != heldAt.Day() {
		want = "due yesterday at 18:00" // a Berlin midnight passed since heldAt was read
	}
	if !strings.Contains(held.Message, want) {
		t.Errorf("held a day: %q", held.Message)
	}
	// 500 characters are fine; the locale only breaks ties.
	c.command(t, "add "+strings.Repeat("x", 196))
	var a assistantAnswer
	c.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": "setz Milch auf die Einkaufsliste", "locale": "en-GB"}).decode(t, &a)
	if a.Intent.Type != assistant.IntentShoppingAddItems || a.Lang != "de" || a.Message != "Ich habe Milch auf „Weekly“ gesetzt." {
		t.Errorf("German: %+v", a)
	}
	anon := env.newClient()
	if r := anon.do("POST", "/api/assistant/commands", map[string]any{"text": "add milk"}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
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
		if err := json.Unmarshal(b, &req); err != nil || req.Model != "tiny" || len(req.Messages) != 2 ||
			!strings.Contains(req.Messages[0].Content, "Europe/Berlin") || !strings.Contains(req.Messages[0].Content, `"task.rotate"`) {
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
	oneDay(t)
	berlin, _ := time.LoadLocation("Europe/Berlin") // the family's zone
	// Tomorrow as the model answers it: counted when it is asked, a few
	// milliseconds after the command came (before, at the start of the
	// test, a second or two of set-up earlier, across a Berlin midnight).
	at := func(hour int) string {
		y, m, d := time.Now().In(berlin).AddDate(0, 0, 1).Date()
		return time.Date(y, m, d, hour, 0, 0, 0, berlin).Format(time.RFC3339)
	}
	srv, calls := fakeModel(t, func(user string) string {
		switch user {
		case "we're low on coffee beans":
			return "```json\n" + `{"type":"shopping.add_items","slots":{"items":[{"name":"coffee beans","quantity":"1 bag"}]}}` + "\n```"
		case "dinner with the Smiths tomorrow evening":
			return `{"type":"calendar.create","slots":{"title":"Dinner with the Smiths","starts_at":"` + at(19) + `","ends_at":"` + at(22) + `"}}`
		case "Tim und Mia spülen abwechselnd":
			return `{"type":"task.rotate","lang":"de","slots":{"title":"Abwasch","rotation":["ana","ana"]}}`
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
	if a.Source != "llm" || a.Message != "Added 1 bag of coffee beans to “Weekly”." {
		t.Errorf("model intent: %+v", a)
	}
	a = c.command(t, "dinner with the Smiths tomorrow evening")
	if a.Source != "llm" || a.Intent.Type != assistant.IntentCalendarCreate || !strings.Contains(a.Message, "tomorrow") || !strings.Contains(a.Message, "at 19:00") {
		t.Errorf("model event: %+v", a)
	}
	// The model's intents run like the parser's, refusals included, in
	// the language the model says.
	r := c.do("POST", "/api/assistant/commands", map[string]any{"text": "Tim und Mia spülen abwechselnd"})
	if r.StatusCode != 422 || r.Header.Get("Content-Language") != "de" {
		t.Errorf("model rotation: %d %s", r.StatusCode, r.body)
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
	if calls.Load() != 6 {
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

// FuzzAssistantRefusedCommandWritesNothing: whatever the text, no command
// fails the server (5xx, a panic in the executor), and one that is not
// executed (refused, or answered with a question) leaves the family's data
// untouched. The seeds, every kind of intent among them, run in every `go
// test`.
func FuzzAssistantRefusedCommandWritesNothing(f *testing.F) {
	for _, s := range []string{
		"colorless green ideas sleep furiously", "check off eggs and flour", "mark take out as done",
		"add milk and eggs to the groceries list", "put on Friday at 3", "complete x", "tick off milk from the x list",
		"remind me to " + strings.Repeat("x", 300), "add " + strings.Repeat("y ", 100), "schedule z on 2999-12-31 at 23:30 for 2 hours",
		"check off milk, milk and milk", "\x00", "", "mark as done", "what's on 2026-02-30",
		"remove milk and milk", "move oat milk to the weekly list", "move milk to the milk list", "clear the ticked items from x",
		"create a list called Weekly", "add the pancake recipe for 100 to the x list", "Tim and Mia take turns with the trash",
		"snooze the trash until yesterday", "give the trash to nobody", "delete the task take out", "delete the dentist",
		"move the dentist to 25:00", "move the dentist back 10080 minutes", "no dentist on 1900-01-01", "cancel the dentist",
		"when is the", "what's on this weekend", "add fish and chips", "verschieb den Zahnarzt auf Freitag",
		"Tim bringt jeden Dienstag den Müll raus", "Swimming lessons every Monday at 5pm at the pool",
	} {
		f.Add(s)
	}
	env, c, acc, _ := newAssistantFamily(f, Config{})
	c.command(f, "add milk and oat milk")
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"})
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the recycling"})
	c.command(f, "dentist on Friday at 3")
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
		if resp.StatusCode >= 500 {
			t.Fatalf("%q: %d %s", text, resp.StatusCode, b)
		}
		if resp.StatusCode == http.StatusOK {
			var a assistantAnswer
			if json.Unmarshal(b, &a) != nil || a.Message == "" {
				t.Fatalf("%q: %s", text, b)
			}
			if a.Outcome == "executed" {
				if a.Undoable { // keep the family as it was for the next input
					req, _ := http.NewRequest("POST", env.ts.URL+"/api/assistant/commands/"+a.ID+"/undo", nil)
					resp, err := c.hc.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						t.Fatalf("%q: undo %d %s", text, resp.StatusCode, b)
					}
				}
				return
			}
		} else {
			var e errorBody
			if json.Unmarshal(b, &e) != nil || e.Error.Message == "" {
				t.Fatalf("%q: no error message in %s", text, b)
			}
		}
		if after := env.domainState(t, family); after != before {
			t.Fatalf("%q (%d, not executed) wrote: %s → %s", text, resp.StatusCode, before, after)
		}
	})
}

// tomorrowAfter is how many days after now's date "tomorrow" said at now
// (in the family's zone) lies: before assistant.NightEnds none, the day
// just begun.
func tomorrowAfter(now time.Time) int {
	if now.Hour() < assistant.NightEnds {
		return 0
	}
	return 1
}

// tomorrowSaid reports whether got is want, a reply that names "tomorrow"
// ("morgen") of a command said at a time read before or after it ran (a
// command may run across NightEnds or midnight): before
// assistant.NightEnds that is the day just begun, named with its date
// ("heute (Sa., 5. Dezember)"); at 23:59 it is plain "tomorrow".
func tomorrowSaid(got, want string, before, after time.Time) bool {
	for _, now := range []time.Time{before, after} {
		if tomorrowAfter(now) == 1 && got == want {
			return true
		}
		pat := strings.NewReplacer("tomorrow", `today \([^)]+\)`, "morgen", `heute \([^)]+\)`).Replace(regexp.QuoteMeta(want))
		if tomorrowAfter(now) == 0 && regexp.MustCompile("^"+pat+"$").MatchString(got) {
			return true
		}
	}
	return false
}
