package http

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/familyhub/familyhub"
)

// refusedWith fails unless r answers 401 with the error code want.
func refusedWith(t *testing.T, what string, status int, body, want string) {
	t.Helper()
	if status != http.StatusUnauthorized || !strings.Contains(body, `"code":"`+want+`"`) {
		t.Errorf("%s: %d %s; want 401 %s", what, status, body, want)
	}
}

// everyWay tries c's session on a REST read and write, the /ws upgrade,
// /sse and a new long poll, and wants each refused with the code want.
func everyWay(t *testing.T, who string, c *client, want string) {
	t.Helper()
	r := c.do("GET", "/api/me", nil)
	refusedWith(t, who+": GET /api/me", r.StatusCode, string(r.body), want)
	r = c.do("POST", "/api/shopping/lists", map[string]any{"name": "After"})
	refusedWith(t, who+": POST /api/shopping/lists", r.StatusCode, string(r.body), want)
	r = c.do("GET", "/api/realtime/poll?timeout=1&since=0", nil)
	refusedWith(t, who+": GET /api/realtime/poll", r.StatusCode, string(r.body), want)

	// The upgrade is refused before it happens: an HTTP 401 with the JSON.
	if c.token == "" {
		conn, resp, body := c.dialWS(t)
		if conn != nil {
			t.Fatalf("%s: /ws opened", who)
		}
		refusedWith(t, who+": /ws upgrade", resp.StatusCode, body, want)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.env.ts.URL+"/sse", nil)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s: GET /sse: %v", who, err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && resp.StatusCode != http.StatusOK {
		b.WriteString(sc.Text())
	}
	refusedWith(t, who+": GET /sse", resp.StatusCode, b.String(), want)
}

// TestRemovalSeenLater: Ben's phone was offline while Ana removed him from
// the family. When it comes back, the next day, every request with that
// session (REST, the /ws upgrade, /sse, a new long poll; cookie and bearer
// token alike) answers 401 removed_from_family, not a bare unauthorized,
// so the app can say he was removed rather than "sign in again". Only the
// holder of the session's secret learns it: an unknown token stays
// unauthorized, and so do sessions ended any other way (logout, signing
// out other devices, a password change).
func TestRemovalSeenLater(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	ben, benAcc := env.joinFamily(ana, "ben@example.org")
	benNative := env.newClient()
	var acc accountResponse
	benNative.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{
		"email": "ben@example.org", "password": "correct horse", "return_token": true,
	}).decode(t, &acc)
	if acc.Session.Token == "" {
		t.Fatal("no token in the login's body")
	}
	benNative = &client{env: env, hc: &http.Client{}, token: acc.Session.Token, header: http.Header{}}

	// Sessions ended otherwise first: Carl logs out on one device and
	// signs out his other devices from another.
	carl, _ := env.joinFamily(ana, "carl@example.org")
	u, _ := url.Parse(env.ts.URL)
	stale := carl.hc.Jar.Cookies(u)
	carl.must(http.StatusNoContent, "POST", "/api/auth/logout", nil)
	carlOld := env.newClient()
	carlOld.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "carl@example.org", "password": "correct horse"})
	carl2 := env.newClient()
	carl2.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "carl@example.org", "password": "correct horse"})
	carl2.must(http.StatusOK, "DELETE", "/api/auth/sessions", nil)

	// Dora changes her password on one device: her other one is ended.
	dora, _ := env.joinFamily(ana, "dora@example.org")
	doraOld := env.newClient()
	doraOld.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "dora@example.org", "password": "correct horse"})
	dora.must(http.StatusNoContent, "POST", "/api/auth/password", map[string]any{"current_password": "correct horse", "new_password": "another horse"})

	ana.must(http.StatusNoContent, "DELETE", "/api/family/members/"+benAcc.User.ID.String(), nil)

	everyWay(t, "Ben's phone", ben, familyhub.EREMOVED)
	everyWay(t, "Ben's native app", benNative, familyhub.EREMOVED)

	// A wrong or unknown token is told nothing more.
	everyWay(t, "an unknown token", &client{env: env, hc: &http.Client{}, token: "not-a-session-token", header: http.Header{}}, familyhub.EUNAUTHORIZED)
	everyWay(t, "a token one off Ben's", &client{env: env, hc: &http.Client{}, token: acc.Session.Token[:len(acc.Session.Token)-1] + "x", header: http.Header{}}, familyhub.EUNAUTHORIZED)
	// Logout, "sign out other devices" and a password change stay unauthorized.
	loggedOut := env.newClient()
	loggedOut.hc.Jar.SetCookies(u, stale)
	everyWay(t, "Carl's logged-out cookie", loggedOut, familyhub.EUNAUTHORIZED)
	everyWay(t, "Carl's signed-out device", carlOld, familyhub.EUNAUTHORIZED)
	everyWay(t, "Dora's device before her password change", doraOld, familyhub.EUNAUTHORIZED)
	carl2.must(http.StatusOK, "GET", "/api/me", nil)
}

