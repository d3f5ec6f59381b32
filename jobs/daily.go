package jobs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// DailyTasksArgs are the daily task generator's arguments.
type DailyTasksArgs struct {
	// Date (YYYY-MM-DD), when set, makes every family's instances for that
	// day only, whatever the hour, without moving the catch-up mark.
	// Empty: each family's missed days up to its local today (from
	// DailyTasksHour on; else up to yesterday).
	Date string `json:"date,omitempty"`
}

// Kind implements river.JobArgs.
func (DailyTasksArgs) Kind() string { return "daily-tasks" }

func dailyTasksFlags(fs *flag.FlagSet, a *DailyTasksArgs) func() error {
	fs.StringVar(&a.Date, "date", "", "make the instances of this day (YYYY-MM-DD) only")
	return func() error {
		if a.Date == "" {
			return nil
		}
		if _, err := time.Parse(time.DateOnly, a.Date); err != nil {
			return fmt.Errorf("--date must look like 2026-11-22, not %q", a.Date)
		}
		return nil
	}
}

// runDailyTasks makes the instances of every family's recurring templates.
// Each family is one transaction holding its task_generator_state row, so
// generators take turns per family, and the unique (template_id,
// instance_date) makes every instance exactly once. A family's failure does
// not stop the others; the job then fails and is retried.
func (e *Engine) runDailyTasks(ctx context.Context, args DailyTasksArgs) error {
	var fixed time.Time
	if args.Date != "" {
		var err error
		if fixed, err = time.Parse(time.DateOnly, args.Date); err != nil {
			return familyhub.Invalid("date", "date must look like 2026-11-22")
		}
	}
	families, err := e.store.Q.JobFamilyList(ctx, e.store.Pool)
	if err != nil {
		return err
	}
	logger := Logger(ctx)
	var errs []error
	total := 0
	for _, f := range families {
		n, err := e.dailyTasksFamily(ctx, f, fixed)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			logger.Error("daily tasks of a family failed", "family_id", f.ID, "err", err)
			errs = append(errs, fmt.Errorf("family %s: %w", f.ID, err))
			continue
		}
		total += n
	}
	logger.Info("daily tasks", "families", len(families), "instances_created", total, "date", args.Date)
	return errors.Join(errs...)
}

// dailyTasksFamily makes one family's instances for fixed (when not zero),
// else for its days not yet generated, and returns how many it created.
func (e *Engine) dailyTasksFamily(ctx context.Context, f dbsqlc.JobFamilyListRow, fixed time.Time) (int, error) {
	loc, err := time.LoadLocation(f.TimeZone)
	if err != nil {
		loc = time.UTC // as db.Store.FamilyLocation does
	}
	created := 0
	err = e.store.Tx(ctx, func(tx *db.Tx) error {
		if !fixed.IsZero() {
			n, err := tx.TaskInstancesEnsure(ctx, f.ID, fixed)
			created += n
			return err
		}
		if err := e.store.Q.TaskGeneratorStateInit(ctx, tx, f.ID); err != nil {
			return err
		}
		through, err := e.store.Q.TaskGeneratorStateLock(ctx, tx, f.ID)
		if err != nil {
			return err
		}
		days := dailyTaskDays(e.cfg.Now(), loc, e.cfg.DailyTasksHour, e.cfg.CatchUpDays, through)
		for _, day := range days {
			n, err := tx.TaskInstancesEnsure(ctx, f.ID, day)
			created += n
			if err != nil {
				return err
			}
		}
		if len(days) == 0 {
			return nil
		}
		return e.store.Q.TaskGeneratorStateSet(ctx, tx, dbsqlc.TaskGeneratorStateSetParams{
			FamilyID: f.ID, GeneratedThrough: pgtype.Date{Time: days[len(days)-1], Valid: true},
		})
	})
	return created, err
}

// dailyTaskDays returns the civil dates to generate at now for a family in
// loc: from the day after through (or catchUp days back, whichever is
// later) to the local today once its hour has come, else to yesterday.
func dailyTaskDays(now time.Time, loc *time.Location, hour, catchUp int, through pgtype.Date) []time.Time {
	local := now.In(loc)
	last := familyhub.CivilDate(local, loc)
	if local.Hour() < hour {
		last = last.AddDate(0, 0, -1)
	}
	first := last.AddDate(0, 0, -catchUp)
	if through.Valid {
		next := time.Date(through.Time.Year(), through.Time.Month(), through.Time.Day()+1, 0, 0, 0, 0, time.UTC)
		if next.After(first) {
			first = next
		}
	}
	var days []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}
