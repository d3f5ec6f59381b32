package http

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// loggedChange is one event_log row as the tasks and calendar tests see it.
type loggedChange struct {
	Type, Op string
	Actor    *uuid.UUID
}

// changesOf returns the event_log rows about entity id, in order.
func (e *testEnv) changesOf(id uuid.UUID) []loggedChange {
	e.t.Helper()
	rows, err := e.pool.Query(context.Background(), "SELECT type, op, actor_id FROM event_log WHERE entity_id = $1 ORDER BY family_id, seq", id)
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (loggedChange, error) {
		var c loggedChange
		return c, row.Scan(&c.Type, &c.Op, &c.Actor)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// wantChanges checks that entity id produced exactly ops, of type typ, by actor.
func (e *testEnv) wantChanges(t *testing.T, id uuid.UUID, typ string, actor uuid.UUID, ops ...string) {
	t.Helper()
	got := e.changesOf(id)
	if len(got) != len(ops) {
		t.Fatalf("events of %s: %+v, want ops %v", id, got, ops)
	}
	for i, c := range got {
		if c.Type != typ || c.Op != ops[i] || c.Actor == nil || *c.Actor != actor {
			t.Fatalf("event %d of %s: %+v (actor %v), want %s %s by %s", i, id, c, c.Actor, typ, ops[i], actor)
		}
	}
}

// joinFamily signs up a new member of owner's family through an invite.
func (e *testEnv) joinFamily(owner *client, email string) (*client, accountResponse) {
	e.t.Helper()
	var invite struct{ Code string }
	owner.must(http.StatusCreated, "POST", "/api/family/invites", nil).decode(e.t, &invite)
	c := e.newClient()
	var acc accountResponse
	c.must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{
		"email": email, "password": "correct horse", "display_name": "Member", "invite_code": invite.Code,
	}).decode(e.t, &acc)
	return c, acc
}

func (e *testEnv) setTimeZone(c *client, zone string) *time.Location {
	e.t.Helper()
	c.must(http.StatusOK, "PATCH", "/api/family", map[string]any{"time_zone": zone})
	loc, err := time.LoadLocation(zone)
	if err != nil {
		e.t.Fatal(err)
	}
	return loc
}

// instanceParams is the insert of tmpl's instance for the civil date day.
func instanceParams(tmpl taskJSON, family uuid.UUID, day time.Time) dbsqlc.TaskInstanceInsertParams {
	return dbsqlc.TaskInstanceInsertParams{
		FamilyID: family, Title: tmpl.Title, Notes: tmpl.Notes, TemplateID: &tmpl.ID,
		InstanceDate: pgtype.Date{Time: day, Valid: true},
	}
}

func taskIDs(ts []taskJSON) []uuid.UUID {
	ids := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

func hasTask(ts []taskJSON, id uuid.UUID) bool {
	for _, t := range ts {
		if t.ID == id {
			return true
		}
	}
	return false
}

func TestTaskLifecycle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, acc := env.signup("tasks@example.org", "Tasks")
	_, kid := env.joinFamily(c, "kid@example.org")

	due := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	var task taskJSON
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{
		"title": "  Take out the bins ", "notes": "Blue one too", "due_at": due.Format(time.RFC3339), "assignee_id": kid.User.ID,
	}).decode(t, &task)
	if task.Title != "Take out the bins" || task.Notes != "Blue one too" || task.DueAt == nil || !task.DueAt.Equal(due) ||
		task.AssigneeID == nil || *task.AssigneeID != kid.User.ID || task.IsTemplate || task.CompletedAt != nil ||
		task.CreatedBy == nil || *task.CreatedBy != acc.User.ID || task.CreatedAt.IsZero() || task.UpdatedAt.IsZero() {
		t.Fatalf("created %+v", task)
	}
	path := "/api/tasks/" + task.ID.String()
	var got taskJSON
	c.must(http.StatusOK, "GET", path, nil).decode(t, &got)
	if got.ID != task.ID || got.Title != task.Title {
		t.Fatalf("get %+v", got)
	}

	// PATCH: absent fields stay, null clears.
	c.must(http.StatusOK, "PATCH", path, map[string]any{"title": "Bins", "due_at": nil}).decode(t, &got)
	if got.Title != "Bins" || got.DueAt != nil || got.Notes != "Blue one too" || got.AssigneeID == nil || !got.UpdatedAt.After(task.UpdatedAt) {
		t.Fatalf("patched %+v", got)
	}
	c.must(http.StatusOK, "PATCH", path, map[string]any{"assignee_id": nil}).decode(t, &got)
	if got.AssigneeID != nil {
		t.Fatalf("assignee not cleared: %+v", got)
	}

	var open []taskJSON
	c.must(http.StatusOK, "GET", "/api/tasks", nil).decode(t, &open)
	if !hasTask(open, task.ID) {
		t.Fatalf("open list %v lacks the task", taskIDs(open))
	}

	// Complete, twice: the first completion time stays.
	c.must(http.StatusOK, "POST", path+"/complete", nil).decode(t, &got)
	if got.CompletedAt == nil || got.CompletedBy == nil || *got.CompletedBy != acc.User.ID {
		t.Fatalf("completed %+v", got)
	}
	first := *got.CompletedAt
	c.must(http.StatusOK, "POST", path+"/complete", nil).decode(t, &got)
	if !got.CompletedAt.Equal(first) {
		t.Fatal("completing again changed completed_at")
	}
	c.must(http.StatusOK, "GET", "/api/tasks", nil).decode(t, &open)
	if hasTask(open, task.ID) {
		t.Fatal("completed task in the open list")
	}
	// Snoozing a completed task is a conflict.
	r := c.must(http.StatusConflict, "POST", path+"/snooze", map[string]any{"until": time.Now().Add(time.Hour).Format(time.RFC3339)})
	if r.errorBody(t).Code != familyhub.ECONFLICT {
		t.Fatal("wrong code")
	}
	c.must(http.StatusOK, "POST", path+"/uncomplete", nil).decode(t, &got)
	if got.CompletedAt != nil || got.CompletedBy != nil {
		t.Fatalf("uncompleted %+v", got)
	}

	// Snooze hides the task from the open list until then.
	until := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
	c.must(http.StatusOK, "POST", path+"/snooze", map[string]any{"until": until.Format(time.RFC3339)}).decode(t, &got)
	if got.SnoozedUntil == nil || !got.SnoozedUntil.Equal(until) {
		t.Fatalf("snoozed %+v", got)
	}
	c.must(http.StatusOK, "GET", "/api/tasks", nil).decode(t, &open)
	if hasTask(open, task.ID) {
		t.Fatal("snoozed task in the open list")
	}
	c.must(http.StatusOK, "GET", "/api/tasks?include_snoozed=true", nil).decode(t, &open)
	if !hasTask(open, task.ID) {
		t.Fatal("snoozed task missing with include_snoozed=true")
	}
	c.must(http.StatusOK, "PATCH", path, map[string]any{"snoozed_until": nil}).decode(t, &got)
	if got.SnoozedUntil != nil {
		t.Fatal("snooze not cancelled")
	}

	c.must(http.StatusNoContent, "DELETE", path, nil)
	c.must(http.StatusNotFound, "GET", path, nil)
	c.must(http.StatusNotFound, "DELETE", path, nil)

	env.wantChanges(t, task.ID, "TASK_UPDATED", acc.User.ID,
		"insert", "update", "update", "update", "update", "update", "update", "delete")
}

