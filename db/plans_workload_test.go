package db_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// planCount is a statement prepared on a connection with the plans
// PostgreSQL made for it there.
type planCount struct {
	name            string // the sqlc name, or the statement's start
	generic, custom int64
}

// planCounts reads pg_prepared_statements on the pool's connection (the
// pool has one).
func planCounts(t *testing.T, e *pipelineEnv) []planCount {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT CASE WHEN statement LIKE '-- name: %'
			THEN split_part(split_part(statement, E'\n', 1), ' ', 3) ELSE left(regexp_replace(statement, '\s+', ' ', 'g'), 60) END,
		generic_plans, custom_plans FROM pg_prepared_statements ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []planCount
	for rows.Next() {
		var p planCount
		if err := rows.Scan(&p.name, &p.generic, &p.custom); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// planWorkload runs what the PWA does most, rounds times with varied
// values, through the store of e (one connection): adds with and without
// client ids and categories, ticks and patches with and without If-Match,
// renames, deletes, tasks created, completed, uncompleted, snoozed and
// changed, calendar events created and changed, sessions authenticated
// (each a new token: the session cache answers a known one), the
// listings and the event log's catch-up read.
func planWorkload(t *testing.T, e *pipelineEnv, rounds int) {
	t.Helper()
	ctx := context.Background()
	anna, list := e.member(t, "plans-"+uuid.NewString()[:8])
	a := familyhub.AuthFromContext(anna)
	names := []string{"milk", "bread", "apples", "washing powder", "cheese", "rice", "coffee", "tomatoes", "soap", "eggs", "zzz unknown thing"}
	cats := []string{"dairy", "bakery", "produce"}
	var tokens []string
	if err := e.store.Tx(anna, func(tx *db.Tx) error {
		for range rounds {
			tok, _, err := tx.SessionCreate(anna, a.UserID, db.SessionMeta{UserAgent: "test", ClientAddr: "127.0.0.1", TTL: time.Hour})
			if err != nil {
				return err
			}
			tokens = append(tokens, tok)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check := func(what string, i int, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s %d: %v", what, i, err)
		}
	}
	// Ahead of the wall clock: the snoozes below must end in the future.
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2)
	for i := range rounds {
		name := names[i%len(names)]
		// Adds: with and without a client id, with and without a category.
		var idp *uuid.UUID
		if i%2 == 0 {
			id := uuid.New()
			idp = &id
		}
		item, _, err := e.store.ShoppingItemAdd(anna, list, db.ShoppingItemNew{ID: idp, Name: fmt.Sprintf("%s %d", name, i)})
		check("add", i, err)
		cat := cats[i%len(cats)]
		item2, _, err := e.store.ShoppingItemAdd(anna, list, db.ShoppingItemNew{ID: idp2(i), Name: name, Category: &cat})
		check("add with category", i, err)
		// Ticks and patches, with and without If-Match.
		tctx := anna
		if i%2 == 1 {
			tctx = db.WithIfVersion(anna, item.Version)
		}
		item, err = e.store.ShoppingItemUpdate(tctx, item.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
		check("tick", i, err)
		_, err = e.store.ShoppingItemUpdate(anna, item.ID, db.ShoppingItemPatch{Checked: familyhub.Some(false)})
		check("untick", i, err)
		_, err = e.store.ShoppingItemUpdate(anna, item2.ID, db.ShoppingItemPatch{Name: familyhub.Some(name + " bio"), Quantity: familyhub.Some(fmt.Sprint(i + 1))})
		check("rename", i, err)
		check("delete", i, e.store.Tx(anna, func(tx *db.Tx) error { return tx.ShoppingItemDelete(anna, item2.ID) }))
		// Tasks.
		var task dbsqlc.Task
		check("task create", i, e.store.Tx(anna, func(tx *db.Tx) (err error) {
			p := db.TaskNew{ID: idp2(i + 1), Title: fmt.Sprintf("task %d", i)}
			if i%2 == 0 {
				due := day.Add(time.Duration(i) * time.Hour)
				p.DueAt = &due
				p.AssigneeID = &a.UserID
			}
			task, _, err = tx.TaskCreate(anna, p)
			return err
		}))
		cctx := anna
		if i%2 == 1 {
			cctx = db.WithIfVersion(anna, task.Version)
		}
		task, err = e.store.TaskComplete(cctx, task.ID)
		check("task complete", i, err)
		check("task uncomplete", i, e.store.Tx(anna, func(tx *db.Tx) (err error) { task, err = tx.TaskUncomplete(anna, task.ID); return err }))
		check("task snooze", i, e.store.Tx(anna, func(tx *db.Tx) (err error) {
			task, err = tx.TaskSnooze(anna, task.ID, day.Add(time.Duration(24+i)*time.Hour))
			return err
		}))
		check("task update", i, e.store.Tx(anna, func(tx *db.Tx) (err error) {
			task, err = tx.TaskUpdate(anna, task.ID, db.TaskPatch{Title: familyhub.Some(fmt.Sprintf("task %d!", i)), Notes: familyhub.Some("n")})
			return err
		}))
		// Calendar.
		check("event", i, e.store.Tx(anna, func(tx *db.Tx) error {
			start := day.Add(time.Duration(i*7) * time.Hour)
			f := db.CalendarEventFields{ID: idp2(i), Title: fmt.Sprintf("event %d", i), StartsAt: start, EndsAt: start.Add(time.Hour)}
			ev, err := tx.CalendarEventCreate(anna, f, nil)
			if err != nil {
				return err
			}
			f.ID, f.Title = nil, f.Title+"!"
			_, err = tx.CalendarEventReplace(anna, ev, f, nil)
			return err
		}))
		// Sessions: a new token each time (a known one is in the cache).
		if got, err := e.store.SessionAuthenticate(ctx, tokens[i]); err != nil || got == nil {
			t.Fatalf("authenticate %d: %v, %v", i, got, err)
		}
		// The listings the PWA reads, and the event log's catch-up.
		check("listings", i, e.store.Tx(anna, func(tx *db.Tx) error {
			if _, err := tx.ShoppingListList(anna); err != nil {
				return err
			}
			if _, err := tx.ShoppingItemList(anna, list); err != nil {
				return err
			}
			if _, err := tx.ShoppingCategoryList(anna); err != nil {
				return err
			}
			d := day.AddDate(0, 0, i%3)
			if _, err := tx.TaskList(anna, db.TaskListParams{Day: &d, ReadOnly: true}); err != nil {
				return err
			}
			if _, err := tx.TaskList(anna, db.TaskListParams{IncludeSnoozed: i%2 == 0}); err != nil {
				return err
			}
			from := day.AddDate(0, 0, -7*(i%4))
			_, _, err := tx.CalendarOccurrences(anna, from, from.AddDate(0, 1, 0))
			return err
		}))
		r, err := e.store.Q.FamilySeqGet(ctx, e.store.Pool, a.FamilyID)
		check("seq", i, err)
		cur := r.Seq
		since := cur - int64(1+i%5)
		_, err = e.store.EventLogListSince(ctx, dbsqlc.EventLogListSinceParams{FamilyID: a.FamilyID, Since: since, MaxEvents: int32(cur - since)})
		check("catch-up", i, err)
	}
}

// idp2 is a client id for every third add.
func idp2(i int) *uuid.UUID {
	if i%3 != 0 {
		return nil
	}
	id := uuid.New()
	return &id
}

// planEnv is newPipelineEnv, or, with PLANS_DATABASE_URL set, the same
// on that database (migrated first): a copy of the benchmark's data, whose
// statistics decide the plans as in production.
func planEnv(t *testing.T) *pipelineEnv {
	t.Helper()
	url := os.Getenv("PLANS_DATABASE_URL")
	if url == "" {
		return newPipelineEnv(t)
	}
	pool := dbtest.PoolFor(t, url)
	if err := db.MigratePool(context.Background(), pool, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	return newPipelineEnvURL(t, url, 1)
}

// seedEventLog gives the event log and the categories the volume and the statistics of the
// benchmark's data (1,000 families of 160 events there; fewer here), so
// that PostgreSQL's plan choices are those of production: on an almost
// empty table every plan looks alike.
func seedEventLog(t *testing.T, e *pipelineEnv) {
	t.Helper()
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, at)
		SELECT f, s, 'SHOPPING_LIST_UPDATED', 'familyhub_shopping', gen_random_uuid(), 'insert', now()
		FROM (SELECT gen_random_uuid() FROM generate_series(1, 300)) AS fs (f), generate_series(1, 160) AS s;
		INSERT INTO families (name) SELECT 'F' || i FROM generate_series(1, 1000) AS i;
		ANALYZE event_log, families, shopping_categories`); err != nil {
		t.Fatal(err)
	}
}

// hotStatements are the statements run most: each must keep its generic
// plan once PostgreSQL's plan cache has compared it with the first
// executions' custom plans.
var hotStatements = []string{
	"ShoppingItemAddOne", "ShoppingItemUpdate", "TaskCompleteOne", "SessionAuthenticate", "EventLogListSince",
}

// TestPlanCache: after planWorkload, on one connection, no hot statement
// is planned anew on every execution (custom plans beyond the plan
// cache's first 5). With -v it lists every statement's plans; with
// PLANS_DATABASE_URL it runs on that database (a copy of the benchmark's
// data) instead of a fresh one with a seeded event log.
func TestPlanCache(t *testing.T) {
	t.Parallel()
	const rounds = 10
	for _, auto := range []bool{false, true} {
		t.Run(fmt.Sprintf("auto=%v", auto), func(t *testing.T) {
			e := planEnv(t)
			if os.Getenv("PLANS_DATABASE_URL") == "" {
				seedEventLog(t, e)
			}
			if !auto {
				e.store.SetJobQueue(noFiling{})
			}
			planWorkload(t, e, rounds)
			got := map[string]planCount{}
			for _, p := range planCounts(t, e) {
				mark := ""
				if p.custom > 5 {
					mark = "  <-- planned anew on every execution"
				}
				t.Logf("%-40s generic %3d custom %3d%s", p.name, p.generic, p.custom, mark)
				got[p.name] = p
			}
			for _, name := range hotStatements {
				p, ok := got[name]
				if !ok {
					t.Errorf("%s: not prepared on the connection", name)
				} else if p.custom > 5 || p.generic < rounds-5 {
					t.Errorf("%s: %d generic and %d custom plans; want the generic plan after at most 5 custom ones", name, p.generic, p.custom)
				}
			}
		})
	}
}

// TestEventLogListSinceOnePipeline: Store.EventLogListSince reads what the
// plain statement reads, in one pipeline (the settings and the read); the
// generic-plan setting ends with it, also when the read fails, and the
// connection is usable after a failure.
func TestEventLogListSinceOnePipeline(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	anna, list := e.member(t, "anna")
	bg := context.Background()
	family := familyhub.AuthFromContext(anna).FamilyID
	for _, name := range []string{"milk", "bread", "eggs"} {
		if _, _, err := e.store.ShoppingItemAdd(anna, list, db.ShoppingItemNew{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	planMode := func(when string) {
		t.Helper()
		var mode string
		if err := e.pool.QueryRow(bg, `SELECT current_setting('plan_cache_mode')`).Scan(&mode); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if mode != "auto" {
			t.Errorf("%s: the connection's plan_cache_mode is %q, want auto", when, mode)
		}
	}
	p := dbsqlc.EventLogListSinceParams{FamilyID: family, Since: 1, MaxEvents: 10}
	want, err := e.store.Q.EventLogListSince(bg, e.pool, p)
	if err != nil {
		t.Fatal(err)
	}
	e.tr.sent()
	got, err := e.store.EventLogListSince(bg, p)
	if err != nil {
		t.Fatal(err)
	}
	if sent := e.tr.sent(); sent != [3]int64{0, 1, 2} {
		t.Errorf("the read sent %v, want one pipeline of two", sent)
	}
	if len(want) < 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("read %d events %+v, want %d %+v", len(got), got, len(want), want)
	}
	planMode("after the read")
	p.MaxEvents = -1 // LIMIT must not be negative
	if _, err := e.store.EventLogListSince(bg, p); err == nil {
		t.Error("a negative limit did not fail the read")
	}
	planMode("after a failed read")
	p.MaxEvents = 1
	if got, err := e.store.EventLogListSince(bg, p); err != nil || len(got) != 1 {
		t.Errorf("the read after the failure: %d events, %v", len(got), err)
	}
}
