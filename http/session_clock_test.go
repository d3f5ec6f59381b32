package http

import (
	"net/http"
	"testing"
	"time"
)

// TestSessionLifetimeByDatabaseClock: a session lasts Config.SessionTTL
// from when PostgreSQL stored it, by PostgreSQL's clock, which decides its
// use (SessionAuthenticate compares expires_at with now()); the answer's
// expires_at is that moment, and the cookie's Max-Age the whole TTL.
// Before, the replica wrote its own time.Now() plus the TTL: a replica
// whose clock ran an hour behind PostgreSQL's signed its members out an
// hour early, one an hour ahead, an hour late; and the cookie's Max-Age
// counted down from the replica's clock too. No test can set a replica's
// clock, so, as TestTicketLifetimeByDatabaseClock does, this one checks
// what the fix guarantees on any clock: the stored lifetime is exactly
// the TTL from the row's own now() (created_at), which a time taken in Go
// before the INSERT never is, for a sign-up, a login (cookie or token)
// and a refresh alike.
func TestSessionLifetimeByDatabaseClock(t *testing.T) {
	t.Parallel()
	ttl := 2 * time.Hour
	env := newTestEnv(t, Config{SessionTTL: ttl})
	ana, acc := env.signup("ana@example.org", "Rivera")
	answered := []time.Time{acc.Session.ExpiresAt}
	var refreshed struct{ Session sessionJSON }
	r := ana.must(http.StatusOK, "POST", "/api/auth/refresh", nil)
	r.decode(t, &refreshed)
	answered = append(answered, refreshed.Session.ExpiresAt)
	for _, c := range r.Cookies() {
		if c.Name == SessionCookie && c.MaxAge != int(ttl.Seconds()) {
			t.Errorf("refreshed cookie's Max-Age %d; want the session's lifetime, %d", c.MaxAge, int(ttl.Seconds()))
		}
	}
	var login accountResponse
	r = env.newClient().must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse"})
	r.decode(t, &login)
	answered = append(answered, login.Session.ExpiresAt)
	if ck := r.Cookies(); len(ck) != 1 || ck[0].MaxAge != int(ttl.Seconds()) {
		t.Errorf("login's cookie %v; want Max-Age %d, the session's lifetime", ck, int(ttl.Seconds()))
	}
	env.newClient().must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ana@example.org", "password": "correct horse", "return_token": true}).decode(t, &login)
	answered = append(answered, login.Session.ExpiresAt)

	rows, err := env.pool.Query(t.Context(), `SELECT expires_at - created_at = $1::bigint * interval '1 millisecond', expires_at FROM sessions ORDER BY created_at`,
		ttl.Milliseconds())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var exact bool
		var stored time.Time
		if err := rows.Scan(&exact, &stored); err != nil {
			t.Fatal(err)
		}
		if !exact {
			t.Errorf("session %d stored to expire at %s: not %s after PostgreSQL's now() at its insert", n, stored, ttl)
		}
		if n < len(answered) && !answered[n].Equal(stored) {
			t.Errorf("session %d: answer's expires_at %s; the stored one, which its use is judged by, is %s", n, answered[n], stored)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(answered) {
		t.Fatalf("%d sessions stored; want %d", n, len(answered))
	}
}