// TestTaskOtherFamilyNotFound: another family's task answers 404 on every
// endpoint, exactly like a missing id, and stays untouched.
func TestTaskOtherFamilyNotFound(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	a, _ := env.signup("a@example.org", "A")
	b, _ := env.signup("b@example.org", "B")
	var task taskJSON
	a.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "A's task"}).decode(t, &task)
	var tmpl taskJSON
	a.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "A's chore", "recurrence": "FREQ=DAILY"}).decode(t, &tmpl)

	future := time.Now().Add(time.Hour).Format(time.RFC3339)
	for _, id := range []string{task.ID.String(), tmpl.ID.String(), uuid.NewString(), "not-a-uuid"} {
		p := "/api/tasks/" + id
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"GET", p, nil},
			{"PATCH", p, map[string]any{"title": "mine now"}},
			{"DELETE", p, nil},
			{"POST", p + "/complete", nil},
			{"POST", p + "/uncomplete", nil},
			{"POST", p + "/snooze", map[string]any{"until": future}},
		} {
			r := b.must(http.StatusNotFound, req.method, req.path, req.body)
			if e := r.errorBody(t); e.Code != familyhub.ENOTFOUND || e.Message != "task not found" {
				t.Fatalf("%s %s: %+v", req.method, req.path, e)
			}
		}
	}
	var lists [][]taskJSON
	for _, q := range []string{"", "?templates=true", "?date=" + time.Now().Format(time.DateOnly)} {
		var l []taskJSON
		b.must(http.StatusOK, "GET", "/api/tasks"+q, nil).decode(t, &l)
		lists = append(lists, l)
	}
	for _, l := range lists {
		if len(l) != 0 {
			t.Fatalf("family B sees %v", taskIDs(l))
		}
	}
	var after taskJSON
	a.must(http.StatusOK, "GET", "/api/tasks/"+task.ID.String(), nil).decode(t, &after)
	if after.Title != "A's task" || !after.UpdatedAt.Equal(task.UpdatedAt) || after.CompletedAt != nil {
		t.Fatalf("A's task changed: %+v", after)
	}
}

func TestTaskBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	oneDay(t)
	env := newTestEnv(t, Config{})
	c, _ := env.signup("bad@example.org", "Bad")
	_, other := env.signup("other@example.org", "Other")
	var task, tmpl taskJSON
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Task"}).decode(t, &task)
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Chore", "recurrence": "FREQ=DAILY"}).decode(t, &tmpl)
	c.must(http.StatusOK, "GET", "/api/tasks", nil) // today's instance exists from here on
	tp, mp := "/api/tasks/"+task.ID.String(), "/api/tasks/"+tmpl.ID.String()
	tables := []string{"tasks", "event_log"}
	before := map[string]int{}
	for _, tbl := range tables {
		before[tbl] = env.count(tbl)
	}
	past := time.Now().Add(-time.Minute).Format(time.RFC3339)
	future := time.Now().Add(time.Hour).Format(time.RFC3339)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"create malformed", "POST", "/api/tasks", `{"title":`, 400, "malformed_request", ""},
		{"create no title", "POST", "/api/tasks", map[string]any{"notes": "x"}, 422, "invalid", "title"},
		{"create blank title", "POST", "/api/tasks", map[string]any{"title": "   "}, 422, "invalid", "title"},
		{"create long title", "POST", "/api/tasks", map[string]any{"title": strings.Repeat("t", 201)}, 422, "invalid", "title"},
		{"create control chars", "POST", "/api/tasks", map[string]any{"title": "a\x00b"}, 422, "invalid", "title"},
		{"create long notes", "POST", "/api/tasks", map[string]any{"title": "t", "notes": strings.Repeat("n", 4001)}, 422, "invalid", "notes"},
		{"create unknown field", "POST", "/api/tasks", map[string]any{"title": "t", "priority": 1}, 422, "invalid", "priority"},
		{"create title wrong type", "POST", "/api/tasks", map[string]any{"title": 7}, 422, "invalid", "title"},
		{"create due_at wrong type", "POST", "/api/tasks", map[string]any{"title": "t", "due_at": 42}, 422, "invalid", "due_at"},
		{"create due_at not RFC 3339", "POST", "/api/tasks", map[string]any{"title": "t", "due_at": "tomorrow 9am"}, 422, "invalid", "due_at"},
		{"create due_at without zone", "POST", "/api/tasks", map[string]any{"title": "t", "due_at": "2026-05-01T09:00:00"}, 422, "invalid", "due_at"},
		{"create due_at year 0001", "POST", "/api/tasks", map[string]any{"title": "t", "due_at": "0001-01-01T00:00:00Z"}, 422, "invalid", "due_at"},
		{"create secondly", "POST", "/api/tasks", map[string]any{"title": "t", "recurrence": "FREQ=SECONDLY"}, 422, "invalid", "recurrence"},
		{"create hourly", "POST", "/api/tasks", map[string]any{"title": "t", "recurrence": "FREQ=HOURLY"}, 422, "invalid", "recurrence"},
		{"create garbage rule", "POST", "/api/tasks", map[string]any{"title": "t", "recurrence": "every monday"}, 422, "invalid", "recurrence"},
		{"create assignee other family", "POST", "/api/tasks", map[string]any{"title": "t", "assignee_id": other.User.ID}, 422, "invalid", "assignee_id"},
		{"create assignee unknown", "POST", "/api/tasks", map[string]any{"title": "t", "assignee_id": uuid.New()}, 422, "invalid", "assignee_id"},
		{"create assignee malformed", "POST", "/api/tasks", map[string]any{"title": "t", "assignee_id": "bob"}, 422, "invalid", "assignee_id"},
		{"patch empty title", "PATCH", tp, map[string]any{"title": ""}, 422, "invalid", "title"},
		{"patch null title", "PATCH", tp, map[string]any{"title": nil}, 422, "invalid", "title"},
		{"patch bad due_at", "PATCH", tp, map[string]any{"due_at": "2026-02-30T10:00:00Z"}, 422, "invalid", "due_at"},
		{"patch due_at wrong type", "PATCH", tp, map[string]any{"due_at": true}, 422, "invalid", "due_at"},
		{"patch unknown field", "PATCH", tp, map[string]any{"completed_at": future}, 422, "invalid", "completed_at"},
		{"patch assignee other family", "PATCH", tp, map[string]any{"assignee_id": other.User.ID}, 422, "invalid", "assignee_id"},
		{"patch recurrence on one-off", "PATCH", tp, map[string]any{"recurrence": "FREQ=DAILY"}, 422, "invalid", "recurrence"},
		{"patch recurrence null on template", "PATCH", mp, map[string]any{"recurrence": nil}, 422, "invalid", "recurrence"},
		{"patch minutely on template", "PATCH", mp, map[string]any{"recurrence": "FREQ=MINUTELY"}, 422, "invalid", "recurrence"},
		{"patch snoozed_until past", "PATCH", tp, map[string]any{"snoozed_until": past}, 422, "invalid", "snoozed_until"},
		{"patch snooze template", "PATCH", mp, map[string]any{"snoozed_until": future}, 422, "invalid", "snoozed_until"},
		{"snooze past", "POST", tp + "/snooze", map[string]any{"until": past}, 422, "invalid", "until"},
		{"snooze not a time", "POST", tp + "/snooze", map[string]any{"until": "later"}, 422, "invalid", "until"},
		{"snooze missing until", "POST", tp + "/snooze", map[string]any{}, 422, "invalid", "until"},
		{"snooze no body", "POST", tp + "/snooze", nil, 400, "malformed_request", ""},
		{"snooze template", "POST", mp + "/snooze", map[string]any{"until": future}, 409, "conflict", ""},
		{"complete template", "POST", mp + "/complete", nil, 409, "conflict", ""},
		{"uncomplete template", "POST", mp + "/uncomplete", nil, 409, "conflict", ""},
		{"list bad date", "GET", "/api/tasks?date=2026-13-01", nil, 422, "invalid", "date"},
		{"list date with time", "GET", "/api/tasks?date=2026-03-01T00:00:00Z", nil, 422, "invalid", "date"},
		{"list bad bool", "GET", "/api/tasks?templates=yes", nil, 422, "invalid", "templates"},
		{"list date and templates", "GET", "/api/tasks?date=2026-03-01&templates=true", nil, 422, "invalid", "templates"},
		{"list unknown param", "GET", "/api/tasks?status=open", nil, 422, "invalid", "status"},
		{"list repeated param", "GET", "/api/tasks?date=2026-03-01&date=2026-03-02", nil, 422, "invalid", "date"},
		{"get malformed id", "GET", "/api/tasks/123", nil, 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(tc.method, tc.path, tc.body)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
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
	var after taskJSON
	c.must(http.StatusOK, "GET", tp, nil).decode(t, &after)
	if !after.UpdatedAt.Equal(task.UpdatedAt) {
		t.Fatal("a refused request changed the task")
	}
}

