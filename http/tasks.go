package http

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// mountTasks adds the tasks endpoints to the authenticated API router.
func (s *Server) mountTasks(r chi.Router) {
	r.Get("/tasks", s.handleTaskList)
	r.Post("/tasks", s.handleTaskCreate)
	r.Get("/tasks/{id}", s.handleTaskGet)
	r.Patch("/tasks/{id}", s.handleTaskUpdate)
	r.Delete("/tasks/{id}", s.deleteHandler("task", (*db.Tx).TaskDelete))
	r.Post("/tasks/{id}/complete", s.handleTaskComplete)
	r.Post("/tasks/{id}/uncomplete", s.handleTaskUncomplete)
	r.Post("/tasks/{id}/snooze", s.handleTaskSnooze)
}

type taskJSON struct {
	ID           uuid.UUID   `json:"id"`
	Version      int64       `json:"version"`
	Title        string      `json:"title"`
	Notes        string      `json:"notes"`
	DueAt        *time.Time  `json:"due_at"`
	AssigneeID   *uuid.UUID  `json:"assignee_id"`
	Recurrence   *string     `json:"recurrence"`
	IsTemplate   bool        `json:"is_template"`
	TemplateID   *uuid.UUID  `json:"template_id"`
	Rotation     []uuid.UUID `json:"rotation"`
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
		ID: t.ID, Version: t.Version, Title: t.Title, Notes: t.Notes, DueAt: utcPtr(t.DueAt), AssigneeID: t.AssigneeID,
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
// templates (?templates=true).
func (s *Server) handleTaskList(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "date", "templates", "include_snoozed"); err != nil {
		s.Error(w, r, err)
		return
	}
	var p db.TaskListParams
	var err error
	if p.Templates, err = queryBool(r, "templates"); err != nil {
		s.Error(w, r, err)
		return
	}
	if p.IncludeSnoozed, err = queryBool(r, "include_snoozed"); err != nil {
		s.Error(w, r, err)
		return
	}
	if q := r.URL.Query(); q.Has("date") {
		day, err := parseDate("date", q.Get("date"))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if p.Templates {
			s.Error(w, r, familyhub.Invalid("templates", "templates cannot be combined with date."))
			return
		}
		p.Day = &day
	}
	var out []taskJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		tasks, err := tx.TaskList(r.Context(), p)
		out = toTaskJSONs(tasks)
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

type taskCreateRequest struct {
	ID         *string                         `json:"id"`
	Title      string                          `json:"title"`
	Notes      string                          `json:"notes"`
	DueAt      *string                         `json:"due_at"`
	AssigneeID *string                         `json:"assignee_id"`
	Recurrence *string                         `json:"recurrence"`
	Rotation   familyhub.Optional[[]uuid.UUID] `json:"rotation"`
}

func (req *taskCreateRequest) task() (db.TaskNew, error) {
	p := db.TaskNew{Title: req.Title, Notes: req.Notes, Recurrence: req.Recurrence, Rotation: req.Rotation}
	var err error
	if p.ID, err = clientID(req.ID); err != nil {
		return p, err
	}
	if req.DueAt != nil {
		due, err := parseTimestamp("due_at", *req.DueAt)
		if err != nil {
			return p, err
		}
		p.DueAt = &due
	}
	if req.AssigneeID != nil {
		id, err := parseAssignee(*req.AssigneeID)
		if err != nil {
			return p, err
		}
		p.AssigneeID = &id
	}
	return p, nil
}

func (s *Server) handleTaskCreate(w http.ResponseWriter, r *http.Request) {
	var req taskCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	p, err := req.task()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var out taskJSON
	var replayed bool
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		var task dbsqlc.Task
		task, replayed, err = tx.TaskCreate(r.Context(), p)
		out = toTaskJSON(task)
		return err
	})
	s.respondRecord(w, r, createdStatus(replayed), out, out.Version, err)
}

func (s *Server) handleTaskGet(w http.ResponseWriter, r *http.Request) {
	s.taskAction(w, r, (*db.Tx).TaskGet)
}

type taskUpdateRequest struct {
	Title        familyhub.Optional[string]      `json:"title"`
	Notes        familyhub.Optional[string]      `json:"notes"`
	DueAt        familyhub.Optional[string]      `json:"due_at"`
	AssigneeID   familyhub.Optional[string]      `json:"assignee_id"`
	Recurrence   familyhub.Optional[string]      `json:"recurrence"`
	SnoozedUntil familyhub.Optional[string]      `json:"snoozed_until"`
	Rotation     familyhub.Optional[[]uuid.UUID] `json:"rotation"`
}

func (req *taskUpdateRequest) patch() (db.TaskPatch, error) {
	p := db.TaskPatch{Title: req.Title, Notes: req.Notes, Recurrence: req.Recurrence, Rotation: req.Rotation}
	var err error
	if p.DueAt, err = optionalTimestamp("due_at", req.DueAt); err != nil {
		return p, err
	}
	if p.SnoozedUntil, err = optionalTimestamp("snoozed_until", req.SnoozedUntil); err != nil {
		return p, err
	}
	p.AssigneeID = familyhub.Optional[uuid.UUID]{Set: req.AssigneeID.Set, Null: req.AssigneeID.Null}
	if req.AssigneeID.Set && !req.AssigneeID.Null {
		p.AssigneeID.Value, err = parseAssignee(req.AssigneeID.Value)
	}
	return p, err
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
	p, err := req.patch()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var out taskJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		task, err := tx.TaskUpdate(r.Context(), id, p)
		out = toTaskJSON(task)
		return err
	})
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}

func (s *Server) handleTaskComplete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "task")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	task, err := s.store.TaskComplete(r.Context(), id)
	out := toTaskJSON(task)
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}

func (s *Server) handleTaskUncomplete(w http.ResponseWriter, r *http.Request) {
	s.taskAction(w, r, (*db.Tx).TaskUncomplete)
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
	until, err := parseTimestamp("until", *req.Until)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.taskAction(w, r, func(tx *db.Tx, ctx context.Context, id uuid.UUID) (dbsqlc.Task, error) {
		return tx.TaskSnooze(ctx, id, until)
	})
}

// taskAction runs op on the task of the path in a transaction and answers
// the task it returns.
func (s *Server) taskAction(w http.ResponseWriter, r *http.Request, op func(tx *db.Tx, ctx context.Context, id uuid.UUID) (dbsqlc.Task, error)) {
	id, err := pathID(r, "task")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var out taskJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		task, err := op(tx, r.Context(), id)
		out = toTaskJSON(task)
		return err
	})
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}

// parseAssignee parses an assignee id; a malformed one is invalid input
// (422), not a missing row.
func parseAssignee(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, familyhub.Invalid("assignee_id", "assignee_id must be the id of a member of your family.")
	}
	return id, nil
}
