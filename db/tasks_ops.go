package db

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TaskNew is a task to create: a one-off task, or with Recurrence a
// recurring template whose instances the generator makes day by day. ID is
// the client's choice (nil: the server chooses); a repeat with the same ID
// is answered, not repeated.
type TaskNew struct {
	ID         *uuid.UUID `json:"-"`
	Title      string
	Notes      string
	DueAt      *time.Time
	AssigneeID *uuid.UUID
	Recurrence *string
	// Rotation lists the members a recurring chore rotates between
	// (docs/api/tasks.md); null or empty for none.
	Rotation familyhub.Optional[[]uuid.UUID]
	// Completed creates a one-off task done already, completed by the
	// caller (a CalDAV PUT of a new VTODO with STATUS:COMPLETED): it needs
	// the right to complete it too, and adds no open task, so
	// familyhub.MaxOpenTasks does not count it.
	Completed bool `json:",omitempty"`
}

// TaskPatch changes the present fields of a task.
type TaskPatch struct {
	Title        familyhub.Optional[string]
	Notes        familyhub.Optional[string] // null clears
	DueAt        familyhub.Optional[time.Time]
	AssigneeID   familyhub.Optional[uuid.UUID]
	Recurrence   familyhub.Optional[string]
	SnoozedUntil familyhub.Optional[time.Time]
	Rotation     familyhub.Optional[[]uuid.UUID]
}

// TaskListParams selects a listing: the open tasks (default), one day's
// tasks (Day set), or the recurring templates.
type TaskListParams struct {
	Day            *time.Time // a civil date (year, month, day)
	Templates      bool
	IncludeSnoozed bool
	// ReadOnly skips making today's instances first (a listing otherwise
	// does, so it is right before the daily job ran).
	ReadOnly bool
}

func validateTaskText(title, notes string) error {
	if err := ValidateText("title", title, 1, familyhub.MaxTaskTitle); err != nil {
		return err
	}
	return ValidateText("notes", notes, 0, familyhub.MaxTaskNotes)
}

// TaskList answers a listing. It first makes sure today's instances exist,
// so the lists are right even before the daily job ran.
func (tx *Tx) TaskList(ctx context.Context, p TaskListParams) ([]dbsqlc.Task, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	var loc *time.Location
	if p.ReadOnly {
		loc, err = tx.FamilyLocation(ctx, family)
	} else {
		loc, err = tx.ensureTodaysTasks(ctx, family)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case p.Templates:
		return tx.q.TaskListTemplates(ctx, tx, family)
	case p.Day != nil:
		start, end := familyhub.DayBounds(*p.Day, loc)
		return tx.q.TaskListDay(ctx, tx, dbsqlc.TaskListDayParams{
			FamilyID: family, DayStart: start, DayEnd: end, Day: pgtype.Date{Time: *p.Day, Valid: true},
		})
	}
	return tx.q.TaskListOpen(ctx, tx, dbsqlc.TaskListOpenParams{FamilyID: family, IncludeSnoozed: p.IncludeSnoozed})
}

// ensureTodaysTasks creates the instances due today in the family's zone
// and returns that zone.
func (tx *Tx) ensureTodaysTasks(ctx context.Context, family uuid.UUID) (*time.Location, error) {
	loc, err := tx.FamilyLocation(ctx, family)
	if err != nil {
		return nil, err
	}
	if _, err := tx.TaskInstancesEnsure(ctx, family, familyhub.CivilDate(time.Now(), loc)); err != nil {
		return nil, err
	}
	return loc, nil
}

// TaskGet returns a task of the family.
func (tx *Tx) TaskGet(ctx context.Context, id uuid.UUID) (dbsqlc.Task, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.Task{}, err
	}
	t, err := tx.q.TaskGet(ctx, tx, dbsqlc.TaskGetParams{ID: id, FamilyID: family})
	return t, Err(err, "task")
}

