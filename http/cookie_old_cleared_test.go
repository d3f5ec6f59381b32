package http

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestSessionCookieOldNameClearedBesideHost: a cookie of the old name
// that comes over HTTPS beside a __Host- one (planted by a sibling
// subdomain or a plain-http answer on the way: the app moved its own and
// expired the old name) is cleared by the answer, once, with the
// attributes the app set it with, whatever the request; the __Host- one
// still decides, and signing in with both works and clears it once too.
// Over plain HTTP the old name is the session cookie itself: nothing is
// cleared. Before, the old name was never cleared beside a __Host- one.
func TestSessionCookieOldNameClearedBesideHost(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	ben := env.signupOver(t, true, "ben@example.org")
	eve := env.signupOver(t, false, "eve@example.org")
	planted := SessionCookie + "=" + eve.Value
	both := planted + "; " + SessionCookieHost + "=" + ben.Value

	cleared := func(what string, r response) {
		t.Helper()
		set := setCookies(t, r) // a name set twice fails here
		c := set[SessionCookie]
		if c == nil || c.MaxAge >= 0 || c.Value != "" || c.Path != "/" || c.Domain != "" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("%s: set %v; want %s cleared (Max-Age=0, Path=/, Secure, HttpOnly, SameSite=Lax)", what, r.Header["Set-Cookie"], SessionCookie)
		}
	}

	r := env.overHTTPS(true, both).must(http.StatusOK, "GET", "/api/me", nil)
	var me meResponse
	r.decode(t, &me)
	if me.User.Email != "ben@example.org" {
		t.Errorf("both names over HTTPS: signed in as %s, want ben (the __Host- cookie)", me.User.Email)
	}
	cleared("GET /api/me with both names", r)
	if c := setCookies(t, r)[SessionCookieHost]; c != nil {
		t.Errorf("GET /api/me with both names set %s: %v; want it left alone", SessionCookieHost, r.Header["Set-Cookie"])
	}
	// Also when the __Host- cookie is no session (expired, signed out).
	r = env.overHTTPS(true, planted+"; "+SessionCookieHost+"=nonsense").must(http.StatusUnauthorized, "GET", "/api/me", nil)
	cleared("GET /api/me with a dead __Host- cookie", r)

	// Signing in with both: the new session under __Host-, the old name
	// cleared once; the new cookie signs in.
	r = env.overHTTPS(true, both).must(http.StatusOK, "POST", "/api/auth/login", map[string]any{
		"email": "ben@example.org", "password": "correct horse"})
	cleared("login with both names", r)
	host := setCookies(t, r)[SessionCookieHost]
	if host == nil || host.Value == "" || host.Value == ben.Value || host.MaxAge <= 0 {
		t.Fatalf("login with both names: set %v; want a new session under %s", r.Header["Set-Cookie"], SessionCookieHost)
	}
	if got := env.meEmail(t, true, SessionCookieHost+"="+host.Value); got != "ben@example.org" {
		t.Errorf("/api/me with the cookie of the login: signed in as %s", got)
	}
	// A token in the body: the answer sets no session cookie, and clears
	// the old name all the same.
	r = env.overHTTPS(true, both).must(http.StatusOK, "POST", "/api/auth/login", map[string]any{
		"email": "ben@example.org", "password": "correct horse", "return_token": true})
	cleared("login for a token with both names", r)

	// Over plain HTTP nothing is cleared: there the old name is the
	// session cookie.
	if r := env.overHTTPS(false, both).must(http.StatusOK, "GET", "/api/me", nil); len(r.Cookies()) != 0 {
		t.Errorf("both names over plain HTTP: set %v; want nothing", r.Header["Set-Cookie"])
	}
}

// TestRealtimeOldCookieClearedBesideHost: /ws and /sse clear a cookie of
// the old name that comes over HTTPS beside a __Host- one, as REST does
// (TestSessionCookieOldNameClearedBesideHost): the WebSocket's 101 (read
// off a real socket over loopback) and the event stream's 200 carry the
// Set-Cookie, also when a ?ticket= admits the socket, and the stream
// still opens as the __Host- cookie's member. Over plain HTTP nothing is
// cleared. Before, only REST answers cleared it: a PWA talking mostly
// over its socket kept sending the planted cookie.
func TestRealtimeOldCookieClearedBesideHost(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	startTestHub(t, env, 0)
	ben := SessionCookieHost + "=" + env.signupOver(t, true, "ben@example.org").Value
	eve := env.signupOver(t, false, "eve@example.org")
	both := SessionCookie + "=" + eve.Value + "; " + ben
	header := func(https bool) http.Header {
		h := http.Header{"Cookie": {both}}
		if https {
			h.Set("X-Forwarded-Proto", "https")
		}
		return h
	}
	cleared := func(what string, h http.Header, want bool) {
		t.Helper()
		var gone, host *http.Cookie
		for _, c := range (&http.Response{Header: h}).Cookies() {
			switch c.Name {
			case SessionCookie:
				gone = c
			case SessionCookieHost:
				host = c
			}
		}
		if !want {
			if len(h["Set-Cookie"]) != 0 {
				t.Errorf("%s over plain HTTP: set %v; want nothing", what, h["Set-Cookie"])
			}
			return
		}
		if gone == nil || gone.MaxAge >= 0 || gone.Value != "" || gone.Path != "/" || gone.Domain != "" || !gone.Secure || !gone.HttpOnly {
			t.Errorf("%s with both names over HTTPS: set %v; want %s cleared", what, h["Set-Cookie"], SessionCookie)
		}
		if host != nil {
			t.Errorf("%s with both names over HTTPS set %s: %v; want it left alone", what, SessionCookieHost, h["Set-Cookie"])
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	dial := func(what, query string, https bool) {
		t.Helper()
		conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws"+query, &websocket.DialOptions{HTTPHeader: header(https)})
		if err != nil {
			t.Fatalf("%s: %v %v", what, resp, err)
		}
		defer conn.CloseNow()
		if resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("%s: %d, want 101", what, resp.StatusCode)
		}
		cleared(what, resp.Header, https)
		if _, data, err := conn.Read(ctx); err != nil || !strings.Contains(string(data), `"hello"`) {
			t.Fatalf("%s: first message %q, %v; want hello", what, data, err)
		}
	}
	dial("/ws", "", true)
	var tk struct{ Ticket string }
	env.overHTTPS(true, ben).must(http.StatusCreated, "POST", "/api/realtime/ticket", nil).decode(t, &tk)
	dial("/ws?ticket=", "?ticket="+url.QueryEscape(tk.Ticket), true)
	dial("/ws (plain HTTP)", "", false)

	for _, https := range []bool{true, false} {
		sctx, scancel := context.WithCancel(ctx)
		req, _ := http.NewRequestWithContext(sctx, "GET", env.ts.URL+"/sse", nil)
		req.Header = header(https)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("/sse with both names (HTTPS %v): %v %v", https, resp, err)
		}
		cleared("/sse", resp.Header, https)
		scancel()
		resp.Body.Close()
	}
}
