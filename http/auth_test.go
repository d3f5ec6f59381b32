package http

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

func TestSignupCreatesFamilyAndSession(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c := env.newClient()
	r := c.must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{
		"email": "  Ana@Example.ORG ", "password": "correct horse", "display_name": "Ana",
		"family_name": "Rivera", "time_zone": "Europe/Madrid",
	})
	var acc accountResponse
	r.decode(t, &acc)
	if acc.User.Email != "ana@example.org" || acc.Family.Name != "Rivera" || acc.Family.TimeZone != "Europe/Madrid" {
		t.Fatalf("unexpected account %+v", acc)
	}
	if acc.Session.Token != "" {
		t.Fatal("token in body without return_token")
	}
	cookies := r.Cookies()
	if len(cookies) != 1 || cookies[0].Name != SessionCookie {
		t.Fatalf("cookies %v", cookies)
	}
	ck := cookies[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.MaxAge <= 0 {
		t.Fatalf("cookie flags: %+v", ck)
	}
	var me meResponse
	c.must(http.StatusOK, "GET", "/api/me", nil).decode(t, &me)
	if me.User.ID != acc.User.ID || me.Family.ID != acc.Family.ID || len(me.Members) != 1 || me.Members[0].Role != "owner" {
		t.Fatalf("me %+v", me)
	}
	// Only the token's hash is stored.
	var stored []byte
	if err := env.pool.QueryRow(t.Context(), "SELECT token_hash FROM sessions").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) == ck.Value || len(stored) != 32 {
		t.Fatalf("stored token is not a SHA-256 hash")
	}
	var hash string
	if err := env.pool.QueryRow(t.Context(), "SELECT password_hash FROM users").Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("password hash %q is not argon2id", hash)
	}
}

func TestSecureCookieBehindTLSProxy(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.0/8", "::1/128")})
	c := env.newClient()
	c.header.Set("X-Forwarded-Proto", "https")
	r := c.must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{
		"email": "tls@example.org", "password": "correct horse", "display_name": "T", "family_name": "F",
	})
	if ck := r.Cookies(); len(ck) != 1 || !ck[0].Secure || ck[0].Name != SessionCookieHost {
		t.Fatalf("cookie not Secure behind a TLS-terminating proxy: %v", ck)
	}
}

func TestBearerTokenForNativeClients(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	var acc accountResponse
	env.newClient().must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{
		"email": "native@example.org", "password": "correct horse", "display_name": "N", "family_name": "F", "return_token": true,
	}).decode(t, &acc)
	if acc.Session.Token == "" {
		t.Fatal("no token with return_token")
	}
	native := env.newClient()
	native.token = acc.Session.Token
	native.must(http.StatusOK, "GET", "/api/me", nil)

	// Refreshing a bearer session returns the new token; the old one dies.
	var refreshed struct{ Session sessionJSON }
	native.must(http.StatusOK, "POST", "/api/auth/refresh", nil).decode(t, &refreshed)
	if refreshed.Session.Token == "" || refreshed.Session.Token == acc.Session.Token {
		t.Fatalf("refresh did not rotate the token: %+v", refreshed)
	}
	native.must(http.StatusUnauthorized, "GET", "/api/me", nil)
	native.token = refreshed.Session.Token
	native.must(http.StatusOK, "GET", "/api/me", nil)
}

