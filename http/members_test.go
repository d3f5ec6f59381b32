package http

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/ical"
)

// TestParallelWrongPasswords (issue 19 item 4): 100 parallel wrong
// passwords for one account are counted before the argon2 check, so at most
// the limit is checked. Not parallel with other tests: it reads the
// process-wide count of password checks.
func TestParallelWrongPasswords(t *testing.T) {
	env := newTestEnv(t, Config{})
	env.signup("target@example.org", "F")
	before := db.PasswordChecks()
	const n = 100
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Go(func() {
			c := env.newClient()
			<-start
			r := c.do("POST", "/api/auth/login", map[string]any{"email": "target@example.org", "password": fmt.Sprintf("wrong %d", i)})
			statuses <- r.StatusCode
		})
	}
	close(start)
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	checked := db.PasswordChecks() - before
	t.Logf("answers %v, argon2 checks %d", count, checked)
	if checked > db.MaxFailuresPerAccountAndAddr {
		t.Fatalf("%d passwords checked, limit %d", checked, db.MaxFailuresPerAccountAndAddr)
	}
	if count[http.StatusUnauthorized] != db.MaxFailuresPerAccountAndAddr || count[http.StatusTooManyRequests] != n-db.MaxFailuresPerAccountAndAddr {
		t.Fatalf("answers %v: want %d × 401 and the rest 429", count, db.MaxFailuresPerAccountAndAddr)
	}
}

// TestSignupAnswersIdentical (issue 19 item 6): where a sign-up fails
// before an account would be made, a known and an unknown email get the
// same answer, byte for byte.
func TestSignupAnswersIdentical(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{SignupOpen, SignupInvite} {
		env := newTestEnv(t, Config{Signup: mode})
		if mode == SignupOpen {
			env.signup("known@example.org", "F")
		} else {
			env.pool.Exec(t.Context(), `INSERT INTO users (email, password_hash, display_name) VALUES ('known@example.org', 'x', 'K')`)
		}
		bodies := map[string]map[string]any{
			"bogus invite": {"password": "correct horse", "display_name": "X", "invite_code": "ZZZZZ-ZZZZZ"},
			"no invite":    {"password": "correct horse", "display_name": "X", "family_name": "F"},
		}
		for name, b := range bodies {
			if mode == SignupOpen && name == "no invite" {
				continue // an open server makes the account: nothing to compare
			}
			var answers []string
			for _, email := range []string{"known@example.org", "unknown@example.org"} {
				b["email"] = email
				r := env.newClient().do("POST", "/api/auth/signup", b)
				answers = append(answers, fmt.Sprintf("%d %s", r.StatusCode, r.body))
			}
			if answers[0] != answers[1] || !strings.HasPrefix(answers[0], "422") {
				t.Errorf("%s, %s: known %q, unknown %q", mode, name, answers[0], answers[1])
			}
		}
	}
}

