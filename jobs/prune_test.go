package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPruneEventsWalksTheLog: event_log has no time index (00045), so the
// prune walks it range by range; old events in every range go, wherever
// they lie (here interleaved with new ones over more than three ranges,
// as in a log whose freed pages took new events), and every new one stays.
func TestPruneEventsWalksTheLog(t *testing.T) {
	pool := dbtest.Pool(t)
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	// 60,000 events (about 920 pages): odd seqs 8 days old, even ones new.
	exec(t, pool, `INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, at)
		SELECT $1, g, 'TASK_UPDATED', 'familyhub_tasks', gen_random_uuid(), 'insert',
		       CASE WHEN g % 2 = 1 THEN now() - interval '8 days' ELSE now() - interval '1 hour' END
		FROM generate_series(1000, 60999) g`, family)
	if pages := scalar[int64](t, pool, `SELECT pg_relation_size('event_log') / current_setting('block_size')::bigint`); pages <= 3*pruneBlocks {
		t.Fatalf("event_log has %d pages, want more than %d (three ranges)", pages, 3*pruneBlocks)
	}
	cmd, err := newTestEngine(t, pool, Config{}).Command("prune-events", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := scalar[int](t, pool, `SELECT count(*) FROM event_log WHERE family_id = $1 AND seq >= 1000 AND seq % 2 = 1`, family)
	kept := scalar[int](t, pool, `SELECT count(*) FROM event_log WHERE family_id = $1 AND seq >= 1000 AND seq % 2 = 0`, family)
	if old != 0 || kept != 30000 {
		t.Fatalf("after the prune: %d old events left (want 0), %d new ones (want 30000)", old, kept)
	}
}

// TestPruneEventsRangeScan: each EventLogPruneBlocks reads only its own
// pages (a TID range scan), in a custom plan and in the generic plan a
// prepared statement may switch to after five executions; a sequential scan
// per range would make the walk read the table once per 256 pages
// (quadratic). The statement explained is the one pgx prepared for the
// generated query.
func TestPruneEventsRangeScan(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	exec(t, pool, `INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, at)
		SELECT $1, g, 'TASK_UPDATED', 'familyhub_tasks', gen_random_uuid(), 'insert', now() - interval '8 days'
		FROM generate_series(1000, 21999) g`, family)
	exec(t, pool, `ANALYZE event_log`)
	cfg := pool.Config().ConnConfig.Copy()
	cfg.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	q := newTestEngine(t, pool, Config{}).store.Q
	if _, err := q.EventLogPruneBlocks(ctx, conn, dbsqlc.EventLogPruneBlocksParams{
		Before: time.Now().Add(-7 * 24 * time.Hour), FromBlock: 0, ToBlock: pruneBlocks,
	}); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := conn.QueryRow(ctx, `SELECT name FROM pg_prepared_statements
		WHERE statement LIKE '%DELETE FROM event_log%' AND statement LIKE '%ctid%'`).Scan(&name); err != nil {
		t.Fatalf("the prepared EventLogPruneBlocks: %v", err)
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := conn.Exec(ctx, `SELECT set_config('plan_cache_mode', $1, false)`, mode); err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(ctx, `EXPLAIN EXECUTE `+pgx.Identifier{name}.Sanitize()+
			`(256, 512, now() - interval '7 days')`, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		plan := strings.Join(lines, "\n")
		// Both bounds in the scan's condition: with one only, each range
		// would read from page 0 (or to the end).
		var cond string
		for _, l := range lines {
			if strings.Contains(l, "TID Cond:") {
				cond = l
			}
		}
		if !strings.Contains(plan, "Tid Range Scan on event_log") || strings.Contains(plan, "Seq Scan") ||
			!strings.Contains(cond, "ctid >=") || !strings.Contains(cond, "ctid <") {
			t.Errorf("%s: a range is not read by a TID range scan of its own pages:\n%s", mode, plan)
		}
	}
}
