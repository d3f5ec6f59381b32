package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Location returns the caller's family's time zone (see FamilyLocation).
func (tx *Tx) Location(ctx context.Context) (*time.Location, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.FamilyLocation(ctx, family)
}

// FamilyLocation returns a family's time zone, which defines its days. A
// zone name the running Go does not know (set through psql) falls back to
// UTC rather than failing every request. A missing family is not found.
func (tx *Tx) FamilyLocation(ctx context.Context, familyID uuid.UUID) (*time.Location, error) {
	family, err := tx.q.FamilyGet(ctx, tx, familyID)
	if err != nil {
		return nil, Err(err, "family")
	}
	loc, err := time.LoadLocation(family.TimeZone)
	if err != nil {
		return time.UTC, nil
	}
	return loc, nil
}

// TaskInstancesEnsure makes sure that every recurring task template of the
// family has its instance for date when the template's rule falls on that
// day in the family's time zone, and returns how many instances it created.
// date is a civil date: only its year, month and day count. A template
// gets no instance for days before the one it was created on (in the
// family's zone).
//
// An instance copies the template's title, notes and assignee; its due_at
// is the template's local time of day on that date, or NULL when the
// template has no due_at. It is safe to call repeatedly and concurrently
// (from the daily job, and from the API reading "today"): the insert does
// nothing when (template_id, instance_date) exists. A template whose stored
// rule no longer parses is skipped. Database errors come back translated
// by Err.
func (tx *Tx) TaskInstancesEnsure(ctx context.Context, familyID uuid.UUID, date time.Time) (created int, err error) {
	loc, err := tx.FamilyLocation(ctx, familyID)
	if err != nil {
		return 0, err
	}
	templates, err := tx.q.TaskListTemplates(ctx, tx, familyID)
	if err != nil {
		return 0, Err(err, "task")
	}
	day := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	for _, t := range templates {
		if ok, err := tx.taskInstanceEnsure(ctx, t, loc, day); err != nil {
			return created, err
		} else if ok {
			created++
		}
	}
	return created, nil
}

// taskInstanceEnsure creates template t's instance for the civil date day
// when the rule falls on it, reporting whether it inserted a row.
func (tx *Tx) taskInstanceEnsure(ctx context.Context, t dbsqlc.Task, loc *time.Location, day time.Time) (bool, error) {
	if t.Recurrence == nil || day.Before(familyhub.CivilDate(t.CreatedAt, loc)) {
		return false, nil
	}
	rec, err := familyhub.ParseRecurrence("recurrence", *t.Recurrence)
	if err != nil {
		return false, nil
	}
	start := TaskTemplateStart(t, loc)
	occ, ok := rec.OnDate(start, loc, day)
	if !ok {
		return false, nil
	}
	var due *time.Time
	if t.DueAt != nil {
		due = &occ
	}
	n, err := tx.q.TaskInstanceInsert(ctx, tx, dbsqlc.TaskInstanceInsertParams{
		FamilyID:     t.FamilyID,
		Title:        t.Title,
		Notes:        t.Notes,
		DueAt:        due,
		AssigneeID:   t.AssigneeID,
		TemplateID:   &t.ID,
		InstanceDate: pgtype.Date{Time: day, Valid: true},
		CreatedBy:    t.CreatedBy,
	})
	if err != nil {
		return false, Err(fmt.Errorf("task instance of %s on %s: %w", t.ID, day.Format(time.DateOnly), err), "task")
	}
	return n > 0, nil
}

// TaskTemplateStart returns the first occurrence of a template's series, in
// loc: its due_at, or the local midnight of the day it was created when it
// has no due_at.
func TaskTemplateStart(t dbsqlc.Task, loc *time.Location) time.Time {
	if t.DueAt != nil {
		return t.DueAt.In(loc)
	}
	start, _ := familyhub.DayBounds(t.CreatedAt.In(loc), loc)
	return start
}
