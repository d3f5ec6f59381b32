package http

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/familyhub/familyhub/db"
)

// TestAssistantBusyAnswer: an assistant command that waited too long for
// the member's previous one (db.ErrAssistantBusy, wrapping PostgreSQL's
// lock timeout) answers 503, code busy, with Retry-After and the message
// in the command's language: a retry the app keeps the id for.
func TestAssistantBusyAnswer(t *testing.T) {
	err := fmt.Errorf("%w: %w", db.ErrAssistantBusy, fmt.Errorf("lock timeout"))
	for lang, want := range map[string]string{
		"en": "Your previous command is still running; nothing was done. Send it again in a moment.",
		"de": "Dein vorheriger Befehl läuft noch; es wurde nichts gemacht. Sende ihn gleich noch einmal.",
	} {
		w := httptest.NewRecorder()
		w.Header().Set("Content-Language", lang) // the assistant's handler sets the command's
		writeError(w, httptest.NewRequest("POST", "/api/assistant/commands", nil), slog.New(slog.DiscardHandler), err)
		var body errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "5" || body.Error.Code != "busy" || body.Error.Message != want {
			t.Errorf("%s: %d Retry-After %q %+v, want 503, 5, busy, %q", lang, w.Code, w.Header().Get("Retry-After"), body.Error, want)
		}
	}
}