func TestCookieRefreshAndLogout(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("cookie@example.org", "F")
	old := env.count("sessions WHERE revoked_at IS NULL")
	r := c.must(http.StatusOK, "POST", "/api/auth/refresh", nil)
	if len(r.Cookies()) != 1 {
		t.Fatal("refresh set no cookie")
	}
	if strings.Contains(string(r.body), "token") {
		t.Fatalf("cookie refresh leaked the token into the body: %s", r.body)
	}
	if n := env.count("sessions WHERE revoked_at IS NULL"); n != old {
		t.Fatalf("live sessions after refresh = %d, want %d", n, old)
	}
	c.must(http.StatusOK, "GET", "/api/me", nil)
	r = c.must(http.StatusNoContent, "POST", "/api/auth/logout", nil)
	if ck := r.Cookies(); len(ck) != 2 || ck[0].MaxAge >= 0 || ck[1].MaxAge >= 0 {
		t.Fatalf("logout did not clear the cookie under both names: %v", ck)
	}
	if n := env.count("sessions WHERE revoked_at IS NULL"); n != 0 {
		t.Fatalf("session not revoked")
	}
	r = c.must(http.StatusUnauthorized, "GET", "/api/me", nil)
	if r.errorBody(t).Code != "unauthorized" {
		t.Fatal("wrong code")
	}
}

