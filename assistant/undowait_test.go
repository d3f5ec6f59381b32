package assistant

import (
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/llm"
)

// TestUndoWaitInsideAppTimeout: "undo that" waits for the speaker's
// earlier commands still with the model at most the model's timeout plus
// a command's lock wait, but never so long that with its own lock wait it
// outlasts the app's wait for an answer (COMMAND_TIMEOUT in
// web/static/js/assistant.js), also with a long --assistant-timeout. It
// waited the model's timeout + 5 s, unbounded: with a 60 s timeout the
// app said "No answer in time" while the undo still waited.
func TestUndoWaitInsideAppTimeout(t *testing.T) {
	app := appCommandTimeout(t)
	for _, c := range []struct {
		model time.Duration // 0: no model
		want  time.Duration
	}{
		{0, db.AssistantCommandWait},
		{8 * time.Second, 8*time.Second + db.AssistantCommandWait},
		{60 * time.Second, undoWaitMax},
	} {
		var model *llm.Client
		if c.model > 0 {
			model = llm.New(llm.Config{URL: "http://127.0.0.1:1/v1", Model: "tiny", Timeout: c.model}, c.model)
		}
		got := NewService(nil, model, slog.New(slog.DiscardHandler)).undoWait()
		if got != c.want {
			t.Errorf("model timeout %v: the undo waits %v, want %v", c.model, got, c.want)
		}
		// then its two locks (the member's, its id's), each bounded
		if lock := 2 * db.AssistantCommandWait; got+lock >= app {
			t.Errorf("model timeout %v: the undo waits %v and then up to %v for its locks, not inside the app's %v", c.model, got, lock, app)
		}
	}
}

// appCommandTimeout is how long the app waits for a command's answer
// (COMMAND_TIMEOUT in web/static/js/assistant.js).
func appCommandTimeout(t *testing.T) time.Duration {
	t.Helper()
	js, err := os.ReadFile("../web/static/js/assistant.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`const COMMAND_TIMEOUT = (\d+);`).FindSubmatch(js)
	if m == nil {
		t.Fatal("COMMAND_TIMEOUT not found in assistant.js")
	}
	ms, _ := strconv.Atoi(string(m[1]))
	return time.Duration(ms) * time.Millisecond
}
