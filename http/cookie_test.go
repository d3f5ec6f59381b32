package http

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/familyhub/familyhub/db"
)

// The session cookie's names (http/cookie.go): __Host-familyhub_session
// over HTTPS, familyhub_session over plain HTTP, the old name still
// accepted and moved. Requests here come straight from the test (127.0.0.1),
// trusted as a proxy, so its X-Forwarded-Proto: https makes them HTTPS to
// the app; proxy_tls_test.go does the same through nginx with real TLS.

// overHTTPS is a client without a cookie jar whose requests say
// X-Forwarded-Proto: https (https) or nothing, with the cookies given
// ("name=value; name=value"), as a browser sends them.
func (e *testEnv) overHTTPS(https bool, cookies string) *client {
	h := http.Header{}
	if https {
		h.Set("X-Forwarded-Proto", "https")
	}
	if cookies != "" {
		h.Set("Cookie", cookies)
	}
	return &client{env: e, hc: &http.Client{}, header: h}
}

// setCookies returns the answer's Set-Cookie lines by name; a name set
// twice fails the test (a browser would keep the last, by chance).
func setCookies(t *testing.T, r response) map[string]*http.Cookie {
	t.Helper()
	out := map[string]*http.Cookie{}
	for _, c := range r.Cookies() {
		if out[c.Name] != nil {
			t.Fatalf("%s set twice in one answer: %v", c.Name, r.Header["Set-Cookie"])
		}
		out[c.Name] = c
	}
	return out
}

// signupOver signs email up over HTTPS or plain HTTP and returns the
// session cookie the answer set, checking that it is the only one.
func (e *testEnv) signupOver(t *testing.T, https bool, email string) *http.Cookie {
	t.Helper()
	r := e.overHTTPS(https, "").must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{
		"email": email, "password": "correct horse", "display_name": strings.Split(email, "@")[0], "family_name": "F",
	})
	set := setCookies(t, r)
	if len(set) != 1 {
		t.Fatalf("signup (HTTPS %v) set %v; want one session cookie", https, r.Header["Set-Cookie"])
	}
	for _, c := range set {
		return c
	}
	return nil
}

// madeBeforeUpgrade makes the session of token one made before the
// cookie had its __Host- name: issued_as 'legacy', what migration 00040
// gave every session there was. Called before the session is first used
// (a kept copy would not see it).
func (e *testEnv) madeBeforeUpgrade(t *testing.T, token string) {
	t.Helper()
	tag, err := e.pool.Exec(t.Context(), `UPDATE sessions SET issued_as = 'legacy' WHERE token_hash = $1`, db.HashToken(token))
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("marking the session legacy: %v %v", tag, err)
	}
}

func (e *testEnv) meEmail(t *testing.T, https bool, cookies string) string {
	t.Helper()
	var me meResponse
	e.overHTTPS(https, cookies).must(http.StatusOK, "GET", "/api/me", nil).decode(t, &me)
	return me.User.Email
}

