package assistant

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// FuzzExecuteIntent: any intent that passes Validate (a model may propose
// what the parser never makes: a move by a week, a rotation of fifty, a
// question about a month) runs without a panic, and ends executed, as a
// question, or refused with a code the user can act on; never an internal
// error. Each run is rolled back. The seeds, one per intent type, run in
// every `go test`.
func FuzzExecuteIntent(f *testing.F) {
	for _, s := range []string{
		`{"type":"shopping.add_items","slots":{"items":[{"name":"milk","quantity":"2 l"}]}}`,
		`{"type":"shopping.add_items","slots":{"list":"x","new_list":true,"items":[{"name":"a"},{"name":"a"}]}}`,
		`{"type":"shopping.check_items","slots":{"list":"weekly","items":[{"name":"mil"}]}}`,
		`{"type":"shopping.remove_items","slots":{"items":[{"name":"milk"},{"name":"milk"}]}}`,
		`{"type":"shopping.move_items","slots":{"to_list":"weekly","items":[{"name":"milk"}]}}`,
		`{"type":"shopping.clear_checked","slots":{"list":"Weekly"}}`,
		`{"type":"shopping.create_list","slots":{"list":"Weekly"}}`,
		`{"type":"shopping.add_recipe","slots":{"recipe":"pancakes","servings":100}}`,
		`{"type":"task.create","slots":{"title":"x","assignee":"me","recurrence":"FREQ=MONTHLY;BYDAY=-1FR","due_at":"2999-12-31T23:59:00Z"}}`,
		`{"type":"task.rotate","slots":{"title":"Dishes","rotation":["me","Ben","me"]}}`,
		`{"type":"task.complete","slots":{"title":"dishes"}}`,
		`{"type":"task.snooze","slots":{"title":"bins","until":"1901-01-01T00:00:00Z"}}`,
		`{"type":"task.reassign","slots":{"title":"bins","assignee":"ben"}}`,
		`{"type":"task.delete","slots":{"title":"take out"}}`,
		`{"type":"calendar.create","slots":{"title":"x","starts_at":"2999-12-31T23:00:00Z","ends_at":"2999-12-31T23:30:00Z","all_day":true}}`,
		`{"type":"calendar.move","slots":{"title":"swimming","time":"00:00","shift_minutes":-10080}}`,
		`{"type":"calendar.move","slots":{"title":"dentist","date":"2999-12-31","from_date":"1900-01-01"}}`,
		`{"type":"calendar.cancel","slots":{"title":"swimming","date":"2026-01-05"}}`,
		`{"type":"calendar.delete","slots":{"title":"swimming","date":"2999-01-01"}}`,
		`{"type":"query.today","slots":{"date":"2999-12-01","days":31}}`,
		`{"type":"query.when","slots":{"title":"bins"}}`,
		`{"type":"clarify","slots":{},"needs":"choice","options":[{"type":"task.delete","slots":{"title":"x"}},{"type":"calendar.delete","slots":{"title":"x"}}]}`,
	} {
		f.Add([]byte(s))
	}
	fam := newTestFamily(f)
	weekly := fam.list("Weekly")
	fam.tx(fam.ana, func(ctx context.Context, tx *db.Tx) error {
		for _, n := range []string{"milk", "oat milk"} {
			if _, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: n}); err != nil {
				return err
			}
		}
		rule := "FREQ=WEEKLY;BYDAY=MO"
		start := fam.now.Add(time.Hour).Truncate(time.Hour)
		if _, _, err := tx.CalendarEventAdd(ctx, db.CalendarEventFields{Title: "Swimming", StartsAt: start, EndsAt: start.Add(time.Hour), RRule: &rule}); err != nil {
			return err
		}
		if _, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Take out the bins"}); err != nil {
			return err
		}
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Dishes", Recurrence: &rule})
		return err
	})
	ctx := fam.ctx(fam.ana)
	f.Fuzz(func(t *testing.T, raw []byte) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var in Intent
		if dec.Decode(&in) != nil || in.Validate() != nil {
			return
		}
		if in.Lang == "" {
			in.Lang = "en"
		}
		setLang(&in)
		var execErr error
		err := fam.store.Tx(ctx, func(tx *db.Tx) error {
			x := newExecutor(ctx, tx, in.Lang, "fuzz", fam.loc, fam.now)
			_, msg, err := x.execute(in)
			if err == nil {
				if msg == "" {
					t.Errorf("%s: executed without a message", raw)
				}
				if _, err := x.j.writes(); err != nil {
					t.Errorf("%s: journal: %v", raw, err)
				}
			}
			execErr = err
			return errDryRun
		})
		if !errors.Is(err, errDryRun) && execErr == nil {
			t.Fatalf("%s: %v", raw, err)
		}
		var q *question
		if execErr != nil && !errors.As(execErr, &q) && !isRefusal(execErr) && familyhub.ErrorCode(execErr) != familyhub.EUNAVAILABLE {
			t.Errorf("%s: %v (%s)", raw, execErr, familyhub.ErrorCode(execErr))
		}
		if q != nil && (len(q.options) < 2 || len(q.options) != len(q.labels)) {
			t.Errorf("%s: a question with %d options, %d labels", raw, len(q.options), len(q.labels))
		}
	})
}
