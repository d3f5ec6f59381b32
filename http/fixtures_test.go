package http

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
)

// A family of three for role tests: an owner, a member (an adult) and a
// child, each with their own client from their own address (sign-ups from
// one address are rate-limited). Records are made on first use.

var familySeq atomic.Int64

type family struct {
	env     *testEnv
	t       testing.TB
	n       int64
	clients map[string]*client   // by role
	ids     map[string]uuid.UUID // user id by role
	emails  map[string]string    // by role
	recs    map[string]uuid.UUID // lazily made records by kind
	name    string
}

// roleEnv is a test server that believes X-Forwarded-For from loopback, so
// each family's people come from their own address.
func roleEnv(t testing.TB) *testEnv {
	return newTestEnv(t, Config{TrustedProxies: mustPrefixes("127.0.0.1/32", "::1/128")})
}

// newFamilyOfThree signs up an owner, and a member and a child through
// invites of the owner.
func newFamilyOfThree(t testing.TB, env *testEnv) *family {
	t.Helper()
	n := familySeq.Add(1)
	f := &family{env: env, t: t, n: n, clients: map[string]*client{}, ids: map[string]uuid.UUID{},
		emails: map[string]string{}, recs: map[string]uuid.UUID{}, name: fmt.Sprintf("Family %d", n)}
	for i, role := range []string{"owner", "member", "child"} {
		c := env.newClient()
		c.header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n/250, n%250, i+1))
		email := fmt.Sprintf("%s%d@example.org", role, n)
		body := map[string]any{"email": email, "password": "correct horse", "display_name": fmt.Sprintf("%s %d", role, n)}
		if role == "owner" {
			body["family_name"] = f.name
		} else {
			var inv inviteJSON
			f.clients["owner"].must(http.StatusCreated, "POST", "/api/family/invites", map[string]any{"role": role}).decode(t, &inv)
			body["invite_code"] = inv.Code
		}
		var acc accountResponse
		c.must(http.StatusCreated, "POST", "/api/auth/signup", body).decode(t, &acc)
		if acc.Role != role {
			t.Fatalf("%s signed up as %q", role, acc.Role)
		}
		f.clients[role], f.ids[role], f.emails[role] = c, acc.User.ID, email
	}
	return f
}

// rec returns the id of a record of kind, made by the owner on first use.
func (f *family) rec(kind string) uuid.UUID {
	f.t.Helper()
	if id, ok := f.recs[kind]; ok {
		return id
	}
	owner := f.clients["owner"]
	var out struct{ ID uuid.UUID }
	switch kind {
	case "list":
		owner.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Groceries"}).decode(f.t, &out)
	case "item":
		owner.must(http.StatusCreated, "POST", "/api/shopping/lists/"+f.rec("list").String()+"/items", map[string]any{"name": "milk"}).decode(f.t, &out)
	case "recipe":
		owner.must(http.StatusCreated, "POST", "/api/recipes", map[string]any{"title": "Toast", "servings": 1,
			"ingredients": []map[string]any{{"name": "bread", "quantity": 2}}}).decode(f.t, &out)
	case "task": // assigned to nobody
		owner.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Water the plants"}).decode(f.t, &out)
	case "member-task": // assigned to the member
		owner.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Taxes", "assignee_id": f.ids["member"]}).decode(f.t, &out)
	case "event":
		owner.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{"title": "Dentist",
			"starts_at": "2026-05-04T09:00:00Z", "ends_at": "2026-05-04T10:00:00Z"}).decode(f.t, &out)
	case "series", "series-owner", "series-member", "series-child": // weekly from Monday 4 May 2026, 17:00 UTC
		owner.must(http.StatusCreated, "POST", "/api/calendar/events", map[string]any{"title": "Swimming",
			"starts_at": "2026-05-04T17:00:00Z", "ends_at": "2026-05-04T18:00:00Z", "rrule": "FREQ=WEEKLY"}).decode(f.t, &out)
	case "feed":
		owner.must(http.StatusCreated, "POST", "/api/calendar/feeds", map[string]any{"name": "Family", "scope": "family"}).decode(f.t, &out)
	case "subscription":
		owner.must(http.StatusCreated, "POST", "/api/calendar/subscriptions", map[string]any{"url": "webcal://example.org/cal.ics", "name": "School"}).decode(f.t, &out)
	case "invite":
		owner.must(http.StatusCreated, "POST", "/api/family/invites", nil).decode(f.t, &out)
	case "child-device":
		owner.must(http.StatusCreated, "POST", "/api/family/child-devices", map[string]any{"name": "Kitchen tablet"}).decode(f.t, &out)
	default:
		f.t.Fatalf("no record kind %q", kind)
	}
	f.recs[kind] = out.ID
	return out.ID
}

// appPassword returns the id of a new app password of role's user.
func (f *family) appPassword(role string) uuid.UUID {
	f.t.Helper()
	var ap appPasswordJSON
	f.clients[role].must(http.StatusCreated, "POST", "/api/dav/app-passwords", map[string]any{"name": "Phone"}).decode(f.t, &ap)
	return ap.ID
}

// otherSession signs role's user in once more, from another client, and
// returns that client and its session's id.
func (f *family) otherSession(role string) (*client, uuid.UUID) {
	f.t.Helper()
	c := f.env.newClient()
	c.header.Set("X-Forwarded-For", f.clients[role].header.Get("X-Forwarded-For"))
	c.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": f.emails[role], "password": "correct horse", "device_name": "Tablet"})
	var sessions []sessionListJSON
	c.must(http.StatusOK, "GET", "/api/auth/sessions", nil).decode(f.t, &sessions)
	for _, s := range sessions {
		if s.Current {
			return c, s.ID
		}
	}
	f.t.Fatalf("no current session in %+v", sessions)
	return nil, uuid.Nil
}

// someoneElse returns a role other than role (the target of member management).
func someoneElse(role string) string {
	switch role {
	case "owner":
		return "member"
	case "member":
		return "child"
	}
	return "member"
}
