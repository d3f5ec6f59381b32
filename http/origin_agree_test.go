package http

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestOriginRulesAgree: a browser request's Origin (and Sec-Fetch-Site)
// is let in by the same rule whether it writes (crossOriginProtection) or
// opens /ws or /sse (OriginAllowed): the spellings of one host (case,
// the scheme's default port, a trailing dot, IPv6 literals) and the
// browser's own word on where the request comes from.
func TestOriginRulesAgree(t *testing.T) {
	t.Parallel()
	cfgs := []Config{
		{},
		{PublicURL: "https://family.example"},
		{PublicURL: "http://family.example:8080", AllowedOrigins: []string{"https://family.lan", "http://[::1]:8080"}},
	}
	hosts := []string{"family.example", "Family.Example.", "family.example:443", "family.example:80", "family.example:8080", "family.lan", "[::1]:8080", "[::1]", "127.0.0.1:8080"}
	origins := []string{"", "http://family.example", "https://family.example", "https://FAMILY.example.:443", "http://family.example:8080", "https://family.lan", "http://family.lan",
		"http://[::1]:8080", "http://[0:0::1]:8080", "http://[::1]", "http://127.0.0.1:8080", "http://evil.example", "null"}
	sites := []string{"", "same-origin", "same-site", "cross-site", "none"}
	for _, cfg := range cfgs {
		s := &Server{cfg: cfg, origins: ownOrigins(cfg), public: publicOriginOf(cfg), logger: slog.New(slog.DiscardHandler)}
		h := s.crossOriginProtection()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		for _, host := range hosts {
			for _, origin := range origins {
				for _, site := range sites {
					if (site == "same-origin" || site == "none") && origin != "" && !sameOrigin(origin, host) {
						continue // no browser says so: it computes both from the page's URL
					}
					r := httptest.NewRequest("POST", "/api/shopping/lists", nil)
					r.Host = host
					if origin != "" {
						r.Header.Set("Origin", origin)
					}
					if site != "" {
						r.Header.Set("Sec-Fetch-Site", site)
					}
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					write := w.Code == http.StatusNoContent
					r.Method = "GET"
					if live := s.OriginAllowed(r); live != write {
						t.Errorf("public URL %q, allowed %q, Host %s, Origin %q, Sec-Fetch-Site %q: a write let in %v, /ws and /sse %v", cfg.PublicURL, cfg.AllowedOrigins, host, origin, site, write, live)
					}
				}
			}
		}
	}
}

// sameOrigin: origin is the origin of a page at host, over either scheme
// (the test's requests do not say theirs).
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && normalHost(u.Host, u.Scheme) == normalHost(host, u.Scheme)
}

// TestOriginCrossSchemeSameHost: without a public URL, a page at
// http://family.example (one slipped into a plain HTTP answer) reaching
// the app at https://family.example sends the right host in Origin, but
// its browser says "Sec-Fetch-Site: same-site" (another scheme is
// another origin). A write was refused for it (Go's
// CrossOriginProtection reads the header), while /ws and /sse, which
// compared only Origin's host, let it in. Now all three refuse it, and
// the app's own page (same-origin) passes all three.
func TestOriginCrossSchemeSameHost(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	addr := strings.TrimPrefix(env.ts.URL, "http://")
	for site, ok := range map[string]bool{"same-site": false, "cross-site": false, "same-origin": true} {
		want, wantWS, wantSSE := http.StatusCreated, http.StatusSwitchingProtocols, http.StatusOK
		if !ok {
			want, wantWS, wantSSE = http.StatusForbidden, http.StatusForbidden, http.StatusForbidden
		}
		h := ana.cookieHeader()
		h.Set("Origin", "http://family.example")
		h.Set("Sec-Fetch-Site", site)
		if got, body := hostRequest(t, addr, "POST", "/api/shopping/lists", "family.example", h, `{"name":"Milk"}`); got != want {
			t.Errorf("Sec-Fetch-Site %s: POST %d %s; want %d", site, got, body, want)
		}
		if _, got := dialHost(t, addr, "family.example", h); got != wantWS {
			t.Errorf("Sec-Fetch-Site %s: /ws %d; want %d", site, got, wantWS)
		}
		if got := sseHost(t, addr, "family.example", h); got != wantSSE {
			t.Errorf("Sec-Fetch-Site %s: /sse %d; want %d", site, got, wantSSE)
		}
	}
}