func TestSignupRateLimited(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c := env.newClient()
	for i := 0; i < db.MaxSignupsPerAddr; i++ {
		c.must(http.StatusUnprocessableEntity, "POST", "/api/auth/signup", map[string]any{
			"email": fmt.Sprintf("s%d@example.org", i), "password": "correct horse", "display_name": "S", "invite_code": "ZZZZZ-ZZZZZ"})
	}
	r := c.must(http.StatusTooManyRequests, "POST", "/api/auth/signup", map[string]any{
		"email": "late@example.org", "password": "correct horse", "display_name": "S", "family_name": "F"})
	if r.Header.Get("Retry-After") != "3600" {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
}

// TestChildRules: what a child may do depends on the record.
func TestChildRules(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	child, owner := f.clients["child"], f.clients["owner"]
	var task taskJSON
	// Assigned to nobody, to the child: yes. To the member: no.
	child.must(http.StatusOK, "POST", "/api/tasks/"+f.rec("task").String()+"/complete", nil)
	owner.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Feed the cat", "assignee_id": f.ids["child"]}).decode(t, &task)
	child.must(http.StatusOK, "POST", "/api/tasks/"+task.ID.String()+"/complete", nil)
	child.must(http.StatusOK, "POST", "/api/tasks/"+task.ID.String()+"/uncomplete", nil)
	child.must(http.StatusOK, "POST", "/api/tasks/"+task.ID.String()+"/snooze", map[string]any{"until": future()})
	for _, action := range []string{"complete", "uncomplete", "snooze"} {
		r := child.must(http.StatusForbidden, "POST", "/api/tasks/"+f.rec("member-task").String()+"/"+action, map[string]any{"until": future()})
		if !strings.Contains(r.errorBody(t).Message, "child") {
			t.Fatalf("message %s", r.body)
		}
	}
	// A child's task is theirs: assigned to them when they name nobody;
	// for someone else, or rotating to others, refused.
	child.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Homework"}).decode(t, &task)
	if task.AssigneeID == nil || *task.AssigneeID != f.ids["child"] {
		t.Fatalf("child's task assigned to %v", task.AssigneeID)
	}
	child.must(http.StatusForbidden, "POST", "/api/tasks", map[string]any{"title": "Taxes", "assignee_id": f.ids["member"]})
	child.must(http.StatusForbidden, "POST", "/api/tasks", map[string]any{"title": "Dishes", "recurrence": "FREQ=DAILY",
		"rotation": []uuid.UUID{f.ids["child"], f.ids["member"]}})
	child.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Brush teeth", "recurrence": "FREQ=DAILY", "assignee_id": f.ids["child"]})
	// The assistant obeys the same rules.
	f.rec("list")
	child.must(http.StatusOK, "POST", "/api/assistant/commands", map[string]any{"text": "add bananas"})
	r := child.do("POST", "/api/assistant/commands", map[string]any{"text": "add dentist tomorrow at 10"})
	if r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("child's calendar command: %d %s", r.StatusCode, r.body)
	}
	// A member may not invite an owner; an owner may.
	f.clients["member"].must(http.StatusForbidden, "POST", "/api/family/invites", map[string]any{"role": "owner"})
	var inv inviteJSON
	owner.must(http.StatusCreated, "POST", "/api/family/invites", map[string]any{"role": "owner", "expires_in_hours": 2}).decode(t, &inv)
	if inv.Role != "owner" || inv.Status != "open" || time.Until(inv.ExpiresAt) > 2*time.Hour || time.Until(inv.ExpiresAt) < time.Hour {
		t.Fatalf("invite %+v", inv)
	}
	owner.must(http.StatusUnprocessableEntity, "POST", "/api/family/invites", map[string]any{"role": "admin"})
	owner.must(http.StatusUnprocessableEntity, "POST", "/api/family/invites", map[string]any{"expires_in_hours": 0})
	// /api/me tells each what they may do.
	var me meResponse
	child.must(http.StatusOK, "GET", "/api/me", nil).decode(t, &me)
	if me.Role != "child" || me.Permissions["shopping_list.delete"] != "none" || me.Permissions["task.complete"] != "own" ||
		me.Permissions["shopping_item.update"] != "all" || len(me.Members) != 3 {
		t.Fatalf("child's me: %+v", me)
	}
}

