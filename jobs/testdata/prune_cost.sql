-- What the daily prune of event_log costs, on a table shaped like event_log:
-- 31 days of 100,000 events (3.1 million) of 1,000 families (each family's
-- seqs contiguous, its times following them), then the old EventLogPruneBatch
-- loop with event_log_at_brin (A, B), the 256-page walk that replaced it in
-- 00045 (C), the prune of jobs/prune.go family by family through the primary
-- key (E, E2) and the old loop without the index, as an old replica runs it
-- after 00045 (D).
-- Prints the buffers each read (pg_statio_user_tables) and the time.
-- docs/jobs.md, "prune-events: the event log". Run on a throwaway cluster:
--   go run ./cmd/pgrun -- sh -c 'psql "$TEST_DATABASE_URL" -X -v ON_ERROR_STOP=1 -f jobs/testdata/prune_cost.sql'
\set QUIET on
\pset footer off
CREATE TABLE event_log (
    family_id uuid NOT NULL, seq bigint NOT NULL, type text NOT NULL, channel text NOT NULL,
    entity_id uuid NOT NULL, list_id uuid, op text NOT NULL CHECK (op IN ('insert','update','delete')),
    actor_id uuid, device_id text, at timestamptz NOT NULL, version bigint, for_user_id uuid,
    PRIMARY KEY (family_id, seq));
CREATE FUNCTION load_days(first_day int, days int) RETURNS void LANGUAGE sql AS $$
INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
SELECT ('00000000-0000-0000-0000-' || lpad((g % 1000)::text, 12, '0'))::uuid, g / 1000 + 1, 'SHOPPING_ITEM_UPDATED', 'familyhub_shopping',
       gen_random_uuid(), gen_random_uuid(), 'update', gen_random_uuid(), 'kitchen-tablet',
       timestamptz '2026-01-01 00:00Z' + (g * interval '1 day' / 100000), 2
FROM generate_series(first_day::bigint*100000 + 1, (first_day + days)::bigint*100000) g $$;
CREATE FUNCTION blks() RETURNS text LANGUAGE sql AS $$
SELECT format('heap read %s hit %s, index read %s hit %s', heap_blks_read, heap_blks_hit, coalesce(idx_blks_read,0), coalesce(idx_blks_hit,0))
FROM pg_statio_user_tables WHERE relname = 'event_log' $$;
CREATE TABLE families (id uuid PRIMARY KEY);
INSERT INTO families SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid FROM generate_series(0, 999) g;
-- jobs/prune.go: per family EventLogPruneBounds, then EventLogPruneRange of
-- 10,000 seqs at a time, each its own transaction
CREATE PROCEDURE by_family(before timestamptz) LANGUAGE plpgsql AS $$
DECLARE fam uuid; lo bigint; b bigint; n bigint; total bigint := 0; k int := 0;
BEGIN
  FOR fam IN SELECT id FROM families ORDER BY id LOOP
    SELECT coalesce((SELECT l.seq FROM event_log l WHERE l.family_id = fam ORDER BY l.seq LIMIT 1), 0),
           coalesce((SELECT x.seq FROM event_log x WHERE x.family_id = fam AND x.at >= before ORDER BY x.seq LIMIT 1),
                    (SELECT h.seq + 1 FROM event_log h WHERE h.family_id = fam ORDER BY h.seq DESC LIMIT 1), 0)
      INTO lo, b;
    k := k + 1;
    WHILE lo < b LOOP
      DELETE FROM event_log WHERE family_id = fam AND seq >= lo AND seq < least(lo + 10000, b) AND at < before;
      GET DIAGNOSTICS n = ROW_COUNT; total := total + n; k := k + 1; COMMIT;
      lo := lo + 10000;
    END LOOP;
  END LOOP;
  RAISE NOTICE 'by family: % statements, % deleted', k, total;
END $$;
-- the walk of 00045 (EventLogPruneBlocks), each range its own transaction
CREATE PROCEDURE walk(before timestamptz) LANGUAGE plpgsql AS $$
DECLARE blocks bigint := pg_relation_size('event_log') / current_setting('block_size')::bigint; n bigint; total bigint := 0;
BEGIN
  FOR f IN 0..blocks-1 BY 256 LOOP
    DELETE FROM event_log WHERE ctid >= format('(%s,0)', f::bigint)::tid AND ctid < format('(%s,0)', f::bigint + 256)::tid AND at < before;
    GET DIAGNOSTICS n = ROW_COUNT; total := total + n; COMMIT;
  END LOOP;
  RAISE NOTICE 'walk: % pages, % deleted', blocks, total;
