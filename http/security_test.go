package http

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/ical"
	"github.com/familyhub/familyhub/notify"
)

// Findings of the security review of 2026-12-01, one test each.

// TestSubscriptionErrorHidesAddressFromChild: a child is not shown where a
// subscribed calendar lives (its address can carry a secret token), and the
// sync error a child sees does not carry the address either. A failed
// fetch's error (here: an untrusted TLS certificate) names the URL it
// asked for.
func TestSubscriptionErrorHidesAddressFromChild(t *testing.T) {
	t.Parallel()
	cfg := ical.Config{AllowPrivateSubscriptions: true}
	env := newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32", "::1/128"), Calendar: cfg})
	f := newFamilyOfThree(t, env)
	src := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		_, _ = io.WriteString(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
	}))
	defer src.Close()
	const secret = "private-0a1b2c3d4e5f"
	var sub subscriptionJSON
	f.clients["owner"].must(http.StatusCreated, "POST", "/api/calendar/subscriptions",
		map[string]any{"url": src.URL + "/calendar/ical/" + secret + "/basic.ics", "name": "Work"}).decode(t, &sub)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := ical.ImportSubscription(context.Background(), env.server.store, cfg, logger, sub.ID); err == nil {
		t.Fatal("the sync from a server with an untrusted certificate succeeded")
	}
	r := f.clients["child"].must(http.StatusOK, "GET", "/api/calendar/subscriptions", nil)
	if strings.Contains(string(r.body), secret) {
		t.Errorf("the child's subscription list holds the calendar's secret address: %s", r.body)
	}
	var subs []subscriptionJSON
	r.decode(t, &subs)
	if len(subs) != 1 || subs[0].LastError == nil || *subs[0].LastError == "" {
		t.Errorf("the child does not see that the sync failed: %s", r.body)
	}
	f.clients["owner"].must(http.StatusOK, "GET", "/api/calendar/subscriptions", nil).decode(t, &subs)
	if len(subs) != 1 || subs[0].LastError == nil || strings.Contains(*subs[0].LastError, secret) {
		t.Errorf("the owner's sync error: %+v", subs)
	}
	// An error stored by an earlier version, with the address in it.
	if _, err := env.pool.Exec(context.Background(), `UPDATE calendar_subscriptions SET last_error = 'The sync failed: Get "' || url || '": EOF.'`); err != nil {
		t.Fatal(err)
	}
	if r := f.clients["child"].must(http.StatusOK, "GET", "/api/calendar/subscriptions", nil); strings.Contains(string(r.body), secret) {
		t.Errorf("the child's list shows a stored error's address: %s", r.body)
	}
}

// countingReader is an endless request body that counts what was read.
type countingReader struct {
	prefix []byte
	n      int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		if c.n < int64(len(c.prefix)) {
			p[i] = c.prefix[c.n]
		} else {
			p[i] = 'A'
		}
		c.n++
	}
	return len(p), nil
}

// TestDAVBodiesBounded: every CalDAV request body is read up to the limit
// and no further; MKCOL's XML body (which the library decodes, the display
// name into one string) was read to its end.
func TestDAVBodiesBounded(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	_, acc := env.signup("mkcol@example.org", "F")
	for _, method := range []string{"MKCOL", "PROPFIND", "REPORT", "PROPPATCH"} {
		body := &countingReader{prefix: []byte(`<?xml version="1.0"?><d:mkcol xmlns:d="DAV:"><d:set><d:prop><d:displayname>`)}
		path := "/dav/" + acc.User.ID.String() + "/calendars/new/"
		req := httptest.NewRequest(method, path, io.LimitReader(body, 4<<20))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/xml")
		req.SetBasicAuth("mkcol@example.org", "correct horse")
		w := httptest.NewRecorder()
		env.server.ServeHTTP(w, req)
		if body.n > familyhub.MaxICalBytes+64<<10 {
			t.Errorf("%s: the server read %d bytes of the body (limit %d); status %d", method, body.n, familyhub.MaxICalBytes, w.Code)
		}
		if w.Code < 400 {
			t.Errorf("%s of an oversized body: status %d", method, w.Code)
		}
	}
}