func TestMembersRolesAndRemoval(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	owner, member := f.clients["owner"], f.clients["member"]
	ownerID, memberID := f.ids["owner"].String(), f.ids["member"].String()

	// The last owner keeps their role, cannot leave, cannot delete their
	// account while others remain.
	owner.must(http.StatusConflict, "PATCH", "/api/family/members/"+ownerID, map[string]any{"role": "member"})
	owner.must(http.StatusConflict, "POST", "/api/family/leave", nil)
	owner.must(http.StatusConflict, "DELETE", "/api/me", nil)
	owner.must(http.StatusUnprocessableEntity, "PATCH", "/api/family/members/"+memberID, map[string]any{"role": "admin"})
	owner.must(http.StatusNotFound, "PATCH", "/api/family/members/"+uuid.NewString(), map[string]any{"role": "member"})

	// A second owner: now the first may step down.
	var m memberJSON
	owner.must(http.StatusOK, "PATCH", "/api/family/members/"+memberID, map[string]any{"role": "owner"}).decode(t, &m)
	if m.Role != "owner" || m.ID != f.ids["member"] {
		t.Fatalf("member %+v", m)
	}
	owner.must(http.StatusOK, "PATCH", "/api/family/members/"+ownerID, map[string]any{"role": "member"})
	owner.must(http.StatusForbidden, "DELETE", "/api/family/members/"+f.ids["child"].String(), nil)

	// The new owner removes the former one: their access ends at once.
	var item struct{ ID uuid.UUID }
	owner.must(http.StatusCreated, "POST", "/api/shopping/lists/"+f.rec("list").String()+"/items", map[string]any{"name": "cake"}).decode(t, &item)
	owner.must(http.StatusOK, "PATCH", "/api/shopping/items/"+item.ID.String(), map[string]any{"checked": true})
	var ap appPasswordJSON
	owner.must(http.StatusCreated, "POST", "/api/dav/app-passwords", map[string]any{"name": "Phone"}).decode(t, &ap)
	member.must(http.StatusNoContent, "DELETE", "/api/family/members/"+ownerID, nil)
	owner.must(http.StatusUnauthorized, "GET", "/api/me", nil)
	if st := davRoleDo(t, env, f.emails["owner"], "PROPFIND", "/dav/"+ownerID+"/calendars/family/", davPropfind); st != http.StatusUnauthorized {
		t.Fatalf("removed member's CalDAV: %d", st)
	}
	if n := env.count("dav_app_passwords WHERE user_id = '" + ownerID + "'"); n != 0 {
		t.Fatalf("removed member keeps %d app passwords", n)
	}
	if n := env.count("sessions WHERE revoked_at IS NULL AND user_id = '" + ownerID + "'"); n != 0 {
		t.Fatalf("removed member keeps %d sessions", n)
	}
	// Past actions stay attributed to the (former) member's id.
	var got shoppingItemJSON
	member.must(http.StatusOK, "GET", "/api/shopping/lists/"+f.rec("list").String(), nil)
	if err := env.pool.QueryRow(t.Context(), "SELECT checked_by FROM shopping_items WHERE id = $1", item.ID).Scan(&got.CheckedBy); err != nil || got.CheckedBy == nil || *got.CheckedBy != f.ids["owner"] {
		t.Fatalf("checked_by %v %v", got.CheckedBy, err)
	}
	// Signing in says why; signing up again with the password rejoins.
	login := env.newClient()
	r := login.must(http.StatusForbidden, "POST", "/api/auth/login", map[string]any{"email": f.emails["owner"], "password": "correct horse"})
	if !strings.Contains(r.errorBody(t).Message, "no family") {
		t.Fatalf("login of a former member: %s", r.body)
	}
	var inv inviteJSON
	member.must(http.StatusCreated, "POST", "/api/family/invites", nil).decode(t, &inv)
	bad := env.newClient()
	bad.must(http.StatusConflict, "POST", "/api/auth/signup", map[string]any{"email": f.emails["owner"], "password": "wrong horse", "display_name": "X", "invite_code": inv.Code})
	var back accountResponse
	login.must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{"email": f.emails["owner"], "password": "correct horse", "display_name": "Back", "invite_code": inv.Code}).decode(t, &back)
	if back.User.ID != f.ids["owner"] || back.Role != "member" {
		t.Fatalf("rejoined as %+v", back)
	}

	// Leaving, and deleting one's account: the data stays, the person goes.
	f.clients["child"].must(http.StatusNoContent, "POST", "/api/family/leave", nil)
	f.clients["child"].must(http.StatusUnauthorized, "GET", "/api/me", nil)
	login.must(http.StatusNoContent, "DELETE", "/api/me", nil)
	var email, name string
	if err := env.pool.QueryRow(t.Context(), "SELECT email, display_name FROM users WHERE id = $1", f.ids["owner"]).Scan(&email, &name); err != nil {
		t.Fatal(err)
	}
	if email == f.emails["owner"] || name != "Former member" {
		t.Fatalf("deleted account keeps %q %q", email, name)
	}
	var members []memberJSON
	member.must(http.StatusOK, "GET", "/api/family/members", nil).decode(t, &members)
	if len(members) != 1 || members[0].ID != f.ids["member"] {
		t.Fatalf("members %+v", members)
	}
	// The only member deletes their account: the family goes with it.
	member.must(http.StatusConflict, "POST", "/api/family/leave", nil)
	member.must(http.StatusNoContent, "DELETE", "/api/me", nil)
	if n := env.count("shopping_lists WHERE id = '" + f.rec("list").String() + "'"); n != 0 {
		t.Fatal("the family's data outlived its last member")
	}
}

