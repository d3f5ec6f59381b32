package http

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The host the client asked for behind a reverse proxy that rewrites Host
// (requestHost), through a real nginx on loopback. nginx connects to the
// app from 127.0.0.2 (proxy_bind) and only that address is a trusted
// proxy, so the test's own direct requests (from 127.0.0.1) come from an
// untrusted peer.

const proxyPeer = "127.0.0.2"

// nginxDefaultHost is nginx as it is set up by someone who adds only
// what the WebSocket needs and X-Forwarded-Host: Host is nginx's default,
// the upstream's name ("familyhub").
const nginxDefaultHost = `worker_processes 1;
pid nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
    access_log off;
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    upstream familyhub { server %[1]s; }
    server {
        listen %[2]s;
        proxy_bind ` + proxyPeer + `;
        location / {
            proxy_pass http://familyhub;
            proxy_http_version 1.1;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
        }
    }
}
`

// startNginx runs Debian's nginx in front of env's server and returns its
// address. conf "" is the repo's deploy/nginx.conf (symlinked into a
// private prefix next to its upstream and listen files, as `make cluster`
// does); else conf is a whole config with %[1]s for the app's address and
// %[2]s for nginx's.
func startNginx(t *testing.T, env *testEnv, conf string) string {
	t.Helper()
	return startNginxTLS(t, env, conf, "")
}

// startNginxTLS is startNginx that, with certDir set, speaks TLS with
// certDir's cert.pem and key.pem (the repo's deploy/nginx.conf only, with
// its listen file saying so, as an operator's would).
func startNginxTLS(t *testing.T, env *testEnv, conf, certDir string) string {
	t.Helper()
	bin := "/usr/sbin/nginx" // Debian's, when sbin is not on PATH
	if p, err := exec.LookPath("nginx"); err == nil {
		bin = p
	} else if _, err := os.Stat(bin); err != nil {
		t.Fatal("nginx not found: run ./deploy/ensure-nginx.sh (make test does)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	app := strings.TrimPrefix(env.ts.URL, "http://")
	prefix := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(prefix, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if conf == "" {
		deploy, err := filepath.Abs("../deploy/nginx.conf")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(deploy, filepath.Join(prefix, "nginx.conf")); err != nil {
			t.Fatal(err)
		}
		write("familyhub-upstream.conf", "upstream familyhub {\n    server "+app+";\n    keepalive 8;\n}\nproxy_bind "+proxyPeer+";\n")
		listen := "listen " + addr + ";\n"
		if certDir != "" {
			listen = "listen " + addr + " ssl;\nssl_certificate " + filepath.Join(certDir, "cert.pem") + ";\nssl_certificate_key " + filepath.Join(certDir, "key.pem") + ";\n"
		}
		write("familyhub-listen.conf", listen)
	} else {
		write("nginx.conf", fmt.Sprintf(conf, app, addr))
	}
	args := []string{"-p", prefix + "/", "-c", filepath.Join(prefix, "nginx.conf"), "-e", "stderr", "-g", "daemon off;"}
	if out, err := exec.Command(bin, append(args, "-t", "-q")...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	var log strings.Builder
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM) // fast shutdown: open sockets do not hold it
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() && log.Len() > 0 {
			t.Logf("nginx log:\n%s", log.String())
		}
	})
	waitCond(t, "nginx listening", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return addr
}

// hostRequest sends method path to addr with Host host and the headers h,
// and returns the status and the body.
func hostRequest(t *testing.T, addr, method, path, host string, h http.Header, body string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, "http://"+addr+path, strings.NewReader(body))
	req.Host = host
	for k, v := range h {
		req.Header[k] = v
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s (Host %s): %v", method, path, host, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// dialHost opens /ws at addr with Host host and the headers h; it returns
// nil and the status of a refused upgrade.
func dialHost(t *testing.T, addr, host string, h http.Header) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws://"+addr+"/ws", &websocket.DialOptions{Host: host, HTTPHeader: h})
	if err != nil {
		if resp == nil {
			t.Fatalf("/ws (Host %s): %v", host, err)
		}
		return nil, resp.StatusCode
	}
	t.Cleanup(func() { conn.CloseNow() })
	if _, data, err := conn.Read(ctx); err != nil || !strings.Contains(string(data), `"hello"`) {
		t.Fatalf("/ws (Host %s): first message %q, %v; want hello", host, data, err)
	}
	return conn, http.StatusSwitchingProtocols
}

// TestProxyRewritingHostPublicURL: with FAMILYHUB_PUBLIC_URL set, behind
// nginx with its default Host (the upstream's name) plus X-Forwarded-Host,
// and behind the repo's deploy/nginx.conf, a signed-in member's requests
// and /ws work at the public name, and a rebound name is still refused.
// Before, the Host check read only Host: behind the first nginx every
// cookie request and /ws answered 403; behind the second too, since its
// locations (each setting a header of its own) did not inherit the
// server's proxy_set_header Host $host.
func TestProxyRewritingHostPublicURL(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{PublicURL: "http://family.example", TrustedProxies: mustPrefixes(proxyPeer + "/32")})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	for _, c := range []struct{ name, conf string }{
		{"nginx's default Host", nginxDefaultHost},
		{"deploy/nginx.conf", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := startNginx(t, env, c.conf)
			h := ana.cookieHeader()
			if got, body := hostRequest(t, addr, "GET", "/api/me", "family.example", h, ""); got != http.StatusOK {
				t.Errorf("GET /api/me through nginx at the public name: %d %s; want 200", got, body)
			}
			h.Set("Origin", "http://family.example")
			if got, body := hostRequest(t, addr, "POST", "/api/shopping/lists", "family.example", h, `{"name":"Via `+c.name+`"}`); got != http.StatusCreated {
				t.Errorf("POST through nginx at the public name: %d %s; want 201", got, body)
			}
			if _, got := dialHost(t, addr, "family.example", h); got != http.StatusSwitchingProtocols {
				t.Errorf("/ws through nginx at the public name: %d; want 101", got)
			}
			// A rebound name through the proxy: it says so, and is refused.
			h.Set("Origin", "http://evil.example")
			if got, body := hostRequest(t, addr, "GET", "/api/me", "evil.example", h, ""); got != http.StatusForbidden {
				t.Errorf("GET /api/me through nginx at a rebound name: %d %s; want 403", got, body)
			}
			if _, got := dialHost(t, addr, "evil.example", h); got != http.StatusForbidden {
				t.Errorf("/ws through nginx at a rebound name: %d; want 403", got)
			}
		})
	}

	// From an untrusted peer X-Forwarded-Host is not believed: a rebound
	// name stays refused whatever the header says. Believed, both would
	// pass.
	direct := strings.TrimPrefix(env.ts.URL, "http://")
	h := ana.cookieHeader()
	h.Set("X-Forwarded-Host", "family.example")
	if got, body := hostRequest(t, direct, "GET", "/api/me", "evil.example", h, ""); got != http.StatusForbidden {
		t.Errorf("direct, Host evil.example with a forged X-Forwarded-Host: %d %s; want 403", got, body)
	}
	h.Set("Origin", "http://family.example")
	if _, got := dialHost(t, direct, "evil.example", h); got != http.StatusForbidden {
		t.Errorf("/ws direct, Host evil.example with a forged X-Forwarded-Host: %d; want 403", got)
	}

	// The public URL is the app's own origin: a page there may open /ws
	// whatever Host reached the server (here an address, as from a proxy
	// that sends its upstream's address and no X-Forwarded-Host). Before,
	// the upgrade was refused as cross-origin.
	h = ana.cookieHeader()
	h.Set("Origin", "http://family.example")
	if _, got := dialHost(t, direct, direct, h); got != http.StatusSwitchingProtocols {
		t.Errorf("/ws with Origin the public URL at %s: %d; want 101", direct, got)
	}
	h.Set("Origin", "http://evil.example")
	if _, got := dialHost(t, direct, direct, h); got != http.StatusForbidden {
		t.Errorf("/ws with Origin evil.example at %s: %d; want 403", direct, got)
	}
}

