package http

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestHostCheck: with a public URL configured, a page that rebinds its own
// name to the server cannot use a session or open a live connection under
// that name: cookie requests, /ws and /sse for another host name are
// refused (403) before anything happens, while the public name, an IP
// address, health checks and bearer requests pass. Without a public URL
// (as in every other test here) nothing is checked. Before, every Host
// was served alike.
func TestHostCheck(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{PublicURL: "https://Family.Example:443/", AllowedOrigins: []string{"https://other.example:8443"}})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	var tok struct{ Session struct{ Token string } }
	env.newClient().must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse", "return_token": true}).decode(t, &tok)

	send := func(host, path string, cookie bool, bearer string) (int, string) {
		t.Helper()
		// Bounded: an /sse let in would stream until the test's end.
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", env.ts.URL+path, nil)
		req.Host = host
		if cookie {
			for k, v := range ana.hostCookieHeader() {
				req.Header[k] = v
			}
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusOK && path == "/sse" {
			return resp.StatusCode, "(a stream)"
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	loopback := strings.TrimPrefix(env.ts.URL, "http://")
	for _, c := range []struct {
		host, path string
		cookie     bool
		bearer     string
		want       int
	}{
		{"evil.example", "/api/me", true, "", http.StatusForbidden},
		{"evil.example:" + strings.Split(loopback, ":")[1], "/api/me", true, "", http.StatusForbidden},
		{"evil.example", "/sse", true, "", http.StatusForbidden},
		{"evil.example", "/api/me", false, tok.Session.Token, http.StatusOK}, // a bearer token: no rebinding page has it
		{"evil.example", "/api/me", false, "", http.StatusUnauthorized},      // no credentials: nothing to abuse
		{"evil.example", "/healthz", true, "", http.StatusOK},
		{"evil.example", "/readyz", true, "", http.StatusOK},
		{"family.example", "/api/me", true, "", http.StatusOK},
		{"FAMILY.example:443", "/api/me", true, "", http.StatusOK},
		{"other.example:8443", "/api/me", true, "", http.StatusOK},
		{"other.example", "/api/me", true, "", http.StatusForbidden}, // another port: another origin
		{loopback, "/api/me", true, "", http.StatusOK},               // an address, not a name
		{"localhost", "/api/me", true, "", http.StatusOK},
		{"[::1]:8080", "/api/me", true, "", http.StatusOK},
	} {
		got, body := send(c.host, c.path, c.cookie, c.bearer)
		if got != c.want {
			t.Errorf("Host %s %s (cookie %v, bearer %v): %d %s; want %d", c.host, c.path, c.cookie, c.bearer != "", got, body, c.want)
		}
		if got == http.StatusForbidden && !strings.Contains(body, "FAMILYHUB_PUBLIC_URL") {
			t.Errorf("Host %s %s: refusal %s does not say why", c.host, c.path, body)
		}
	}

	// The WebSocket upgrade under a rebound name, with a matching Origin
	// (what the rebinding page's browser sends): refused before upgrading.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	h := ana.hostCookieHeader()
	h.Set("Origin", "http://evil.example")
	dial := func(host string) (*websocket.Conn, *http.Response, error) {
		return websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws", &websocket.DialOptions{HTTPHeader: h, Host: host})
	}
	if conn, resp, err := dial("evil.example"); err == nil {
		conn.CloseNow()
		t.Error("a WebSocket opened for a rebound host name")
	} else if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("WebSocket for a rebound host name: %v %v; want 403", resp, err)
	}
	h.Set("Origin", "https://family.example")
	conn, _, err := dial("family.example")
	if err != nil {
		t.Fatalf("WebSocket at the public name: %v", err)
	}
	conn.CloseNow()
}

// TestHostCheckOff: without a public URL any Host is served, as before.
func TestHostCheckOff(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	ana, _ := env.signup("ana@example.org", "Family")
	req, _ := http.NewRequest("GET", env.ts.URL+"/api/me", nil)
	req.Host = "evil.example"
	for k, v := range ana.cookieHeader() {
		req.Header[k] = v
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("without a public URL, another Host: %d; want 200", resp.StatusCode)
	}
}

// TestHostTrailingDot: a fully qualified name with its trailing dot
// ("family.example.", "family.example.:443") is the public URL's host,
// directly and through the repo's deploy/nginx.conf: signed-in requests,
// writes and /ws pass the Host check and the Origin checks, and the
// public URL's origin with a dot is the app's own. Another name with a
// dot stays refused. Before, each answered 403.
func TestHostTrailingDot(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{PublicURL: "https://family.example", TrustedProxies: mustPrefixes(proxyPeer + "/32")})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	direct := strings.TrimPrefix(env.ts.URL, "http://")
	nginx := startNginx(t, env, "")
	for _, addr := range []string{direct, nginx} {
		for _, host := range []string{"family.example.", "Family.Example.:443"} {
			h := ana.hostCookieHeader()
			if got, body := hostRequest(t, addr, "GET", "/api/me", host, h, ""); got != http.StatusOK {
				t.Errorf("via %s, Host %s: GET /api/me %d %s; want 200", addr, host, got, body)
			}
			h.Set("Origin", "https://family.example.")
			if got, body := hostRequest(t, addr, "POST", "/api/shopping/lists", host, h, `{"name":"Dot"}`); got != http.StatusCreated {
				t.Errorf("via %s, Host %s: POST %d %s; want 201", addr, host, got, body)
			}
			if _, got := dialHost(t, addr, host, h); got != http.StatusSwitchingProtocols {
				t.Errorf("via %s, Host %s: /ws %d; want 101", addr, host, got)
			}
			h.Set("Origin", "https://evil.example.")
			if _, got := dialHost(t, addr, host, h); got != http.StatusForbidden {
				t.Errorf("via %s, Host %s, Origin evil.example.: /ws %d; want 403", addr, host, got)
			}
		}
		if got, body := hostRequest(t, addr, "GET", "/api/me", "evil.example.", ana.hostCookieHeader(), ""); got != http.StatusForbidden {
			t.Errorf("via %s, Host evil.example.: %d %s; want 403", addr, got, body)
		}
		if got, body := hostRequest(t, addr, "GET", "/api/me", "family.example..", ana.hostCookieHeader(), ""); got == http.StatusOK {
			t.Errorf("via %s, Host family.example..: %d %s; want refused", addr, got, body)
		}
	}
	// The public URL's origin with a dot, at an address (a proxy that
	// sends its upstream's address and no X-Forwarded-Host): its own.
	h := ana.hostCookieHeader()
	h.Set("Origin", "https://family.example.")
	if got, body := hostRequest(t, direct, "POST", "/api/shopping/lists", direct, h, `{"name":"Dot"}`); got != http.StatusCreated {
		t.Errorf("Origin https://family.example. at %s: POST %d %s; want 201", direct, got, body)
	}
	if _, got := dialHost(t, direct, direct, h); got != http.StatusSwitchingProtocols {
		t.Errorf("Origin https://family.example. at %s: /ws %d; want 101", direct, got)
	}
}