// TestFamilyUpdatedEvents: membership changes are family events, through
// the same trigger → event_log path as every other change.
func TestFamilyUpdatedEvents(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	var famID uuid.UUID
	if err := env.pool.QueryRow(t.Context(), "SELECT family_id FROM memberships WHERE user_id = $1", f.ids["owner"]).Scan(&famID); err != nil {
		t.Fatal(err)
	}
	last := func() (string, string, uuid.UUID) {
		var typ, op string
		var id uuid.UUID
		if err := env.pool.QueryRow(t.Context(), "SELECT type, op, entity_id FROM event_log WHERE family_id = $1 ORDER BY seq DESC LIMIT 1", famID).Scan(&typ, &op, &id); err != nil {
			t.Fatal(err)
		}
		return typ, op, id
	}
	// A child's PIN and the child devices show on other adults' family
	// pages: they are family events too (the device's use is not).
	owner := f.clients["owner"]
	owner.must(http.StatusNoContent, "PUT", "/api/family/members/"+f.ids["child"].String()+"/pin", map[string]any{"pin": "4321"})
	if typ, op, id := last(); typ != "FAMILY_UPDATED" || op != "update" || id != f.ids["child"] {
		t.Fatalf("PIN set: %s %s %s", typ, op, id)
	}
	var dev struct{ ID uuid.UUID }
	owner.must(http.StatusCreated, "POST", "/api/family/child-devices", map[string]any{"name": "Hall tablet"}).decode(t, &dev)
	if typ, op, id := last(); typ != "FAMILY_UPDATED" || op != "insert" || id != dev.ID {
		t.Fatalf("device set up: %s %s %s", typ, op, id)
	}
	owner.must(http.StatusNoContent, "DELETE", "/api/family/child-devices/"+dev.ID.String(), nil)
	if typ, op, id := last(); typ != "FAMILY_UPDATED" || op != "delete" || id != dev.ID {
		t.Fatalf("device revoked: %s %s %s", typ, op, id)
	}
	owner.must(http.StatusNoContent, "DELETE", "/api/family/members/"+f.ids["child"].String()+"/pin", nil)
	if typ, op, id := last(); typ != "FAMILY_UPDATED" || op != "update" || id != f.ids["child"] {
		t.Fatalf("PIN cleared: %s %s %s", typ, op, id)
	}
	f.clients["owner"].must(http.StatusOK, "PATCH", "/api/family/members/"+f.ids["child"].String(), map[string]any{"role": "member"})
	if typ, op, id := last(); typ != "FAMILY_UPDATED" || op != "update" || id != f.ids["child"] {
		t.Fatalf("role change: %s %s %s", typ, op, id)
	}
	f.clients["owner"].must(http.StatusNoContent, "DELETE", "/api/family/members/"+f.ids["child"].String(), nil)
	if typ, op, id := last(); typ != "FAMILY_UPDATED" || op != "delete" || id != f.ids["child"] {
		t.Fatalf("removal: %s %s %s", typ, op, id)
	}
	f.clients["owner"].must(http.StatusOK, "PATCH", "/api/family", map[string]any{"name": "New name"})
	if typ, op, id := last(); typ != "FAMILY_UPDATED" || op != "update" || id != famID {
		t.Fatalf("settings: %s %s %s", typ, op, id)
	}
}

