package jobs

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// addEvents appends events with seqs from to to (inclusive) to the family's
// log, days old; descending writes them highest seq first, so they lie in
// the table's pages in reverse seq order.
func addEvents(t *testing.T, pool *pgxpool.Pool, family uuid.UUID, from, to int, age time.Duration, descending bool) {
	t.Helper()
	order := "g"
	if descending {
		order = "g DESC"
	}
	exec(t, pool, `INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, at)
		SELECT $1, g, 'TASK_UPDATED', 'familyhub_tasks', gen_random_uuid(), 'insert', now() - make_interval(secs => $4)
		FROM generate_series($2::bigint, $3::bigint) g ORDER BY `+order, family, from, to, age.Seconds())
}

// TestPruneEventsEveryFamily: old events of every family go, through the
// primary key family by family, and new ones stay: a family with more
// than one batch of old events, one whose events are all old, one with
// none old, one without events.
func TestPruneEventsEveryFamily(t *testing.T) {
	pool := dbtest.Pool(t)
	many, _ := newFamilyRows(t, pool, "UTC", 1)
	allOld, _ := newFamilyRows(t, pool, "UTC", 1)
	allNew, _ := newFamilyRows(t, pool, "UTC", 1)
	empty, _ := newFamilyRows(t, pool, "UTC", 1)
	exec(t, pool, `DELETE FROM event_log WHERE family_id = ANY($1)`, []uuid.UUID{many, allOld, allNew, empty})
	addEvents(t, pool, many, 1, 2*pruneBatch+500, 8*24*time.Hour, false)
	addEvents(t, pool, many, 2*pruneBatch+501, 2*pruneBatch+600, time.Hour, false)
	addEvents(t, pool, allOld, 7, 9, 8*24*time.Hour, false)
	addEvents(t, pool, allNew, 1, 10, time.Hour, false)
	cmd, err := newTestEngine(t, pool, Config{}).Command("prune-events", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		family    uuid.UUID
		min, want int64
	}{{"many", many, 2*pruneBatch + 501, 100}, {"all old", allOld, 0, 0}, {"all new", allNew, 1, 10}, {"empty", empty, 0, 0}} {
		var low, n int64
		if err := pool.QueryRow(context.Background(), `SELECT coalesce(min(seq), 0), count(*) FROM event_log WHERE family_id = $1`,
			c.family).Scan(&low, &n); err != nil {
			t.Fatal(err)
		}
		if low != c.min || n != c.want {
			t.Errorf("%s: %d events from seq %d left, want %d from %d", c.name, n, low, c.want, c.min)
		}
	}
}

// gapWatch records, after every DELETE statement on event_log, each
// family whose remaining log has a gap or kept a seq below one deleted.
// Each prune statement commits alone, so what a statement leaves is what
// a realtime catch-up would read next.
func gapWatch(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	exec(t, pool, `CREATE TABLE prune_gaps (family_id uuid, deleted_max bigint, kept_min bigint, kept_max bigint, kept bigint)`)
	exec(t, pool, `CREATE FUNCTION prune_gap_check() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO prune_gaps
			SELECT d.family_id, d.deleted_max, k.lo, k.hi, k.n
			FROM (SELECT family_id, max(seq) AS deleted_max FROM gone GROUP BY family_id) d
			CROSS JOIN LATERAL (SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM event_log e WHERE e.family_id = d.family_id) k
			WHERE k.n > 0 AND (k.lo < d.deleted_max OR k.hi - k.lo + 1 <> k.n);
			RETURN NULL;
		END $$`)
	exec(t, pool, `CREATE TRIGGER prune_gap_check AFTER DELETE ON event_log REFERENCING OLD TABLE AS gone
		FOR EACH STATEMENT EXECUTE FUNCTION prune_gap_check()`)
}

