package http

import (
	"net/http"
	"testing"
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
