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
SELECT array_agg(u) AS us, array_agg(d) AS ds, array_agg(f) AS fs, array_agg(s) AS ss, array_agg(t) AS ts, array_agg(l) AS ls FROM b \gset
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresenceupsert('20000000-0000-0000-0000-000000000000', :'us', :'ds', :'fs', :'ss', :'ts', :'ls');
UPDATE b SET d = d || '-new';
SELECT array_agg(u) AS us, array_agg(d) AS ds, array_agg(f) AS fs, array_agg(s) AS ss, array_agg(t) AS ts, array_agg(l) AS ls FROM b \gset
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresenceupsert('20000000-0000-0000-0000-000000000000', :'us', :'ds', :'fs', :'ss', :'ts', :'ls');
ROLLBACK;
