package http

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Whether a request came over HTTPS, through the repo's deploy/nginx.conf
// on loopback (startNginx): the Secure flag of the session cookie and the
// scheme of the feed URLs the app hands out.

// proxySession signs email up through addr (Host host, extra headers h)
// and returns the session cookie as the server set it, under either name.
func proxySession(t *testing.T, addr, host, email string, h http.Header) *http.Cookie {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	body := `{"email":"` + email + `","password":"correct horse","display_name":"T","family_name":"F"}`
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/api/auth/signup", strings.NewReader(body))
	req.Host = host
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("signup through %s (Host %s): %v", addr, host, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("signup through %s (Host %s): %d %s", addr, host, resp.StatusCode, b)
	}
	for _, c := range resp.Cookies() {
		if c.Name == SessionCookie || c.Name == SessionCookieHost {
			return c
		}
	}
	t.Fatalf("signup through %s (Host %s): no session cookie", addr, host)
	return nil
}

// proxyFeedURL makes a calendar feed through addr with the session ck and
// returns its URL.
func proxyFeedURL(t *testing.T, addr, host string, ck *http.Cookie, h http.Header) string {
	t.Helper()
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Cookie", ck.Name+"="+ck.Value)
	got, body := hostRequest(t, addr, "POST", "/api/calendar/feeds", host, h, `{"name":"Phone","scope":"family"}`)
	var out struct{ URL string }
	if err := json.Unmarshal([]byte(body), &out); got != http.StatusCreated || err != nil {
		t.Fatalf("feed through %s (Host %s): %d %s", addr, host, got, body)
	}
	return out.URL
}

// TestProxyForwardedProtoFromClient: where nginx is the edge (as in
// docker-compose), a client that sends its own X-Forwarded-Proto: https
// over plain HTTP gets neither a Secure cookie nor https links: nginx
// sends its own $scheme. Before, deploy/nginx.conf passed the client's
// header on, and the app, trusting nginx, believed it.
func TestProxyForwardedProtoFromClient(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes(proxyPeer + "/32")})
	addr := startNginx(t, env, "")
	h := http.Header{"X-Forwarded-Proto": {"https"}}
	ck := proxySession(t, addr, "family.example", "ana@example.org", h)
	if ck.Secure || ck.Name != SessionCookie {
		t.Errorf("a client's own X-Forwarded-Proto: https through nginx made the cookie %s Secure %v", ck.Name, ck.Secure)
	}
	if u := proxyFeedURL(t, addr, "family.example", ck, h); !strings.HasPrefix(u, "http://family.example/") {
		t.Errorf("a client's own X-Forwarded-Proto: https through nginx: feed URL %s; want http://family.example/…", u)
	}
}

// TestProxyPublicURLHTTPS: with an https public URL, behind a TLS
// terminator in front of nginx (which speaks plain HTTP to nginx, so
// nginx says X-Forwarded-Proto: http), a session made at the public name
// gets a Secure cookie and https feed URLs, whatever X-Forwarded-Proto
// says. Under an address (the home network, plain HTTP) it stays plain:
// a Secure cookie would never come back there. Before, the cookie was
// Secure only when X-Forwarded-Proto said https, which nginx now never
// passes on from its client.
func TestProxyPublicURLHTTPS(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{PublicURL: "https://family.example", TrustedProxies: mustPrefixes(proxyPeer + "/32")})
	addr := startNginx(t, env, "")
	for _, h := range []http.Header{nil, {"X-Forwarded-Proto": {"http"}}} {
		ck := proxySession(t, addr, "family.example", "ana"+h.Get("X-Forwarded-Proto")+"@example.org", h)
		if !ck.Secure || ck.Name != SessionCookieHost {
			t.Errorf("public URL https, through nginx at its name (X-Forwarded-Proto %q from the client): cookie %s Secure %v; want %s Secure", h.Get("X-Forwarded-Proto"), ck.Name, ck.Secure, SessionCookieHost)
		}
		if u := proxyFeedURL(t, addr, "family.example", ck, h); !strings.HasPrefix(u, "https://family.example/") {
			t.Errorf("public URL https, through nginx at its name: feed URL %s; want https://family.example/…", u)
		}
	}
	ck := proxySession(t, addr, addr, "bo@example.org", http.Header{"X-Forwarded-Proto": {"https"}})
	if ck.Secure || ck.Name != SessionCookie {
		t.Errorf("public URL https, through nginx at the address %s: cookie %s Secure %v; want %s plain", addr, ck.Name, ck.Secure, SessionCookie)
	}
	if u := proxyFeedURL(t, addr, addr, ck, nil); !strings.HasPrefix(u, "http://"+addr+"/") {
		t.Errorf("public URL https, through nginx at the address %s: feed URL %s; want http://%s/…", addr, u, addr)
	}
}