// TaskCreate creates a task: the assignee must be a member of the family,
// and a recurring task gets today's instance at once. replayed says the
// client's id was used before for the same task, which is returned as it
// is now.
func (tx *Tx) TaskCreate(ctx context.Context, p TaskNew) (task dbsqlc.Task, replayed bool, err error) {
	if err := tx.authorize(familyhub.ActTaskCreate); err != nil {
		return task, false, err
	}
	if err := tx.ownTask(&p); err != nil {
		return task, false, err
	}
	family, err := tx.family()
	if err != nil {
		return task, false, err
	}
	ids, replayed, err := tx.createOnce(ctx, p.ID, "task", p, func() ([]uuid.UUID, error) {
		task, err = tx.taskCreate(ctx, family, p)
		return []uuid.UUID{task.ID}, err
	})
	if err != nil || !replayed {
		return task, replayed, err
	}
	task, err = tx.TaskGet(ctx, ids[0])
	return task, true, err
}

func (tx *Tx) taskCreate(ctx context.Context, family uuid.UUID, p TaskNew) (dbsqlc.Task, error) {
	var err error
	params := dbsqlc.TaskInsertParams{ID: p.ID, FamilyID: family, Title: p.Title, Notes: p.Notes, DueAt: p.DueAt, AssigneeID: p.AssigneeID, CreatedBy: tx.user()}
	if params.Title, err = TrimmedText("title", p.Title, 1, familyhub.MaxTaskTitle); err != nil {
		return dbsqlc.Task{}, err
	}
	if err := validateTaskText(params.Title, params.Notes); err != nil {
		return dbsqlc.Task{}, err
	}
	if p.DueAt != nil {
		if err := CheckYear("due_at", *p.DueAt); err != nil {
			return dbsqlc.Task{}, err
		}
	}
	if p.Recurrence != nil {
		rec, err := familyhub.ParseRecurrence("recurrence", *p.Recurrence)
		if err != nil {
			return dbsqlc.Task{}, err
		}
		params.Recurrence = ptr(rec.String())
	}
	if p.Completed {
		if params.Recurrence != nil {
			return dbsqlc.Task{}, familyhub.Invalid("recurrence", "A recurring task cannot be created done; complete one of its instances instead.")
		}
		if err := tx.authorizeFor(familyhub.ActTaskComplete, p.AssigneeID); err != nil {
			return dbsqlc.Task{}, err
		}
	}
	if err := tx.checkAssignee(ctx, family, p.AssigneeID); err != nil {
		return dbsqlc.Task{}, err
	}
	if !p.Completed { // a task created done adds no open task
		if err := tx.taskRoom(ctx, family, params.Recurrence != nil); err != nil {
			return dbsqlc.Task{}, err
		}
	}
	task, err := tx.q.TaskInsert(ctx, tx, params)
	if err != nil {
		return task, Err(err, "task")
	}
	if p.Completed {
		if task, err = tx.q.TaskComplete(ctx, tx, dbsqlc.TaskCompleteParams{ID: task.ID, FamilyID: family, CompletedBy: tx.user()}); err != nil {
			return task, Err(err, "task")
		}
	}
	if task, err = tx.taskRotationSet(ctx, task, p.Rotation); err != nil {
		return task, err
	}
	if task.Recurrence != nil {
		_, err = tx.ensureTodaysTasks(ctx, family)
	}
	return task, err
}

// TaskUpdate applies p to a task (locked for the read-modify-write;
// If-Match: only at the version ctx asks for).
func (tx *Tx) TaskUpdate(ctx context.Context, id uuid.UUID, p TaskPatch) (dbsqlc.Task, error) {
	if err := tx.authorize(familyhub.ActTaskUpdate); err != nil {
		return dbsqlc.Task{}, err
	}
	cur, err := tx.taskLock(ctx, id)
	if err != nil {
		return cur, err
	}
	params, err := p.apply(cur)
	if err != nil {
		return cur, err
	}
	if p.AssigneeID.Set {
		if err := tx.checkAssignee(ctx, cur.FamilyID, params.AssigneeID); err != nil {
			return cur, err
		}
	}
	if err := checkVersion(ctx, cur.Version, cur); err != nil {
		return cur, err
	}
	task, err := tx.q.TaskUpdate(ctx, tx, params)
	if err != nil {
		return task, Err(err, "task")
	}
	if task, err = tx.taskRotationSet(ctx, task, p.Rotation); err != nil {
		return task, err
	}
	if task.Recurrence != nil {
		_, err = tx.ensureTodaysTasks(ctx, cur.FamilyID)
	}
	return task, err
}

