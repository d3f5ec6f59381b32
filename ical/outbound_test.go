package ical

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOutsideProxy: through a forward proxy, a target whose name resolves
// to a loopback address is refused before anything is sent (the proxy
// would fetch it from inside), like a direct connection to it; a public
// target goes through the proxy; a request the proxy func sends direct is
// left to the dialer.
func TestOutsideProxy(t *testing.T) {
	// Inside: what must not be reachable.
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "inside")
	}))
	defer inside.Close()
	_, port, _ := net.SplitHostPort(inside.Listener.Addr().String())

	// A forward proxy: it fetches loopback targets (as a proxy on the
	// server's network would reach internal ones) and answers for the
	// others itself, so the test needs no outside network.
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		if h := r.URL.Hostname(); h != "localhost" && h != "127.0.0.1" {
			io.WriteString(w, "outside via proxy")
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)

	// The dialer here has no Control: the proxy is on loopback. What is
	// tested is the proxy function alone.
	viaProxy := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy: OutsideProxy(func(*http.Request) (*url.URL, error) { return proxyURL, nil }),
	}}
	for _, target := range []string{"http://localhost:" + port + "/", "http://127.0.0.1:" + port + "/", "http://[::1]:" + port + "/"} {
		resp, err := viaProxy.Get(target)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Fatalf("%s through the proxy: %d %q, want it refused", target, resp.StatusCode, b)
		}
		if !errors.Is(err, ErrPrivateAddress) {
			t.Fatalf("%s through the proxy: %v, want ErrPrivateAddress", target, err)
		}
	}
	if n := proxied.Load(); n != 0 {
		t.Fatalf("the proxy received %d requests for inside targets, want none", n)
	}

	// A public target (a documentation address, answered by the proxy).
	resp, err := viaProxy.Get("http://192.0.2.10/calendar.ics")
	if err != nil {
		t.Fatalf("a public target through the proxy: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "outside via proxy" || proxied.Load() != 1 {
		t.Fatalf("a public target through the proxy: %q, %d proxy requests", b, proxied.Load())
	}

	// No proxy for this request: nothing resolved here; the dialer decides
	// (here one without a Control, so it connects).
	direct := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy: OutsideProxy(func(*http.Request) (*url.URL, error) { return nil, nil }),
	}}
	resp, err = direct.Get("http://localhost:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// The dialer's check gives the same error for a direct connection.
	d := &net.Dialer{Timeout: 5 * time.Second, Control: RefusePrivate}
	if _, err := d.Dial("tcp", inside.Listener.Addr().String()); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("direct dial to %s: %v, want ErrPrivateAddress", inside.Listener.Addr(), err)
	}
}

// TestPublicOnlyThroughLoopbackProxy: the operator's HTTP(S)_PROXY may sit
// on loopback or the LAN (a sidecar, an egress proxy): the connection to it
// is allowed while every target is still checked before the request goes
// through it. A public target goes through, as a forward request (http) and
// as a CONNECT tunnel (https); a private target is refused before the proxy
// hears of it; a request the proxy settings send direct is left to the
// dialer, which refuses a private address, the proxy's own included.
func TestPublicOnlyThroughLoopbackProxy(t *testing.T) {
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "inside")
	}))
	defer inside.Close()
	// Stands in for a public calendar server: the proxy tunnels every
	// CONNECT here, so the test needs no outside network.
	outside := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "outside over TLS")
	}))
	defer outside.Close()

	var mu sync.Mutex
	var heard []string // what the proxy was asked for
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		heard = append(heard, r.Method+" "+r.Host)
		mu.Unlock()
		if r.Method == http.MethodConnect {
			up, err := net.Dial("tcp", outside.Listener.Addr().String())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer up.Close()
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
			done := make(chan struct{})
			go func() { io.Copy(up, buf); close(done) }()
			io.Copy(conn, up)
			<-done
			return
		}
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		io.WriteString(w, "outside via proxy")
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)

	// As HTTP(S)_PROXY with NO_PROXY would: everything through the proxy,
	// but the inside server and the proxy itself go direct.
	settings := func(req *http.Request) (*url.URL, error) {
		if req.URL.Host == inside.Listener.Addr().String() || req.URL.Host == proxyURL.Host {
			return nil, nil
		}
		return proxyURL, nil
	}
	dial, viaProxy := PublicOnly(&net.Dialer{Timeout: 5 * time.Second}, settings)
	roots := outside.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy: viaProxy, DialContext: dial,
		// httptest's certificate names example.com.
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "example.com"},
	}}

	for _, c := range []struct{ target, want string }{
		{"http://192.0.2.10/calendar.ics", "outside via proxy"},
		{"https://192.0.2.10/calendar.ics", "outside over TLS"},
	} {
		target, want := c.target, c.want
		resp, err := hc.Get(target)
		if err != nil {
			t.Fatalf("%s through a proxy on loopback: %v", target, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != want {
			t.Fatalf("%s through a proxy on loopback: %d %q, want %q", target, resp.StatusCode, b, want)
		}
	}
	_, port, _ := net.SplitHostPort(inside.Listener.Addr().String())
	for _, target := range []string{
		"http://localhost:" + port + "/", "http://[::1]:" + port + "/", "https://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
		inside.URL + "/", // direct: the dialer refuses it
		proxy.URL + "/",  // direct, to the proxy's own address
	} {
		resp, err := hc.Get(target)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Fatalf("%s: %d %q, want it refused", target, resp.StatusCode, b)
		}
		if !errors.Is(err, ErrPrivateAddress) {
			t.Fatalf("%s: %v, want ErrPrivateAddress", target, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"GET 192.0.2.10", "CONNECT 192.0.2.10:443"}; !slices.Equal(heard, want) {
		t.Fatalf("the proxy was asked for %q, want %q", heard, want)
	}
}