func TestSessionsAndPasswordChange(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	me := f.clients["member"]
	other, otherID := f.otherSession("member")
	third, _ := f.otherSession("member")
	var sessions []sessionListJSON
	// Last seen is noted at most every five minutes.
	if _, err := env.pool.Exec(t.Context(), "UPDATE sessions SET last_seen_at = now() - interval '1 hour' WHERE user_id = $1", f.ids["member"]); err != nil {
		t.Fatal(err)
	}
	me.must(http.StatusOK, "GET", "/api/auth/sessions", nil).decode(t, &sessions)
	if len(sessions) != 3 || !sessions[0].Current || time.Since(sessions[0].LastSeenAt) > time.Minute || time.Since(sessions[1].LastSeenAt) < 50*time.Minute {
		t.Fatalf("sessions %+v", sessions)
	}
	current := 0
	for _, s := range sessions {
		if s.Current {
			current++
		}
		if s.ID == otherID && (s.DeviceName == nil || *s.DeviceName != "Tablet") {
			t.Fatalf("device name of %+v", s)
		}
	}
	if current != 1 {
		t.Fatalf("%d current sessions", current)
	}
	// Another user's session is not found; my other one ends.
	_, ownerSession := f.otherSession("owner")
	me.must(http.StatusNotFound, "DELETE", "/api/auth/sessions/"+ownerSession.String(), nil)
	me.must(http.StatusNoContent, "DELETE", "/api/auth/sessions/"+otherID.String(), nil)
	other.must(http.StatusUnauthorized, "GET", "/api/me", nil)
	third.must(http.StatusOK, "GET", "/api/me", nil)

	// A password change needs the current password (a wrong one is 422,
	// not 401: the session is fine), ends the other sessions, keeps this.
	r := me.must(http.StatusUnprocessableEntity, "POST", "/api/auth/password", map[string]any{"current_password": "wrong horse", "new_password": "another horse"})
	if r.errorBody(t).Field != "current_password" {
		t.Fatalf("wrong current password: %s", r.body)
	}
	me.must(http.StatusUnprocessableEntity, "POST", "/api/auth/password", map[string]any{"current_password": "correct horse", "new_password": "short"})
	me.must(http.StatusNoContent, "POST", "/api/auth/password", map[string]any{"current_password": "correct horse", "new_password": "another horse"})
	third.must(http.StatusUnauthorized, "GET", "/api/me", nil)
	me.must(http.StatusOK, "GET", "/api/me", nil)
	env.newClient().must(http.StatusUnauthorized, "POST", "/api/auth/login", map[string]any{"email": f.emails["member"], "password": "correct horse"})
	env.newClient().must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": f.emails["member"], "password": "another horse"})
	var ended struct{ Ended int64 }
	me.must(http.StatusOK, "DELETE", "/api/auth/sessions", nil).decode(t, &ended)
	if ended.Ended != 1 {
		t.Fatalf("ended %d", ended.Ended)
	}
	me.must(http.StatusOK, "GET", "/api/me", nil)
}