func TestInviteJoinsFamilyOnce(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	owner, acc := env.signup("owner@example.org", "Family")
	var invite struct {
		Code      string    `json:"code"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	owner.must(http.StatusCreated, "POST", "/api/family/invites", nil).decode(t, &invite)
	if len(invite.Code) != 11 || time.Until(invite.ExpiresAt) < 6*24*time.Hour {
		t.Fatalf("invite %+v", invite)
	}
	joiner := env.newClient()
	var joined accountResponse
	joiner.must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{
		"email": "kid@example.org", "password": "correct horse", "display_name": "Kid",
		"invite_code": strings.ToLower(invite.Code), // typing is forgiving
	}).decode(t, &joined)
	if joined.Family.ID != acc.Family.ID {
		t.Fatalf("joined family %s, want %s", joined.Family.ID, acc.Family.ID)
	}
	var me meResponse
	joiner.must(http.StatusOK, "GET", "/api/me", nil).decode(t, &me)
	if len(me.Members) != 2 || me.Members[1].Role != "member" {
		t.Fatalf("members %+v", me.Members)
	}
	// Single use: a second signup with the code is refused and writes nothing.
	users := env.count("users")
	r := env.newClient().must(http.StatusUnprocessableEntity, "POST", "/api/auth/signup", map[string]any{
		"email": "other@example.org", "password": "correct horse", "display_name": "O", "invite_code": invite.Code,
	})
	if e := r.errorBody(t); e.Field != "invite_code" {
		t.Fatalf("error %+v", e)
	}
	if env.count("users") != users {
		t.Fatal("a refused signup wrote a user")
	}
}

func TestSignupModes(t *testing.T) {
	t.Parallel()
	invite := newTestEnv(t, Config{Signup: SignupInvite})
	r := invite.newClient().must(http.StatusUnprocessableEntity, "POST", "/api/auth/signup", map[string]any{
		"email": "a@example.org", "password": "correct horse", "display_name": "A", "family_name": "F",
	})
	if r.errorBody(t).Field != "invite_code" {
		t.Fatal("invite mode should ask for invite_code")
	}
	closed := newTestEnv(t, Config{Signup: SignupClosed})
	r = closed.newClient().must(http.StatusForbidden, "POST", "/api/auth/signup", map[string]any{
		"email": "a@example.org", "password": "correct horse", "display_name": "A", "family_name": "F",
	})
	if r.errorBody(t).Code != "forbidden" {
		t.Fatal("closed mode should forbid")
	}
	if invite.count("users")+closed.count("users") != 0 {
		t.Fatal("refused signups wrote users")
	}
}

// TestAuthBadInputWritesNothing sends bad input to every auth endpoint and
// checks the status, the stable error code, the field, and that no row was
// written anywhere.
func TestAuthBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	signed, _ := env.signup("taken@example.org", "Existing")
	// Sign-up attempts are counted on purpose (a rate limit), failed or not.
	tables := []string{"users", "families", "memberships", "sessions", "invites", "auth_failures WHERE kind <> 'signup'"}
	before := map[string]int{}
	for _, tbl := range tables {
		before[tbl] = env.count(tbl)
	}
	valid := func(over map[string]any) map[string]any {
		m := map[string]any{"email": "new@example.org", "password": "correct horse", "display_name": "New", "family_name": "F"}
		for k, v := range over {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	huge := `{"email":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	cases := []struct {
		name, method, path string
		body               any
		anon               bool
		status             int
		code, field        string
	}{
		{"signup malformed", "POST", "/api/auth/signup", `{"email":`, true, 400, "malformed_request", ""},
		{"signup empty body", "POST", "/api/auth/signup", ``, true, 400, "malformed_request", ""},
		{"signup array", "POST", "/api/auth/signup", `[1,2]`, true, 400, "malformed_request", ""},
		{"signup trailing data", "POST", "/api/auth/signup", `{"email":"x@y.z"} {}`, true, 400, "malformed_request", ""},
		{"signup unknown field", "POST", "/api/auth/signup", valid(map[string]any{"is_admin": true}), true, 422, "invalid", "is_admin"},
		{"signup empty field name", "POST", "/api/auth/signup", `{"":1}`, true, 400, "malformed_request", ""},
		{"signup wrong type", "POST", "/api/auth/signup", valid(map[string]any{"email": 42}), true, 422, "invalid", "email"},
		{"signup bad email", "POST", "/api/auth/signup", valid(map[string]any{"email": "not-an-email"}), true, 422, "invalid", "email"},
		{"signup short password", "POST", "/api/auth/signup", valid(map[string]any{"password": "short"}), true, 422, "invalid", "password"},
		{"signup long password", "POST", "/api/auth/signup", valid(map[string]any{"password": strings.Repeat("p", 2000)}), true, 422, "invalid", "password"},
		{"signup no display name", "POST", "/api/auth/signup", valid(map[string]any{"display_name": "  "}), true, 422, "invalid", "display_name"},
		{"signup long family name", "POST", "/api/auth/signup", valid(map[string]any{"family_name": strings.Repeat("f", 201)}), true, 422, "invalid", "family_name"},
		{"signup neither family nor invite", "POST", "/api/auth/signup", valid(map[string]any{"family_name": nil}), true, 422, "invalid", "family_name"},
		{"signup both family and invite", "POST", "/api/auth/signup", valid(map[string]any{"invite_code": "ABCDE-FGHJK"}), true, 422, "invalid", "invite_code"},
		{"signup unknown invite", "POST", "/api/auth/signup", valid(map[string]any{"family_name": nil, "invite_code": "ABCDE-FGHJK"}), true, 422, "invalid", "invite_code"},
		{"signup bad time zone", "POST", "/api/auth/signup", valid(map[string]any{"time_zone": "Mars/Olympus"}), true, 422, "invalid", "time_zone"},
		{"signup email taken", "POST", "/api/auth/signup", valid(map[string]any{"email": "TAKEN@example.org"}), true, 409, "conflict", "email"},
		{"signup too large", "POST", "/api/auth/signup", huge, true, 413, "too_large", ""},
		{"signup form encoded", "POST", "/api/auth/signup", "email=x", true, 400, "malformed_request", ""},
		{"login malformed", "POST", "/api/auth/login", `{`, true, 400, "malformed_request", ""},
		{"login unknown field", "POST", "/api/auth/login", `{"email":"a@b.cd","password":"x","remember":true}`, true, 422, "invalid", "remember"},
		{"login bad email", "POST", "/api/auth/login", `{"email":"nope","password":"x"}`, true, 422, "invalid", "email"},
		{"login no password", "POST", "/api/auth/login", `{"email":"taken@example.org"}`, true, 422, "invalid", "password"},
		{"refresh anonymous", "POST", "/api/auth/refresh", nil, true, 401, "unauthorized", ""},
		{"me anonymous", "GET", "/api/me", nil, true, 401, "unauthorized", ""},
		{"invite anonymous", "POST", "/api/family/invites", nil, true, 401, "unauthorized", ""},
		{"family update bad zone", "PATCH", "/api/family", `{"time_zone":"Nowhere"}`, false, 422, "invalid", "time_zone"},
		{"family update empty name", "PATCH", "/api/family", `{"name":""}`, false, 422, "invalid", "name"},
		{"unknown route", "GET", "/api/nope", nil, false, 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := signed
			if tc.anon {
				c = env.newClient()
			}
			r := c.do(tc.method, tc.path, tc.body)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content type %q", ct)
			}
			e := r.errorBody(t)
			if e.Code != tc.code || e.Field != tc.field || e.Message == "" {
				t.Fatalf("error %+v, want code %q field %q", e, tc.code, tc.field)
			}
		})
	}
	for _, tbl := range tables {
		if n := env.count(tbl); n != before[tbl] {
			t.Errorf("%s: %d rows, want %d: bad input wrote something", tbl, n, before[tbl])
		}
	}
}

