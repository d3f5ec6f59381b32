package http

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db"
)

// TestSessionCache: with a session cache (as cmd/familyhub sets one up
// with its listener), a kept session answers without PostgreSQL; every
// change this process makes to sessions or memberships is seen by the very
// next request; a change made elsewhere is seen once the cache is cleared
// (the listener's notice does that); and the cache is not used while the
// listener is away.
func TestSessionCache(t *testing.T) {
	env := newTestEnv(t, Config{})
	var live atomic.Bool
	live.Store(true)
	store := env.server.store
	store.Sessions = db.NewSessionCache(live.Load, time.Minute, 100)

	ana, _ := env.signup("ana@example.org", "Family")
	ben, benAcc := env.joinFamily(ana, "ben@example.org")
	ben.must(http.StatusOK, "GET", "/api/family/invites", nil) // a member: kept in the cache

	// Another replica (or a DBA) makes Ben a child: this process is not
	// told until the notice comes, so the kept session still answers.
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := env.pool.Exec(t.Context(), sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE memberships SET role = 'child' WHERE user_id = $1`, benAcc.User.ID)
	ben.must(http.StatusOK, "GET", "/api/family/invites", nil)
	store.Sessions.Clear() // what the listener does on the notice
	ben.must(http.StatusForbidden, "GET", "/api/family/invites", nil)

	// Changes made through this process: seen by the next request, with
	// no notice.
	ana.must(http.StatusOK, "PATCH", "/api/family/members/"+benAcc.User.ID.String(), map[string]any{"role": "member"})
	ben.must(http.StatusOK, "GET", "/api/family/invites", nil)
	ana.must(http.StatusOK, "PATCH", "/api/family/members/"+benAcc.User.ID.String(), map[string]any{"role": "child"})
	ben.must(http.StatusForbidden, "GET", "/api/family/invites", nil)

	benLaptop := env.newClient()
	benLaptop.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": "ben@example.org", "password": "correct horse"})
	benLaptop.must(http.StatusOK, "GET", "/api/me", nil)
	ben.must(http.StatusOK, "DELETE", "/api/auth/sessions", nil) // end my other sessions
	benLaptop.must(http.StatusUnauthorized, "GET", "/api/me", nil)

	ana.must(http.StatusOK, "GET", "/api/me", nil)
	ana.must(http.StatusNoContent, "POST", "/api/auth/logout", nil)
	ana.must(http.StatusUnauthorized, "GET", "/api/me", nil)

	// The listener is away: notices may be lost, so nothing kept is used.
	ben.must(http.StatusOK, "GET", "/api/me", nil)
	live.Store(false)
	exec(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1`, benAcc.User.ID)
	ben.must(http.StatusUnauthorized, "GET", "/api/me", nil)
}
