-- The presence upsert of 1,000 existing devices of live replica 0 (the
-- update path) and 1,000 new devices (the insert path), rolled back:
-- NotifyPresenceUpsert as sqlc generated it (prepared by run.sh through
-- querytext; parameters replica, then the arrays user_ids, device_ids,
-- family_ids, seqs, topics, live_until).
BEGIN;
SET LOCAL session_replication_role = replica; -- fixtures: no users rows
CREATE TEMP TABLE b ON COMMIT DROP AS
SELECT p.user_id AS u, p.device_id AS d, p.family_id AS f, 950::bigint AS s, ''::text AS t, now() + interval '90 s' AS l
FROM notify_device_presence p WHERE replica = '20000000-0000-0000-0000-000000000000' LIMIT 1000;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresenceupsert('20000000-0000-0000-0000-000000000000',
    (SELECT array_agg(u) FROM b), (SELECT array_agg(d) FROM b), (SELECT array_agg(f) FROM b),
    (SELECT array_agg(s) FROM b), (SELECT array_agg(t) FROM b), (SELECT array_agg(l) FROM b));
UPDATE b SET d = d || '-new';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresenceupsert('20000000-0000-0000-0000-000000000000',
    (SELECT array_agg(u) FROM b), (SELECT array_agg(d) FROM b), (SELECT array_agg(f) FROM b),
    (SELECT array_agg(s) FROM b), (SELECT array_agg(t) FROM b), (SELECT array_agg(l) FROM b));
ROLLBACK;
