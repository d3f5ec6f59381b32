package ical

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
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