// TestSessionCookieHostPrefix: over HTTPS the session cookie is
// __Host-familyhub_session (Secure, Path=/, no Domain: a sibling
// subdomain or a plain-http answer cannot plant or overwrite it), over
// plain HTTP familyhub_session without Secure (browsers refuse a __Host-
// cookie there); the __Host- one admits to REST, the realtime ticket,
// the long poll, /ws and /sse. Before, it was familyhub_session over
// both, which a page at evil.example.org could overwrite for
// family.example.org with a Domain=example.org cookie of its own.
func TestSessionCookieHostPrefix(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	startTestHub(t, env, 0)
	ck := env.signupOver(t, true, "ana@example.org")
	if ck.Name != SessionCookieHost || !ck.Secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly || ck.MaxAge <= 0 {
		t.Fatalf("session cookie over HTTPS: %s; want %s, Secure, Path=/, no Domain, HttpOnly", ck.Raw, SessionCookieHost)
	}
	plain := env.signupOver(t, false, "ben@example.org")
	if plain.Name != SessionCookie || plain.Secure || plain.Path != "/" || !plain.HttpOnly {
		t.Fatalf("session cookie over plain HTTP: %s; want %s without Secure", plain.Raw, SessionCookie)
	}

	cookie := ck.Name + "=" + ck.Value
	if got := env.meEmail(t, true, cookie); got != "ana@example.org" {
		t.Fatalf("/api/me with the __Host- cookie: %s", got)
	}
	ana := env.overHTTPS(true, cookie)
	ana.must(http.StatusCreated, "POST", "/api/realtime/ticket", nil)
	var poll struct{ Seq int64 }
	ana.must(http.StatusOK, "GET", "/api/realtime/poll?seq_only=1", nil).decode(t, &poll)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws", &websocket.DialOptions{HTTPHeader: ana.header})
	if err != nil {
		t.Fatalf("/ws with the __Host- cookie: %v %v", resp, err)
	}
	defer conn.CloseNow()
	if _, data, err := conn.Read(ctx); err != nil || !strings.Contains(string(data), `"hello"`) {
		t.Fatalf("/ws with the __Host- cookie: first message %q, %v; want hello", data, err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", env.ts.URL+"/sse", nil)
	req.Header = ana.header.Clone()
	sse, err := http.DefaultClient.Do(req)
	if err != nil || sse.StatusCode != http.StatusOK {
		t.Fatalf("/sse with the __Host- cookie: %v %v", sse, err)
	}
	defer sse.Body.Close()
	sc := bufio.NewScanner(sse.Body)
	for sc.Scan() && !strings.Contains(sc.Text(), `"hello"`) {
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("/sse with the __Host- cookie: no hello: %v", err)
	}
}

// TestSessionCookieMoved: upgrading to the __Host- name signs nobody out.
// A browser that signed in before holds familyhub_session (even a Secure
// one over HTTPS); its next API request over HTTPS is let in, and the
// answer moves the session to __Host-familyhub_session (the same token,
// for the time it has left) and expires the old name. Over plain HTTP
// nothing moves. A request carrying both names is the __Host- one's: the
// old name may be someone else's cookie, planted from a sibling
// subdomain, and must not win. Logout clears both names.
func TestSessionCookieMoved(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	old := env.signupOver(t, false, "ana@example.org")
	env.madeBeforeUpgrade(t, old.Value)
	oldCookie := SessionCookie + "=" + old.Value

	if r := env.overHTTPS(false, oldCookie).must(http.StatusOK, "GET", "/api/me", nil); len(r.Cookies()) != 0 {
		t.Errorf("over plain HTTP the old name was moved: %v", r.Header["Set-Cookie"])
	}
	r := env.overHTTPS(true, oldCookie).must(http.StatusOK, "GET", "/api/me", nil)
	set := setCookies(t, r)
	moved, gone := set[SessionCookieHost], set[SessionCookie]
	if moved == nil || moved.Value != old.Value || !moved.Secure || moved.Path != "/" || moved.Domain != "" || !moved.HttpOnly {
		t.Fatalf("over HTTPS with the old name: set %v; want %s with the same token, Secure, Path=/", r.Header["Set-Cookie"], SessionCookieHost)
	}
	if left := time.Duration(moved.MaxAge) * time.Second; left <= 29*24*time.Hour || left > 30*24*time.Hour {
		t.Errorf("moved cookie's Max-Age %s; want the session's time left (30 days)", left)
	}
	if gone == nil || gone.MaxAge >= 0 || gone.Path != "/" {
		t.Errorf("over HTTPS with the old name: set %v; want %s expired", r.Header["Set-Cookie"], SessionCookie)
	}
	if got := env.meEmail(t, true, SessionCookieHost+"="+moved.Value); got != "ana@example.org" {
		t.Fatalf("/api/me with the moved cookie: %s", got)
	}
	// A refresh with the old name sets the new token under the new name
	// alone, and expires the old name, once each.
	r = env.overHTTPS(true, oldCookie).must(http.StatusOK, "POST", "/api/auth/refresh", nil)
	set = setCookies(t, r)
	if c := set[SessionCookieHost]; c == nil || c.Value == old.Value || c.MaxAge <= 0 {
		t.Errorf("refresh with the old name: set %v; want a new token under %s", r.Header["Set-Cookie"], SessionCookieHost)
	} else if got := env.meEmail(t, true, SessionCookieHost+"="+c.Value); got != "ana@example.org" {
		t.Errorf("/api/me with the refreshed cookie: %s", got)
	}
	if c := set[SessionCookie]; c == nil || c.MaxAge >= 0 {
		t.Errorf("refresh with the old name: set %v; want %s expired", r.Header["Set-Cookie"], SessionCookie)
	}

	// Both names: the __Host- one decides, and the other is not moved
	// (it is cleared: TestSessionCookieOldNameClearedBesideHost).
	ben := env.signupOver(t, true, "ben@example.org")
	eve := env.signupOver(t, false, "eve@example.org")
	both := SessionCookie + "=" + eve.Value + "; " + SessionCookieHost + "=" + ben.Value
	r = env.overHTTPS(true, both).must(http.StatusOK, "GET", "/api/me", nil)
	var me meResponse
	r.decode(t, &me)
	if me.User.Email != "ben@example.org" || setCookies(t, r)[SessionCookieHost] != nil {
		t.Errorf("both names: signed in as %s, set %v; want ben's __Host- session, nothing moved", me.User.Email, r.Header["Set-Cookie"])
	}

	// Logout clears both names, over HTTPS and over plain HTTP.
	for _, https := range []bool{true, false} {
		r := env.overHTTPS(https, both).must(http.StatusNoContent, "POST", "/api/auth/logout", nil)
		set := setCookies(t, r)
		for _, name := range []string{SessionCookie, SessionCookieHost} {
			if c := set[name]; c == nil || c.MaxAge >= 0 || c.Path != "/" || (name == SessionCookieHost && !c.Secure) {
				t.Errorf("logout (HTTPS %v): set %v; want %s cleared", https, r.Header["Set-Cookie"], name)
			}
		}
	}
}

// TestHostCheckHostCookie: with a public URL, a request for another host
// name carrying the __Host- cookie is refused like one with the old name
// (hostChecked: a rebinding page could use it). Before the check read
// the old name only, and let such a request through.
func TestHostCheckHostCookie(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{PublicURL: "https://family.example", TrustedProxies: mustPrefixes("127.0.0.1/32")})
	ck := env.signupOver(t, true, "ana@example.org")
	if ck.Name != SessionCookieHost {
		t.Fatalf("over HTTPS: cookie %s", ck.Name)
	}
	addr := strings.TrimPrefix(env.ts.URL, "http://")
	h := http.Header{"Cookie": {ck.Name + "=" + ck.Value}}
	if got, body := hostRequest(t, addr, "GET", "/api/me", "evil.example", h, ""); got != http.StatusForbidden {
		t.Errorf("the __Host- cookie for a rebound host name: %d %s; want 403", got, body)
	}
	if got, body := hostRequest(t, addr, "GET", "/api/me", "family.example", h, ""); got != http.StatusOK {
		t.Errorf("the __Host- cookie at the public URL's name: %d %s; want 200", got, body)
	}
}

// TestHSTS: Strict-Transport-Security (a year unless set) goes on every
// answer to a request that is HTTPS to the app (isHTTPS: a trusted
// proxy's X-Forwarded-Proto, an https public URL's name), without
// includeSubDomains or preload, and never on an answer over plain HTTP
// (an untrusted peer's X-Forwarded-Proto, an address on the home
// network), nor with a max-age of 0. FAMILYHUB_SECURE_COOKIES alone does
// not say a request was HTTPS, and sends none.
func TestHSTS(t *testing.T) {
	t.Parallel()
	year := 365 * 24 * time.Hour
	for _, c := range []struct {
		cfg   Config
		host  string
		proto string
		want  string
	}{
		{Config{HSTSMaxAge: year, TrustedProxies: mustPrefixes("127.0.0.1/32")}, "family.example", "https", "max-age=31536000"},
		{Config{HSTSMaxAge: 90 * time.Second, TrustedProxies: mustPrefixes("127.0.0.1/32")}, "family.example", "https", "max-age=90"},
		{Config{HSTSMaxAge: year, TrustedProxies: mustPrefixes("127.0.0.1/32")}, "family.example", "", ""},
		{Config{HSTSMaxAge: year, TrustedProxies: mustPrefixes("127.0.0.1/32")}, "family.example", "http", ""},
		{Config{HSTSMaxAge: year}, "family.example", "https", ""},
		{Config{HSTSMaxAge: year, PublicURL: "https://family.example"}, "family.example", "", "max-age=31536000"},
		{Config{HSTSMaxAge: year, PublicURL: "https://family.example"}, "192.168.1.5:8080", "", ""},
		{Config{HSTSMaxAge: year, SecureCookies: true}, "family.example", "", ""},
		{Config{TrustedProxies: mustPrefixes("127.0.0.1/32")}, "family.example", "https", ""},
	} {
		env := newTestEnv(t, c.cfg)
		addr := strings.TrimPrefix(env.ts.URL, "http://")
		for _, path := range []string{"/healthz", "/api/me", "/"} {
			req, _ := http.NewRequestWithContext(t.Context(), "GET", "http://"+addr+path, nil)
			req.Host = c.host
			if c.proto != "" {
				req.Header.Set("X-Forwarded-Proto", c.proto)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Strict-Transport-Security"); got != c.want {
				t.Errorf("max-age %s, public URL %q, trusted %v, secure cookies %v; Host %s, X-Forwarded-Proto %q, %s: Strict-Transport-Security %q; want %q",
					c.cfg.HSTSMaxAge, c.cfg.PublicURL, c.cfg.TrustedProxies, c.cfg.SecureCookies, c.host, c.proto, path, got, c.want)
			}
		}
	}
}

// TestSessionCookieOldNameTwice: over HTTPS a request carrying the old
// name twice holds a cookie that is not this app's: the app only ever set
// one familyhub_session (host-only, Path=/), and a second one was planted
// by a sibling subdomain (Domain=example.org), which a longer Path
// (/api) puts first in the Cookie header. Before, the first one won: the
// member was signed into the planter's account, and the answer moved the
// planter's token into __Host-familyhub_session, where the member's own
// sign-out could no longer be told apart from it. Now neither counts over
// HTTPS (the member signs in again and gets a __Host- cookie, which wins
// over both); over plain HTTP nothing can tell a planted cookie, and the
// first one still counts as before.
func TestSessionCookieOldNameTwice(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	startTestHub(t, env, 0)
	ana := env.signupOver(t, false, "ana@example.org")
	eve := env.signupOver(t, false, "eve@example.org")
	twice := SessionCookie + "=" + eve.Value + "; " + SessionCookie + "=" + ana.Value

	r := env.overHTTPS(true, twice).do("GET", "/api/me", nil)
	if r.StatusCode != http.StatusUnauthorized || len(r.Cookies()) != 0 {
		t.Fatalf("over HTTPS with the old name twice: %d, set %v; want 401 and nothing moved", r.StatusCode, r.Header["Set-Cookie"])
	}
	r = env.overHTTPS(true, twice).do("POST", "/api/realtime/ticket", nil)
	if r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("ticket over HTTPS with the old name twice: %d; want 401", r.StatusCode)
	}
	// A sign-in over HTTPS then gets a __Host- cookie, which counts.
	host := env.signupOver(t, true, "ben@example.org")
	if got := env.meEmail(t, true, twice+"; "+SessionCookieHost+"="+host.Value); got != "ben@example.org" {
		t.Fatalf("the __Host- cookie beside the old name twice: signed in as %s", got)
	}
	// Over plain HTTP the first one counts, as it always did.
	if got := env.meEmail(t, false, twice); got != "eve@example.org" {
		t.Fatalf("over plain HTTP with the old name twice: signed in as %s", got)
	}
}