// TestResetGuessesCostNoHash: POST /api/auth/reset needs no session; a
// wrong code, and every attempt once the limit refuses them, must not cost
// an argon2id hash of the new password (it did: the handler hashed before
// the code or the limit was looked at). Not parallel: it reads the
// process-wide count of hashes.
func TestResetGuessesCostNoHash(t *testing.T) {
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	attacker := env.newClient()
	attacker.header.Set("X-Forwarded-For", "192.0.2.77")
	before := db.PasswordHashes()
	statuses := map[int]int{}
	for i := range 3 * db.MaxResetFailuresPerAccountAndAddr {
		r := attacker.do("POST", "/api/auth/reset", map[string]any{"email": f.emails["member"], "code": fmt.Sprintf("WRONG-%05d", i), "new_password": "attacker's choice"})
		statuses[r.StatusCode]++
	}
	if n := db.PasswordHashes() - before; n != 0 {
		t.Errorf("%d wrong reset codes (answers %v) cost %d password hashes, want 0", 3*db.MaxResetFailuresPerAccountAndAddr, statuses, n)
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("the reset guesses were never limited: %v", statuses)
	}
	// The right code still works, and costs the one hash.
	var out struct{ Code string }
	f.clients["owner"].must(http.StatusCreated, "POST", "/api/family/members/"+f.ids["member"].String()+"/reset-code", nil).decode(t, &out)
	before = db.PasswordHashes()
	f.clients["member"].must(http.StatusNoContent, "POST", "/api/auth/reset", map[string]any{"email": f.emails["member"], "code": out.Code, "new_password": "a new horse"})
	if n := db.PasswordHashes() - before; n != 1 {
		t.Errorf("a reset with the right code made %d hashes, want 1", n)
	}
	env.newClient().must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": f.emails["member"], "password": "a new horse"})
}

