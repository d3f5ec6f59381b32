package http

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/realtime"
)

// The role matrix: every endpoint × every role. Each REST route of the
// router (found by chi.Walk, so a new route without a rule fails here) has
// a rule: what each role gets in its own family (success, 403, or a
// documented conflict), and, when it names a record, what it gets for
// another family's record (404 for a role that may act, 403 for one that
// may not: a refusal does not look at the record). CalDAV has its own
// matrix (TestCalDAVRoles).

// caseCtx is one request of the matrix: a role acting in its own family f;
// b is another family.
type caseCtx struct {
	t    *testing.T
	f, b *family
	role string
}

func (c *caseCtx) me() uuid.UUID { return c.f.ids[c.role] }

type routeRule struct {
	// public routes need no session; they answer want["anon"] to the
	// request of path/body.
	public bool
	// skip names the test that covers a route instead of the matrix.
	skip string
	// want is the status for each role in its own family.
	want map[string]int
	path func(c *caseCtx) string
	body func(c *caseCtx) any
	// other names another family's (or user's) record, "" when the route
	// names none.
	other func(c *caseCtx) string
	// otherChild overrides what a child gets for another family's record
	// (404 where the operation reads the record before it changes it).
	otherChild int
}

// all and adults are the usual answers.
func all(status int) map[string]int {
	return map[string]int{"owner": status, "member": status, "child": status}
}
func adults(status int) map[string]int {
	return map[string]int{"owner": status, "member": status, "child": http.StatusForbidden}
}
func owners(status int) map[string]int {
	return map[string]int{"owner": status, "member": http.StatusForbidden, "child": http.StatusForbidden}
}

func fixed(p string) func(*caseCtx) string { return func(*caseCtx) string { return p } }
func recPath(prefix, kind, suffix string) func(*caseCtx) string {
	return func(c *caseCtx) string { return prefix + c.f.rec(kind).String() + suffix }
}
func otherRec(prefix, kind, suffix string) func(*caseCtx) string {
	return func(c *caseCtx) string { return prefix + c.b.rec(kind).String() + suffix }
}

// seriesPath is a path under the caller's own weekly series.
func seriesPath(suffix string) func(*caseCtx) string {
	return func(c *caseCtx) string {
		return "/api/calendar/events/" + c.f.rec("series-"+c.role).String() + suffix
	}
}

func body(v any) func(*caseCtx) any { return func(*caseCtx) any { return v } }
func future() string                { return time.Now().Add(time.Hour).UTC().Format(time.RFC3339) }

