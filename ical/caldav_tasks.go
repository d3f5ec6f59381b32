package ical

import (
	"context"
	"net/http"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// taskCollection is the family's tasks: one VTODO per one-off task and
// per instance of a recurring chore. Writes go through the same task
// operations as REST (TaskCreate, TaskUpdate, TaskComplete, ...), so every
// device of the family hears TASK_UPDATED.
type taskCollection struct{ s *davServer }

var _ collection = (*taskCollection)(nil)

func (c *taskCollection) name() string                     { return "tasks" }
func (c *taskCollection) component() string                { return ical.CompToDo }
func (c *taskCollection) eventType() string                { return familyhub.EventTaskUpdated }
func (c *taskCollection) displayName(family string) string { return family + " (tasks)" }

func (c *taskCollection) heads(ctx context.Context, tx *db.Tx) ([]db.DAVHead, error) {
	return tx.CalDAVTaskHeads(ctx)
}

func (c *taskCollection) etag(h db.DAVHead, loc *time.Location) string {
	return etagOf(h.ID, h.UpdatedAt, 0, loc)
}

func taskETag(t dbsqlc.Task, loc *time.Location) string { return etagOf(t.ID, t.UpdatedAt, 0, loc) }

// memberNames returns the family's members' display names by id.
func memberNames(ctx context.Context, tx *db.Tx) (map[uuid.UUID]string, error) {
	ms, err := tx.CalDAVFamilyMembers(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[uuid.UUID]string, len(ms))
	for _, m := range ms {
		names[m.ID] = m.DisplayName
	}
	return names, nil
}

func (c *taskCollection) objects(ctx context.Context, tx *db.Tx, tasks []dbsqlc.Task) ([]davObject, error) {
	loc, err := tx.Location(ctx)
	if err != nil {
		return nil, err
	}
	names, err := memberNames(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]davObject, len(tasks))
	for i, t := range tasks {
		out[i] = davObject{id: t.ID, name: db.DAVName(t.ID, t.DavName), etag: taskETag(t, loc), mod: t.UpdatedAt, cal: TaskICal(t, names, loc)}
	}
	return out, nil
}

func (c *taskCollection) byNames(ctx context.Context, tx *db.Tx, names []string) ([]davObject, error) {
	tasks, err := tx.CalDAVTasksByNames(ctx, names)
	if err != nil {
		return nil, err
	}
	return c.objects(ctx, tx, tasks)
}

func (c *taskCollection) byIDs(ctx context.Context, tx *db.Tx, ids []uuid.UUID) ([]davObject, error) {
	tasks, err := tx.CalDAVTasksByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return c.objects(ctx, tx, tasks)
}

func (c *taskCollection) headsByIDs(ctx context.Context, tx *db.Tx, ids []uuid.UUID) ([]db.DAVHead, error) {
	tasks, err := tx.CalDAVTasksByIDs(ctx, ids)
	out := make([]db.DAVHead, len(tasks))
	for i, t := range tasks {
		out[i] = db.DAVHead{ID: t.ID, Name: db.DAVName(t.ID, t.DavName), UpdatedAt: t.UpdatedAt}
	}
	return out, err
}