END $$;
-- the old EventLogPruneBatch loop
CREATE PROCEDURE batches(before timestamptz) LANGUAGE plpgsql AS $$
DECLARE n bigint; total bigint := 0; k int := 0;
BEGIN
  LOOP
    DELETE FROM event_log WHERE (family_id, seq) IN (SELECT family_id, seq FROM event_log WHERE at < before LIMIT 10000);
    GET DIAGNOSTICS n = ROW_COUNT; total := total + n; k := k + 1; COMMIT;
    EXIT WHEN n < 10000;
  END LOOP;
  RAISE NOTICE 'batches: % statements, % deleted', k, total;
END $$;
\timing on
SELECT load_days(0, 31);
\timing off
VACUUM ANALYZE event_log;
SELECT pg_relation_size('event_log')/8192 AS pages, pg_size_pretty(pg_relation_size('event_log')) AS size;

\echo === A: old path, BRIN (pages_per_range 128) on a log in time order, first prune of day 0
CREATE INDEX event_log_at_brin ON event_log USING brin (at);
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS before_a;
\timing on
CALL batches('2026-01-02 00:00Z');
\timing off
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS after_a;

\echo === B: VACUUM, day 31 fills the freed pages, old path with BRIN prunes day 1
VACUUM event_log;
SELECT load_days(31, 1);
SELECT pg_relation_size('event_log')/8192 AS pages;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS before_b;
\timing on
CALL batches('2026-01-03 00:00Z');
\timing off
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS after_b;

\echo === C: 00045 (no index), VACUUM, day 32, the walk prunes day 2
DROP INDEX event_log_at_brin;
VACUUM event_log;
SELECT load_days(32, 1);
SELECT pg_relation_size('event_log')/8192 AS pages;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS before_c;
\timing on
CALL walk('2026-01-04 00:00Z');
\timing off
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS after_c;
\echo === E: VACUUM, day 33, the prune of jobs/prune.go prunes day 3
VACUUM event_log;
SELECT load_days(33, 1);
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS before_e;
\timing on
CALL by_family('2026-01-05 00:00Z');
\timing off
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS after_e;
\echo === E2: the same prune again at once, nothing to delete (one statement per family), the deleted rows not yet vacuumed
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS before_e2;
\timing on
CALL by_family('2026-01-05 00:00Z');
\timing off
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS after_e2;
\echo === E3: VACUUM (as autovacuum would before the next day), the same prune again, nothing to delete
VACUUM event_log;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS before_e3;
\timing on
CALL by_family('2026-01-05 00:00Z');
\timing off
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS after_e3;

\echo === D: rolling upgrade: old replica, no index, VACUUM, day 34, old loop prunes day 4
VACUUM event_log;
SELECT load_days(34, 1);
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS before_d;
\timing on
CALL batches('2026-01-06 00:00Z');
\timing off
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot(); SELECT blks() AS after_d;
SHOW shared_buffers;

\echo === the plans of EventLogPruneBounds and EventLogPruneRange as pgx runs them (generic plans of prepared statements): the primary key
SET plan_cache_mode = force_generic_plan;
PREPARE bounds(uuid, timestamptz) AS
SELECT coalesce((SELECT l.seq FROM event_log l WHERE l.family_id = $1::uuid ORDER BY l.seq LIMIT 1), 0)::bigint AS lowest,
       coalesce((SELECT b.seq FROM event_log b WHERE b.family_id = $1::uuid AND b.at >= $2::timestamptz ORDER BY b.seq LIMIT 1),
                (SELECT h.seq + 1 FROM event_log h WHERE h.family_id = $1::uuid ORDER BY h.seq DESC LIMIT 1), 0)::bigint AS boundary;
EXPLAIN EXECUTE bounds('00000000-0000-0000-0000-000000000007', '2026-01-06 00:00Z');
PREPARE prune_range(uuid, bigint, bigint, timestamptz) AS
DELETE FROM event_log WHERE family_id = $1 AND seq >= $2::bigint AND seq < $3::bigint AND at < $4::timestamptz;
EXPLAIN EXECUTE prune_range('00000000-0000-0000-0000-000000000007', 400, 500, '2026-01-06 00:00Z');