// apply returns the update of cur that p asks for, validated.
func (p *TaskPatch) apply(cur dbsqlc.Task) (dbsqlc.TaskUpdateParams, error) {
	u := dbsqlc.TaskUpdateParams{
		ID: cur.ID, FamilyID: cur.FamilyID, Title: cur.Title, Notes: cur.Notes, DueAt: cur.DueAt,
		AssigneeID: cur.AssigneeID, Recurrence: cur.Recurrence, SnoozedUntil: cur.SnoozedUntil,
	}
	if p.Title.Set {
		if p.Title.Null {
			return u, familyhub.Invalid("title", "title cannot be null.")
		}
		u.Title = p.Title.Value
	}
	if p.Notes.Set {
		u.Notes = p.Notes.Value // null clears
	}
	var err error
	if u.Title, err = TrimmedText("title", u.Title, 1, familyhub.MaxTaskTitle); err != nil {
		return u, err
	}
	if err := validateTaskText(u.Title, u.Notes); err != nil {
		return u, err
	}
	if p.DueAt.Set {
		u.DueAt = p.DueAt.Ptr()
		if u.DueAt != nil {
			if err := CheckYear("due_at", *u.DueAt); err != nil {
				return u, err
			}
		}
	}
	if p.AssigneeID.Set {
		u.AssigneeID = p.AssigneeID.Ptr()
	}
	if p.Recurrence.Set {
		switch {
		case cur.Recurrence == nil && !p.Recurrence.Null:
			return u, familyhub.Invalid("recurrence", "Only a recurring task can change its recurrence; create a new recurring task instead.")
		case cur.Recurrence != nil && p.Recurrence.Null:
			return u, familyhub.Invalid("recurrence", "A recurring task keeps a recurrence; delete it to stop it.")
		case cur.Recurrence != nil:
			rec, err := familyhub.ParseRecurrence("recurrence", p.Recurrence.Value)
			if err != nil {
				return u, err
			}
			u.Recurrence = ptr(rec.String())
		}
	}
	if p.SnoozedUntil.Set {
		u.SnoozedUntil = p.SnoozedUntil.Ptr()
		if u.SnoozedUntil != nil {
			if cur.Recurrence != nil {
				return u, familyhub.Invalid("snoozed_until", "A recurring task cannot be snoozed; snooze one of its instances.")
			}
			if err := checkFuture("snoozed_until", *u.SnoozedUntil); err != nil {
				return u, err
			}
		}
	}
	return u, nil
}

// checkFuture refuses instants that are not ahead (or outside the years).
func checkFuture(field string, t time.Time) error {
	if err := CheckYear(field, t); err != nil {
		return err
	}
	if !t.After(time.Now()) {
		return familyhub.Invalid(field, "%s must be in the future.", field)
	}
	return nil
}

// TaskDelete deletes a task; a template takes its open instances with it
// (completed ones stay as history). If-Match: only at the version ctx asks for.
func (tx *Tx) TaskDelete(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActTaskDelete); err != nil {
		return err
	}
	cur, err := tx.taskLock(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion(ctx, cur.Version, cur); err != nil {
		return err
	}
	if cur.Recurrence != nil {
		if _, err := tx.q.TaskDeleteOpenInstances(ctx, tx, dbsqlc.TaskDeleteOpenInstancesParams{TemplateID: &cur.ID, FamilyID: cur.FamilyID}); err != nil {
			return err
		}
	}
	n, err := tx.q.TaskDelete(ctx, tx, dbsqlc.TaskDeleteParams{ID: id, FamilyID: cur.FamilyID})
	return deleted(n, err, "task")
}

// TaskComplete marks a one-off task or instance done by the caller; doing
// it twice keeps the first completion (no change, no event).
func (tx *Tx) TaskComplete(ctx context.Context, id uuid.UUID) (dbsqlc.Task, error) {
	if err := tx.authorize(familyhub.ActTaskComplete); err != nil {
		return dbsqlc.Task{}, err
	}
	return tx.taskAction(ctx, familyhub.ActTaskComplete, id, func(cur dbsqlc.Task) (dbsqlc.Task, error) {
		if cur.CompletedAt != nil {
			return cur, nil
		}
		return tx.q.TaskComplete(ctx, tx, dbsqlc.TaskCompleteParams{ID: cur.ID, FamilyID: cur.FamilyID, CompletedBy: tx.user()})
	})
}

