package http

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/assistant"
	"github.com/familyhub/familyhub/db"
)

// TestAssistantBusyAnswer: an assistant command that waited too long for
// the member's previous one (db.ErrAssistantBusy, wrapping PostgreSQL's
// lock timeout) answers 503, code busy, with Retry-After and the message
// in the command's language: a retry the app keeps the id for. An undo
// another change got in the way of (assistant.ErrUndoBusy: a deadlock, or
// its deadline) answers the same code and status, and says that instead:
// it said "Your previous command is still running" though the member had
// sent none. Its reason (other_change, previous_command for the first)
// tells the two apart for the app, which words a 503 itself. A write
// whose every try deadlocked (db.Err of 40P01 once db.TxTries are spent,
// db.ErrOtherChange) answers as the undo does: it answered 500.
func TestAssistantBusyAnswer(t *testing.T) {
	for _, c := range []struct {
		err            error
		reason, en, de string
	}{
		{fmt.Errorf("%w: %w", db.ErrAssistantBusy, fmt.Errorf("lock timeout")), "previous_command",
			"Your previous command is still running; nothing was done. Send it again in a moment.",
			"Dein vorheriger Befehl läuft noch; es wurde nichts gemacht. Sende ihn gleich noch einmal."},
		{assistant.ErrUndoBusy, "other_change",
			"Another change got in the way; nothing was done. Try again in a moment.",
			"Eine andere Änderung kam dazwischen; es wurde nichts gemacht. Versuch es gleich noch einmal."},
		{db.Err(&pgconn.PgError{Code: "40P01"}, ""), "other_change",
			"Another change got in the way; nothing was done. Try again in a moment.",
			"Eine andere Änderung kam dazwischen; es wurde nichts gemacht. Versuch es gleich noch einmal."},
	} {
		for lang, want := range map[string]string{"en": c.en, "de": c.de} {
			w := httptest.NewRecorder()
			w.Header().Set("Content-Language", lang) // the assistant's handler sets the command's
			writeError(w, httptest.NewRequest("POST", "/api/assistant/commands", nil), slog.New(slog.DiscardHandler), c.err)
			var body errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != retryAfter(db.AssistantCommandWait) || body.Error.Code != "busy" || body.Error.Message != want || body.Error.Reason != c.reason {
				t.Errorf("%s: %d Retry-After %q %+v, want 503, %s, busy, %q, reason %s", lang, w.Code, w.Header().Get("Retry-After"), body.Error,
					retryAfter(db.AssistantCommandWait), want, c.reason)
			}
		}
	}
}

// TestRetryAfterOfWait: the busy answer's Retry-After is the command's
// bounded wait (db.AssistantCommandWait) in whole seconds, rounded up, so
// it follows that constant (it was a "5" of its own).
func TestRetryAfterOfWait(t *testing.T) {
	for d, want := range map[time.Duration]string{5 * time.Second: "5", 4500 * time.Millisecond: "5", 7 * time.Second: "7", 200 * time.Millisecond: "1"} {
		if got := retryAfter(d); got != want {
			t.Errorf("retryAfter(%v) = %q, want %q", d, got, want)
		}
	}
	if busyRetryAfter != retryAfter(db.AssistantCommandWait) {
		t.Errorf("busy Retry-After %q, want %q (db.AssistantCommandWait)", busyRetryAfter, retryAfter(db.AssistantCommandWait))
	}
}