// TestHSTSEveryAnswer: over HTTPS every kind of answer carries
// Strict-Transport-Security, not only the JSON API's: the service worker,
// a static file's 304, a refused /ws upgrade, a 404, a 405 and the Host
// check's refusal; over plain HTTP none does, even when an untrusted peer
// says X-Forwarded-Proto: https.
func TestHSTSEveryAnswer(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{HSTSMaxAge: 90 * time.Second, PublicURL: "https://family.example",
		TrustedProxies: mustPrefixes("127.0.0.1/32")})
	startTestHub(t, env, 0)
	addr := strings.TrimPrefix(env.ts.URL, "http://")
	get := func(method, path, host string, h http.Header) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, "http://"+addr+path, nil)
		req.Host = host
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	etag := get("GET", "/sw.js", "family.example", nil).Header.Get("ETag")
	ws := http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}
	for _, c := range []struct {
		method, path, host string
		h                  http.Header
		status             int
	}{
		{"GET", "/sw.js", "family.example", nil, http.StatusOK},
		{"GET", "/sw.js", "family.example", http.Header{"If-None-Match": {etag}}, http.StatusNotModified},
		{"GET", "/ws", "family.example", ws, http.StatusUnauthorized},
		{"GET", "/api/nope", "family.example", nil, http.StatusNotFound},
		{"PUT", "/healthz", "family.example", nil, http.StatusMethodNotAllowed},
		{"GET", "/api/me", "evil.example", http.Header{"X-Forwarded-Proto": {"https"}, "Cookie": {SessionCookieHost + "=x"}}, http.StatusForbidden},
	} {
		resp := get(c.method, c.path, c.host, c.h)
		if resp.StatusCode != c.status || resp.Header.Get("Strict-Transport-Security") != "max-age=90" {
			t.Errorf("%s %s (Host %s): %d, Strict-Transport-Security %q; want %d, max-age=90",
				c.method, c.path, c.host, resp.StatusCode, resp.Header.Get("Strict-Transport-Security"), c.status)
		}
	}
	// Plain HTTP at another name: none, whatever an untrusted peer says.
	plain := newTestEnv(t, Config{HSTSMaxAge: 90 * time.Second})
	addr = strings.TrimPrefix(plain.ts.URL, "http://")
	for _, path := range []string{"/sw.js", "/ws", "/api/nope"} {
		resp := get("GET", path, "192.168.1.5:8080", http.Header{"X-Forwarded-Proto": {"https"}})
		if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("plain HTTP, untrusted X-Forwarded-Proto, %s: Strict-Transport-Security %q", path, got)
		}
	}
}

