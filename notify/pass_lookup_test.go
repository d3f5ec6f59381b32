package notify

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestPassLooksCursorsUpByKey: with 1,000 families (and their tables
// analysed), a pass's two statements find the cursors, seqs and families
// they name by key, under the generic plans the pass runs with: no scan of
// a whole table. Before, PostgreSQL chose to read all of notify_cursors
// (15 pages) to lock and to move the few cursors named by "= ANY", rather
// than look each up, and the statement that ends a pass read whole tables
// also for an empty list (docs/benchmarks.md, twentieth round). The
// scans are counted in the transaction itself (pg_stat_xact_user_tables),
// on a connection of its own.
func TestPassLooksCursorsUpByKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := e.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO families (name) SELECT 'F' || g FROM generate_series(1, 1000) g`)
	var ids []uuid.UUID // in PostgreSQL's order, as the pass sorts them
	if err := e.pool.QueryRow(ctx, `SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM families ORDER BY name LIMIT 20) f`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	// Of the pass's 20 families: 5 with news, one without a cursor, the
	// rest with nothing new.
	for _, id := range ids[:5] {
		exec(`INSERT INTO tasks (family_id, title) VALUES ($1, 'x')`, id)
	}
	exec(`DELETE FROM notify_cursors WHERE family_id = $1`, ids[5])
	exec(`ANALYZE families, notify_cursors, family_event_seq, notify_member_settings, event_log`)

	conn, err := pgx.Connect(ctx, e.pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	type scans struct{ seq, idx int64 }
	count := func() map[string]scans {
		t.Helper()
		rows, err := tx.Query(ctx, `SELECT relname, seq_scan, coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables
			WHERE relname IN ('notify_cursors', 'family_event_seq', 'families')`)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]scans{}
		for rows.Next() {
			var name string
			var s scans
			if err := rows.Scan(&name, &s.seq, &s.idx); err != nil {
				t.Fatal(err)
			}
			out[name] = s
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	q := dbsqlc.New()
	before := count()
	rows, err := q.NotifyPassStartMany(ctx, tx, dbsqlc.NotifyPassStartManyParams{FamilyIds: ids, MaxEvents: eventBatch})
	if err != nil {
		t.Fatal(err)
	}
	// As the pass ends it (pass.go): the families with news move, the
	// others are idle, the one not taken is made.
	var end dbsqlc.NotifyPassEndManyParams
	taken := map[uuid.UUID]bool{}
	for _, r := range rows {
		if taken[r.FamilyID] {
			continue
		}
		taken[r.FamilyID] = true
		if r.EventSeq == 0 {
			end.IdleIds = append(end.IdleIds, r.FamilyID)
		} else {
			end.FamilyIds, end.Seqs = append(end.FamilyIds, r.FamilyID), append(end.Seqs, r.EventSeq)
		}
	}
	for _, id := range ids {
		if !taken[id] {
			end.MissingIds = append(end.MissingIds, id)
		}
	}
	if len(end.FamilyIds) != 5 || len(end.IdleIds) != 14 || !slices.Equal(end.MissingIds, ids[5:6]) {
		t.Fatalf("%d families with news, %d idle, missing %v; want 5, 14 and %v", len(end.FamilyIds), len(end.IdleIds), end.MissingIds, ids[5])
	}
	if _, err := q.NotifyPassEndMany(ctx, tx, end); err != nil {
		t.Fatal(err)
	}
	after := count()
	for _, table := range []string{"notify_cursors", "family_event_seq", "families"} {
		b, a := before[table], after[table]
		t.Logf("%s: %d scans of the whole table, %d index scans", table, a.seq-b.seq, a.idx-b.idx)
		if a.seq != b.seq {
			t.Errorf("a pass over 20 of 1,000 families read the whole of %s %d times; want every row looked up by key", table, a.seq-b.seq)
		}
	}
	var made bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM notify_cursors WHERE family_id = $1)`, ids[5]).Scan(&made); err != nil || !made {
		t.Errorf("the missing cursor made: %t (%v), want it made", made, err)
	}
}