// TestProxyRewritingHostOrigin: without a public URL, behind nginx with
// its default Host plus X-Forwarded-Host, a page at the name the browser
// used may open /ws and write (a browser sends no Sec-Fetch-Site over
// plain HTTP to a name, so CrossOriginProtection compares Origin with the
// host). Before, both compared Origin with the upstream's name and
// refused. A forged X-Forwarded-Host from an untrusted peer changes
// nothing.
func TestProxyRewritingHostOrigin(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes(proxyPeer + "/32")})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	addr := startNginx(t, env, nginxDefaultHost)

	h := ana.cookieHeader()
	h.Set("Origin", "http://family.example")
	if _, got := dialHost(t, addr, "family.example", h); got != http.StatusSwitchingProtocols {
		t.Errorf("/ws through nginx, Origin the name asked for: %d; want 101", got)
	}
	if got, body := hostRequest(t, addr, "POST", "/api/shopping/lists", "family.example", h, `{"name":"Via nginx"}`); got != http.StatusCreated {
		t.Errorf("POST through nginx, Origin the name asked for: %d %s; want 201", got, body)
	}
	h.Set("Origin", "http://evil.example")
	if _, got := dialHost(t, addr, "family.example", h); got != http.StatusForbidden {
		t.Errorf("/ws through nginx from another origin: %d; want 403", got)
	}
	if got, body := hostRequest(t, addr, "POST", "/api/shopping/lists", "family.example", h, `{"name":"Evil"}`); got != http.StatusForbidden {
		t.Errorf("POST through nginx from another origin: %d %s; want 403", got, body)
	}

	// Direct, from an untrusted peer, with X-Forwarded-Host naming the
	// page's own host: not believed. Believed, both would pass.
	direct := strings.TrimPrefix(env.ts.URL, "http://")
	h.Set("X-Forwarded-Host", "evil.example")
	if _, got := dialHost(t, direct, direct, h); got != http.StatusForbidden {
		t.Errorf("/ws direct from evil.example with a forged X-Forwarded-Host: %d; want 403", got)
	}
	if got, body := hostRequest(t, direct, "POST", "/api/shopping/lists", direct, h, `{"name":"Evil"}`); got != http.StatusForbidden {
		t.Errorf("POST direct from evil.example with a forged X-Forwarded-Host: %d %s; want 403", got, body)
	}
}

