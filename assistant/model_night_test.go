package assistant

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
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
