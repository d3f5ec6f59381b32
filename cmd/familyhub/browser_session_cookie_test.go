package main

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserSessionCookieMoved: a member whose browser signed in over
// HTTPS before the session cookie had its __Host- name (it holds a Secure
// familyhub_session) opens the app after the upgrade, behind a TLS
// terminator the app trusts: the app opens signed in and live, and the
// browser then holds the same session as __Host-familyhub_session alone
// (Chromium accepted the answer's prefixed cookie and dropped the old
// name), with which a reload is signed in and live again. Signing out
// leaves no session cookie under either name. Before, the cookie kept its
// old name, which a neighbouring host name could plant or overwrite. A
// cookie planted under the old name beside a __Host- one is dropped by
// the browser once the app has answered.
func TestBrowserSessionCookieMoved(t *testing.T) {
	skipInShortMode(t, "a browser")
	m := startMain(t, dbtest.URL(t), func(c *Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		c.HSTSMaxAge = 365 * 24 * time.Hour
	})
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	app, _ := url.Parse(m.URL())
	var token string
	for _, c := range ana.hc.Jar.Cookies(app) {
		if c.Name == "familyhub_session" {
			token = c.Value
		}
	}
	if token == "" {
		t.Fatalf("no familyhub_session cookie from a plain-HTTP sign-up: %v", ana.hc.Jar.Cookies(app))
	}
	// Made before the upgrade: what migration 00040 gave every session
	// there was (one made over plain HTTP since is not let in under the
	// old name over HTTPS). Before its first use: a kept copy would not
	// see it.
	if tag, err := m.Store.Pool.Exec(t.Context(), `UPDATE sessions SET issued_as = 'legacy' WHERE token_hash = $1`, db.HashToken(token)); err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("marking the session legacy: %v %v", tag, err)
	}
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})

	// The TLS terminator: says X-Forwarded-Proto https, keeps Host.
	front := httptest.NewUnstartedServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(app)
		pr.SetXForwarded()
		pr.Out.Host = pr.In.Host
	}})
	// Chromium refuses the test's certificate until told to ignore it, and
	// never takes it for the service worker: its handshakes fail, as they
	// should, and say so in no log.
	front.Config.ErrorLog = log.New(io.Discard, "", 0)
	front.StartTLS()
	t.Cleanup(front.Close)

	b := newDevice(t, "Ana", laptopW, laptopH, browserOpts{})
	yes := true
	if _, err := chromedp.Call(b.ctx, security.SetIgnoreCertificateErrors, security.SetIgnoreCertificateErrorsParams{Ignore: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{
		Name: "familyhub_session", Value: token, URL: front.URL + "/", Path: "/", Secure: &yes, HTTPOnly: &yes,
		SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	cookies := func() map[string]*network.Cookie {
		t.Helper()
		res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{front.URL + "/"}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*network.Cookie{}
		for _, c := range res.Cookies {
			out[c.Name] = c
		}
		return out
	}
	if got := cookies(); got["familyhub_session"] == nil {
		t.Fatalf("the old cookie was not set in the browser: %v", got)
	}

	b.do(chromedp.Navigate(front.URL + "/shopping"))
	b.waitJS("signed in with the old cookie", `window.familyhub?.me?.user?.email === 'ana@example.org'`, 15*time.Second)
	b.waitLive()
	names := func(m map[string]*network.Cookie) string {
		var s []string
		for n := range m {
			s = append(s, n)
		}
		return strings.Join(s, ", ")
	}
	got := cookies()
	if c := got["__Host-familyhub_session"]; len(got) != 1 || c == nil || c.Value != token || !c.Secure || !c.HTTPOnly || c.Path != "/" {
		t.Fatalf("after the app opened over HTTPS the browser holds %s; want __Host-familyhub_session alone, the same session, Secure, HttpOnly, Path=/", names(got))
	}

	b.do(chromedp.Reload())
	b.waitJS("signed in with the moved cookie after a reload", `window.familyhub?.me?.user?.email === 'ana@example.org'`, 15*time.Second)
	b.waitLive()

	eval[bool](b, `(window.familyhub.signOut(), true)`)
	b.waitJS("the sign-in page after signing out", `location.pathname === '/login' && document.querySelector('input[name=email]')`, 10*time.Second)
	if got := cookies(); len(got) != 0 {
		t.Errorf("after signing out the browser holds %s; want no session cookie", names(got))
	}

	// A planted cookie: eve's own session, made over HTTPS since the
	// upgrade, under the old name (as a sibling subdomain's
	// Domain=example.org cookie or a plain-http answer on the way sets
	// it). The app opens at the sign-in page, not in eve's family, and the
	// answer cleared the cookie. Before, Ana's browser was signed into
	// eve's account and the cookie moved into the __Host- name.
	req, _ := http.NewRequestWithContext(t.Context(), "POST", m.URL()+"/api/auth/signup", strings.NewReader(
		`{"email":"eve@example.org","password":"correct horse","display_name":"Eve","family_name":"Eve"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var eve string
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-familyhub_session" {
			eve = c.Value
		}
	}
	if resp.StatusCode != http.StatusCreated || eve == "" {
		t.Fatalf("eve's sign-up over HTTPS: %d, set %v", resp.StatusCode, resp.Header["Set-Cookie"])
	}
	if _, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{
		Name: "familyhub_session", Value: eve, URL: front.URL + "/", Path: "/", HTTPOnly: &yes,
		SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(front.URL + "/shopping"))
	b.waitJS("the sign-in page with a planted cookie", `location.pathname === '/login' && document.querySelector('input[name=email]')`, 15*time.Second)
	if email := eval[string](b, `window.familyhub?.me?.user?.email ?? ''`); email != "" {
		t.Errorf("with a planted cookie the app is signed in as %s", email)
	}
	if got := cookies(); len(got) != 0 {
		t.Errorf("after a planted cookie was refused the browser holds %s; want no session cookie", names(got))
	}

	// Ana signed in again (her own __Host- cookie), and eve's cookie
	// planted beside it under the old name, not Secure (as a plain-http
	// answer sets it): the app opens as Ana, and its answers made
	// Chromium drop the planted cookie. Before, nothing cleared it.
	req, _ = http.NewRequestWithContext(t.Context(), "POST", m.URL()+"/api/auth/login", strings.NewReader(
		`{"email":"ana@example.org","password":"correct horse"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-Proto", "https")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var own string
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-familyhub_session" {
			own = c.Value
		}
	}
	if resp.StatusCode != http.StatusOK || own == "" {
		t.Fatalf("Ana's sign-in over HTTPS: %d, set %v", resp.StatusCode, resp.Header["Set-Cookie"])
	}
	for _, c := range []network.SetCookieParams{
		{Name: "__Host-familyhub_session", Value: own, URL: front.URL + "/", Path: "/", Secure: &yes, HTTPOnly: &yes, SameSite: network.CookieSameSiteLax},
		{Name: "familyhub_session", Value: eve, URL: front.URL + "/", Path: "/", HTTPOnly: &yes, SameSite: network.CookieSameSiteLax},
	} {
		if _, err := chromedp.Call(b.ctx, network.SetCookie, c); err != nil {
			t.Fatal(err)
		}
	}
	if got := cookies(); len(got) != 2 {
		t.Fatalf("the browser holds %s; want both names set", names(got))
	}
	b.do(chromedp.Navigate(front.URL + "/shopping"))
	b.waitJS("signed in as Ana beside a planted cookie", `window.familyhub?.me?.user?.email === 'ana@example.org'`, 15*time.Second)
	if got := cookies(); len(got) != 1 || got["__Host-familyhub_session"] == nil || got["__Host-familyhub_session"].Value != own {
		t.Errorf("after the app opened beside a planted cookie the browser holds %s; want Ana's __Host-familyhub_session alone", names(got))
	}
}
