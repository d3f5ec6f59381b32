-- What the prune of event_log does to shared_buffers: jobs/prune.go, family
-- by family through the primary key, reads only the expired events' pages;
-- the 256-page walk it replaced (00045) read the whole log through shared
-- buffers (a TID range scan uses no small ring, as a large sequential scan
-- does) and pushed out what was cached there.
-- docs/jobs.md, "prune-events: the event log". Run on a throwaway cluster:
--   go run ./cmd/pgrun -- sh -c 'psql "$TEST_DATABASE_URL" -X -v ON_ERROR_STOP=1 -f jobs/testdata/prune_cache.sql'
\set QUIET on
\pset footer off
CREATE EXTENSION pg_buffercache;
CREATE TABLE event_log (
    family_id uuid NOT NULL, seq bigint NOT NULL, type text NOT NULL, channel text NOT NULL,
    entity_id uuid NOT NULL, list_id uuid, op text NOT NULL, actor_id uuid, device_id text, at timestamptz NOT NULL, version bigint, for_user_id uuid,
    PRIMARY KEY (family_id, seq));
INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
SELECT ('00000000-0000-0000-0000-' || lpad((g % 1000)::text, 12, '0'))::uuid, g / 1000 + 1, 'SHOPPING_ITEM_UPDATED', 'familyhub_shopping',
       gen_random_uuid(), gen_random_uuid(), 'update', gen_random_uuid(), 'kitchen-tablet',
       timestamptz '2026-01-01 00:00Z' + (g * interval '1 day' / 100000), 2
FROM generate_series(1, 1500000) g;
CREATE TABLE families (id uuid PRIMARY KEY);
INSERT INTO families SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid FROM generate_series(0, 999) g;
-- jobs/prune.go (EventLogPruneBounds, EventLogPruneRange), as in prune_cost.sql
CREATE PROCEDURE by_family(before timestamptz) LANGUAGE plpgsql AS $$
DECLARE fam uuid; lo bigint; b bigint;
BEGIN
  FOR fam IN SELECT id FROM families ORDER BY id LOOP
    SELECT coalesce((SELECT l.seq FROM event_log l WHERE l.family_id = fam ORDER BY l.seq LIMIT 1), 0),
           coalesce((SELECT x.seq FROM event_log x WHERE x.family_id = fam AND x.at >= before ORDER BY x.seq LIMIT 1),
                    (SELECT h.seq + 1 FROM event_log h WHERE h.family_id = fam ORDER BY h.seq DESC LIMIT 1), 0)
      INTO lo, b;
    WHILE lo < b LOOP
      DELETE FROM event_log WHERE family_id = fam AND seq >= lo AND seq < least(lo + 10000, b) AND at < before;
      COMMIT;
      lo := lo + 10000;
    END LOOP;
  END LOOP;
END $$;
CREATE TABLE hot AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 100000) g;
VACUUM ANALYZE event_log; VACUUM ANALYZE hot;
SELECT pg_relation_size('event_log')/8192 AS event_pages, pg_relation_size('hot')/8192 AS hot_pages, current_setting('shared_buffers');
CREATE FUNCTION warm() RETURNS void LANGUAGE plpgsql AS $$ BEGIN FOR i IN 1..5 LOOP PERFORM count(*) FROM hot WHERE pad <> ''; END LOOP; END $$;
CREATE VIEW cached AS SELECT c.relname, count(*) AS buffers FROM pg_buffercache b JOIN pg_class c ON b.relfilenode = pg_relation_filenode(c.oid)
  WHERE c.relname IN ('hot', 'event_log') GROUP BY 1 ORDER BY 1;
-- hot table small enough (< NBuffers/4) to be read without a ring
SET enable_seqscan = on;
SELECT warm(); SELECT warm();
\echo == before
SELECT * FROM cached;
CALL by_family('2026-01-02 00:00Z');
\echo == after the prune by family (one day, 100,000 events, deleted)
SELECT * FROM cached;
SELECT warm(); SELECT warm();
\echo == warmed again, then the walk of 00045 (deleting nothing)
SELECT * FROM cached;
DO $$ DECLARE blocks bigint := pg_relation_size('event_log')/8192; BEGIN
  FOR f IN 0..blocks-1 BY 256 LOOP
    DELETE FROM event_log WHERE ctid >= format('(%s,0)', f::bigint)::tid AND ctid < format('(%s,0)', f::bigint + 256)::tid AND at < '2026-01-01';
  END LOOP; END $$;
\echo == after the walk
SELECT * FROM cached;
SELECT warm(); SELECT warm();
\echo == warmed again, then a plain seq scan of event_log
SELECT * FROM cached;
SELECT count(*) FROM event_log WHERE at < '2026-01-01';
SELECT * FROM cached;