// TestRequestHostMalformed: a trusted proxy's X-Forwarded-Host that is
// not a host[:port] is not believed (the Host the proxy sent counts, as
// without the header). A direct client's Host is checked by net/http
// before any handler runs; this header is not, and a proxy that passes a
// client's own X-Forwarded-Host on (nginx unless told to set it, HAProxy)
// would put anything the client wrote into the feed URLs, the ntfy links'
// origin and the logs. Before, every such value was taken as it came.
func TestRequestHostMalformed(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Config{TrustedProxies: mustPrefixes("10.0.0.0/8")}}
	for xfh, want := range map[string]string{
		"evil.example/feeds?":           "familyhub:8080",
		"user@evil.example":             "familyhub:8080",
		`family.example"; script-src *`: "familyhub:8080",
		"family .example":               "familyhub:8080",
		"family.example:8o":             "familyhub:8080",
		"family.example:123456":         "familyhub:8080",
		"https://family.example":        "familyhub:8080",
		// Well-formed ones still count.
		"family.example:8443": "family.example:8443",
		"Family.Example.":     "Family.Example.",
		"[2001:db8::1]:8443":  "[2001:db8::1]:8443",
		"192.0.2.10":          "192.0.2.10",
		"my_host.lan":         "my_host.lan",
	} {
		r, _ := http.NewRequest("GET", "http://x/", nil)
		r.RemoteAddr, r.Host = "10.0.0.1:5000", "familyhub:8080"
		r.Header.Set("X-Forwarded-Host", xfh)
		if got := s.requestHost(r); got != want {
			t.Errorf("X-Forwarded-Host %q: %q; want %q", xfh, got, want)
		}
	}
}

// TestCrossOriginProtectionBehindProxy: a write from a browser that
// sends no Sec-Fetch-Site (plain HTTP to a name, an older browser) is
// judged as OriginAllowed judges a WebSocket: against the host the client
// asked for, in any case and with or without its scheme's default port.
// Before, Go's check compared Origin's host with X-Forwarded-Host byte for
// byte, and refused what OriginAllowed let through.
func TestCrossOriginProtectionBehindProxy(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Config{TrustedProxies: mustPrefixes("10.0.0.0/8")}, logger: slog.New(slog.DiscardHandler)}
	h := s.crossOriginProtection()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "familyhub:8080" {
			t.Errorf("the handler sees Host %q; want the proxy's, unchanged", r.Host)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	for _, c := range []struct {
		origin, xfh string
		want        int
	}{
		{"https://family.example", "family.example", http.StatusNoContent},
		{"https://family.example", "family.example:443", http.StatusNoContent},
		{"http://family.example", "Family.Example:80", http.StatusNoContent},
		{"http://family.example:8080", "family.example:8080", http.StatusNoContent},
		{"http://family.example", "family.example:443", http.StatusForbidden},
		{"https://family.example:8443", "family.example", http.StatusForbidden},
		{"https://evil.example", "family.example", http.StatusForbidden},
	} {
		r := httptest.NewRequest("POST", "http://familyhub:8080/api/shopping/lists", nil)
		r.RemoteAddr = "10.0.0.1:5000"
		r.Header.Set("X-Forwarded-Host", c.xfh)
		r.Header.Set("Origin", c.origin)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("POST with Origin %s, X-Forwarded-Host %s: %d; want %d", c.origin, c.xfh, w.Code, c.want)
		}
		r.Method = "GET" // a WebSocket's handshake: the same rule
		if got := s.OriginAllowed(r); got != (c.want == http.StatusNoContent) {
			t.Errorf("OriginAllowed for Origin %s, X-Forwarded-Host %s: %v; want %v", c.origin, c.xfh, got, c.want == http.StatusNoContent)
		}
	}
}