func TestResetCodeAndUnlock(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	owner, kid := f.clients["owner"], f.clients["child"]
	// The child's typos lock the child's account on the family tablet...
	tablet := env.newClient()
	tablet.header.Set("X-Forwarded-For", "192.0.2.10")
	for i := 0; i < db.MaxFailuresPerAccountAndAddr; i++ {
		tablet.must(http.StatusUnauthorized, "POST", "/api/auth/login", map[string]any{"email": f.emails["child"], "password": "typo typo"})
	}
	tablet.must(http.StatusTooManyRequests, "POST", "/api/auth/login", map[string]any{"email": f.emails["child"], "password": "correct horse"})
	// ...but not a parent on the same tablet.
	tablet.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": f.emails["member"], "password": "correct horse"})
	var members []memberJSON
	owner.must(http.StatusOK, "GET", "/api/family/members", nil).decode(t, &members)
	for _, m := range members {
		if m.Locked != (m.ID == f.ids["child"]) {
			t.Fatalf("locked: %+v", members)
		}
	}
	// An owner unlocks.
	owner.must(http.StatusNoContent, "POST", "/api/family/members/"+f.ids["child"].String()+"/unlock", nil)
	tablet.must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": f.emails["child"], "password": "correct horse"})

	// A reset code: once, 24 h, ends every session of the member.
	var rc struct {
		Code      string    `json:"code"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	owner.must(http.StatusCreated, "POST", "/api/family/members/"+f.ids["child"].String()+"/reset-code", nil).decode(t, &rc)
	if d := time.Until(rc.ExpiresAt); d < 23*time.Hour || d > 25*time.Hour || len(rc.Code) != 11 {
		t.Fatalf("reset code %+v", rc)
	}
	anon := env.newClient()
	wrong := anon.must(http.StatusUnprocessableEntity, "POST", "/api/auth/reset", map[string]any{"email": f.emails["child"], "code": "AAAAA-AAAAA", "new_password": "new horse!"})
	unknown := anon.must(http.StatusUnprocessableEntity, "POST", "/api/auth/reset", map[string]any{"email": "nobody@example.org", "code": rc.Code, "new_password": "new horse!"})
	if string(wrong.body) != string(unknown.body) {
		t.Fatalf("wrong code %s, unknown email %s", wrong.body, unknown.body)
	}
	anon.must(http.StatusNoContent, "POST", "/api/auth/reset", map[string]any{"email": f.emails["child"], "code": strings.ToLower(rc.Code), "new_password": "new horse!"})
	anon.must(http.StatusUnprocessableEntity, "POST", "/api/auth/reset", map[string]any{"email": f.emails["child"], "code": rc.Code, "new_password": "newer horse"})
	kid.must(http.StatusUnauthorized, "GET", "/api/me", nil)
	tablet.must(http.StatusUnauthorized, "GET", "/api/me", nil)
	env.newClient().must(http.StatusOK, "POST", "/api/auth/login", map[string]any{"email": f.emails["child"], "password": "new horse!"})
	// Wrong codes are limited too.
	for i := 0; i < db.MaxResetFailuresPerAccountAndAddr; i++ {
		anon.do("POST", "/api/auth/reset", map[string]any{"email": f.emails["member"], "code": "AAAAA-AAAAA", "new_password": "new horse!"})
	}
	anon.must(http.StatusTooManyRequests, "POST", "/api/auth/reset", map[string]any{"email": f.emails["member"], "code": "AAAAA-AAAAA", "new_password": "new horse!"})
}

func TestChildPINSignIn(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	owner, member := f.clients["owner"], f.clients["member"]
	childID := f.ids["child"].String()
	owner.must(http.StatusUnprocessableEntity, "PUT", "/api/family/members/"+childID+"/pin", map[string]any{"pin": "12a4"})
	owner.must(http.StatusUnprocessableEntity, "PUT", "/api/family/members/"+f.ids["member"].String()+"/pin", map[string]any{"pin": "1234"})
	owner.must(http.StatusNoContent, "PUT", "/api/family/members/"+childID+"/pin", map[string]any{"pin": "1234"})
	// An adult (here a member) sets the tablet up.
	var dev childDeviceJSON
	member.must(http.StatusCreated, "POST", "/api/family/child-devices", map[string]any{"name": "Kitchen tablet"}).decode(t, &dev)
	if dev.DeviceKey == "" || len(dev.FamilyCode) != 8 {
		t.Fatalf("device %+v", dev)
	}
	tablet := env.newClient()
	signIn := func(want int, key, code, name, pin string) response {
		t.Helper()
		return tablet.must(want, "POST", "/api/auth/pin", map[string]any{"device_key": key, "family_code": code, "name": name, "pin": pin})
	}
	name := "child " + fmt.Sprint(f.n)
	// Every wrong part answers alike.
	a := signIn(http.StatusUnauthorized, "not-a-device", dev.FamilyCode, name, "1234")
	b := signIn(http.StatusUnauthorized, dev.DeviceKey, "ZZZZZZZZ", name, "1234")
	c := signIn(http.StatusUnauthorized, dev.DeviceKey, dev.FamilyCode, "Nobody", "1234")
	d := signIn(http.StatusUnauthorized, dev.DeviceKey, dev.FamilyCode, name, "9999")
	if string(a.body) != string(b.body) || string(b.body) != string(c.body) || string(c.body) != string(d.body) {
		t.Fatalf("PIN answers differ: %s %s %s %s", a.body, b.body, c.body, d.body)
	}
	var acc accountResponse
	signIn(http.StatusOK, dev.DeviceKey, strings.ToLower(dev.FamilyCode), strings.ToUpper(name), "1234").decode(t, &acc)
	if acc.User.ID != f.ids["child"] || acc.Role != "child" {
		t.Fatalf("signed in as %+v", acc)
	}
	tablet.must(http.StatusOK, "GET", "/api/me", nil)
	var sessions []sessionListJSON
	tablet.must(http.StatusOK, "GET", "/api/auth/sessions", nil).decode(t, &sessions)
	if len(sessions) != 2 || sessions[0].ChildDeviceID == nil || *sessions[0].DeviceName != "Kitchen tablet" {
		t.Fatalf("sessions %+v", sessions)
	}
	// Wrong PINs lock the child on this device (it has its own limit).
	for i := 0; i < db.MaxPINFailuresPerChildAndDevice; i++ {
		signIn(http.StatusUnauthorized, dev.DeviceKey, dev.FamilyCode, name, "0000")
	}
	r := signIn(http.StatusTooManyRequests, dev.DeviceKey, dev.FamilyCode, name, "1234")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	var members []memberJSON
	owner.must(http.StatusOK, "GET", "/api/family/members", nil).decode(t, &members)
	for _, m := range members {
		if m.ID == f.ids["child"] && (!m.Locked || !m.HasPIN) {
			t.Fatalf("child %+v", m)
		}
	}
	owner.must(http.StatusNoContent, "POST", "/api/family/members/"+childID+"/unlock", nil)
	signIn(http.StatusOK, dev.DeviceKey, dev.FamilyCode, name, "1234")
	// Revoking the device ends its sessions and its key.
	owner.must(http.StatusNoContent, "DELETE", "/api/family/child-devices/"+dev.ID.String(), nil)
	tablet.must(http.StatusUnauthorized, "GET", "/api/me", nil)
	signIn(http.StatusUnauthorized, dev.DeviceKey, dev.FamilyCode, name, "1234")
	// Only children have PINs: a child made a member loses it.
	owner.must(http.StatusOK, "PATCH", "/api/family/members/"+childID, map[string]any{"role": "member"})
	owner.must(http.StatusOK, "GET", "/api/family/members", nil).decode(t, &members)
	for _, m := range members {
		if m.HasPIN {
			t.Fatalf("PIN kept: %+v", m)
		}
	}
}

func TestInvitesListAndDelete(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	owner := f.clients["owner"]
	var inv inviteJSON
	owner.must(http.StatusCreated, "POST", "/api/family/invites", map[string]any{"role": "child"}).decode(t, &inv)
	var list []inviteJSON
	f.clients["member"].must(http.StatusOK, "GET", "/api/family/invites", nil).decode(t, &list)
	if len(list) != 3 || list[0].ID != inv.ID || list[0].Code != "" || list[0].Status != "open" || list[1].Status != "used" || list[1].UsedBy == nil {
		t.Fatalf("invites %+v", list)
	}
	f.clients["member"].must(http.StatusNoContent, "DELETE", "/api/family/invites/"+inv.ID.String(), nil)
	r := env.newClient().must(http.StatusUnprocessableEntity, "POST", "/api/auth/signup", map[string]any{
		"email": "late@example.org", "password": "correct horse", "display_name": "L", "invite_code": inv.Code})
	if r.errorBody(t).Field != "invite_code" {
		t.Fatalf("deleted invite: %s", r.body)
	}
	env.pool.Exec(t.Context(), "UPDATE invites SET expires_at = now() - interval '1 minute'")
	owner.must(http.StatusOK, "GET", "/api/family/invites", nil).decode(t, &list)
	if list[0].Status != "used" && list[0].Status != "expired" {
		t.Fatalf("invites %+v", list)
	}
}

// TestOwnersRaceKeepsAnOwner: two owners removing each other at the same
// moment leave the family with one of them, never with none.
func TestOwnersRaceKeepsAnOwner(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	for range 5 {
		f := newFamilyOfThree(t, env)
		f.clients["owner"].must(http.StatusOK, "PATCH", "/api/family/members/"+f.ids["member"].String(), map[string]any{"role": "owner"})
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, pair := range [][2]string{{"owner", "member"}, {"member", "owner"}} {
			wg.Go(func() {
				statuses[i] = f.clients[pair[0]].do("DELETE", "/api/family/members/"+f.ids[pair[1]].String(), nil).StatusCode
			})
		}
		wg.Wait()
		var owners int
		if err := env.pool.QueryRow(t.Context(), "SELECT count(*) FROM memberships WHERE role = 'owner' AND user_id IN ($1, $2)",
			f.ids["owner"], f.ids["member"]).Scan(&owners); err != nil {
			t.Fatal(err)
		}
		if owners != 1 {
			t.Fatalf("answers %v left %d owners", statuses, owners)
		}
	}
}

// TestDepartedMembersCredentialedSubscriptions: when a member leaves or is
// removed, the calendar subscriptions they added with a user name or a
// password (their account somewhere else), or whose address carries a
// token (a query string, Google's private address), go with them, with their
// imported events, in the same transaction: the family's server must not
// go on signing in to the departed member's calendar. Subscriptions
// without credentials, and other members' subscriptions, stay.
func TestDepartedMembersCredentialedSubscriptions(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{
		TrustedProxies: mustPrefixes("127.0.0.1/32", "::1/128"),
		Calendar:       ical.Config{SecretKey: "test secret key 0123456789"},
	})
	subscribe := func(f *family, role, name string, creds map[string]any) uuid.UUID {
		t.Helper()
		body := map[string]any{"url": "https://example.org/" + name + ".ics", "name": name}
		maps.Copy(body, creds)
		if u, ok := body["url"].(string); ok && strings.Contains(u, "%s") {
			body["url"] = fmt.Sprintf(u, name)
		}
		var sub subscriptionJSON
		f.clients[role].must(http.StatusCreated, "POST", "/api/calendar/subscriptions", body).decode(t, &sub)
		if _, err := env.pool.Exec(t.Context(), `INSERT INTO calendar_events (family_id, title, starts_at, ends_at, subscription_id, read_only, source_href)
			SELECT family_id, $2::text, now(), now() + interval '1 hour', id, true, 'uid:' || $2::text FROM calendar_subscriptions WHERE id = $1`, sub.ID, name); err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	// left lists the subscriptions still there (by name) and checks that
	// exactly their imported events are left.
	left := func(f *family, role string) []string {
		t.Helper()
		var subs []subscriptionJSON
		f.clients[role].must(http.StatusOK, "GET", "/api/calendar/subscriptions", nil).decode(t, &subs)
		var names []string
		for _, s := range subs {
			names = append(names, s.Name)
		}
		slices.Sort(names)
		var events []string
		rows, err := env.pool.Query(t.Context(), `SELECT e.title FROM calendar_events e JOIN memberships m USING (family_id)
			WHERE m.user_id = $1 AND e.subscription_id IS NOT NULL ORDER BY 1`, f.ids[role])
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var title string
			if err := rows.Scan(&title); err != nil {
				t.Fatal(err)
			}
			events = append(events, title)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names, events) {
			t.Fatalf("subscriptions %q, imported events %q: want the events of exactly those", names, events)
		}
		return names
	}
	withPassword := map[string]any{"username": "ana", "password": "s3cret"}
	withUsername := map[string]any{"username": "ana"}
	// Addresses that carry the member's secret (db.URLCarriesSecret).
	withQuery := map[string]any{"url": "https://example.org/%s.ics?token=abc"}
	withGooglePrivate := map[string]any{"url": "https://calendar.google.com/calendar/ical/ana%%40gmail.com/private-0f1e2d3c4b5a69788796a5b4c3d2e1f0/basic.ics#%s"}
	// A public address, with words and a year in it, stays.
	public := map[string]any{"url": "https://example.org/holidays-2027/%s.ics"}

	// Removed by an owner.
	f := newFamilyOfThree(t, env)
	subscribe(f, "member", "work", withPassword)
	subscribe(f, "member", "club", withUsername)
	subscribe(f, "member", "school", nil)
	subscribe(f, "member", "token", withQuery)
	subscribe(f, "member", "google", withGooglePrivate)
	subscribe(f, "member", "public", public)
	subscribe(f, "owner", "owners-work", withPassword)
	if got := left(f, "owner"); !slices.Equal(got, []string{"club", "google", "owners-work", "public", "school", "token", "work"}) {
		t.Fatalf("before: %q", got)
	}
	// The app names what will go from holds_secret.
	var subs []subscriptionJSON
	f.clients["owner"].must(http.StatusOK, "GET", "/api/calendar/subscriptions", nil).decode(t, &subs)
	for _, s := range subs {
		if want := !slices.Contains([]string{"school", "public"}, s.Name); s.HoldsSecret != want {
			t.Errorf("%s: holds_secret %v, want %v", s.Name, s.HoldsSecret, want)
		}
	}
	f.clients["owner"].must(http.StatusNoContent, "DELETE", "/api/family/members/"+f.ids["member"].String(), nil)
	if got := left(f, "owner"); !slices.Equal(got, []string{"owners-work", "public", "school"}) {
		t.Fatalf("after the member was removed: %q, want the owner's and the ones that hold no secret", got)
	}

	// Leaving.
	g := newFamilyOfThree(t, env)
	subscribe(g, "member", "work", withPassword)
	subscribe(g, "member", "holidays", nil)
	subscribe(g, "member", "token", withQuery)
	g.clients["member"].must(http.StatusNoContent, "POST", "/api/family/leave", nil)
	if got := left(g, "owner"); !slices.Equal(got, []string{"holidays"}) {
		t.Fatalf("after the member left: %q, want the one that holds no secret", got)
	}
}