// TestTaskRecurringTemplate: a template makes today's instance at once (in
// the family's zone), lists show instances and not templates, and deleting
// the template keeps completed instances as history.
func TestTaskRecurringTemplate(t *testing.T) {
	t.Parallel()
	oneDay(t)
	env := newTestEnv(t, Config{})
	c, acc := env.signup("chores@example.org", "Chores")
	_, kid := env.joinFamily(c, "kid2@example.org")
	berlin := env.setTimeZone(c, "Europe/Berlin")

	now := time.Now().In(berlin)
	today := now.Format(time.DateOnly)
	sevenAM := time.Date(now.Year(), now.Month(), now.Day(), 7, 0, 0, 0, berlin)
	var tmpl taskJSON
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{
		"title": "Feed the cat", "notes": "Half a can", "due_at": sevenAM.Format(time.RFC3339),
		"assignee_id": kid.User.ID, "recurrence": "rrule:freq=daily",
	}).decode(t, &tmpl)
	if !tmpl.IsTemplate || tmpl.Recurrence == nil || *tmpl.Recurrence != "FREQ=DAILY" || tmpl.TemplateID != nil {
		t.Fatalf("template %+v", tmpl)
	}
	// A weekly chore on another weekday makes no instance today.
	otherDay := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[(int(now.Weekday())+3)%7]
	var weekly taskJSON
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Mop", "recurrence": "FREQ=WEEKLY;BYDAY=" + otherDay}).decode(t, &weekly)
	if n := env.count("tasks WHERE template_id IS NOT NULL"); n != 1 {
		t.Fatalf("%d instances, want 1 (today's cat feeding)", n)
	}

	var day []taskJSON
	c.must(http.StatusOK, "GET", "/api/tasks?date="+today, nil).decode(t, &day)
	if len(day) != 1 {
		t.Fatalf("today: %+v", day)
	}
	inst := day[0]
	if inst.TemplateID == nil || *inst.TemplateID != tmpl.ID || inst.InstanceDate == nil || *inst.InstanceDate != today ||
		inst.IsTemplate || inst.Title != "Feed the cat" || inst.Notes != "Half a can" ||
		inst.AssigneeID == nil || *inst.AssigneeID != kid.User.ID || inst.DueAt == nil || !inst.DueAt.Equal(sevenAM) {
		t.Fatalf("instance %+v", inst)
	}
	var open, templates []taskJSON
	c.must(http.StatusOK, "GET", "/api/tasks", nil).decode(t, &open)
	if !hasTask(open, inst.ID) || hasTask(open, tmpl.ID) || hasTask(open, weekly.ID) {
		t.Fatalf("open list %v", taskIDs(open))
	}
	c.must(http.StatusOK, "GET", "/api/tasks?templates=true", nil).decode(t, &templates)
	if len(templates) != 2 || !hasTask(templates, tmpl.ID) || !hasTask(templates, weekly.ID) {
		t.Fatalf("templates %v", taskIDs(templates))
	}
	// Reading again makes no second instance.
	if n := env.count("tasks WHERE template_id IS NOT NULL"); n != 1 {
		t.Fatalf("%d instances after reading, want 1", n)
	}
	// A template's rule can change, to a valid one.
	var patched taskJSON
	c.must(http.StatusOK, "PATCH", "/api/tasks/"+tmpl.ID.String(), map[string]any{"recurrence": "FREQ=WEEKLY;BYDAY=MO,TH"}).decode(t, &patched)
	if *patched.Recurrence != "FREQ=WEEKLY;BYDAY=MO,TH" {
		t.Fatalf("patched %+v", patched)
	}

	// Complete today's instance; insert one more open instance for another
	// day; delete the template: the open one goes, the done one stays.
	c.must(http.StatusOK, "POST", "/api/tasks/"+inst.ID.String()+"/complete", nil)
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	err := env.server.store.Tx(context.Background(), func(tx *db.Tx) error {
		_, err := env.server.store.Q.TaskInstanceInsert(context.Background(), tx, instanceParams(tmpl, acc.Family.ID, tomorrow))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c.must(http.StatusNoContent, "DELETE", "/api/tasks/"+tmpl.ID.String(), nil)
	c.must(http.StatusNotFound, "GET", "/api/tasks/"+tmpl.ID.String(), nil)
	var kept taskJSON
	c.must(http.StatusOK, "GET", "/api/tasks/"+inst.ID.String(), nil).decode(t, &kept)
	if kept.TemplateID != nil || kept.InstanceDate == nil || *kept.InstanceDate != today || kept.CompletedAt == nil {
		t.Fatalf("kept instance %+v", kept)
	}
	if n := env.count(fmt.Sprintf("tasks WHERE template_id IS NULL AND instance_date IS NOT NULL AND id <> '%s'", inst.ID)); n != 0 {
		t.Fatalf("%d open instances survived their template", n)
	}
	// The instance was created (by the same request) and then completed:
	// the request's user is the actor of both events.
	env.wantChanges(t, inst.ID, "TASK_UPDATED", acc.User.ID, "insert", "update", "update")
	env.wantChanges(t, tmpl.ID, "TASK_UPDATED", acc.User.ID, "insert", "update", "delete")
}

// TestTaskInstancesEnsureIdempotent calls the generator's operation again
// and concurrently: one instance per template and day, whatever happens.
func TestTaskInstancesEnsureIdempotent(t *testing.T) {
	t.Parallel()
	oneDay(t)
	env := newTestEnv(t, Config{})
	c, acc := env.signup("gen@example.org", "Gen")
	berlin := env.setTimeZone(c, "Europe/Berlin")
	var tmpl taskJSON
	c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Water plants", "recurrence": "FREQ=DAILY"}).decode(t, &tmpl)
	store := env.server.store
	ensure := func(date time.Time) (int, error) {
		var n int
		err := store.Tx(context.Background(), func(tx *db.Tx) error {
			var err error
			n, err = tx.TaskInstancesEnsure(context.Background(), acc.Family.ID, date)
			return err
		})
		return n, err
	}
	today := familyhub.CivilDate(time.Now(), berlin)
	if n, err := ensure(today); err != nil || n != 0 {
		t.Fatalf("ensure today after create = %d, %v; want 0 (creating made it)", n, err)
	}
	if n, err := ensure(today.AddDate(0, 0, -1)); err != nil || n != 0 {
		t.Fatalf("ensure before the template existed = %d, %v; want 0", n, err)
	}
	tomorrow := today.AddDate(0, 0, 1)
	if n, err := ensure(tomorrow); err != nil || n != 1 {
		t.Fatalf("ensure tomorrow = %d, %v; want 1", n, err)
	}
	if n, err := ensure(tomorrow); err != nil || n != 0 {
		t.Fatalf("ensure tomorrow again = %d, %v; want 0", n, err)
	}
	// Concurrent generators for the day after: exactly one wins.
	dayAfter := today.AddDate(0, 0, 2)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 8 {
		wg.Go(func() {
			n, err := ensure(dayAfter)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != 1 {
		t.Fatalf("concurrent generators created %d instances, want 1", total)
	}
	for _, d := range []time.Time{today, tomorrow, dayAfter} {
		if n := env.count(fmt.Sprintf("tasks WHERE template_id = '%s' AND instance_date = '%s'", tmpl.ID, d.Format(time.DateOnly))); n != 1 {
			t.Fatalf("%d instances on %s, want 1", n, d.Format(time.DateOnly))
		}
	}
	// An instance of a template without a time has no due_at.
	var inst taskJSON
	var day []taskJSON
	c.must(http.StatusOK, "GET", "/api/tasks?date="+tomorrow.Format(time.DateOnly), nil).decode(t, &day)
	if len(day) != 1 {
		t.Fatalf("tomorrow %+v", day)
	}
	inst = day[0]
	if inst.DueAt != nil || *inst.InstanceDate != tomorrow.Format(time.DateOnly) {
		t.Fatalf("instance %+v", inst)
	}
}

// TestTaskListDateInFamilyZone: ?date is a day of the family's calendar.
func TestTaskListDateInFamilyZone(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("zone@example.org", "Zone")
	env.setTimeZone(c, "Europe/Berlin")
	create := func(title, due string) uuid.UUID {
		var task taskJSON
		c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": title, "due_at": due}).decode(t, &task)
		return task.ID
	}
	late := create("late on the 28th", "2026-03-28T23:30:00+01:00")   // 22:30Z on the 28th
	lateUTC := create("late in Berlin, UTC", "2026-03-28T23:15:00Z")  // 00:15 on the 29th in Berlin
	dst := create("late on the DST day", "2026-03-29T23:30:00+02:00") // 21:30Z on the 29th
	// A snooze must lie ahead: four years on, not a fixed year that a
	// later run would find passed (the snooze refused).
	ahead := strconv.Itoa(time.Now().Year() + 4)
	snoozed := create("snoozed away", ahead+"-03-28T10:00:00+01:00") // moved to the 29th below
	c.must(http.StatusOK, "POST", "/api/tasks/"+snoozed.String()+"/snooze", map[string]any{"until": ahead + "-03-29T09:00:00+02:00"})
	day := func(date string) []uuid.UUID {
		var ts []taskJSON
		c.must(http.StatusOK, "GET", "/api/tasks?date="+date, nil).decode(t, &ts)
		return taskIDs(ts)
	}
	cases := []struct {
		date string
		want []uuid.UUID
	}{
		{"2026-03-27", nil},
		{"2026-03-28", []uuid.UUID{late}},
		{"2026-03-29", []uuid.UUID{lateUTC, dst}},
		{"2026-03-30", nil},
		{ahead + "-03-28", nil},
		{ahead + "-03-29", []uuid.UUID{snoozed}},
	}
	for _, tc := range cases {
		if got := day(tc.date); fmt.Sprint(got) != fmt.Sprint(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("Berlin %s: %v, want %v", tc.date, got, tc.want)
		}
	}
	// The same instants in New York fall on other days.
	env.setTimeZone(c, "America/New_York")
	if got := day("2026-03-28"); len(got) != 2 || got[0] != late || got[1] != lateUTC {
		t.Errorf("New York 2026-03-28: %v, want [%s %s]", got, late, lateUTC)
	}
	if got := day("2026-03-29"); len(got) != 1 || got[0] != dst {
		t.Errorf("New York 2026-03-29: %v, want [%s]", got, dst)
	}
}

// TestTaskConcurrentDeleteAndUpdate: an update racing a delete is 404 or
// 200, never a 500.
func TestTaskConcurrentDeleteAndUpdate(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("race@example.org", "Race")
	for range 5 {
		var task taskJSON
		c.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "racy"}).decode(t, &task)
		p := "/api/tasks/" + task.ID.String()
		var wg sync.WaitGroup
		statuses := make([]int, 3)
		wg.Go(func() { statuses[0] = c.do("DELETE", p, nil).StatusCode })
		wg.Go(func() { statuses[1] = c.do("PATCH", p, map[string]any{"title": "x"}).StatusCode })
		wg.Go(func() { statuses[2] = c.do("POST", p+"/complete", nil).StatusCode })
		wg.Wait()
		if statuses[0] != http.StatusNoContent {
			t.Fatalf("delete: %d", statuses[0])
		}
		for _, s := range statuses[1:] {
			if s != http.StatusOK && s != http.StatusNotFound {
				t.Fatalf("statuses %v", statuses)
			}
		}
	}
}