// TestFeedsOfFormerMemberStop: removal ends a person's access "at once,
// everywhere", so the secret feed URLs they made (and saw) stop working
// too; feeds the others made keep working.
func TestFeedsOfFormerMemberStop(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	feed := func(role, scope string, member *uuid.UUID) string {
		var out feedJSON
		f.clients[role].must(http.StatusCreated, "POST", "/api/calendar/feeds", map[string]any{"name": role + " " + scope, "scope": scope, "member_id": member}).decode(t, &out)
		return out.URL
	}
	child := f.ids["child"]
	theirs := []string{feed("member", "family", nil), feed("member", "member", &child)}
	ours := feed("owner", "family", nil)
	get := func(u string) int {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, u := range append(theirs, ours) {
		if st := get(u); st != http.StatusOK {
			t.Fatalf("GET %s before: %d", u, st)
		}
	}
	f.clients["owner"].must(http.StatusNoContent, "DELETE", "/api/family/members/"+f.ids["member"].String(), nil)
	for _, u := range theirs {
		if st := get(u); st != http.StatusGone {
			t.Errorf("a removed member's feed answers %d, want 410", st)
		}
	}
	if st := get(ours); st != http.StatusOK {
		t.Errorf("the owner's feed answers %d after the member's removal", st)
	}
	var feeds []feedJSON
	f.clients["owner"].must(http.StatusOK, "GET", "/api/calendar/feeds", nil).decode(t, &feeds)
	if len(feeds) != 1 {
		t.Errorf("feeds left: %+v", feeds)
	}
}

// TestPushSubscriptionsPerMemberBounded: "one subscription per device",
// but the device is the client's X-Device-ID, so one session could store
// any number of endpoints and have every notice (and every test) sent to
// all of them. A member keeps the newest db.MaxPushSubscriptionsPerMember.
func TestPushSubscriptionsPerMemberBounded(t *testing.T) {
	t.Parallel()
	e := newPushEnv(t, notify.Config{AllowPrivate: true})
	ana, acc := e.signup("ana@example.org", "Rivera")
	var last pushSubscriptionJSON
	for i := range db.MaxPushSubscriptionsPerMember + 10 {
		ana.header.Set("X-Device-ID", fmt.Sprintf("device-%d", i))
		ana.must(http.StatusCreated, "POST", "/api/push/subscriptions", testPushSubscription()).decode(t, &last)
	}
	var n int
	if err := e.pool.QueryRow(context.Background(), "SELECT count(*) FROM push_subscriptions WHERE user_id = $1", acc.User.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != db.MaxPushSubscriptionsPerMember {
		t.Errorf("a member has %d push subscriptions, want at most %d", n, db.MaxPushSubscriptionsPerMember)
	}
	var list struct{ Subscriptions []pushSubscriptionJSON }
	ana.must(http.StatusOK, "GET", "/api/push/subscriptions", nil).decode(t, &list)
	if !slices.ContainsFunc(list.Subscriptions, func(s pushSubscriptionJSON) bool { return s.ID == last.ID }) {
		t.Errorf("the newest subscription is gone: %+v", list.Subscriptions)
	}
}

// TestNotifyTestLimited: POST /api/notifications/test makes a notice sent to
// every device of the member; it is limited per member, so no client can
// make the server send without end.
func TestNotifyTestLimited(t *testing.T) {
	t.Parallel()
	e := newPushEnv(t, notify.Config{AllowPrivate: true})
	ana, _ := e.signup("ana@example.org", "Rivera")
	statuses := map[int]int{}
	for range notify.MaxTestNotices + 5 {
		statuses[ana.do("POST", "/api/notifications/test", nil).StatusCode]++
	}
	if statuses[http.StatusAccepted] != notify.MaxTestNotices || statuses[http.StatusTooManyRequests] != 5 {
		t.Errorf("answers %v: want %d × 202, then 429", statuses, notify.MaxTestNotices)
	}
	if n := e.count("notify_notices"); n != notify.MaxTestNotices {
		t.Errorf("%d notices made, want %d", n, notify.MaxTestNotices)
	}
}

// TestSubscriptionsPerFamilyBounded: every subscription is fetched from
// its outside URL every 15 minutes by one job that goes through all
// families' subscriptions in turn, so one family's count is bounded (409
// limit_reached beyond), or one member could keep the job busy for everyone.
func TestSubscriptionsPerFamilyBounded(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("subs@example.org", "F")
	for i := range db.MaxCalendarSubscriptions {
		c.must(http.StatusCreated, "POST", "/api/calendar/subscriptions", map[string]any{"url": fmt.Sprintf("https://example.org/%d.ics", i), "name": "x"})
	}
	r := c.must(http.StatusConflict, "POST", "/api/calendar/subscriptions", map[string]any{"url": "https://example.org/one-more.ics", "name": "x"})
	if e := r.errorBody(t); e.Code != "limit_reached" {
		t.Errorf("error %+v", e)
	}
	if n := env.count("calendar_subscriptions"); n != db.MaxCalendarSubscriptions {
		t.Errorf("%d subscriptions stored, want %d", n, db.MaxCalendarSubscriptions)
	}
}

// TestSignupGuessesLimitedLikeLogin: signing up with the email of an
// account in no family any more checks its password (right: the account
// comes back). That check was bounded only by sign-ups per address, so many
// addresses made many guesses; now it is the sign-in check, with its limits
// per account and address and per account everywhere. An account in a
// family is treated alike, so the answers do not tell whether an account
// has a family.
func TestSignupGuessesLimitedLikeLogin(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	f.clients["member"].must(http.StatusNoContent, "POST", "/api/family/leave", nil)
	var addrs atomic.Int64
	from := func() *client { // a client from an address of its own
		c := env.newClient()
		n := addrs.Add(1)
		c.header.Set("X-Forwarded-For", fmt.Sprintf("198.18.%d.%d", n/250, n%250+1))
		return c
	}
	signup := func(c *client, email, password string) response {
		return c.do("POST", "/api/auth/signup", map[string]any{"email": email, "password": password, "display_name": "Guess", "family_name": "Guesswork"})
	}
	answer := func(r response) string {
		return fmt.Sprintf("%d %s %s", r.StatusCode, r.Header.Get("Retry-After"), r.body)
	}
	answers := map[string][]string{} // by target, one per step
	for _, target := range []string{"member", "owner"} {
		email := f.emails[target]
		// From one address: locked there after MaxFailuresPerAccountAndAddr.
		one := from()
		for i := range db.MaxFailuresPerAccountAndAddr {
			r := signup(one, email, fmt.Sprintf("guessing %d", i))
			if r.StatusCode != http.StatusConflict {
				t.Fatalf("%s: wrong password %d from one address: %s", target, i, answer(r))
			}
			answers[target] = append(answers[target], answer(r))
		}
		r := signup(one, email, "correct horse")
		answers[target] = append(answers[target], answer(r))
		if r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s: the right password after %d wrong ones from one address: %s", target, db.MaxFailuresPerAccountAndAddr, answer(r))
		}
		// From as many addresses as it takes: locked everywhere.
		for i := db.MaxFailuresPerAccountAndAddr; i < db.MaxFailuresPerAccount; i++ {
			r := signup(from(), email, fmt.Sprintf("guessing %d", i))
			if r.StatusCode != http.StatusConflict {
				t.Fatalf("%s: wrong password %d from a new address: %s", target, i, answer(r))
			}
			answers[target] = append(answers[target], answer(r))
		}
		r = signup(from(), email, "correct horse")
		answers[target] = append(answers[target], answer(r))
		if r.StatusCode != http.StatusTooManyRequests || r.errorBody(t).Code != "rate_limited" || r.Header.Get("Retry-After") != "900" {
			t.Errorf("%s: the right password after %d wrong ones from many addresses: %s", target, db.MaxFailuresPerAccount, answer(r))
		}
		// Login shares the count.
		if r := from().do("POST", "/api/auth/login", map[string]any{"email": email, "password": "correct horse"}); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s: login after the sign-up guesses: %s", target, answer(r))
		}
	}
	if n := env.count("families WHERE name = 'Guesswork'"); n != 0 {
		t.Errorf("%d families made by the guesses", n)
	}
	if !slices.Equal(answers["member"], answers["owner"]) {
		for i := range answers["member"] {
			if i < len(answers["owner"]) && answers["member"][i] != answers["owner"][i] {
				t.Errorf("step %d: family-less account %q, account in a family %q", i, answers["member"][i], answers["owner"][i])
			}
		}
	}
}