// TestTrustedProxyMapped: a trusted proxy written as an IPv4-mapped IPv6
// address or prefix (as ss and a dual-stack socket show IPv4 peers) is
// the IPv4 one. Before, the peer was unmapped but the list was not, and
// netip never finds an IPv4 address in an IPv6 prefix: such a proxy was
// silently not trusted (its X-Forwarded-* ignored, every request through
// it refused under FAMILYHUB_PUBLIC_URL).
func TestTrustedProxyMapped(t *testing.T) {
	t.Parallel()
	for _, list := range []string{"::ffff:10.0.0.1/128", "::ffff:10.0.0.0/104", "10.0.0.1/32"} {
		s := &Server{cfg: Config{TrustedProxies: mustPrefixes(list)}}
		for _, peer := range []string{"10.0.0.1:5000", "[::ffff:10.0.0.1]:5000"} {
			r := httptest.NewRequest("GET", "http://familyhub:8080/", nil)
			r.RemoteAddr = peer
			r.Header.Set("X-Forwarded-Host", "family.example")
			if got := s.requestHost(r); got != "family.example" {
				t.Errorf("trusted %s, peer %s: host %q; want the proxy's X-Forwarded-Host", list, peer, got)
			}
		}
		r := httptest.NewRequest("GET", "http://familyhub:8080/", nil)
		r.RemoteAddr = "10.0.0.2:5000"
		r.Header.Set("X-Forwarded-Host", "family.example")
		if list != "::ffff:10.0.0.0/104" && s.requestHost(r) != "familyhub:8080" {
			t.Errorf("trusted %s, peer 10.0.0.2: believed", list)
		}
	}
	// An IPv6 prefix that is not a mapped one stays IPv6 only.
	s := &Server{cfg: Config{TrustedProxies: mustPrefixes("::/0")}}
	r := httptest.NewRequest("GET", "http://familyhub:8080/", nil)
	r.RemoteAddr = "10.0.0.1:5000"
	r.Header.Set("X-Forwarded-Host", "family.example")
	if got := s.requestHost(r); got != "familyhub:8080" {
		t.Errorf("trusted ::/0, peer 10.0.0.1: host %q; want Host (not trusted)", got)
	}
}

// TestRequestHost: which X-Forwarded-Host entry is believed, from whom,
// and Origin against it without default ports. No proxy here: the
// headers as a proxy (or a forger) would send them.
func TestRequestHost(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Config{TrustedProxies: mustPrefixes("10.0.0.0/8")}}
	for _, c := range []struct {
		peer, host string
		xfh        []string
		want       string
	}{
		{"10.0.0.1:5000", "familyhub:8080", []string{"family.example"}, "family.example"},
		{"10.0.0.1:5000", "familyhub:8080", nil, "familyhub:8080"},
		{"10.0.0.1:5000", "familyhub:8080", []string{""}, "familyhub:8080"},
		// Appended by each hop: the nearest proxy's entry, never the
		// client's (first) one.
		{"10.0.0.1:5000", "familyhub:8080", []string{"evil.example, family.example"}, "family.example"},
		{"10.0.0.1:5000", "familyhub:8080", []string{"evil.example", "family.example:8443"}, "family.example:8443"},
		{"[::ffff:10.0.0.1]:5000", "familyhub:8080", []string{"family.example"}, "family.example"},
		// Not a trusted proxy: the header is anyone's.
		{"192.0.2.7:5000", "evil.example", []string{"family.example"}, "evil.example"},
		{"127.0.0.1:5000", "127.0.0.1:8080", []string{"family.example"}, "127.0.0.1:8080"},
	} {
		r, _ := http.NewRequest("GET", "http://x/", nil)
		r.RemoteAddr, r.Host = c.peer, c.host
		for _, v := range c.xfh {
			r.Header.Add("X-Forwarded-Host", v)
		}
		if got := s.requestHost(r); got != c.want {
			t.Errorf("peer %s, Host %s, X-Forwarded-Host %q: %q; want %q", c.peer, c.host, c.xfh, got, c.want)
		}
	}

	for _, c := range []struct {
		origin, xfh string
		want        bool
	}{
		{"https://family.example", "family.example:443", true},
		{"https://Family.Example", "family.example", true},
		{"http://family.example", "family.example:443", false},
		{"https://family.example:8443", "family.example", false},
	} {
		r, _ := http.NewRequest("GET", "http://x/ws", nil)
		r.RemoteAddr, r.Host = "10.0.0.1:5000", "familyhub:8080"
		r.Header.Set("X-Forwarded-Host", c.xfh)
		r.Header.Set("Origin", c.origin)
		if got := s.OriginAllowed(r); got != c.want {
			t.Errorf("Origin %s, X-Forwarded-Host %s: allowed %v; want %v", c.origin, c.xfh, got, c.want)
		}
	}
}