var roleRules = map[string]routeRule{
	// Accounts (no session needed).
	"POST /api/auth/signup": {public: true, want: map[string]int{"anon": 201}, path: fixed("/api/auth/signup"),
		body: func(c *caseCtx) any {
			return map[string]any{"email": fmt.Sprintf("new%d@example.org", familySeq.Add(1)), "password": "correct horse", "display_name": "N", "family_name": "N"}
		}},
	"POST /api/auth/login": {public: true, want: map[string]int{"anon": 200}, path: fixed("/api/auth/login"),
		body: func(c *caseCtx) any {
			return map[string]any{"email": c.f.emails["member"], "password": "correct horse"}
		}},
	"POST /api/auth/reset": {public: true, want: map[string]int{"anon": 422}, path: fixed("/api/auth/reset"),
		body: func(c *caseCtx) any {
			return map[string]any{"email": c.f.emails["member"], "code": "AAAAA-BBBBB", "new_password": "another horse"}
		}},
	"POST /api/auth/pin": {public: true, want: map[string]int{"anon": 401}, path: fixed("/api/auth/pin"),
		body: body(map[string]any{"device_key": "nope", "family_code": "ABCDEFGH", "name": "x", "pin": "1234"})},
	"POST /api/auth/pin/children": {public: true, want: map[string]int{"anon": 401}, path: fixed("/api/auth/pin/children"),
		body: body(map[string]any{"device_key": "nope"})},

	// My session and account.
	// Public: it clears the cookie of an ended session too (TestLogoutOfEndedSession).
	"POST /api/auth/logout":  {public: true, want: map[string]int{"anon": 204}, path: fixed("/api/auth/logout")},
	"POST /api/auth/refresh": {want: all(200), path: fixed("/api/auth/refresh")},
	"POST /api/auth/password": {want: all(204), path: fixed("/api/auth/password"),
		body: body(map[string]any{"current_password": "correct horse", "new_password": "another horse"})},
	"GET /api/auth/sessions":    {want: all(200), path: fixed("/api/auth/sessions")},
	"DELETE /api/auth/sessions": {want: all(200), path: fixed("/api/auth/sessions")},
	"DELETE /api/auth/sessions/{id}": {want: all(204),
		path: func(c *caseCtx) string {
			_, s := c.f.otherSession(c.role)
			return "/api/auth/sessions/" + s.String()
		},
		other: func(c *caseCtx) string {
			_, s := c.b.otherSession("owner")
			return "/api/auth/sessions/" + s.String()
		}},
	"GET /api/me": {want: all(200), path: fixed("/api/me")},
	// The last owner hands ownership over first.
	"DELETE /api/me": {want: map[string]int{"owner": 409, "member": 204, "child": 204}, path: fixed("/api/me")},

	// The family.
	"PATCH /api/family": {want: owners(200), path: fixed("/api/family"), body: body(map[string]any{"name": "Renamed"})},
	"DELETE /api/family": {want: owners(204), path: fixed("/api/family"),
		body: func(c *caseCtx) any { return map[string]any{"name": c.f.name} }},
	"POST /api/family/leave":  {want: map[string]int{"owner": 409, "member": 204, "child": 204}, path: fixed("/api/family/leave")},
	"GET /api/family/members": {want: all(200), path: fixed("/api/family/members")},
	"PATCH /api/family/members/{user_id}": {want: owners(200), body: body(map[string]any{"role": "child"}),
		path:  func(c *caseCtx) string { return "/api/family/members/" + c.f.ids[someoneElse(c.role)].String() },
		other: func(c *caseCtx) string { return "/api/family/members/" + c.b.ids["member"].String() }},
	"DELETE /api/family/members/{user_id}": {want: owners(204),
		path:  func(c *caseCtx) string { return "/api/family/members/" + c.f.ids[someoneElse(c.role)].String() },
		other: func(c *caseCtx) string { return "/api/family/members/" + c.b.ids["member"].String() }},
	"POST /api/family/members/{user_id}/reset-code": {want: owners(201),
		path: func(c *caseCtx) string {
			return "/api/family/members/" + c.f.ids[someoneElse(c.role)].String() + "/reset-code"
		},
		other: func(c *caseCtx) string { return "/api/family/members/" + c.b.ids["member"].String() + "/reset-code" }},
	"POST /api/family/members/{user_id}/unlock": {want: owners(204),
		path: func(c *caseCtx) string {
			return "/api/family/members/" + c.f.ids[someoneElse(c.role)].String() + "/unlock"
		},
		other: func(c *caseCtx) string { return "/api/family/members/" + c.b.ids["member"].String() + "/unlock" }},
	"PUT /api/family/members/{user_id}/pin": {want: owners(204), body: body(map[string]any{"pin": "2468"}),
		path:  func(c *caseCtx) string { return "/api/family/members/" + c.f.ids["child"].String() + "/pin" },
		other: func(c *caseCtx) string { return "/api/family/members/" + c.b.ids["child"].String() + "/pin" }},
	"DELETE /api/family/members/{user_id}/pin": {want: owners(204),
		path:  func(c *caseCtx) string { return "/api/family/members/" + c.f.ids["child"].String() + "/pin" },
		other: func(c *caseCtx) string { return "/api/family/members/" + c.b.ids["child"].String() + "/pin" }},
	"GET /api/family/invites":         {want: adults(200), path: fixed("/api/family/invites")},
	"POST /api/family/invites":        {want: adults(201), path: fixed("/api/family/invites"), body: body(map[string]any{"role": "child"})},
	"DELETE /api/family/invites/{id}": {want: adults(204), path: recPath("/api/family/invites/", "invite", ""), other: otherRec("/api/family/invites/", "invite", "")},
	"GET /api/family/child-devices":   {want: adults(200), path: fixed("/api/family/child-devices")},
	"POST /api/family/child-devices":  {want: adults(201), path: fixed("/api/family/child-devices"), body: body(map[string]any{"name": "Tablet"})},
	"DELETE /api/family/child-devices/{id}": {want: adults(204), path: recPath("/api/family/child-devices/", "child-device", ""),
		other: otherRec("/api/family/child-devices/", "child-device", "")},

	// Shopping.
	"GET /api/shopping/categories":                {want: all(200), path: fixed("/api/shopping/categories")},
	"GET /api/shopping/lists":                     {want: all(200), path: fixed("/api/shopping/lists")},
	"POST /api/shopping/lists":                    {want: adults(201), path: fixed("/api/shopping/lists"), body: body(map[string]any{"name": "DIY"})},
	"GET /api/shopping/lists/{id}":                {want: all(200), path: recPath("/api/shopping/lists/", "list", ""), other: otherRec("/api/shopping/lists/", "list", "")},
	"PATCH /api/shopping/lists/{id}":              {want: adults(200), path: recPath("/api/shopping/lists/", "list", ""), other: otherRec("/api/shopping/lists/", "list", ""), body: body(map[string]any{"name": "Food"})},
	"DELETE /api/shopping/lists/{id}":             {want: adults(204), path: recPath("/api/shopping/lists/", "list", ""), other: otherRec("/api/shopping/lists/", "list", "")},
	"POST /api/shopping/lists/{id}/items":         {want: all(201), path: recPath("/api/shopping/lists/", "list", "/items"), other: otherRec("/api/shopping/lists/", "list", "/items"), body: body(map[string]any{"name": "eggs"})},
	"PATCH /api/shopping/items/{id}":              {want: all(200), path: recPath("/api/shopping/items/", "item", ""), other: otherRec("/api/shopping/items/", "item", ""), body: body(map[string]any{"checked": true, "quantity": "2"})},
	"POST /api/shopping/lists/{id}/clear-checked": {want: adults(200), path: recPath("/api/shopping/lists/", "list", "/clear-checked"), other: otherRec("/api/shopping/lists/", "list", "/clear-checked")},
	"DELETE /api/shopping/items/{id}":             {want: adults(204), path: recPath("/api/shopping/items/", "item", ""), other: otherRec("/api/shopping/items/", "item", "")},

	// Recipes.
	"GET /api/recipes":         {want: all(200), path: fixed("/api/recipes")},
	"POST /api/recipes":        {want: adults(201), path: fixed("/api/recipes"), body: body(map[string]any{"title": "Soup", "servings": 2})},
	"GET /api/recipes/{id}":    {want: all(200), path: recPath("/api/recipes/", "recipe", ""), other: otherRec("/api/recipes/", "recipe", "")},
	"PATCH /api/recipes/{id}":  {want: adults(200), path: recPath("/api/recipes/", "recipe", ""), other: otherRec("/api/recipes/", "recipe", ""), body: body(map[string]any{"title": "Better toast"})},
	"DELETE /api/recipes/{id}": {want: adults(204), path: recPath("/api/recipes/", "recipe", ""), other: otherRec("/api/recipes/", "recipe", "")},
	"POST /api/recipes/{id}/add-to-list": {want: all(201), path: recPath("/api/recipes/", "recipe", "/add-to-list"), other: otherRec("/api/recipes/", "recipe", "/add-to-list"),
		body: func(c *caseCtx) any { return map[string]any{"list_id": c.f.rec("list")} }},

	// Tasks: a child completes, uncompletes and snoozes tasks assigned to
	// them or to nobody (here: nobody; TestChildTaskRules does the rest).
	"GET /api/tasks":                  {want: all(200), path: fixed("/api/tasks")},
	"POST /api/tasks":                 {want: all(201), path: fixed("/api/tasks"), body: body(map[string]any{"title": "Homework"})},
	"GET /api/tasks/{id}":             {want: all(200), path: recPath("/api/tasks/", "task", ""), other: otherRec("/api/tasks/", "task", "")},
	"PATCH /api/tasks/{id}":           {want: adults(200), path: recPath("/api/tasks/", "task", ""), other: otherRec("/api/tasks/", "task", ""), body: body(map[string]any{"title": "Water all plants"})},
	"DELETE /api/tasks/{id}":          {want: adults(204), path: recPath("/api/tasks/", "task", ""), other: otherRec("/api/tasks/", "task", "")},
	"POST /api/tasks/{id}/complete":   {want: all(200), path: recPath("/api/tasks/", "task", "/complete"), other: otherRec("/api/tasks/", "task", "/complete")},
	"POST /api/tasks/{id}/uncomplete": {want: all(200), path: recPath("/api/tasks/", "task", "/uncomplete"), other: otherRec("/api/tasks/", "task", "/uncomplete")},
	"POST /api/tasks/{id}/snooze": {want: all(200), path: recPath("/api/tasks/", "task", "/snooze"), other: otherRec("/api/tasks/", "task", "/snooze"),
		body: func(*caseCtx) any { return map[string]any{"until": future()} }},

	// Calendar.
	"GET /api/calendar/events": {want: all(200), path: fixed("/api/calendar/events?from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z")},
	"POST /api/calendar/events": {want: adults(201), path: fixed("/api/calendar/events"),
		body: body(map[string]any{"title": "Party", "starts_at": "2026-05-09T15:00:00Z", "ends_at": "2026-05-09T18:00:00Z"})},
	"GET /api/calendar/events/{id}":    {want: all(200), path: recPath("/api/calendar/events/", "event", ""), other: otherRec("/api/calendar/events/", "event", "")},
	"PATCH /api/calendar/events/{id}":  {want: adults(200), otherChild: 404, path: recPath("/api/calendar/events/", "event", ""), other: otherRec("/api/calendar/events/", "event", ""), body: body(map[string]any{"title": "Dentist (Ana)"})},
	"DELETE /api/calendar/events/{id}": {want: adults(204), path: recPath("/api/calendar/events/", "event", ""), other: otherRec("/api/calendar/events/", "event", "")},
	// One occurrence of a weekly series (11 May), each role on a series of
	// its own: a split or an end changes the series for the next caller.
	"PATCH /api/calendar/events/{id}/occurrences/{recurrence_id}": {want: adults(200), otherChild: 404,
		path: seriesPath("/occurrences/2026-05-11T17:00:00Z"), other: otherRec("/api/calendar/events/", "series", "/occurrences/2026-05-11T17:00:00Z"),
		body: body(map[string]any{"title": "Swimming (late)"})},
	"DELETE /api/calendar/events/{id}/occurrences/{recurrence_id}": {want: adults(204), otherChild: 404,
		path: seriesPath("/occurrences/2026-05-11T17:00:00Z"), other: otherRec("/api/calendar/events/", "series", "/occurrences/2026-05-11T17:00:00Z")},
	"POST /api/calendar/events/{id}/split": {want: adults(201), otherChild: 404,
		path: seriesPath("/split"), other: otherRec("/api/calendar/events/", "series", "/split"),
		body: body(map[string]any{"recurrence_id": "2026-05-18T17:00:00Z", "title": "Swimming (new pool)"})},
	"GET /api/calendar/feeds":                 {want: all(200), path: fixed("/api/calendar/feeds")},
	"POST /api/calendar/feeds":                {want: adults(201), path: fixed("/api/calendar/feeds"), body: body(map[string]any{"name": "Kitchen", "scope": "family"})},
	"DELETE /api/calendar/feeds/{id}":         {want: adults(204), path: recPath("/api/calendar/feeds/", "feed", ""), other: otherRec("/api/calendar/feeds/", "feed", "")},
	"GET /ical/{token}":                       {skip: "ical TestFeed* and cmd/familyhub TestICSFeed* (a secret URL, no session)"},
	"HEAD /ical/{token}":                      {skip: "ical TestFeed* (a secret URL, no session)"},
	"GET /api/calendar/subscriptions":         {want: all(200), path: fixed("/api/calendar/subscriptions")},
	"POST /api/calendar/subscriptions":        {want: adults(201), path: fixed("/api/calendar/subscriptions"), body: body(map[string]any{"url": "webcal://example.org/team.ics", "name": "Team"})},
	"DELETE /api/calendar/subscriptions/{id}": {want: adults(204), path: recPath("/api/calendar/subscriptions/", "subscription", ""), other: otherRec("/api/calendar/subscriptions/", "subscription", "")},

	// CalDAV app passwords: everyone's own.
	"GET /api/dav/app-passwords":  {want: all(200), path: fixed("/api/dav/app-passwords")},
	"POST /api/dav/app-passwords": {want: all(201), path: fixed("/api/dav/app-passwords"), body: body(map[string]any{"name": "Phone"})},
	"DELETE /api/dav/app-passwords/{id}": {want: all(204),
		path:  func(c *caseCtx) string { return "/api/dav/app-passwords/" + c.f.appPassword(c.role).String() },
		other: func(c *caseCtx) string { return "/api/dav/app-passwords/" + c.b.appPassword("owner").String() }},

	// Notifications: everyone's own devices and settings (the family's
	// digest hour is family.update: TestNotificationSettingsAPI).
	"GET /api/push/vapid-public-key": {want: all(200), path: fixed("/api/push/vapid-public-key")},
	"GET /api/push/subscriptions":    {want: all(200), path: fixed("/api/push/subscriptions")},
	"POST /api/push/subscriptions":   {want: all(201), path: fixed("/api/push/subscriptions"), body: func(*caseCtx) any { return testPushSubscription() }},
	"DELETE /api/push/subscriptions/{id}": {want: all(204),
		path:  func(c *caseCtx) string { return "/api/push/subscriptions/" + c.f.pushSubscription(c.role).String() },
		other: func(c *caseCtx) string { return "/api/push/subscriptions/" + c.b.pushSubscription("owner").String() }},
	"GET /api/notifications/settings":   {want: all(200), path: fixed("/api/notifications/settings")},
	"PATCH /api/notifications/settings": {want: all(200), path: fixed("/api/notifications/settings"), body: body(map[string]any{"member": map[string]any{"task_lead_minutes": 5}})},
	"POST /api/notifications/test":      {want: all(202), path: fixed("/api/notifications/test")},

	// The assistant: its writes are the operations above, with their rules.
	"POST /api/assistant/commands": {want: all(200), path: fixed("/api/assistant/commands"),
		body: func(c *caseCtx) any { c.f.rec("list"); return map[string]any{"text": "add milk"} }},
	// Answering a question and undoing: the caller's own commands (owners may
	// undo anyone's); another family's are not found.
	"POST /api/assistant/commands/{id}/choice": {skip: "TestAssistantCommands (http) and TestTaskCommands (assistant)"},
	"POST /api/assistant/commands/{id}/undo":   {skip: "TestAssistantCommands (http) and TestUndoRefused (assistant)"},

	// Realtime reads.
	"POST /api/realtime/ticket": {want: all(201), path: fixed("/api/realtime/ticket")},
	"GET /api/realtime/poll":    {want: all(200), path: fixed("/api/realtime/poll?since=0&timeout=0")},
	"GET /api/realtime/events":  {want: all(200), path: fixed("/api/realtime/events?since=0")},

	// Outside the matrix.
	"GET /healthz":          {skip: "TestHealthAndReady"},
	"GET /readyz":           {skip: "TestHealthAndReady"},
	"GET /*":                {skip: "TestWeb* (the PWA's files)"},
	"HEAD /*":               {skip: "TestWeb* (the PWA's files)"},
	"GET /ws":               {skip: "cmd/familyhub TestRealtime* and TestMemberRemoval* (sockets)"},
	"GET /sse":              {skip: "cmd/familyhub TestRealtimeFallbacks"},
	"* /dav":                {skip: "TestCalDAVRoles"},
	"* /dav/*":              {skip: "TestCalDAVRoles"},
	"* /.well-known/caldav": {skip: "TestCalDAVDiscoveryAndRoundTrip (a redirect)"},
}