// TestSignupPasswordCheckCost: a sign-up with a known email costs exactly
// one counted password check (the sign-in check) and no hash of the new
// password; an unknown email costs the hash and no check. Not parallel: it
// reads the process-wide counts.
func TestSignupPasswordCheckCost(t *testing.T) {
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	f.clients["member"].must(http.StatusNoContent, "POST", "/api/family/leave", nil)
	var inv inviteJSON
	f.clients["owner"].must(http.StatusCreated, "POST", "/api/family/invites", nil).decode(t, &inv)
	for i, tc := range []struct {
		name           string
		email          string
		password       string
		want           int
		checks, hashes int64
	}{
		{"family-less, wrong password", f.emails["member"], "wrong horse", http.StatusConflict, 1, 0},
		{"in a family, wrong password", f.emails["owner"], "wrong horse", http.StatusConflict, 1, 0},
		{"in a family, right password", f.emails["owner"], "correct horse", http.StatusConflict, 1, 0},
		{"unknown email", "new@example.org", "correct horse", http.StatusCreated, 0, 1},
		{"family-less, right password", f.emails["member"], "correct horse", http.StatusCreated, 1, 0},
	} {
		c := env.newClient()
		c.header.Set("X-Forwarded-For", fmt.Sprintf("198.19.0.%d", i+1))
		checks, hashes := db.PasswordChecks(), db.PasswordHashes()
		r := c.do("POST", "/api/auth/signup", map[string]any{"email": tc.email, "password": tc.password, "display_name": "X", "invite_code": inv.Code})
		if r.StatusCode != tc.want {
			t.Fatalf("%s: %d %s, want %d", tc.name, r.StatusCode, r.body, tc.want)
		}
		if c, h := db.PasswordChecks()-checks, db.PasswordHashes()-hashes; c != tc.checks || h != tc.hashes {
			t.Errorf("%s: %d password checks and %d hashes, want %d and %d", tc.name, c, h, tc.checks, tc.hashes)
		}
		if tc.want == http.StatusCreated {
			var acc accountResponse
			r.decode(t, &acc)
			if tc.email == f.emails["member"] && acc.User.ID != f.ids["member"] {
				t.Errorf("%s: signed up as a new user %v", tc.name, acc.User.ID)
			}
			f.clients["owner"].must(http.StatusCreated, "POST", "/api/family/invites", nil).decode(t, &inv)
		}
	}
}
