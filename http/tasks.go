package http

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Task field limits; the CHECK constraints of 00005_tasks.sql mirror them.
const (
	maxTaskTitle = 200
	maxTaskNotes = 4000
)

// mountTasks adds the tasks endpoints to the authenticated API router.
func (s *Server) mountTasks(r chi.Router) {
	r.Get("/tasks", s.handleTaskList)
	r.Post("/tasks", s.handleTaskCreate)
	r.Get("/tasks/{id}", s.handleTaskGet)
	r.Patch("/tasks/{id}", s.handleTaskUpdate)
	r.Delete("/tasks/{id}", s.handleTaskDelete)
	r.Post("/tasks/{id}/complete", s.handleTaskComplete)
	r.Post("/tasks/{id}/uncomplete", s.handleTaskUncomplete)
	r.Post("/tasks/{id}/snooze", s.handleTaskSnooze)
}

type taskJSON struct {
	ID           uuid.UUID   `json:"id"`
	Title        string      `json:"title"`
	Notes        string      `json:"notes"`
	DueAt        *time.Time  `json:"due_at"`
	AssigneeID   *uuid.UUID  `json:"assignee_id"`
	Recurrence   *string     `json:"recurrence"`
	IsTemplate   bool        `json:"is_template"`
	TemplateID   *uuid.UUID  `json:"template_id"`
	Rotation     []uuid.UUID `json:"rotation"` // http/jobs.go
	InstanceDate *string     `json:"instance_date"`
	CompletedAt  *time.Time  `json:"completed_at"`
	CompletedBy  *uuid.UUID  `json:"completed_by"`
	SnoozedUntil *time.Time  `json:"snoozed_until"`
	CreatedBy    *uuid.UUID  `json:"created_by"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

func toTaskJSON(t dbsqlc.Task) taskJSON {
	j := taskJSON{
		ID: t.ID, Title: t.Title, Notes: t.Notes, DueAt: utcPtr(t.DueAt), AssigneeID: t.AssigneeID,
		Recurrence: t.Recurrence, IsTemplate: t.Recurrence != nil, TemplateID: t.TemplateID, Rotation: t.Rotation,
		CompletedAt: utcPtr(t.CompletedAt), CompletedBy: t.CompletedBy, SnoozedUntil: utcPtr(t.SnoozedUntil),
		CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(),
	}
	if t.InstanceDate.Valid {
		d := t.InstanceDate.Time.Format(time.DateOnly)
		j.InstanceDate = &d
	}
	return j
}

func toTaskJSONs(ts []dbsqlc.Task) []taskJSON {
	out := make([]taskJSON, len(ts))
	for i, t := range ts {
		out[i] = toTaskJSON(t)
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// handleTaskList answers the open list, a day's tasks (?date=) or the
// templates (?templates=true). It first makes sure today's instances exist,
// so the lists are right even before the daily job ran.
func (s *Server) handleTaskList(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "date", "templates", "include_snoozed"); err != nil {
		s.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	templates, err := queryBool(r, "templates")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	includeSnoozed, err := queryBool(r, "include_snoozed")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var day time.Time
	if q.Has("date") {
		if day, err = parseDate("date", q.Get("date")); err != nil {
			s.Error(w, r, err)
			return
		}
		if templates {
			s.Error(w, r, familyhub.Invalid("templates", "templates cannot be combined with date."))
			return
		}
	}
	a := AuthFrom(r.Context())
	var tasks []dbsqlc.Task
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		loc, err := s.ensureTodaysTasks(r.Context(), tx, a.FamilyID)
		if err != nil {
			return err
		}
		switch {
		case templates:
			tasks, err = s.store.Q.TaskListTemplates(r.Context(), tx, a.FamilyID)
		case !day.IsZero():
			start, end := familyhub.DayBounds(day, loc)
			tasks, err = s.store.Q.TaskListDay(r.Context(), tx, dbsqlc.TaskListDayParams{
				FamilyID: a.FamilyID, DayStart: start, DayEnd: end, Day: pgtype.Date{Time: day, Valid: true},
			})
		default:
			tasks, err = s.store.Q.TaskListOpen(r.Context(), tx, dbsqlc.TaskListOpenParams{FamilyID: a.FamilyID, IncludeSnoozed: includeSnoozed})
		}
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, toTaskJSONs(tasks))
}

// ensureTodaysTasks creates the instances due today in the family's zone
// and returns that zone.
func (s *Server) ensureTodaysTasks(ctx context.Context, tx pgx.Tx, familyID uuid.UUID) (*time.Location, error) {
	loc, err := s.store.FamilyLocation(ctx, tx, familyID)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.TaskInstancesEnsure(ctx, tx, familyID, familyhub.CivilDate(time.Now(), loc)); err != nil {
		return nil, err
	}
	return loc, nil
}

type taskCreateRequest struct {
	Title      string                `json:"title"`
	Notes      string                `json:"notes"`
	DueAt      *string               `json:"due_at"`
	AssigneeID *string               `json:"assignee_id"`
	Recurrence *string               `json:"recurrence"`
	Rotation   Optional[[]uuid.UUID] `json:"rotation"` // http/jobs.go
}

func (s *Server) handleTaskCreate(w http.ResponseWriter, r *http.Request) {
	var req taskCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	p := dbsqlc.TaskInsertParams{FamilyID: a.FamilyID, Title: strings.TrimSpace(req.Title), Notes: req.Notes, CreatedBy: &a.UserID}
	if err := validateTaskText(p.Title, p.Notes); err != nil {
		s.Error(w, r, err)
		return
	}
	var err error
	if req.DueAt != nil {
		due, err := parseTimestamp("due_at", *req.DueAt)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p.DueAt = &due
	}
	if req.Recurrence != nil {
		rec, err := familyhub.ParseRecurrence("recurrence", *req.Recurrence)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p.Recurrence = ptr(rec.String())
	}
	if req.AssigneeID != nil {
		if p.AssigneeID, err = parseAssignee(*req.AssigneeID); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	var task dbsqlc.Task
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		var err error
		if task, err = s.taskInsert(r.Context(), tx, p); err != nil {
			return err
		}
		task, err = s.taskRotationSet(r.Context(), tx, task, req.Rotation) // http/jobs.go
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, toTaskJSON(task))
}

// taskInsert creates the validated task p in tx: the assignee must be a
// member of the family, and a recurring task gets today's instance at once.
// The assistant creates tasks through it too.
func (s *Server) taskInsert(ctx context.Context, tx pgx.Tx, p dbsqlc.TaskInsertParams) (dbsqlc.Task, error) {
	if err := s.checkAssignee(ctx, tx, p.FamilyID, p.AssigneeID); err != nil {
		return dbsqlc.Task{}, err
	}
	task, err := s.store.Q.TaskInsert(ctx, tx, p)
	if err != nil {
		return task, db.Err(err, "task")
	}
	if task.Recurrence != nil {
		_, err = s.ensureTodaysTasks(ctx, tx, p.FamilyID)
	}
	return task, err
}

func (s *Server) handleTaskGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "task")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	task, err := s.store.Q.TaskGet(r.Context(), s.store.Pool, dbsqlc.TaskGetParams{ID: id, FamilyID: AuthFrom(r.Context()).FamilyID})
	if err != nil {
		s.Error(w, r, db.Err(err, "task"))
		return
	}
	WriteJSON(w, http.StatusOK, toTaskJSON(task))
}

type taskUpdateRequest struct {
	Title        Optional[string]      `json:"title"`
	Notes        Optional[string]      `json:"notes"`
	DueAt        Optional[string]      `json:"due_at"`
	AssigneeID   Optional[string]      `json:"assignee_id"`
	Recurrence   Optional[string]      `json:"recurrence"`
	SnoozedUntil Optional[string]      `json:"snoozed_until"`
	Rotation     Optional[[]uuid.UUID] `json:"rotation"` // http/jobs.go
}

func (s *Server) handleTaskUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "task")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req taskUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var task dbsqlc.Task
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		cur, err := s.store.Q.TaskGetForUpdate(r.Context(), tx, dbsqlc.TaskGetForUpdateParams{ID: id, FamilyID: a.FamilyID})
		if err != nil {
			return db.Err(err, "task")
		}
		p, err := req.apply(cur)
		if err != nil {
			return err
		}
		if req.AssigneeID.Set {
			if err := s.checkAssignee(r.Context(), tx, a.FamilyID, p.AssigneeID); err != nil {
				return err
			}
		}
		if task, err = s.store.Q.TaskUpdate(r.Context(), tx, p); err != nil {
			return db.Err(err, "task")
		}
		if task, err = s.taskRotationSet(r.Context(), tx, task, req.Rotation); err != nil { // http/jobs.go
			return err
		}
		if task.Recurrence != nil {
			_, err = s.ensureTodaysTasks(r.Context(), tx, a.FamilyID)
		}
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, toTaskJSON(task))
}

// apply returns the update of cur that req asks for, validated.
func (req *taskUpdateRequest) apply(cur dbsqlc.Task) (dbsqlc.TaskUpdateParams, error) {
	p := dbsqlc.TaskUpdateParams{
		ID: cur.ID, FamilyID: cur.FamilyID, Title: cur.Title, Notes: cur.Notes, DueAt: cur.DueAt,
		AssigneeID: cur.AssigneeID, Recurrence: cur.Recurrence, SnoozedUntil: cur.SnoozedUntil,
	}
	if req.Title.Set {
		if req.Title.Null {
			return p, familyhub.Invalid("title", "title cannot be null.")
		}
		p.Title = strings.TrimSpace(req.Title.Value)
	}
	if req.Notes.Set {
		p.Notes = req.Notes.Value // null clears
	}
	if err := validateTaskText(p.Title, p.Notes); err != nil {
		return p, err
	}
	if req.DueAt.Set {
		p.DueAt = nil
		if !req.DueAt.Null {
			due, err := parseTimestamp("due_at", req.DueAt.Value)
			if err != nil {
				return p, err
			}
			p.DueAt = &due
		}
	}
	if req.AssigneeID.Set {
		p.AssigneeID = nil
		if !req.AssigneeID.Null {
			var err error
			if p.AssigneeID, err = parseAssignee(req.AssigneeID.Value); err != nil {
				return p, err
			}
		}
	}
	if req.Recurrence.Set {
		switch {
		case cur.Recurrence == nil && !req.Recurrence.Null:
			return p, familyhub.Invalid("recurrence", "Only a recurring task can change its recurrence; create a new recurring task instead.")
		case cur.Recurrence != nil && req.Recurrence.Null:
			return p, familyhub.Invalid("recurrence", "A recurring task keeps a recurrence; delete it to stop it.")
		case cur.Recurrence != nil:
			rec, err := familyhub.ParseRecurrence("recurrence", req.Recurrence.Value)
			if err != nil {
				return p, err
			}
			p.Recurrence = ptr(rec.String())
		}
	}
	if req.SnoozedUntil.Set {
		p.SnoozedUntil = nil
		if !req.SnoozedUntil.Null {
			if cur.Recurrence != nil {
				return p, familyhub.Invalid("snoozed_until", "A recurring task cannot be snoozed; snooze one of its instances.")
			}
			until, err := parseFutureTimestamp("snoozed_until", req.SnoozedUntil.Value)
			if err != nil {
				return p, err
			}
			p.SnoozedUntil = &until
		}
	}
	return p, nil
}

func (s *Server) handleTaskDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "task")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		cur, err := s.store.Q.TaskGetForUpdate(r.Context(), tx, dbsqlc.TaskGetForUpdateParams{ID: id, FamilyID: a.FamilyID})
		if err != nil {
			return db.Err(err, "task")
		}
		if cur.Recurrence != nil {
			if _, err := s.store.Q.TaskDeleteOpenInstances(r.Context(), tx, dbsqlc.TaskDeleteOpenInstancesParams{TemplateID: &cur.ID, FamilyID: a.FamilyID}); err != nil {
				return err
			}
		}
		_, err = s.store.Q.TaskDelete(r.Context(), tx, dbsqlc.TaskDeleteParams{ID: id, FamilyID: a.FamilyID})
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleTaskComplete(w http.ResponseWriter, r *http.Request) {
	a := AuthFrom(r.Context())
	s.taskAction(w, r, func(tx pgx.Tx, cur dbsqlc.Task) (dbsqlc.Task, error) {
		return s.taskComplete(r.Context(), tx, cur, a.UserID)
	})
}

// taskComplete marks the locked one-off task or instance cur done by user
// (the assistant completes tasks through it too).
func (s *Server) taskComplete(ctx context.Context, tx pgx.Tx, cur dbsqlc.Task, user uuid.UUID) (dbsqlc.Task, error) {
	if cur.CompletedAt != nil {
		return cur, nil // already done: no change, no event
	}
	return s.store.Q.TaskComplete(ctx, tx, dbsqlc.TaskCompleteParams{ID: cur.ID, FamilyID: cur.FamilyID, CompletedBy: &user})
}

func (s *Server) handleTaskUncomplete(w http.ResponseWriter, r *http.Request) {
	s.taskAction(w, r, func(tx pgx.Tx, cur dbsqlc.Task) (dbsqlc.Task, error) {
		if cur.CompletedAt == nil {
			return cur, nil
		}
		return s.store.Q.TaskUncomplete(r.Context(), tx, dbsqlc.TaskUncompleteParams{ID: cur.ID, FamilyID: cur.FamilyID})
	})
}

type taskSnoozeRequest struct {
	Until *string `json:"until"`
}

func (s *Server) handleTaskSnooze(w http.ResponseWriter, r *http.Request) {
	if _, err := pathID(r, "task"); err != nil {
		s.Error(w, r, err)
		return
	}
	var req taskSnoozeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Until == nil {
		s.Error(w, r, familyhub.Invalid("until", "until is required."))
		return
	}
	until, err := parseFutureTimestamp("until", *req.Until)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.taskAction(w, r, func(tx pgx.Tx, cur dbsqlc.Task) (dbsqlc.Task, error) {
		if cur.CompletedAt != nil {
			return cur, familyhub.Errorf(familyhub.ECONFLICT, "The task is completed; uncomplete it before snoozing it.")
		}
		return s.store.Q.TaskSnooze(r.Context(), tx, dbsqlc.TaskSnoozeParams{ID: cur.ID, FamilyID: cur.FamilyID, SnoozedUntil: &until})
	})
}

// taskAction runs fn on the locked task of the path in a transaction and
// answers the task it returns. Templates are refused: only one-off tasks
// and instances get done or snoozed.
func (s *Server) taskAction(w http.ResponseWriter, r *http.Request, fn func(tx pgx.Tx, cur dbsqlc.Task) (dbsqlc.Task, error)) {
	id, err := pathID(r, "task")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a := AuthFrom(r.Context())
	var task dbsqlc.Task
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		cur, err := s.store.Q.TaskGetForUpdate(r.Context(), tx, dbsqlc.TaskGetForUpdateParams{ID: id, FamilyID: a.FamilyID})
		if err != nil {
			return db.Err(err, "task")
		}
		if cur.Recurrence != nil {
			return familyhub.Errorf(familyhub.ECONFLICT, "This is a recurring task; complete or snooze one of its instances instead.")
		}
		task, err = fn(tx, cur)
		return db.Err(err, "task")
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, toTaskJSON(task))
}

func validateTaskText(title, notes string) error {
	if err := validateText("title", title, 1, maxTaskTitle); err != nil {
		return err
	}
	return validateText("notes", notes, 0, maxTaskNotes)
}

// parseAssignee parses an assignee id; a malformed one is invalid input
// (422), not a missing row.
func parseAssignee(s string) (*uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return nil, familyhub.Invalid("assignee_id", "assignee_id must be the id of a member of your family.")
	}
	return &id, nil
}

// checkAssignee refuses an assignee who is not a member of the family.
func (s *Server) checkAssignee(ctx context.Context, tx pgx.Tx, familyID uuid.UUID, assignee *uuid.UUID) error {
	if assignee == nil {
		return nil
	}
	ok, err := s.store.Q.TaskAssigneeIsMember(ctx, tx, dbsqlc.TaskAssigneeIsMemberParams{FamilyID: familyID, UserID: *assignee})
	if err != nil {
		return err
	}
	if !ok {
		return familyhub.Invalid("assignee_id", "assignee_id must be the id of a member of your family.")
	}
	return nil
}

// Input helpers shared by tasks and calendar.

// Timestamps are accepted between these years: enough for any family, and
// it bounds how far a recurrence is expanded.
const (
	minYear = 1900
	maxYear = 2999
)

// parseTimestamp parses an RFC 3339 timestamp, refusing anything else with
// EINVALID naming field.
func parseTimestamp(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, familyhub.Invalid(field, "%s must be an RFC 3339 timestamp such as 2026-03-29T09:00:00+02:00.", field)
	}
	if t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}, familyhub.Invalid(field, "%s must be between the years %d and %d.", field, minYear, maxYear)
	}
	return t, nil
}

// parseFutureTimestamp is parseTimestamp for times that must lie ahead.
func parseFutureTimestamp(field, s string) (time.Time, error) {
	t, err := parseTimestamp(field, s)
	if err == nil && !t.After(time.Now()) {
		err = familyhub.Invalid(field, "%s must be in the future.", field)
	}
	return t, err
}

// parseDate parses a civil date YYYY-MM-DD into midnight UTC of that date.
func parseDate(field, s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < minYear || d.Year() > maxYear {
		return time.Time{}, familyhub.Invalid(field, "%s must be a date YYYY-MM-DD.", field)
	}
	return d, nil
}

// checkQuery refuses query parameters other than allowed, and repeated
// ones, naming the parameter.
func checkQuery(r *http.Request, allowed ...string) error {
	for name, values := range r.URL.Query() {
		known := false
		for _, a := range allowed {
			known = known || a == name
		}
		if !known {
			return familyhub.Invalid(name, "Unknown query parameter %q.", name)
		}
		if len(values) > 1 {
			return familyhub.Invalid(name, "Query parameter %q is given more than once.", name)
		}
	}
	return nil
}

// queryBool parses an optional true/false query parameter.
func queryBool(r *http.Request, name string) (bool, error) {
	switch r.URL.Query().Get(name) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, familyhub.Invalid(name, "%s must be true or false.", name)
}

func ptr[T any](v T) *T { return &v }