// walkRoutes returns "METHOD /pattern" of every route of the server, the
// CalDAV mount collapsed to "* /dav…" (its methods are TestCalDAVRoles').
func walkRoutes(t *testing.T, s *Server) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	err := chi.Walk(s.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if route == "/dav" || route == "/dav/*" || route == "/.well-known/caldav" {
			davWalkedMethods[method] = true
			method = "*"
		}
		key := method + " " + route
		if !seen[key] {
			seen[key] = true
			out = append(out, key)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

var davWalkedMethods = map[string]bool{}

// mountTestRealtime adds the realtime endpoints, as cmd/familyhub does.
func mountTestRealtime(env *testEnv) {
	store := db.NewStore(env.pool)
	hub := realtime.NewHub(store, slog.New(slog.NewTextHandler(io.Discard, nil)), realtime.NewMetrics(prometheus.NewRegistry(), store))
	env.server.MountRealtime(hub, realtime.NewMetrics(prometheus.NewRegistry(), store))
}

func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	mountTestRealtime(env)
	mountTestNotify(env) // http/push_test.go
	b := newFamilyOfThree(t, env)
	routes := walkRoutes(t, env.server)
	if len(routes) < 60 {
		t.Fatalf("walked only %d routes: %v", len(routes), routes)
	}
	for _, route := range routes {
		rule, ok := roleRules[route]
		if !ok {
			t.Errorf("route %s has no rule in roleRules: say who may use it (and add it to the roles table in docs/api.md)", route)
			continue
		}
		if rule.skip != "" {
			continue
		}
		method, _, _ := strings.Cut(route, " ")
		t.Run(route, func(t *testing.T) {
			if rule.public {
				c := &caseCtx{t: t, f: newFamilyOfThree(t, env), b: b, role: "anon"}
				doCase(t, env.newClient(), method, rule, c, rule.want["anon"])
				return
			}
			for _, role := range []string{"owner", "member", "child"} {
				c := &caseCtx{t: t, f: newFamilyOfThree(t, env), b: b, role: role}
				// Without a session: 401.
				if r := env.newClient().do(method, rule.path(c), bodyOf(rule, c)); r.StatusCode != http.StatusUnauthorized {
					t.Errorf("anonymous %s: %d, want 401: %s", route, r.StatusCode, r.body)
				}
				actor := c.f.clients[role]
				if rule.other != nil {
					want := http.StatusNotFound
					if rule.want[role] == http.StatusForbidden {
						want = http.StatusForbidden
					}
					if role == "child" && rule.otherChild != 0 {
						want = rule.otherChild
					}
					r := actor.do(method, rule.other(c), bodyOf(rule, c))
					checkStatus(t, fmt.Sprintf("%s on another family's record", role), r, want)
				}
				doCase(t, actor, method, rule, c, rule.want[role])
			}
		})
	}
	for m := range davWalkedMethods {
		if _, ok := davRules[m]; !ok {
			t.Errorf("CalDAV method %s has no rule in davRules", m)
		}
	}
}

func bodyOf(rule routeRule, c *caseCtx) any {
	if rule.body == nil {
		return nil
	}
	return rule.body(c)
}

func doCase(t *testing.T, actor *client, method string, rule routeRule, c *caseCtx, want int) {
	t.Helper()
	r := actor.do(method, rule.path(c), bodyOf(rule, c))
	checkStatus(t, c.role, r, want)
}

func checkStatus(t *testing.T, who string, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Errorf("%s %s: %d, want %d: %s", who, r.Request.URL.Path, r.StatusCode, want, r.body)
		return
	}
	if want == http.StatusForbidden {
		if e := r.errorBody(t); e.Code != "forbidden" || e.Message == "" {
			t.Errorf("%s: 403 with %+v", who, e)
		}
	}
}
