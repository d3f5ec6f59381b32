package http

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// refusedLine is the start of refuseOldCookie's log line.
const refusedLine = "session cookie of the old name refused over HTTPS"

// sessionIDOf returns the id of the session whose token is token.
func (e *testEnv) sessionIDOf(t *testing.T, token string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := e.pool.QueryRow(t.Context(), `SELECT id FROM sessions WHERE token_hash = $1`, db.HashToken(token)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestRealtimeOldCookieRefusedCleared: /ws and /sse refuse a session
// that is not legacy under the cookie's old name over HTTPS as REST does
// (TestSessionCookieOldNamePlanted), and like REST their 401 clears
// familyhub_session and logs the refusal with the planter's session.
// Before, they refused it silently: the cookie stayed (an EventSource or
// the PWA's socket tried again with it, refused each time) and the log
// named no planter.
func TestRealtimeOldCookieRefusedCleared(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	var logged dbtest.LogBuffer
	env.server.logger = slog.New(slog.NewTextHandler(&logged, nil))
	startTestHub(t, env, 0)
	// Two planters: the log has one line per member in ten minutes.
	wsToken := env.signupOver(t, true, "eve@example.org").Value
	env.signupOver(t, true, "fay@example.org")
	var body accountResponse
	env.overHTTPS(true, "").must(http.StatusOK, "POST", "/api/auth/login", map[string]any{
		"email": "fay@example.org", "password": "correct horse", "return_token": true}).decode(t, &body)
	sseToken := body.Session.Token

	cleared := func(what string, h http.Header) {
		t.Helper()
		var gone *http.Cookie
		for _, c := range (&http.Response{Header: h}).Cookies() {
			if c.Name == SessionCookie {
				gone = c
			}
		}
		if gone == nil || gone.MaxAge >= 0 || gone.Path != "/" || !gone.Secure {
			t.Errorf("%s with a planted old-name cookie over HTTPS: set %v; want %s cleared", what, h["Set-Cookie"], SessionCookie)
		}
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws", &websocket.DialOptions{
		HTTPHeader: http.Header{"X-Forwarded-Proto": {"https"}, "Cookie": {SessionCookie + "=" + wsToken}}})
	if err == nil {
		conn.CloseNow()
	}
	if resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/ws with a planted old-name cookie over HTTPS: %v %v; want 401", resp, err)
	}
	cleared("/ws", resp.Header)

	r := env.overHTTPS(true, SessionCookie+"="+sseToken).do("GET", "/sse", nil)
	if r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/sse with a planted old-name cookie over HTTPS: %d; want 401", r.StatusCode)
	}
	cleared("/sse", r.Header)

	logs := logged.String()
	for _, c := range []struct{ path, token string }{{"/ws", wsToken}, {"/sse", sseToken}} {
		want := "session_id=" + env.sessionIDOf(t, c.token).String()
		found := false
		for line := range strings.Lines(logs) {
			if strings.Contains(line, refusedLine) && strings.Contains(line, want) && strings.Contains(line, "path="+c.path) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no %q line with %s in the log:\n%s", c.path, refusedLine, want, logs)
		}
	}
}

// TestOldCookieRefusalLogRateLimited: a cookie planted for the parent
// domain (Domain=example.org) cannot be cleared by the app's answers, so
// the victim's browser sends it with every request. Each is refused and
// answered with the clearing cookie, but the refusal is logged once per
// session in ten minutes, with the path as the request logger writes it
// (logPath). Before, every request logged a line: a planter could fill
// the server's log through the victim's browser.
func TestOldCookieRefusalLogRateLimited(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	var logged dbtest.LogBuffer
	env.server.logger = slog.New(slog.NewTextHandler(&logged, nil))
	planted := SessionCookie + "=" + env.signupOver(t, true, "eve@example.org").Value
	for range 5 {
		r := env.overHTTPS(true, planted).do("GET", "/api/me", nil)
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a planted old-name cookie over HTTPS: %d; want 401", r.StatusCode)
		}
		if gone := setCookies(t, r)[SessionCookie]; gone == nil || gone.MaxAge >= 0 {
			t.Fatalf("a planted old-name cookie over HTTPS: set %v; want it cleared on every answer", r.Header["Set-Cookie"])
		}
	}
	logs := logged.String()
	if n := strings.Count(logs, refusedLine); n != 1 {
		t.Fatalf("five refusals of one planted session logged %d lines, want 1:\n%s", n, logs)
	}
	if !strings.Contains(logs, "path=/api/me") {
		t.Errorf("the refusal's line does not name the path as logPath writes it:\n%s", logs)
	}
}

// TestOldCookieRefusalLogPerMember: a member whose sessions are refused
// under the old name (a planter with many sessions, each planted in
// another browser) gets one log line in ten minutes, whichever session,
// with the refusals left out counted on the next; and their sessions do
// not push other members' entries out. Before, the lines were rate-limited
// per session: a planter with more than 1,024 sessions logged a line per
// session and, at 1,024, cleared the table, so another member's refusal
// was logged again within its ten minutes.
func TestOldCookieRefusalLogPerMember(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	var logged dbtest.LogBuffer
	env.server.logger = slog.New(slog.NewTextHandler(&logged, nil))
	r := httptest.NewRequest("GET", "/api/me", nil)
	refuse := func(user, session uuid.UUID) {
		env.server.refuseOldCookie(httptest.NewRecorder(), r, &familyhub.Auth{UserID: user, SessionID: session})
	}
	planter, other := uuid.New(), uuid.New()
	refuse(other, uuid.New())
	for range 2 * logThrottleMax {
		refuse(planter, uuid.New())
	}
	refuse(other, uuid.New())
	lines := func(user uuid.UUID) int {
		n := 0
		for line := range strings.Lines(logged.String()) {
			if strings.Contains(line, refusedLine) && strings.Contains(line, "user_id="+user.String()) {
				n++
			}
		}
		return n
	}
	if n := lines(planter); n != 1 {
		t.Errorf("%d refused sessions of one member logged %d lines, want 1", 2*logThrottleMax, n)
	}
	if n := lines(other); n != 1 {
		t.Errorf("another member's two refusals, ten minutes apart at most, logged %d lines, want 1", n)
	}
	if n := len(env.server.oldCookieLog.seen); n != 2 {
		t.Errorf("%d members remembered, want 2", n)
	}
}
