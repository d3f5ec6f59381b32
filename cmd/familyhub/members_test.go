package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Membership end to end: removal and password changes end access at once
// on every replica, and the operator's reset-password command.

// loginAt signs email in at base with a new cookie jar: another session of
// the same person (another device).
func loginAt(tb testing.TB, base, email, password string) member {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	mb := member{hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var acc struct {
		User   struct{ ID string }
		Family struct{ ID string }
	}
	mb.call(tb, base, http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": email, "password": password}, &acc)
	mb.familyID, mb.userID = acc.Family.ID, acc.User.ID
	return mb
}

// status sends a request as mb and returns the status.
func (mb member) status(tb testing.TB, base, method, path string) int {
	tb.Helper()
	req, _ := http.NewRequest(method, base+path, nil)
	resp, err := mb.hc.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// davStatus sends a CalDAV PROPFIND with Basic credentials.
func davStatus(tb testing.TB, base, user, password, path string) int {
	tb.Helper()
	req, _ := http.NewRequest("PROPFIND", base+path, strings.NewReader(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`))
	req.SetBasicAuth(user, password)
	req.Header.Set("Depth", "0")
	req.Header.Set("Content-Type", "application/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestMemberRemovalAcrossReplicas: an owner on replica A removes a member
// whose socket is open on replica B: it closes with 4001 within a second;
// their REST and CalDAV requests (password and app password) answer 401;
// the other members' devices hear FAMILY_UPDATED whatever their topics.
func TestMemberRemovalAcrossReplicas(t *testing.T) {
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ben := join(t, c.a, ana, "ben@example.org")
	var ap struct{ Password string }
	ben.call(t, c.b.URL(), http.StatusCreated, "POST", "/api/dav/app-passwords", map[string]any{"name": "Phone"}, &ap)
	davPath := "/dav/" + ben.userID + "/calendars/family/"
	if st := davStatus(t, c.b.URL(), "ben@example.org", ap.Password, davPath); st != http.StatusMultiStatus {
		t.Fatalf("CalDAV before removal: %d", st)
	}
	bensSocket := dialWS(t, c.b, ben, "")
	bensSocket.nextType("hello", 5*time.Second)
	anasSocket := dialWS(t, c.a, ana, "topics=tasks")
	anasSocket.nextType("hello", 5*time.Second)

	start := time.Now()
	ana.call(t, c.a.URL(), http.StatusNoContent, "DELETE", "/api/family/members/"+ben.userID, nil, nil)
	if code := bensSocket.closeStatus(time.Second); code != 4001 {
		t.Fatalf("removed member's socket on the other replica: close code %d, want 4001", code)
	}
	t.Logf("removal to socket closed on the other replica: %s", time.Since(start))
	ev := anasSocket.nextType("FAMILY_UPDATED", 5*time.Second)
	if ev["id"] != ben.userID || ev["op"] != "delete" || ev["actor"] != ana.userID {
		t.Fatalf("family event %v", ev)
	}
	for _, base := range []string{c.a.URL(), c.b.URL()} {
		if st := ben.status(t, base, "GET", "/api/me"); st != http.StatusUnauthorized {
			t.Fatalf("removed member's REST at %s: %d", base, st)
		}
		if st := davStatus(t, base, "ben@example.org", "correct horse", davPath); st != http.StatusUnauthorized {
			t.Fatalf("removed member's CalDAV with the password: %d", st)
		}
		if st := davStatus(t, base, "ben@example.org", ap.Password, davPath); st != http.StatusUnauthorized {
			t.Fatalf("removed member's CalDAV with the app password: %d", st)
		}
	}
	if _, resp, err := dialAt(t.Context(), c.b.URL(), ben, "", nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("removed member's new socket: %v %v", err, resp)
	}
}

// TestPasswordChangeEndsOtherSockets: a password change ends the other
// sessions' sockets on every replica (4001) and keeps the current one.
func TestPasswordChangeEndsOtherSockets(t *testing.T) {
	c := newCluster(t)
	phone := newFamily(t, c.a, "ana@example.org")
	laptop := loginAt(t, c.b.URL(), "ana@example.org", "correct horse")
	phoneSocket := dialWS(t, c.a, phone, "")
	laptopSocketA := dialWS(t, c.a, laptop, "")
	laptopSocketB := dialWS(t, c.b, laptop, "")
	for _, ws := range []*wsClient{phoneSocket, laptopSocketA, laptopSocketB} {
		ws.nextType("hello", 5*time.Second)
	}

	start := time.Now()
	phone.call(t, c.a.URL(), http.StatusNoContent, "POST", "/api/auth/password",
		map[string]any{"current_password": "correct horse", "new_password": "another horse"}, nil)
	for name, ws := range map[string]*wsClient{"A": laptopSocketA, "B": laptopSocketB} {
		if code := ws.closeStatus(time.Second); code != 4001 {
			t.Fatalf("other session's socket on %s: close code %d, want 4001", name, code)
		}
	}
	t.Logf("password change to other sockets closed: %s", time.Since(start))
	// The current session's socket stays and still hears the family.
	c.write(phone.familyID, 1)
	phoneSocket.nextType("SHOPPING_ITEM_UPDATED", 5*time.Second)
	if st := laptop.status(t, c.b.URL(), "GET", "/api/me"); st != http.StatusUnauthorized {
		t.Fatalf("other session's REST: %d", st)
	}
	if st := phone.status(t, c.b.URL(), "GET", "/api/me"); st != http.StatusOK {
		t.Fatalf("current session's REST: %d", st)
	}
}

// TestResetPasswordCommand: `familyhub reset-password EMAIL` prints a new
// password that works, and ends the account's sessions.
func TestResetPasswordCommand(t *testing.T) {
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ws := dialWS(t, c.b, ana, "")
	ws.nextType("hello", 5*time.Second)

	cmd := exec.Command(familyhubBinary(t), "reset-password", "ANA@example.org")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+c.url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reset-password: %v\n%s%s", err, out, stderr.Bytes())
	}
	_, password, ok := strings.Cut(string(out), "New password: ")
	password = strings.TrimSpace(password)
	if !ok || len(password) < 16 {
		t.Fatalf("output %q", out)
	}
	if code := ws.closeStatus(time.Second); code != 4001 {
		t.Fatalf("socket: close code %d, want 4001", code)
	}
	if st := ana.status(t, c.a.URL(), "GET", "/api/me"); st != http.StatusUnauthorized {
		t.Fatalf("old session: %d", st)
	}
	loginAt(t, c.a.URL(), "ana@example.org", password)

	// An unknown email fails, naming it; so does a missing argument.
	cmd = exec.Command(familyhubBinary(t), "reset-password", "nobody@example.org")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+c.url)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "nobody@example.org") {
		t.Fatalf("unknown email: %v %s", err, out)
	}
	// A typed password (from standard input) works too.
	cmd = exec.Command(familyhubBinary(t), "reset-password", "--password-stdin", "ana@example.org")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+c.url)
	cmd.Stdin = strings.NewReader("typed horse\n")
	if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "typed horse") {
		t.Fatalf("--password-stdin: %v %s", err, out)
	}
	var acc map[string]json.RawMessage
	loginAt(t, c.a.URL(), "ana@example.org", "typed horse").call(t, c.a.URL(), http.StatusOK, "GET", "/api/me", nil, &acc)
	if acc["role"] == nil {
		t.Fatalf("no role in /api/me: %s", acc)
	}
}

// TestSessionCacheAcrossReplicas: each replica keeps found sessions for a
// while (db.SessionCache); a change made on the other replica or by a DBA
// in psql reaches it through the listener's session notices, so the next
// requests there see it: a role changed by hand, a sign-out, sessions
// deleted by hand.
func TestSessionCacheAcrossReplicas(t *testing.T) {
	c := newCluster(t)
	ana := newFamily(t, c.a, "ana@example.org")
	ben := join(t, c.a, ana, "ben@example.org")
	for _, base := range []string{c.a.URL(), c.b.URL()} { // kept on both
		if st := ben.status(t, base, "GET", "/api/family/invites"); st != http.StatusOK {
			t.Fatalf("member's invites at %s: %d", base, st)
		}
	}
	c.exec(`UPDATE memberships SET role = 'child' WHERE user_id = $1`, ben.userID)
	for _, base := range []string{c.a.URL(), c.b.URL()} {
		waitUntil(t, "the role changed in psql to apply at "+base, 5*time.Second, func() bool {
			return ben.status(t, base, "GET", "/api/family/invites") == http.StatusForbidden
		})
	}

	if st := ana.status(t, c.b.URL(), "GET", "/api/me"); st != http.StatusOK {
		t.Fatalf("ana at B: %d", st)
	}
	// The jar drops the cookie on logout: keep a copy of it, as a stolen
	// cookie would be.
	u, _ := url.Parse(c.b.URL())
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, ana.hc.Jar.Cookies(u))
	stolen := member{hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	if st := stolen.status(t, c.b.URL(), "GET", "/api/me"); st != http.StatusOK {
		t.Fatalf("copied cookie at B: %d", st)
	}
	ana.call(t, c.a.URL(), http.StatusNoContent, "POST", "/api/auth/logout", nil, nil)
	waitUntil(t, "the sign-out at A to apply at B", 5*time.Second, func() bool {
		return stolen.status(t, c.b.URL(), "GET", "/api/me") == http.StatusUnauthorized
	})

	if st := ben.status(t, c.b.URL(), "GET", "/api/me"); st != http.StatusOK {
		t.Fatalf("ben at B: %d", st)
	}
	c.exec(`DELETE FROM sessions WHERE user_id = $1`, ben.userID)
	waitUntil(t, "sessions deleted in psql to end at B", 5*time.Second, func() bool {
		return ben.status(t, c.b.URL(), "GET", "/api/me") == http.StatusUnauthorized
	})
}