// TestOriginOtherSchemePublicURL: with FAMILYHUB_PUBLIC_URL
// https://family.example, a page at http://family.example (the right
// host, the wrong scheme: not the app, perhaps one put into a plain HTTP
// answer on the way) may neither write with the member's cookie nor open
// /ws, directly or through the repo's deploy/nginx.conf; the https page
// may. Before, only the host was compared and both were let in. Without
// a public URL the scheme is not compared (the app cannot tell which one
// its members use), and an allowed origin with the other scheme passes.
func TestOriginOtherSchemePublicURL(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{PublicURL: "https://family.example", TrustedProxies: mustPrefixes(proxyPeer + "/32")})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	for _, addr := range []string{strings.TrimPrefix(env.ts.URL, "http://"), startNginx(t, env, "")} {
		for origin, want := range map[string]int{"http://family.example": http.StatusForbidden, "http://Family.Example.:80": http.StatusForbidden, "https://family.example": http.StatusCreated} {
			h := ana.hostCookieHeader()
			h.Set("Origin", origin)
			if got, body := hostRequest(t, addr, "POST", "/api/shopping/lists", "family.example", h, `{"name":"Milk"}`); got != want {
				t.Errorf("via %s, Origin %s: POST %d %s; want %d", addr, origin, got, body, want)
			}
			wantWS := http.StatusSwitchingProtocols
			if want == http.StatusForbidden {
				wantWS = http.StatusForbidden
			}
			if _, got := dialHost(t, addr, "family.example", h); got != wantWS {
				t.Errorf("via %s, Origin %s: /ws %d; want %d", addr, origin, got, wantWS)
			}
		}
	}

	for _, c := range []struct {
		cfg    Config
		origin string
		want   bool
	}{
		{Config{}, "http://family.example", true},
		{Config{}, "https://family.example", true},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"http://family.example"}}, "http://family.example", true},
		{Config{PublicURL: "http://family.example:8080"}, "https://family.example:8080", true}, // TestOriginHTTPSPagePublicHTTP
		{Config{PublicURL: "http://family.example:8080"}, "http://family.example:8080", true},
	} {
		s := &Server{cfg: c.cfg, origins: ownOrigins(c.cfg), public: publicOriginOf(c.cfg), logger: slog.New(slog.DiscardHandler)}
		h := s.crossOriginProtection()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		r := httptest.NewRequest("POST", "http://family.example:8080/api/shopping/lists", nil)
		r.Host = "family.example:8080"
		if !strings.Contains(c.origin, ":8080") {
			r.Host = "family.example"
		}
		r.Header.Set("Origin", c.origin)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Code == http.StatusNoContent; got != c.want {
			t.Errorf("public URL %q, allowed %q, Origin %s: POST let through %v; want %v", c.cfg.PublicURL, c.cfg.AllowedOrigins, c.origin, got, c.want)
		}
		r.Method = "GET"
		if got := s.OriginAllowed(r); got != c.want {
			t.Errorf("public URL %q, allowed %q, Origin %s: OriginAllowed %v; want %v", c.cfg.PublicURL, c.cfg.AllowedOrigins, c.origin, got, c.want)
		}
	}
}