func TestLoginAndRateLimit(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	env.signup("lim@example.org", "F")
	c := env.newClient()
	r := c.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "LIM@example.org", "password": "correct horse"})
	if len(r.Cookies()) != 1 {
		t.Fatal("login set no cookie")
	}
	c.must(http.StatusOK, "GET", "/api/me", nil)

	// Unknown accounts and wrong passwords look the same.
	unknown := c.must(http.StatusUnauthorized, "POST", "/api/auth/login", map[string]any{"email": "ghost@example.org", "password": "whatever1"})
	wrong := c.must(http.StatusUnauthorized, "POST", "/api/auth/login", map[string]any{"email": "lim@example.org", "password": "wrong password"})
	if unknown.errorBody(t).Message != wrong.errorBody(t).Message {
		t.Fatal("unknown email and wrong password are distinguishable")
	}
	for i := 1; i < db.MaxFailuresByEmail; i++ {
		c.must(http.StatusUnauthorized, "POST", "/api/auth/login", map[string]any{"email": "lim@example.org", "password": "wrong password"})
	}
	// Now even the right password is refused for this account for a while.
	r = c.must(http.StatusTooManyRequests, "POST", "/api/auth/login", map[string]any{"email": "lim@example.org", "password": "correct horse"})
	if r.errorBody(t).Code != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("rate limit response %s %v", r.body, r.Header)
	}
	// Other accounts from another address are not affected.
	env.signup("free@example.org", "G")
	other := env.newClient()
	other.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "free@example.org", "password": "correct horse"})
}

func TestRateLimitPerAddress(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32", "::1/128")})
	env.signup("victim@example.org", "F")
	attacker := env.newClient()
	attacker.header.Set("X-Forwarded-For", "203.0.113.9")
	for i := 0; i < db.MaxAccountsPerAddr; i++ {
		// Many accounts, one address: each stays under its own limit.
		attacker.must(http.StatusUnauthorized, "POST", "/api/auth/login", map[string]any{"email": fmt.Sprintf("u%d@example.org", i), "password": "guess12345"})
	}
	attacker.must(http.StatusTooManyRequests, "POST", "/api/auth/login", map[string]any{"email": "victim@example.org", "password": "correct horse"})
	// The victim, from their own address, still gets in.
	victim := env.newClient()
	victim.header.Set("X-Forwarded-For", "198.51.100.7")
	victim.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "victim@example.org", "password": "correct horse"})
}

// TestRateLimitIPv6By64: the addresses of one IPv6 /64 count as one
// address (a host has as many as it likes); another /64 is another one.
func TestRateLimitIPv6By64(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32", "::1/128")})
	env.signup("six@example.org", "F")
	c := env.newClient()
	for i := 0; i < db.MaxFailuresPerAccountAndAddr; i++ {
		c.header.Set("X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x", i+1))
		c.must(http.StatusUnauthorized, "POST", "/api/auth/login", map[string]any{"email": "six@example.org", "password": "wrong password"})
	}
	c.header.Set("X-Forwarded-For", "2001:db8:1:2:ffff:ffff:ffff:fffe")
	c.must(http.StatusTooManyRequests, "POST", "/api/auth/login", map[string]any{"email": "six@example.org", "password": "correct horse"})
	c.header.Set("X-Forwarded-For", "2001:db8:1:3::1")
	c.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "six@example.org", "password": "correct horse"})
}

func TestCrossOriginWritesRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{AllowedOrigins: []string{"https://app.example.org"}})
	c, _ := env.signup("co@example.org", "F")
	c.header.Set("Origin", "https://evil.example")
	r := c.must(http.StatusForbidden, "POST", "/api/family/invites", nil)
	if r.errorBody(t).Code != "forbidden" {
		t.Fatal("wrong code")
	}
	c.header.Set("Origin", env.ts.URL) // same origin
	c.must(http.StatusCreated, "POST", "/api/family/invites", nil)
	c.header.Set("Origin", "https://app.example.org") // configured
	c.must(http.StatusCreated, "POST", "/api/family/invites", nil)
	c.header.Set("Origin", "https://evil.example")
	c.must(http.StatusOK, "GET", "/api/me", nil) // reads are not state-changing
	if n := env.count("invites"); n != 2 {
		t.Fatalf("invites %d, want 2", n)
	}
}

func TestFamilyUpdate(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("fam@example.org", "Old")
	var f familyJSON
	c.must(http.StatusOK, "PATCH", "/api/family", map[string]any{"name": "New", "time_zone": "America/New_York"}).decode(t, &f)
	if f.Name != "New" || f.TimeZone != "America/New_York" || !f.UpdatedAt.After(acc.Family.UpdatedAt) {
		t.Fatalf("family %+v", f)
	}
}

// TestHealthAndReady: /readyz tells a load balancer which check failed
// ("error") but never the error's text (it may name hosts, ports, users);
// the text goes to the server's log, once when a check starts failing (and
// once when it recovers), not on every poll.
func TestHealthAndReady(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	var logged dbtest.LogBuffer
	env.server.logger = slog.New(slog.NewTextHandler(&logged, nil))
	c := env.newClient()
	c.must(http.StatusOK, "GET", "/healthz", nil)
	c.must(http.StatusOK, "GET", "/readyz", nil)
	var failing atomic.Bool
	failing.Store(true)
	const secret = "dial tcp 10.20.30.40:5432: connect: connection refused (user familyhub_admin)"
	env.server.AddReadyCheck("listener", func(context.Context) error {
		if failing.Load() {
			return errors.New(secret)
		}
		return nil
	})
	type ready struct {
		Ready  bool              `json:"ready"`
		Checks map[string]string `json:"checks"`
	}
	for range 5 { // a load balancer polling
		r := c.must(http.StatusServiceUnavailable, "GET", "/readyz", nil)
		var got ready
		r.decode(t, &got)
		if got.Ready || got.Checks["listener"] != "error" || got.Checks["database"] != "ok" || len(got.Checks) != 2 {
			t.Fatalf("readyz body %s", r.body)
		}
		if strings.Contains(string(r.body), "10.20.30.40") || strings.Contains(string(r.body), "familyhub_admin") {
			t.Fatalf("readyz shows the error's text: %s", r.body)
		}
	}
	if n := strings.Count(logged.String(), "10.20.30.40"); n != 1 {
		t.Fatalf("the failing check was logged %d times over five polls, want once:\n%s", n, logged.String())
	}
	failing.Store(false)
	c.must(http.StatusOK, "GET", "/readyz", nil)
	c.must(http.StatusOK, "GET", "/readyz", nil)
	if n := strings.Count(logged.String(), "ready check ok again"); n != 1 {
		t.Fatalf("the recovery was logged %d times, want once:\n%s", n, logged.String())
	}
	failing.Store(true)
	c.must(http.StatusServiceUnavailable, "GET", "/readyz", nil)
	if n := strings.Count(logged.String(), "10.20.30.40"); n != 2 {
		t.Fatalf("a new failure after the recovery was logged %d times in all, want twice:\n%s", n, logged.String())
	}
}

func mustPrefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}
