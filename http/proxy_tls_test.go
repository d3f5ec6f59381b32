package http

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// selfSigned writes a certificate for name and 127.0.0.1 (cert.pem,
// key.pem) into a temporary directory and returns it with a TLS client
// config that trusts it.
func selfSigned(t *testing.T, name string) (string, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return dir, &tls.Config{RootCAs: roots, ServerName: name}
}

// tlsRequest sends method path over HTTPS to addr (as host) with the
// cookies given and returns the answer, its body read.
func tlsRequest(t *testing.T, hc *http.Client, addr, host, method, path, cookies, body string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, "https://"+addr+path, strings.NewReader(body))
	req.Host = host
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if cookies != "" {
		req.Header.Set("Cookie", cookies)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s https://%s%s: %v", method, host, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp, b}
}

// TestProxyTLSSessionCookie: through the repo's deploy/nginx.conf ending
// TLS itself (its X-Forwarded-Proto $scheme says https, and it is a
// trusted proxy), the session cookie is __Host-familyhub_session, Secure,
// Path=/, without Domain, every answer carries Strict-Transport-Security
// max-age=31536000 (no includeSubDomains), and that cookie opens /ws and
// /sse through nginx. A session made before the upgrade
// (familyhub_session) still works and is moved to the __Host- name by its
// next API answer; one made since, under the old name, is refused as
// planted; logout clears both. The same app over plain HTTP (a
// direct request from an untrusted peer) keeps the old name and sends no
// HSTS.
func TestProxyTLSSessionCookie(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes(proxyPeer + "/32"), HSTSMaxAge: 365 * 24 * time.Hour})
	startTestHub(t, env, 0)
	certDir, tlsConf := selfSigned(t, "family.example")
	addr := startNginxTLS(t, env, "", certDir)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConf}}
	t.Cleanup(hc.CloseIdleConnections)
	const host = "family.example"
	const hsts = "max-age=31536000"

	r := tlsRequest(t, hc, addr, host, "POST", "/api/auth/signup", "",
		`{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"F"}`)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("signup over TLS: %d %s", r.StatusCode, r.body)
	}
	if got := r.Header.Get("Strict-Transport-Security"); got != hsts {
		t.Errorf("signup over TLS: Strict-Transport-Security %q; want %q", got, hsts)
	}
	set := setCookies(t, r)
	ck := set[SessionCookieHost]
	if len(set) != 1 || ck == nil || !ck.Secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
		t.Fatalf("signup over TLS set %v; want %s alone, Secure, Path=/, no Domain", r.Header["Set-Cookie"], SessionCookieHost)
	}
	cookie := SessionCookieHost + "=" + ck.Value
	if r := tlsRequest(t, hc, addr, host, "GET", "/api/me", cookie, ""); r.StatusCode != http.StatusOK || r.Header.Get("Strict-Transport-Security") != hsts {
		t.Fatalf("/api/me over TLS with the __Host- cookie: %d %q %s", r.StatusCode, r.Header.Get("Strict-Transport-Security"), r.body)
	}
	if r := tlsRequest(t, hc, addr, host, "POST", "/api/realtime/ticket", cookie, ""); r.StatusCode != http.StatusCreated {
		t.Fatalf("ticket over TLS with the __Host- cookie: %d %s", r.StatusCode, r.body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "wss://"+addr+"/ws", &websocket.DialOptions{
		HTTPClient: hc, Host: host, HTTPHeader: http.Header{"Cookie": {cookie}}})
	if err != nil {
		t.Fatalf("/ws over TLS with the __Host- cookie: %v %v", resp, err)
	}
	defer conn.CloseNow()
	if _, data, err := conn.Read(ctx); err != nil || !strings.Contains(string(data), `"hello"`) {
		t.Fatalf("/ws over TLS: first message %q, %v; want hello", data, err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://"+addr+"/sse", nil)
	req.Host = host
	req.Header.Set("Cookie", cookie)
	sse, err := hc.Do(req)
	if err != nil || sse.StatusCode != http.StatusOK {
		t.Fatalf("/sse over TLS with the __Host- cookie: %v %v", sse, err)
	}
	defer sse.Body.Close()
	sc := bufio.NewScanner(sse.Body)
	for sc.Scan() && !strings.Contains(sc.Text(), `"hello"`) {
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("/sse over TLS: no hello: %v", err)
	}

	// Plain HTTP to the app itself: the old name, no HSTS.
	direct := strings.TrimPrefix(env.ts.URL, "http://")
	h := http.Header{"X-Forwarded-Proto": {"https"}} // an untrusted peer's: not believed
	old := proxySession(t, direct, host, "ben@example.org", h)
	if old.Name != SessionCookie || old.Secure {
		t.Fatalf("signup over plain HTTP: cookie %s; want %s without Secure", old.Raw, SessionCookie)
	}
	if got, _ := hostRequest(t, direct, "GET", "/api/me", host, http.Header{"Cookie": {SessionCookie + "=" + old.Value}}, ""); got != http.StatusOK {
		t.Fatalf("/api/me over plain HTTP with the old name: %d", got)
	}
	// Made since the upgrade over plain HTTP, or over TLS, a session under
	// the old name over TLS is a planted one (a sibling subdomain's
	// Domain cookie, a plain-http answer on the way): no session, cleared,
	// nothing moved.
	for _, token := range []string{old.Value, ck.Value} {
		r := tlsRequest(t, hc, addr, host, "GET", "/api/me", SessionCookie+"="+token, "")
		set := setCookies(t, r)
		if r.StatusCode != http.StatusUnauthorized || set[SessionCookieHost] != nil || set[SessionCookie] == nil || set[SessionCookie].MaxAge >= 0 {
			t.Fatalf("/api/me over TLS with a planted old-name cookie: %d, set %v; want 401, %s cleared, nothing moved", r.StatusCode, r.Header["Set-Cookie"], SessionCookie)
		}
	}
	env.madeBeforeUpgrade(t, old.Value)
	req, _ = http.NewRequestWithContext(ctx, "GET", env.ts.URL+"/healthz", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("plain HTTP answer with Strict-Transport-Security %q", got)
	}

	// That session over TLS, as a browser signed in before the upgrade:
	// let in, and moved.
	r = tlsRequest(t, hc, addr, host, "GET", "/api/me", SessionCookie+"="+old.Value, "")
	set = setCookies(t, r)
	if r.StatusCode != http.StatusOK || set[SessionCookieHost] == nil || set[SessionCookieHost].Value != old.Value || !set[SessionCookieHost].Secure ||
		set[SessionCookie] == nil || set[SessionCookie].MaxAge >= 0 {
		t.Fatalf("/api/me over TLS with the old name: %d, set %v; want 200, %s with the same token, %s expired", r.StatusCode, r.Header["Set-Cookie"], SessionCookieHost, SessionCookie)
	}
	conn2, resp, err := websocket.Dial(ctx, "wss://"+addr+"/ws", &websocket.DialOptions{
		HTTPClient: hc, Host: host, HTTPHeader: http.Header{"Cookie": {SessionCookie + "=" + old.Value}}})
	if err != nil {
		t.Fatalf("/ws over TLS with the old name: %v %v", resp, err)
	}
	conn2.CloseNow()

	r = tlsRequest(t, hc, addr, host, "POST", "/api/auth/logout", SessionCookieHost+"="+old.Value, "")
	set = setCookies(t, r)
	for _, name := range []string{SessionCookie, SessionCookieHost} {
		if c := set[name]; r.StatusCode != http.StatusNoContent || c == nil || c.MaxAge >= 0 || c.Path != "/" || !c.Secure {
			t.Errorf("logout over TLS: %d, set %v; want %s cleared (Secure)", r.StatusCode, r.Header["Set-Cookie"], name)
		}
	}
}
