package http

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// davStatus answers a CalDAV PROPFIND with Basic auth user:pass.
func (e *testEnv) davStatus(t *testing.T, user, pass string) int {
	t.Helper()
	req, _ := http.NewRequest("PROPFIND", e.ts.URL+"/dav/", strings.NewReader(`<?xml version="1.0"?><propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>`))
	req.Header.Set("Depth", "0")
	req.Header.Set("Content-Type", "application/xml")
	req.SetBasicAuth(user, pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// appPassword makes an app password named name as c and returns it.
func (c *client) appPassword(t *testing.T, name string) appPasswordJSON {
	t.Helper()
	var ap appPasswordJSON
	c.must(http.StatusCreated, "POST", "/api/dav/app-passwords", map[string]any{"name": name}).decode(t, &ap)
	return ap
}

// TestPasswordChangeRevokesAppPasswords: whoever sets a new password (the
// member, a reset code, the operator) revokes the member's app passwords,
// in the same transaction, with an event per app password so that open
// lists update; /api/me says when. Before, all three kept them: someone
// who had been in the account kept the family's calendar over CalDAV. It
// fails without the change (the old app password answered 207).
func TestPasswordChangeRevokesAppPasswords(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	ana, acc := env.signup("ana@example.org", "Rivera")
	var me struct {
		User userJSON `json:"user"`
	}
	ana.must(http.StatusOK, "GET", "/api/me", nil).decode(t, &me)
	if me.User.AppPasswordsRevokedAt != nil {
		t.Fatalf("app_passwords_revoked_at before any change: %v", me.User.AppPasswordsRevokedAt)
	}
	thunderbird := ana.appPassword(t, "Thunderbird")
	phone := ana.appPassword(t, "Phone")
	if st := env.davStatus(t, "ana@example.org", thunderbird.Password); st != http.StatusMultiStatus {
		t.Fatalf("app password before the change: %d", st)
	}
	seq := env.lastSeq(acc.Family.ID)

	// The member changes it.
	ana.must(http.StatusNoContent, "POST", "/api/auth/password", map[string]any{"current_password": "correct horse", "new_password": "battery staple"})
	for _, ap := range []appPasswordJSON{thunderbird, phone} {
		if st := env.davStatus(t, "ana@example.org", ap.Password); st != http.StatusUnauthorized {
			t.Errorf("app password %s after the password change: %d, want 401", ap.Name, st)
		}
	}
	var list []appPasswordJSON
	ana.must(http.StatusOK, "GET", "/api/dav/app-passwords", nil).decode(t, &list)
	if len(list) != 0 {
		t.Errorf("app passwords after the change: %+v", list)
	}
	deleted := map[uuid.UUID]bool{}
	for _, ev := range env.events(acc.Family.ID, seq) {
		if ev.Type == familyhub.EventFamilyUpdated && ev.Op == "delete" {
			deleted[ev.EntityID] = true
		}
	}
	if !deleted[thunderbird.ID] || !deleted[phone.ID] {
		t.Errorf("FAMILY_UPDATED deletes after the change: %v, want both app passwords", deleted)
	}
	ana.must(http.StatusOK, "GET", "/api/me", nil).decode(t, &me)
	if me.User.AppPasswordsRevokedAt == nil || time.Since(*me.User.AppPasswordsRevokedAt) > time.Minute {
		t.Errorf("app_passwords_revoked_at after the change: %v", me.User.AppPasswordsRevokedAt)
	}
	// One made afterwards works.
	fresh := ana.appPassword(t, "Thunderbird again")
	if st := env.davStatus(t, "ana@example.org", fresh.Password); st != http.StatusMultiStatus {
		t.Fatalf("new app password: %d", st)
	}

	// A reset code an owner made, for Ben, who was locked out.
	ben, benAcc := env.joinFamily(ana, "ben@example.org")
	bens := ben.appPassword(t, "Ben's laptop")
	var rc struct{ Code string }
	ana.must(http.StatusCreated, "POST", "/api/family/members/"+benAcc.User.ID.String()+"/reset-code", nil).decode(t, &rc)
	env.newClient().must(http.StatusNoContent, "POST", "/api/auth/reset", map[string]any{"email": "ben@example.org", "code": rc.Code, "new_password": "ben's new horse"})
	if st := env.davStatus(t, "ben@example.org", bens.Password); st != http.StatusUnauthorized {
		t.Errorf("app password after a reset by code: %d, want 401", st)
	}
	// Ana's stay: only the member's own go.
	if st := env.davStatus(t, "ana@example.org", fresh.Password); st != http.StatusMultiStatus {
		t.Errorf("another member's app password after Ben's reset: %d", st)
	}

	// The operator's reset-password.
	if _, err := db.NewStore(env.pool).PasswordSetByEmail(context.Background(), "ana@example.org", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"); err != nil {
		t.Fatal(err)
	}
	if st := env.davStatus(t, "ana@example.org", fresh.Password); st != http.StatusUnauthorized {
		t.Errorf("app password after the operator's reset: %d, want 401", st)
	}
}

// TestPasswordChangeAllOrNothing: when the app passwords cannot be revoked
// the password is not changed either, nor any session ended.
func TestPasswordChangeAllOrNothing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	ana, _ := env.signup("ana@example.org", "Rivera")
	other := env.newClient()
	other.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse"})
	ap := ana.appPassword(t, "Thunderbird")
	// A real failure of the statement that revokes them, in this test's own database.
	if _, err := env.pool.Exec(context.Background(), `
		CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused by the test'; END; $$;
		CREATE TRIGGER test_refuse BEFORE DELETE ON dav_app_passwords FOR EACH ROW EXECUTE FUNCTION test_refuse();`); err != nil {
		t.Fatal(err)
	}
	ana.must(http.StatusInternalServerError, "POST", "/api/auth/password", map[string]any{"current_password": "correct horse", "new_password": "battery staple"})
	other.must(http.StatusOK, "GET", "/api/me", nil)
	env.newClient().must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse"})
	if st := env.davStatus(t, "ana@example.org", ap.Password); st != http.StatusMultiStatus {
		t.Errorf("app password after a failed change: %d", st)
	}
}

// TestTicketLimitPerSession: a session holds at most MaxTicketsPerSession
// unexpired realtime tickets; one more is 429 too_many_tickets with
// Retry-After, also for requests made all at once; expired ones make room;
// other sessions are not affected. Without the limit the extra ticket was
// 201, without end.
func TestTicketLimitPerSession(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 5)
	ana, _ := env.signup("ana@example.org", "Rivera")
	for i := 0; i < familyhub.MaxTicketsPerSession; i++ {
		ana.must(http.StatusCreated, "POST", "/api/realtime/ticket", nil)
	}
	r := ana.must(http.StatusTooManyRequests, "POST", "/api/realtime/ticket", nil)
	if code := r.errorBody(t).Code; code != familyhub.ETICKETLIMIT {
		t.Errorf("code %q, want %q", code, familyhub.ETICKETLIMIT)
	}
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > int(db.TicketTTL.Seconds()) {
		t.Errorf("Retry-After %q, want 1-60 seconds", r.Header.Get("Retry-After"))
	}
	// Another session of the same member has its own.
	phone := env.newClient()
	phone.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse"})
	phone.must(http.StatusCreated, "POST", "/api/realtime/ticket", nil)

	// Tickets that expired make room.
	if _, err := env.pool.Exec(context.Background(), `UPDATE realtime_tickets SET expires_at = now() - interval '1 second'
		WHERE session_id = (SELECT session_id FROM realtime_tickets GROUP BY session_id ORDER BY count(*) DESC LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	ana.must(http.StatusCreated, "POST", "/api/realtime/ticket", nil)

	// Requests at once cannot overtake the count.
	laptop := env.newClient()
	laptop.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse"})
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[int]int{}
	for i := 0; i < familyhub.MaxTicketsPerSession+10; i++ {
		wg.Go(func() {
			st := laptop.do("POST", "/api/realtime/ticket", nil).StatusCode
			mu.Lock()
			got[st]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if got[http.StatusCreated] != familyhub.MaxTicketsPerSession || got[http.StatusTooManyRequests] != 10 {
		t.Errorf("parallel tickets: %v, want %d created and 10 refused", got, familyhub.MaxTicketsPerSession)
	}
}

// TestLogoutOfEndedSession: a logout always clears the cookie and answers
// 204, also when its session ended already (signed out from another
// device) or there is none. Before, it answered 401 and left the dead
// cookie in the browser, which the page cannot delete (HttpOnly).
func TestLogoutOfEndedSession(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	ana, _ := env.signup("ana@example.org", "Rivera")
	phone := env.newClient()
	phone.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse"})
	phone.must(http.StatusOK, "DELETE", "/api/auth/sessions", nil) // signs out ana's first session
	ana.must(http.StatusUnauthorized, "GET", "/api/me", nil)
	r := ana.must(http.StatusNoContent, "POST", "/api/auth/logout", nil)
	if ck := r.Cookies(); len(ck) != 2 || ck[0].Name != SessionCookie || ck[0].MaxAge >= 0 || ck[1].Name != SessionCookieHost || ck[1].MaxAge >= 0 {
		t.Fatalf("logout of an ended session: cookies %v, want %s and %s cleared", ck, SessionCookie, SessionCookieHost)
	}
	// No session at all, and a bearer token that is gone.
	env.newClient().must(http.StatusNoContent, "POST", "/api/auth/logout", nil)
	gone := env.newClient()
	gone.token = "no-such-token"
	gone.must(http.StatusNoContent, "POST", "/api/auth/logout", nil)
	// The phone's session is still live, and its logout ends it.
	phone.must(http.StatusNoContent, "POST", "/api/auth/logout", nil)
	phone.must(http.StatusUnauthorized, "GET", "/api/me", nil)
}