// TaskComplete is Tx.TaskComplete as a request of its own: completing an
// open task the caller may complete is its one statement in a transaction
// of its own, in one round trip (txOne, TaskCompleteOne). Anything else
// (not found, another member's task for a caller who may complete only
// their own, a stale If-Match, a template, a task already done) wrote
// nothing and runs as Tx.TaskComplete in a Store.Tx, which gives the
// answer.
func (s *Store) TaskComplete(ctx context.Context, id uuid.UUID) (dbsqlc.Task, error) {
	a := familyhub.AuthFromContext(ctx)
	if err := authorize(a, familyhub.ActTaskComplete); err != nil {
		return dbsqlc.Task{}, err
	}
	params := dbsqlc.TaskCompleteOneParams{
		ID: id, FamilyID: a.FamilyID, CompletedBy: userOf(a), IfVersion: ifVersion(ctx),
		AnyAssignee: a.IsSystem() || familyhub.Permission(a.Role, familyhub.ActTaskComplete) == familyhub.GrantAll,
	}
	return oneOrTx(s, ctx, "task", func(q dbsqlc.DBTX) (dbsqlc.Task, error) {
		return s.Q.TaskCompleteOne(ctx, q, params)
	}, func(tx *Tx) (dbsqlc.Task, error) { return tx.TaskComplete(ctx, id) })
}

// taskRoom refuses (ELIMIT) one more recurring template (template) or
// open one-off task when the family has familyhub.MaxTaskTemplates or
// familyhub.MaxOpenTasks of them. The instances the chores make are not
// counted: the templates bound them.
func (tx *Tx) taskRoom(ctx context.Context, family uuid.UUID, template bool) error {
	if template {
		return tx.underLimit(ctx, limitTemplates, family, familyhub.MaxTaskTemplates,
			func() (int32, error) { return tx.q.TaskCountTemplates(ctx, tx, family) },
			familyhub.Errorf(familyhub.ELIMIT, "A family can have at most %d recurring chores; delete one first.", familyhub.MaxTaskTemplates))
	}
	return tx.underLimit(ctx, limitOpenTasks, family, familyhub.MaxOpenTasks,
		func() (int32, error) { return tx.q.TaskCountOpen(ctx, tx, family) },
		familyhub.Errorf(familyhub.ELIMIT, "A family can have at most %d open tasks; complete or delete some first.", familyhub.MaxOpenTasks))
}

// taskLimit says which limit a task counts against: a recurring chore
// (template) familyhub.MaxTaskTemplates, an open one-off task
// familyhub.MaxOpenTasks; a done task and a chore's instance count against
// none (counted false).
func taskLimit(t dbsqlc.Task) (template, counted bool) {
	switch {
	case t.Recurrence != nil:
		return true, true
	case t.CompletedAt == nil && !t.InstanceDate.Valid:
		return false, true
	}
	return false, false
}

// taskRoomFor is taskRoom for the task t about to be added, reopened or
// put back: nothing to count when it counts against no limit.
func (tx *Tx) taskRoomFor(ctx context.Context, family uuid.UUID, t dbsqlc.Task) error {
	template, counted := taskLimit(t)
	if !counted {
		return nil
	}
	return tx.taskRoom(ctx, family, template)
}

// TaskUncomplete marks a task not done. A one-off task reopened counts
// against familyhub.MaxOpenTasks as a new one does (ELIMIT at the limit).
func (tx *Tx) TaskUncomplete(ctx context.Context, id uuid.UUID) (dbsqlc.Task, error) {
	if err := tx.authorize(familyhub.ActTaskComplete); err != nil {
		return dbsqlc.Task{}, err
	}
	return tx.taskAction(ctx, familyhub.ActTaskComplete, id, func(cur dbsqlc.Task) (dbsqlc.Task, error) {
		if cur.CompletedAt == nil {
			return cur, nil
		}
		reopened := cur
		reopened.CompletedAt = nil
		if err := tx.taskRoomFor(ctx, cur.FamilyID, reopened); err != nil {
			return cur, err
		}
		return tx.q.TaskUncomplete(ctx, tx, dbsqlc.TaskUncompleteParams{ID: cur.ID, FamilyID: cur.FamilyID})
	})
}