// TestOriginHTTPSPagePublicHTTP: with FAMILYHUB_PUBLIC_URL still http://
// after the operator put TLS in front (or a browser upgraded the page by
// HSTS), a member's page at https://family.example writes and opens /ws
// as it did before the scheme was compared. Nobody can slip a page into
// an HTTPS answer without the name's certificate, so refusing it guards
// against nothing; only a page under plain HTTP when the public URL is
// https (a downgrade) is someone else's.
func TestOriginHTTPSPagePublicHTTP(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		public, origin, host string
		want                 bool
	}{
		{"http://family.example", "https://family.example", "family.example", true},
		{"http://family.example:8080", "https://family.example:8080", "family.example:8080", true},
		{"https://family.example", "http://family.example", "family.example", false},
	} {
		cfg := Config{PublicURL: c.public}
		s := &Server{cfg: cfg, origins: ownOrigins(cfg), public: publicOriginOf(cfg), logger: slog.New(slog.DiscardHandler)}
		h := s.crossOriginProtection()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		r := httptest.NewRequest("POST", "http://"+c.host+"/api/shopping/lists", nil)
		r.Host = c.host
		r.Header.Set("Origin", c.origin)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Code == http.StatusNoContent; got != c.want {
			t.Errorf("public URL %s, Origin %s: POST let through %v; want %v", c.public, c.origin, got, c.want)
		}
		r.Method = "GET"
		if got := s.OriginAllowed(r); got != c.want {
			t.Errorf("public URL %s, Origin %s: OriginAllowed %v; want %v", c.public, c.origin, got, c.want)
		}
	}
}

// sseHost opens /sse at addr with Host host and the headers h, and
// returns the status (a stream let in is closed at once).
func sseHost(t *testing.T, addr, host string, h http.Header) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/sse", nil)
	req.Host = host
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("/sse (Host %s): %v", host, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestOriginOtherSchemeAllowedOrigin: an operator serves the app at
// https://family.example (the public URL) and also at https://family.lan
// (FAMILYHUB_ALLOWED_ORIGINS). A page at http://family.lan, the second
// name under plain HTTP (one slipped into a plain HTTP answer on the
// way), may neither write with the member's cookie nor open /ws or /sse,
// directly or through a proxy that rewrites Host and sends
// X-Forwarded-Host, as http://family.example may not. Before, only the
// public URL's host was guarded and the page passed by the same-host
// rule. A name allowed under http too (family.home) keeps both schemes.
func TestOriginOtherSchemeAllowedOrigin(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{
		PublicURL:      "https://family.example",
		AllowedOrigins: []string{"https://family.lan", "http://family.home", "https://family.home"},
		TrustedProxies: mustPrefixes(proxyPeer + "/32"),
	})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	for _, addr := range []string{strings.TrimPrefix(env.ts.URL, "http://"), startNginx(t, env, nginxDefaultHost)} {
		for _, c := range []struct {
			host, origin string
			ok           bool
		}{
			{"family.lan", "http://family.lan", false},
			{"family.lan", "HTTP://Family.LAN.:80", false},
			{"family.lan", "https://family.lan", true},
			{"family.home", "http://family.home", true},
			{"family.home", "https://family.home", true},
		} {
			want, wantWS, wantSSE := http.StatusCreated, http.StatusSwitchingProtocols, http.StatusOK
			if !c.ok {
				want, wantWS, wantSSE = http.StatusForbidden, http.StatusForbidden, http.StatusForbidden
			}
			h := ana.hostCookieHeader()
			h.Set("Origin", c.origin)
			if got, body := hostRequest(t, addr, "POST", "/api/shopping/lists", c.host, h, `{"name":"Milk"}`); got != want {
				t.Errorf("via %s, Host %s, Origin %s: POST %d %s; want %d", addr, c.host, c.origin, got, body, want)
			}
			if _, got := dialHost(t, addr, c.host, h); got != wantWS {
				t.Errorf("via %s, Host %s, Origin %s: /ws %d; want %d", addr, c.host, c.origin, got, wantWS)
			}
			if got := sseHost(t, addr, c.host, h); got != wantSSE {
				t.Errorf("via %s, Host %s, Origin %s: /sse %d; want %d", addr, c.host, c.origin, got, wantSSE)
			}
		}
	}

	// The rule in one table: an https-only allowed origin's host under
	// http is refused whenever a public URL is set (https or http);
	// without one, nothing is refused for its scheme; an https page is
	// never refused for an http setting.
	for _, c := range []struct {
		cfg          Config
		host, origin string
		want         bool
	}{
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"https://family.lan"}}, "family.lan", "http://family.lan", false},
		{Config{PublicURL: "http://family.example", AllowedOrigins: []string{"https://family.lan"}}, "family.lan", "http://family.lan", false},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"https://family.lan:8443"}}, "family.lan:8443", "http://family.lan:8443", false},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"https://family.lan:8443"}}, "family.lan", "http://family.lan", true},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"http://family.lan"}}, "family.lan", "https://family.lan", true},
		{Config{PublicURL: "http://family.example", AllowedOrigins: []string{"https://family.example"}}, "family.example", "http://family.example", true},
		{Config{AllowedOrigins: []string{"https://family.lan"}}, "family.lan", "http://family.lan", true},
	} {
		s := &Server{cfg: c.cfg, origins: ownOrigins(c.cfg), public: publicOriginOf(c.cfg), logger: slog.New(slog.DiscardHandler)}
		h := s.crossOriginProtection()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		r := httptest.NewRequest("POST", "http://"+c.host+"/api/shopping/lists", nil)
		r.Host = c.host
		r.Header.Set("Origin", c.origin)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Code == http.StatusNoContent; got != c.want {
			t.Errorf("public URL %q, allowed %q, Host %s, Origin %s: POST let through %v; want %v", c.cfg.PublicURL, c.cfg.AllowedOrigins, c.host, c.origin, got, c.want)
		}
		r.Method = "GET"
		if got := s.OriginAllowed(r); got != c.want {
			t.Errorf("public URL %q, allowed %q, Host %s, Origin %s: OriginAllowed %v; want %v", c.cfg.PublicURL, c.cfg.AllowedOrigins, c.host, c.origin, got, c.want)
		}
	}
}

