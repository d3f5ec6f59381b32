package assistant

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/familyhub/familyhub/llm"
)

// nightModel is a chat endpoint that counts "tomorrow" as a model does:
// the date its prompt says "tomorrow" is, else the day after the prompt's
// "Now is" (a model told only the time takes the next date, also at
// 01:30). It answers task.create due that day at 18:00.
func nightModel(t *testing.T) *llm.Client {
	t.Helper()
	told := regexp.MustCompile(`"tomorrow" \("morgen"\) is (\d{4}-\d\d-\d\d)`)
	now := regexp.MustCompile(`Now is (\S+)`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Messages []struct{ Content string } }
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &req); err != nil || len(req.Messages) != 2 {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		prompt := req.Messages[0].Content
		var day time.Time
		if m := told.FindStringSubmatch(prompt); m != nil {
			day, _ = time.Parse(time.DateOnly, m[1])
		} else if m := now.FindStringSubmatch(prompt); m != nil {
			n, _ := time.Parse(time.RFC3339, m[1])
			day = time.Date(n.Year(), n.Month(), n.Day()+1, 0, 0, 0, 0, time.UTC)
		}
		n, _ := time.Parse(time.RFC3339, now.FindStringSubmatch(prompt)[1])
		due := time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, n.Location()).Format(time.RFC3339)
		content := `{"type":"task.create","lang":"en","slots":{"title":"Call grandma","due_at":"` + due + `"}}`
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": content}}}})
	}))
	t.Cleanup(srv.Close)
	return llm.New(llm.Config{URL: srv.URL + "/v1", Model: "tiny"}, 5*time.Second)
}

// TestModelTomorrowAtNight: the model is told the parser's night rule
// (before 04:00 "tomorrow" is the day just begun) with the date, so a
// command it understands at 01:30 is due the same day as the parser's,
// and the answer names the date; at 04:30 "tomorrow" is the next day.
// Told only the time, the model took the next date at 01:30.
func TestModelTomorrowAtNight(t *testing.T) {
	f := newTestFamily(t)
	svc := NewService(f.store, nightModel(t), slog.New(slog.DiscardHandler))
	for _, c := range []struct {
		at  time.Time
		due time.Time
		msg string
	}{
		{time.Date(2026, 12, 5, 1, 30, 0, 0, f.loc), time.Date(2026, 12, 5, 18, 0, 0, 0, f.loc),
			"Added the task “Call grandma”, due today (Sat, Dec 5) at 18:00."},
		{time.Date(2026, 12, 5, 4, 30, 0, 0, f.loc), time.Date(2026, 12, 6, 18, 0, 0, 0, f.loc),
			"Added the task “Call grandma”, due tomorrow at 18:00."},
	} {
		f.setNow(c.at)
		svc.now = f.svc.now
		ans, err := svc.Command(f.ctx(f.ana), Request{Text: "remind me to call grandma tomorrow at 6pm", Lang: "en"})
		if err != nil || ans.Source != "llm" || ans.Result.Task == nil {
			t.Fatalf("%s: %+v %v, want the model's task", c.at.Format("15:04"), ans, err)
		}
		if due := ans.Result.Task.DueAt; due == nil || !due.Equal(c.due) || ans.Message != c.msg {
			t.Errorf("%s: due %v, %q; want due %v, %q", c.at.Format("15:04"), due, ans.Message, c.due, c.msg)
		}
	}
}

// heldModel is a chat endpoint that tells of each request on asked and
// answers it (no intent: the parser reads the command) once release is
// closed.
func heldModel(t *testing.T) (client *llm.Client, asked <-chan string, release func()) {
	t.Helper()
	ch := make(chan string, 8)
	gate := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Messages []struct{ Content string } }
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &req); err != nil || len(req.Messages) != 2 {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		ch <- req.Messages[1].Content
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": `{"type":"none","slots":{}}`}}}})
	}))
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(func() { release(); srv.Close() })
	return llm.New(llm.Config{URL: srv.URL + "/v1", Model: "tiny"}, 10*time.Second), ch, release
}

// TestSpokenUndoWaitsForCommandWithModel: "undo that" said while the
// speaker's previous command is still with the model (not yet holding
// the member's lock) waits for it and undoes it, not the command before
// it. It used to undo the command before.
func TestSpokenUndoWaitsForCommandWithModel(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add bread to the weekly list")
	model, asked, release := heldModel(t)
	f.svc = NewService(f.store, model, slog.New(slog.DiscardHandler))
	f.setNow(f.now)

	milk := f.sayAsync(f.ana, Request{Text: "add milk to the weekly list", Lang: "en"})
	if got := <-asked; got != "add milk to the weekly list" {
		t.Fatalf("the model was asked %q", got)
	}
	undo := f.sayAsync(f.ana, Request{Text: "undo that", Lang: "en"})
	early := waitingOrDone(t, f.svc, undo)
	release()
	m := <-milk
	if m.err != nil || m.ans.Source != "parser" {
		t.Fatalf("add milk: %+v %v", m.ans, m.err)
	}
	u := early
	if u == nil {
		r := <-undo
		u = &r
	}
	if u.err != nil || u.ans.Message != undoneOf(m.ans.Message) {
		t.Fatalf("undo that while %q was with the model: %q %v, want it undone", m.ans.Message, u.ans.Message, u.err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after the undo: %q, want bread only", got)
	}
}

// TestModelNightWordsBothLanguages: before 04:00 the prompt's night rule
// names the German words beside the English ones, as its "tomorrow"
// ("morgen") sentence does: a German command at 01:30 ("heute Abend",
// "morgen früh") is counted by the same rule as the parser's. The night
// sentence named the English words only.
func TestModelNightWordsBothLanguages(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	night := modelPrompt("de", time.Date(2026, 12, 5, 1, 30, 0, 0, loc))
	for _, w := range []string{`"tomorrow" ("morgen") is today's date`, `"heute"`, `"heute Abend"`} {
		if !strings.Contains(night, w) {
			t.Errorf("the prompt at 01:30 does not say %s", w)
		}
	}
	if day := modelPrompt("de", time.Date(2026, 12, 5, 4, 0, 0, 0, loc)); strings.Contains(day, "heute Abend") {
		t.Error("the prompt at 04:00 still gives the night rule")
	}
}