// ticketRefusal opens /ws (a real WebSocket dial) or /sse with ticket
// alone, as a native client does, and returns the refusal's status and
// body; it fails the test if the connection opens.
func ticketRefusal(t *testing.T, env *testEnv, path, ticket string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if path == "/ws" {
		conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws?ticket="+url.QueryEscape(ticket), nil)
		if err == nil {
			conn.CloseNow()
			t.Fatalf("/ws with ticket %.8s…: opened", ticket)
		}
		if resp == nil {
			t.Fatalf("/ws with ticket %.8s…: %v", ticket, err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", env.ts.URL+path+"?ticket="+url.QueryEscape(ticket), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s with ticket %.8s…: %v", path, ticket, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("%s with ticket %.8s…: opened", path, ticket)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRemovalSeenWithTicket: Ben's native app asked for a /ws and an /sse
// ticket just before Ana removed him (a ticket lasts a minute). Used after
// the removal, each answers 401 removed_from_family, as his token itself
// does (TestRemovalSeenLater). Before, a ticket's refusal was always a
// bare unauthorized. Nothing more is told for an unknown ticket, an
// expired one of the removed session, a ticket of a session ended by
// logout, or a used one: the removal's ticket used again, or a ticket
// that opened a connection before the removal, replayed after it (from a
// proxy's log, say: it sits in the URL). Such a replay answered
// removed_from_family before, telling its reader what an unknown ticket
// does not.
func TestRemovalSeenWithTicket(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Family")
	ben, benAcc := env.joinFamily(ana, "ben@example.org")
	carl, _ := env.joinFamily(ana, "carl@example.org")
	ticket := func(c *client) string {
		t.Helper()
		var tk struct{ Ticket string }
		c.must(http.StatusCreated, "POST", "/api/realtime/ticket", nil).decode(t, &tk)
		return tk.Ticket
	}
	expired := ticket(ben)
	if _, err := env.pool.Exec(t.Context(), "UPDATE realtime_tickets SET expires_at = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	ws, sse := ticket(ben), ticket(ben)
	carls := ticket(carl)
	carl.must(http.StatusNoContent, "POST", "/api/auth/logout", nil)

	// A ticket that opened Ben's socket before the removal.
	opened := ticket(ben)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.ts.URL, "http")+"/ws?ticket="+url.QueryEscape(opened), nil)
	if err != nil {
		t.Fatalf("/ws with a fresh ticket before the removal: %v", err)
	}
	conn.CloseNow()

	ana.must(http.StatusNoContent, "DELETE", "/api/family/members/"+benAcc.User.ID.String(), nil)

	status, body := ticketRefusal(t, env, "/ws", ws)
	refusedWith(t, "/ws with a ticket from before the removal", status, body, familyhub.EREMOVED)
	status, body = ticketRefusal(t, env, "/sse", sse)
	refusedWith(t, "/sse with a ticket from before the removal", status, body, familyhub.EREMOVED)

	for what, tk := range map[string]string{
		"an expired ticket of the removed session":             expired,
		"an unknown ticket":                                    "not-a-ticket",
		"a ticket of a logged-out session":                     carls,
		"the /ws ticket again, used up by the refusal above":   ws,
		"the /sse ticket again, used up by the refusal above":  sse,
		"a ticket that opened a connection before the removal": opened,
	} {
		for _, path := range []string{"/ws", "/sse"} {
			status, body := ticketRefusal(t, env, path, tk)
			refusedWith(t, path+" with "+what, status, body, familyhub.EUNAUTHORIZED)
		}
	}
}

// TestRemovalSeenLaterOldName: over HTTPS a removed member's session
// under the cookie's old name says removed_from_family only when it is a
// session made before the __Host- name (which that name still lets in):
// any other one under that name over HTTPS counts as no session
// (http/cookie.go), so whoever sent it, a planted cookie's victim, is told
// only unauthorized, not that the planter was removed.
func TestRemovalSeenLaterOldName(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32")})
	ana, _ := env.signup("ana@example.org", "Family")
	ben, benAcc := env.joinFamily(ana, "ben@example.org")
	carl, carlAcc := env.joinFamily(ana, "carl@example.org")
	u, _ := url.Parse(env.ts.URL)
	token := func(c *client) string {
		for _, ck := range c.hc.Jar.Cookies(u) {
			if ck.Name == SessionCookie {
				return ck.Value
			}
		}
		t.Fatal("no session cookie")
		return ""
	}
	benToken, carlToken := token(ben), token(carl)
	env.madeBeforeUpgrade(t, carlToken)
	ana.must(http.StatusNoContent, "DELETE", "/api/family/members/"+benAcc.User.ID.String(), nil)
	ana.must(http.StatusNoContent, "DELETE", "/api/family/members/"+carlAcc.User.ID.String(), nil)
	for _, c := range []struct {
		who, token, want string
	}{{"Ben's session, made over plain HTTP since the upgrade", benToken, familyhub.EUNAUTHORIZED}, {"Carl's, made before it", carlToken, familyhub.EREMOVED}} {
		r := env.overHTTPS(true, SessionCookie+"="+c.token).do("GET", "/api/me", nil)
		refusedWith(t, c.who+" under the old name over HTTPS", r.StatusCode, string(r.body), c.want)
		r = env.overHTTPS(false, SessionCookie+"="+c.token).do("GET", "/api/me", nil)
		refusedWith(t, c.who+" over plain HTTP", r.StatusCode, string(r.body), familyhub.EREMOVED)
	}
}