// TestSessionCookieOldNamePlanted: over HTTPS a lone familyhub_session
// cookie lets in only a session made before the cookie had its __Host-
// name (TestSessionCookieMoved). A session made since, over HTTPS, over
// plain HTTP or handed out as a bearer token, is refused under the old
// name over HTTPS as no session (401 on REST, the realtime ticket, /ws,
// refresh), the cookie is cleared and nothing is moved: such a cookie was
// planted, by a sibling subdomain (Domain=example.org) or a plain-http
// answer on the way, with the planter's own session. Before, it was let
// in and moved into __Host-familyhub_session: the member's browser was
// signed into the planter's account (login CSRF), and what they wrote
// went to the planter's family. Over plain HTTP the old name lets in any
// session, as before.
func TestSessionCookieOldNamePlanted(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	startTestHub(t, env, 0)
	host := env.signupOver(t, true, "eve@example.org").Value
	login := func(https, bearer bool) response {
		return env.overHTTPS(https, "").must(http.StatusOK, "POST", "/api/auth/login", map[string]any{
			"email": "eve@example.org", "password": "correct horse", "return_token": bearer})
	}
	plain := setCookies(t, login(false, false))[SessionCookie].Value
	var body accountResponse
	login(true, true).decode(t, &body)
	for _, c := range []struct{ made, token string }{{"over HTTPS", host}, {"over plain HTTP", plain}, {"as a bearer token", body.Session.Token}} {
		planted := SessionCookie + "=" + c.token
		r := env.overHTTPS(true, planted).do("GET", "/api/me", nil)
		set := setCookies(t, r)
		if r.StatusCode != http.StatusUnauthorized || set[SessionCookieHost] != nil {
			t.Errorf("a session made %s, under the old name over HTTPS: %d, set %v; want 401, nothing moved", c.made, r.StatusCode, r.Header["Set-Cookie"])
		}
		if gone := set[SessionCookie]; gone == nil || gone.MaxAge >= 0 || gone.Path != "/" || !gone.Secure {
			t.Errorf("a session made %s, under the old name over HTTPS: set %v; want %s cleared", c.made, r.Header["Set-Cookie"], SessionCookie)
		}
		for _, path := range []string{"/api/realtime/ticket", "/api/auth/refresh"} {
			if r := env.overHTTPS(true, planted).do("POST", path, nil); r.StatusCode != http.StatusUnauthorized || setCookies(t, r)[SessionCookieHost] != nil {
				t.Errorf("a session made %s, under the old name over HTTPS, %s: %d, set %v; want 401", c.made, path, r.StatusCode, r.Header["Set-Cookie"])
			}
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws", &websocket.DialOptions{
			HTTPHeader: http.Header{"X-Forwarded-Proto": {"https"}, "Cookie": {planted}}})
		if err == nil {
			conn.CloseNow()
		}
		if resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a session made %s, under the old name over HTTPS, /ws: %v %v; want 401", c.made, resp, err)
		}
		cancel()
		// Over plain HTTP nothing tells a planted cookie: as before.
		if got := env.meEmail(t, false, planted); got != "eve@example.org" {
			t.Errorf("a session made %s, under the old name over plain HTTP: signed in as %q", c.made, got)
		}
	}
	// Refused, not ended: under its own name the session still works.
	if got := env.meEmail(t, true, SessionCookieHost+"="+host); got != "eve@example.org" {
		t.Errorf("the __Host- cookie after its token was refused under the old name: signed in as %q", got)
	}
}