// put creates or changes the task served as name. A new VTODO creates a
// task (TaskCreate; done already when its STATUS says so); a changed one changes the task's title, notes, due
// time and assignee (TaskUpdate) and completes or reopens it (TaskComplete,
// TaskUncomplete) as its STATUS says; the VTODO itself is kept for what
// FamilyHub does not model.
func (c *taskCollection) put(ctx context.Context, tx *db.Tx, name string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (davObject, error) {
	loc, err := tx.Location(ctx)
	if err != nil {
		return davObject{}, err
	}
	vt, err := ParseICalTask(cal, loc)
	if err != nil {
		return davObject{}, err
	}
	raw, err := EncodeICal(cal)
	if err != nil {
		return davObject{}, familyhub.Errorf(familyhub.EINVALID, "The iCalendar object cannot be stored: %v.", err)
	}
	if len(raw) > familyhub.MaxICalBytes {
		return davObject{}, familyhub.Errorf(familyhub.ETOOLARGE, "The task is larger than %d KiB.", familyhub.MaxICalBytes>>10)
	}
	cur, err := tx.CalDAVTaskLock(ctx, name)
	exists := err == nil
	if err != nil && familyhub.ErrorCode(err) != familyhub.ENOTFOUND {
		return davObject{}, err
	}
	etag := ""
	if exists {
		etag = taskETag(cur, loc)
	}
	if err := checkPreconditions(etag, opts.IfMatch, opts.IfNoneMatch); err != nil {
		return davObject{}, err
	}
	var t dbsqlc.Task
	if exists {
		if TaskUID(cur) != vt.UID {
			return davObject{}, davStatusError(http.StatusForbidden, "The UID of a task cannot change; create a new task instead.")
		}
		if t, err = c.update(ctx, tx, cur, vt); err != nil {
			return davObject{}, err
		}
	} else {
		taken, err := tx.CalDAVTaskUIDTaken(ctx, vt.UID)
		if err != nil {
			return davObject{}, err
		}
		if taken {
			return davObject{}, errUIDConflict
		}
		// A task done already adds no open task: the open tasks' limit
		// does not count it.
		if t, _, err = tx.TaskCreate(ctx, db.TaskNew{Title: vt.Title, Notes: vt.Notes, DueAt: vt.DueAt, AssigneeID: vt.AssigneeID, Completed: vt.Completed}); err != nil {
			return davObject{}, err
		}
	}
	// The VTODO beside the modelled fields (a URL, PRIORITY, alarms: what
	// every member's calendar app shows) is an edit of the task: kept only
	// from a caller who may edit it, or who just created it. A child
	// completing their own chore changes the status and nothing else.
	if !exists || tx.Auth().Can(familyhub.ActTaskUpdate, cur.AssigneeID) {
		if t, err = tx.CalDAVTaskInterchangeSet(ctx, t.ID, db.TaskInterchange{UID: vt.UID, DavName: name, ICal: raw}); err != nil {
			return davObject{}, err
		}
	}
	objs, err := c.objects(ctx, tx, []dbsqlc.Task{t})
	if err != nil {
		return davObject{}, err
	}
	return objs[0], nil
}

// update applies what the VTODO vt changes of the locked task cur, each
// through the operation REST uses; nothing changed writes nothing.
func (c *taskCollection) update(ctx context.Context, tx *db.Tx, cur dbsqlc.Task, vt ICalTask) (dbsqlc.Task, error) {
	var p db.TaskPatch
	changed := false
	if vt.Title != cur.Title {
		p.Title, changed = familyhub.Some(vt.Title), true
	}
	if vt.Notes != cur.Notes {
		p.Notes, changed = familyhub.Some(vt.Notes), true
	}
	switch {
	case vt.DueAt == nil && cur.DueAt != nil && !cur.InstanceDate.Valid:
		p.DueAt, changed = familyhub.Optional[time.Time]{Set: true, Null: true}, true
	case vt.DueAt != nil && (cur.DueAt == nil || !vt.DueAt.Equal(*cur.DueAt)):
		// A chore instance without a time is served as due on its day:
		// that date coming back is no change.
		if cur.DueAt != nil || !cur.InstanceDate.Valid || !sameDay(*vt.DueAt, cur) {
			p.DueAt, changed = familyhub.Some(*vt.DueAt), true
		}
	}
	if vt.AssigneeSet && !sameID(vt.AssigneeID, cur.AssigneeID) {
		p.AssigneeID, changed = familyhub.Optional[uuid.UUID]{Set: true, Null: vt.AssigneeID == nil}, true
		if vt.AssigneeID != nil {
			p.AssigneeID.Value = *vt.AssigneeID
		}
	}
	t := cur
	var err error
	if changed {
		if t, err = tx.TaskUpdate(ctx, cur.ID, p); err != nil {
			return t, err
		}
	}
	switch {
	case vt.Completed && t.CompletedAt == nil:
		return tx.TaskComplete(ctx, t.ID)
	case !vt.Completed && t.CompletedAt != nil:
		return tx.TaskUncomplete(ctx, t.ID)
	}
	return t, nil
}

// sameDay reports whether due is midnight of the chore instance t's day.
func sameDay(due time.Time, t dbsqlc.Task) bool {
	d := t.InstanceDate.Time
	y, m, dd := due.Date()
	return due.Hour() == 0 && due.Minute() == 0 && y == d.Year() && m == d.Month() && dd == d.Day()
}

func sameID(a, b *uuid.UUID) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func (c *taskCollection) delete(ctx context.Context, tx *db.Tx, name string, ifMatch webdav.ConditionalMatch) error {
	cur, err := tx.CalDAVTaskLock(ctx, name)
	if err != nil {
		return err
	}
	loc, err := tx.Location(ctx)
	if err != nil {
		return err
	}
	if err := checkPreconditions(taskETag(cur, loc), ifMatch, ""); err != nil {
		return err
	}
	return tx.TaskDelete(ctx, cur.ID)
}