// proxyLogoutCookie signs the session ck out through addr (Host host)
// and returns the cookie the answer clears it with.
func proxyLogoutCookie(t *testing.T, addr, host string, ck *http.Cookie) *http.Cookie {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/api/auth/logout", nil)
	req.Host = host
	req.Header.Set("Cookie", ck.Name+"="+ck.Value)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("logout through %s (Host %s): %v", addr, host, err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == SessionCookie && resp.StatusCode == http.StatusNoContent {
			return c
		}
	}
	t.Fatalf("logout through %s (Host %s): %d, no cleared session cookie", addr, host, resp.StatusCode)
	return nil
}

// TestProxyAllowedOriginHTTPS: the app's public URL is
// https://family.example and it is also served at https://family.lan
// (FAMILYHUB_ALLOWED_ORIGINS lists that one under https only), behind a
// TLS terminator that is not a trusted proxy: through the repo's
// deploy/nginx.conf, which says X-Forwarded-Proto http (its own
// $scheme), or straight from the terminator, whose own header is not
// believed. A session made at family.lan gets a Secure cookie (its
// logout's clearing one too) and https feed URLs, as at the public URL's
// name. Before, only the public URL's name was taken as HTTPS: at
// family.lan the cookie went without Secure (a plain http:// request
// for the name, which any page can make a browser send, carried it in
// clear text) and feeds were handed out as http://, although a page at
// http://family.lan may not even write there (otherScheme). A name
// allowed under both schemes (family.home) still goes by what the
// request says, so signing in over plain HTTP there keeps working.
func TestProxyAllowedOriginHTTPS(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{
		PublicURL:      "https://family.example",
		AllowedOrigins: []string{"https://family.lan", "http://family.home", "https://family.home"},
		TrustedProxies: mustPrefixes(proxyPeer + "/32"),
	})
	direct := strings.TrimPrefix(env.ts.URL, "http://")
	n := 0
	for _, addr := range []string{startNginx(t, env, ""), direct} {
		for _, c := range []struct {
			host   string
			secure bool
		}{
			{"family.lan", true},
			{"Family.LAN.", true},
			{"family.lan:443", true},
			{"family.home", false},
		} {
			n++
			h := http.Header{"X-Forwarded-Proto": {"https"}} // the terminator's, never believed here
			ck := proxySession(t, addr, c.host, fmt.Sprintf("m%d@example.org", n), h)
			if ck.Secure != c.secure || ck.Name != cookieName(c.secure) {
				t.Errorf("via %s, Host %s: session cookie %s Secure %v; want %s Secure %v", addr, c.host, ck.Name, ck.Secure, cookieName(c.secure), c.secure)
			}
			scheme := map[bool]string{true: "https://", false: "http://"}[c.secure]
			if u := proxyFeedURL(t, addr, c.host, ck, h); !strings.HasPrefix(u, scheme+c.host+"/") {
				t.Errorf("via %s, Host %s: feed URL %s; want %s%s/…", addr, c.host, u, scheme, c.host)
			}
			if out := proxyLogoutCookie(t, addr, c.host, ck); out.Secure != c.secure {
				t.Errorf("via %s, Host %s: logout's clearing cookie Secure %v; want %v", addr, c.host, out.Secure, c.secure)
			}
		}
	}
}

