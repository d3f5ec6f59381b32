package http

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// Error answers speak the caller's language (issue 15): German when
// Accept-Language prefers it, English otherwise, saying which with
// Content-Language; code, status and field never change with it.
func TestErrorsInCallersLanguage(t *testing.T) {
	env := newTestEnv(t, Config{})
	c, _ := env.signup("anna@example.com", "Müller")
	var list shoppingListJSON
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Wocheneinkauf"}).decode(t, &list)
	L := "/api/shopping/lists/" + list.ID.String()
	var item shoppingItemJSON
	c.must(http.StatusCreated, "POST", L+"/items", map[string]any{"name": "Milch"}).decode(t, &item)
	huge := `{"name":"` + strings.Repeat("x", MaxBodyBytes) + `"}`

	cases := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		code, field              string
		en, de                   string // the message
	}{
		{"not found", "GET", "/api/shopping/lists/" + uuid.NewString(), "", nil,
			http.StatusNotFound, "not_found", "", "shopping list not found", "Einkaufsliste nicht gefunden"},
		{"malformed id", "DELETE", "/api/shopping/items/nope", "", nil,
			http.StatusNotFound, "not_found", "", "shopping item not found", "Artikel nicht gefunden"},
		{"wrong type", "PATCH", L, `{"name":5}`, nil,
			http.StatusUnprocessableEntity, "invalid", "name", "name must be a string.", "name muss ein Text sein."},
		{"unknown field", "POST", "/api/shopping/lists", `{"nom":"x"}`, nil,
			http.StatusUnprocessableEntity, "invalid", "nom", `Unknown field "nom".`, `Unbekanntes Feld "nom".`},
		{"null checked", "PATCH", "/api/shopping/items/" + item.ID.String(), `{"checked":null}`, nil,
			http.StatusUnprocessableEntity, "invalid", "checked", "checked cannot be null.", "checked darf nicht null sein."},
		{"malformed JSON", "POST", "/api/shopping/lists", `{"name":`, nil,
			http.StatusBadRequest, "malformed_request", "", "The request body is not valid JSON.", "Der Anfragetext ist kein gültiges JSON."},
		{"stale", "PATCH", L, `{"name":"Neu"}`, map[string]string{"If-Match": `"7"`},
			http.StatusPreconditionFailed, "conflict", "",
			"Someone changed this since you last saw it; look at the current version and try again.",
			"Jemand hat das geändert, seit du es zuletzt gesehen hast; sieh dir die aktuelle Fassung an und versuche es nochmal."},
		{"too large", "POST", "/api/shopping/lists", huge, nil,
			http.StatusRequestEntityTooLarge, "too_large", "", "The request body is larger than 1048576 bytes.", "Der Anfragetext ist größer als 1048576 Bytes."},
		{"bad If-Match", "PATCH", L, `{"name":"Neu"}`, map[string]string{"If-Match": "banana"},
			http.StatusBadRequest, "malformed_request", "",
			`If-Match must be the version of the record you last saw, such as "3".`,
			`If-Match muss die Version des Datensatzes sein, die du zuletzt gesehen hast, z. B. "3".`},
		{"no route", "GET", "/api/nowhere", "", nil,
			http.StatusNotFound, "not_found", "", "No route for GET /api/nowhere.", "Für GET /api/nowhere gibt es keine Route."},
		{"method", "PUT", "/api/shopping/lists", "", nil,
			http.StatusMethodNotAllowed, "method_not_allowed", "", "PUT is not allowed here.", "PUT ist hier nicht erlaubt."},
	}
	for _, tc := range cases {
		for _, lang := range []struct{ accept, want string }{
			{"de-DE,de;q=0.9", "de"},
			{"de", "de"},
			{"en-GB,en;q=0.9,de;q=0.5", "en"},
			{"fr-FR", "en"},
			{"", "en"},
		} {
			header := map[string]string{}
			for k, v := range tc.header {
				header[k] = v
			}
			if lang.accept != "" {
				header["Accept-Language"] = lang.accept
			}
			st, h, body, err := c.send(tc.method, tc.path, tc.body, header)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			r := response{&http.Response{StatusCode: st, Header: h}, body}
			if st != tc.status {
				t.Errorf("%s (%q): status %d, want %d; %s", tc.name, lang.accept, st, tc.status, body)
				continue
			}
			e := r.errorBody(t)
			want := map[string]string{"en": tc.en, "de": tc.de}[lang.want]
			if e.Code != tc.code || e.Field != tc.field || e.Message != want {
				t.Errorf("%s (%q): %+v, want code %q field %q message %q", tc.name, lang.accept, e, tc.code, tc.field, want)
			}
			if got := h.Get("Content-Language"); got != lang.want {
				t.Errorf("%s (%q): Content-Language %q, want %q", tc.name, lang.accept, got, lang.want)
			}
		}
	}
}

// A German request whose error the catalogue does not know is answered in
// English, and says so: the PWA then words it itself.
func TestErrorMessageFallsBackToEnglish(t *testing.T) {
	msg, lang := errorMessage(errStale, "de")
	if lang != "de" || !strings.HasPrefix(msg, "Jemand") {
		t.Fatalf("stale in German: %q %q", msg, lang)
	}
	unknown := *errStale
	unknown.Format = "Not in the catalogue."
	unknown.Message = "Not in the catalogue."
	if msg, lang := errorMessage(&unknown, "de"); msg != "Not in the catalogue." || lang != "en" {
		t.Fatalf("unknown format in German: %q %q", msg, lang)
	}
	if msg, lang := errorMessage(http.ErrHandlerTimeout, "de"); msg != "Interner Fehler." || lang != "de" {
		t.Fatalf("internal in German: %q %q", msg, lang)
	}
	if msg, lang := errorMessage(http.ErrHandlerTimeout, "en"); msg != "Internal error." || lang != "en" {
		t.Fatalf("internal in English: %q %q", msg, lang)
	}
}