// TaskSnooze hides an open task until until (which must lie ahead).
func (tx *Tx) TaskSnooze(ctx context.Context, id uuid.UUID, until time.Time) (dbsqlc.Task, error) {
	if err := tx.authorize(familyhub.ActTaskSnooze); err != nil {
		return dbsqlc.Task{}, err
	}
	if err := checkFuture("until", until); err != nil {
		return dbsqlc.Task{}, err
	}
	return tx.taskAction(ctx, familyhub.ActTaskSnooze, id, func(cur dbsqlc.Task) (dbsqlc.Task, error) {
		if cur.CompletedAt != nil {
			return cur, familyhub.Errorf(familyhub.ECONFLICT, "The task is completed; uncomplete it before snoozing it.")
		}
		return tx.q.TaskSnooze(ctx, tx, dbsqlc.TaskSnoozeParams{ID: cur.ID, FamilyID: cur.FamilyID, SnoozedUntil: &until})
	})
}

// taskLock locks a task of the family for a read-modify-write; a
// concurrent delete makes it not found instead of a lost update.
func (tx *Tx) taskLock(ctx context.Context, id uuid.UUID) (dbsqlc.Task, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.Task{}, err
	}
	t, err := tx.q.TaskGetForUpdate(ctx, tx, dbsqlc.TaskGetForUpdateParams{ID: id, FamilyID: family})
	return t, Err(err, "task")
}

// taskAction runs fn on the locked task when the caller may take act on
// it (If-Match: only at the version ctx asks for). Templates are refused:
// only one-off tasks and instances get done or snoozed.
func (tx *Tx) taskAction(ctx context.Context, act familyhub.Action, id uuid.UUID, fn func(cur dbsqlc.Task) (dbsqlc.Task, error)) (dbsqlc.Task, error) {
	cur, err := tx.taskLock(ctx, id)
	if err != nil {
		return cur, err
	}
	if err := tx.authorizeFor(act, cur.AssigneeID); err != nil {
		return cur, err
	}
	if err := checkVersion(ctx, cur.Version, cur); err != nil {
		return cur, err
	}
	if cur.Recurrence != nil {
		return cur, familyhub.Errorf(familyhub.ECONFLICT, "This is a recurring task; complete or snooze one of its instances instead.")
	}
	t, err := fn(cur)
	return t, Err(err, "task")
}

// checkAssignee refuses an assignee who is not a member of the family.
func (tx *Tx) checkAssignee(ctx context.Context, family uuid.UUID, assignee *uuid.UUID) error {
	if assignee == nil {
		return nil
	}
	ok, err := tx.q.TaskAssigneeIsMember(ctx, tx, dbsqlc.TaskAssigneeIsMemberParams{FamilyID: family, UserID: *assignee})
	if err != nil {
		return err
	}
	if !ok {
		return familyhub.Invalid("assignee_id", "assignee_id must be the id of a member of your family.")
	}
	return nil
}

// taskRotationSet applies a "rotation" (the members a recurring chore
// rotates between; null or [] for none) to a task just written, before its
// instances are made. Only templates rotate; every id must be a member of
// the family.
func (tx *Tx) taskRotationSet(ctx context.Context, task dbsqlc.Task, rot familyhub.Optional[[]uuid.UUID]) (dbsqlc.Task, error) {
	if !rot.Set {
		return task, nil
	}
	if task.Recurrence == nil {
		return task, familyhub.Invalid("rotation", "Only a recurring task can rotate between members.")
	}
	var ids []uuid.UUID // nil: no rotation
	if !rot.Null && len(rot.Value) > 0 {
		ids = rot.Value
		if len(ids) > familyhub.MaxTaskRotation {
			return task, familyhub.Invalid("rotation", "A rotation has at most %d members.", familyhub.MaxTaskRotation)
		}
		seen := map[uuid.UUID]bool{}
		for _, id := range ids {
			if seen[id] {
				return task, familyhub.Invalid("rotation", "rotation names a member twice.")
			}
			seen[id] = true
		}
		n, err := tx.q.TaskRotationMembersCount(ctx, tx, dbsqlc.TaskRotationMembersCountParams{FamilyID: task.FamilyID, Ids: ids})
		if err != nil {
			return task, err
		}
		if int(n) != len(ids) {
			return task, familyhub.Invalid("rotation", "rotation must list members of the family.")
		}
	}
	t, err := tx.q.TaskRotationSet(ctx, tx, dbsqlc.TaskRotationSetParams{ID: task.ID, FamilyID: task.FamilyID, Rotation: ids})
	return t, Err(err, "task")
}