// TestSchemeRulesAgree: which names are HTTPS to the app (isHTTPS: the
// Secure cookie, https links) and which refuse a page under plain HTTP
// (otherScheme, for writes and /ws, /sse alike: TestOriginRulesAgree)
// follow one rule, httpsOnly: with a public URL, a name listed among the
// public URL and the allowed origins under https and not under http. The
// one difference is the public URL's own name also allowed under http:
// its page under http may write (the operator listed it), and the name
// stays HTTPS (members open the app there over HTTPS; a cookie without
// Secure would travel in clear text). The request here comes straight
// from an untrusted peer without TLS, as from a TLS terminator that is
// not trusted, so only the settings can make it HTTPS.
func TestSchemeRulesAgree(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cfg     Config
		host    string
		https   bool // isHTTPS
		refused bool // a page at http://host may not write or open /ws
	}{
		{Config{PublicURL: "https://family.example"}, "family.example", true, true},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"https://family.lan"}}, "family.lan", true, true},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"https://family.lan"}}, "FAMILY.lan.", true, true},
		{Config{PublicURL: "http://family.example", AllowedOrigins: []string{"https://family.lan"}}, "family.lan", true, true},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"https://family.lan:8443"}}, "family.lan:8443", true, true},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"https://family.lan:8443"}}, "family.lan", false, false},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"https://family.lan"}}, "family.lan:8080", false, false},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"http://family.lan", "https://family.lan"}}, "family.lan", false, false},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"http://family.lan"}}, "family.lan", false, false},
		{Config{PublicURL: "http://family.example", AllowedOrigins: []string{"https://family.example"}}, "family.example", false, false},
		{Config{PublicURL: "https://family.example", AllowedOrigins: []string{"http://family.example"}}, "family.example", true, false},
		{Config{PublicURL: "https://family.example"}, "192.168.1.5:8080", false, false},
		{Config{AllowedOrigins: []string{"https://family.lan"}}, "family.lan", false, false},
	} {
		s := &Server{cfg: c.cfg, origins: ownOrigins(c.cfg), public: publicOriginOf(c.cfg), logger: slog.New(slog.DiscardHandler)}
		r := httptest.NewRequest("POST", "/api/shopping/lists", nil)
		r.Host = c.host
		r.Header.Set("X-Forwarded-Proto", "https") // from an untrusted peer: ignored
		if got := s.isHTTPS(r); got != c.https {
			t.Errorf("public URL %q, allowed %q, Host %s: isHTTPS %v; want %v", c.cfg.PublicURL, c.cfg.AllowedOrigins, c.host, got, c.https)
		}
		r.Header.Set("Origin", "http://"+c.host)
		if got := !s.OriginAllowed(r); got != c.refused {
			t.Errorf("public URL %q, allowed %q, Host %s: Origin http://%s refused %v; want %v", c.cfg.PublicURL, c.cfg.AllowedOrigins, c.host, c.host, got, c.refused)
		}
	}
}