// TestPruneEventsNoGap: a family's log never has a gap, not even between
// the prune's statements: its expired events go lowest seq first. Here
// they lie in the table's pages highest seq first (over 256 pages), where
// deleting page by page would keep the lowest seqs while higher ones go.
func TestPruneEventsNoGap(t *testing.T) {
	pool := dbtest.Pool(t)
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	exec(t, pool, `DELETE FROM event_log WHERE family_id = $1`, family)
	addEvents(t, pool, family, 1, 3*pruneBatch, 8*24*time.Hour, true)
	addEvents(t, pool, family, 3*pruneBatch+1, 3*pruneBatch+50, time.Hour, false)
	if pages := scalar[int64](t, pool, `SELECT pg_relation_size('event_log') / current_setting('block_size')::bigint`); pages <= 256 {
		t.Fatalf("event_log has %d pages, want more than 256", pages)
	}
	gapWatch(t, pool)
	cmd, err := newTestEngine(t, pool, Config{}).Command("prune-events", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if gaps := scalar[int64](t, pool, `SELECT count(*) FROM prune_gaps`); gaps != 0 {
		var fam uuid.UUID
		var deleted, lo, hi, n int64
		_ = pool.QueryRow(context.Background(), `SELECT * FROM prune_gaps LIMIT 1`).Scan(&fam, &deleted, &lo, &hi, &n)
		t.Fatalf("%d statements left a gap; the first deleted up to seq %d and kept %d events from %d to %d", gaps, deleted, n, lo, hi)
	}
	if n := scalar[int64](t, pool, `SELECT count(*) FROM event_log WHERE family_id = $1 AND seq > $2`, family, 3*pruneBatch); n != 50 ||
		scalar[int64](t, pool, `SELECT count(*) FROM event_log WHERE family_id = $1`, family) != 50 {
		t.Fatalf("after the prune: want only the 50 new events, %d of them left", n)
	}
}

// TestPruneEventsConcurrent: two prunes at once delete each old event once
// between them and leave every family's log without a gap.
func TestPruneEventsConcurrent(t *testing.T) {
	pool := dbtest.Pool(t)
	var families []uuid.UUID
	for range 4 {
		f, _ := newFamilyRows(t, pool, "UTC", 1)
		exec(t, pool, `DELETE FROM event_log WHERE family_id = $1`, f)
		addEvents(t, pool, f, 1, pruneBatch+3000, 8*24*time.Hour, false)
		addEvents(t, pool, f, pruneBatch+3001, pruneBatch+3010, time.Hour, false)
		families = append(families, f)
	}
	gapWatch(t, pool)
	e := newTestEngine(t, pool, Config{})
	before := time.Now().Add(-7 * 24 * time.Hour)
	var wg sync.WaitGroup
	var counts [2]int64
	var errs [2]error
	for i := range 2 {
		wg.Go(func() { counts[i], errs[i] = e.pruneEventLog(context.Background(), before) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if sum, want := counts[0]+counts[1], int64(4*(pruneBatch+3000)); sum != want {
		t.Errorf("the two runs deleted %d + %d events, want %d in all", counts[0], counts[1], want)
	}
	if n := scalar[int64](t, pool, `SELECT count(*) FROM event_log WHERE family_id = ANY($1)`, families); n != 40 {
		t.Errorf("%d events left, want the 40 new ones", n)
	}
	if gaps := scalar[int64](t, pool, `SELECT count(*) FROM prune_gaps`); gaps != 0 {
		t.Errorf("%d statements left a gap in a family's log", gaps)
	}
}

// TestPruneEventsPlan: the prune's statements read event_log through its
// primary key, in a custom plan and in the generic plan a prepared
// statement may switch to after five executions: no sequential scan, no
// TID range scan, no sort of a family's whole log. The statements
// explained are those pgx prepared for the generated queries.
func TestPruneEventsPlan(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	// As in a log of many families, one family's batch is a small part
	// of the table (a batch that is most of a small table may be read by a
	// sequential scan, which costs little there).
	for range 12 {
		f, _ := newFamilyRows(t, pool, "UTC", 1)
		addEvents(t, pool, f, 100, 10099, time.Hour, false)
	}
	addEvents(t, pool, family, 100, 20099, 8*24*time.Hour, false)
	exec(t, pool, `ANALYZE event_log`)
	cfg := pool.Config().ConnConfig.Copy()
	cfg.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	q := newTestEngine(t, pool, Config{}).store.Q
	before := time.Now().Add(-7 * 24 * time.Hour)
	if _, err := q.EventLogPruneBounds(ctx, conn, dbsqlc.EventLogPruneBoundsParams{FamilyID: family, Before: before}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.EventLogPruneRange(ctx, conn, dbsqlc.EventLogPruneRangeParams{
		FamilyID: family, FromSeq: 0, ToSeq: 1, Before: before,
	}); err != nil {
		t.Fatal(err)
	}
	// The bounds need the family's seqs in order (an index scan that stops
	// at the first kept event: no bitmap scan); a batch is one range of the
	// index, by an index scan or a bitmap scan of that range.
	for _, c := range []struct {
		like, args string
		bitmap     bool
	}{
		{"%name: EventLogPruneBounds%", `($1, now() - interval '7 days')`, false},
		{"%name: EventLogPruneRange%", `($1, 100, 10100, now() - interval '7 days')`, true},
	} {
		var name string
		if err := conn.QueryRow(ctx, `SELECT name FROM pg_prepared_statements WHERE statement LIKE $1`, c.like).Scan(&name); err != nil {
			t.Fatalf("the prepared %s: %v", c.like, err)
		}
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			if _, err := conn.Exec(ctx, `SELECT set_config('plan_cache_mode', $1, false)`, mode); err != nil {
				t.Fatal(err)
			}
			args := strings.Replace(c.args, "$1", "'"+family.String()+"'", 1)
			rows, err := conn.Query(ctx, `EXPLAIN EXECUTE `+pgx.Identifier{name}.Sanitize()+args, pgx.QueryExecModeSimpleProtocol)
			if err != nil {
				t.Fatal(err)
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(lines, "\n")
			if !strings.Contains(plan, "event_log_pkey") || strings.Contains(plan, "Seq Scan") ||
				strings.Contains(plan, "Tid Range Scan") || strings.Contains(plan, "Sort") ||
				!c.bitmap && strings.Contains(plan, "Bitmap") || c.bitmap && !strings.Contains(plan, "seq < ") {
				t.Errorf("%s, %s: not read through the primary key alone:\n%s", c.like, mode, plan)
			}
		}
	}
}
