-- The presence upsert of 1,000 existing devices of live replica 0 (the
-- update path) and 1,000 new devices (the insert path), rolled back.
BEGIN;
SET LOCAL session_replication_role = replica; -- fixtures: no users rows
CREATE TEMP TABLE b ON COMMIT DROP AS
SELECT p.user_id AS u, p.device_id AS d, p.family_id AS f, 950::bigint AS s, ''::text AS t, now() + interval '90 s' AS l
FROM notify_device_presence p WHERE replica = '20000000-0000-0000-0000-000000000000' LIMIT 1000;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
INSERT INTO notify_device_presence (user_id, device_id, replica, family_id, seen_seq, topics, live_until)
SELECT x.u, x.d, '20000000-0000-0000-0000-000000000000'::uuid, x.f, least(x.s, fs.seq), CASE WHEN x.t = '' THEN NULL ELSE string_to_array(x.t, ',') END, x.l
FROM b x
JOIN memberships m ON m.user_id = x.u AND m.family_id = x.f
JOIN family_event_seq fs ON fs.family_id = x.f
ON CONFLICT (user_id, device_id, replica) DO UPDATE
SET family_id = EXCLUDED.family_id,
    seen_seq = CASE WHEN notify_device_presence.family_id = EXCLUDED.family_id
                    THEN least(greatest(notify_device_presence.seen_seq, EXCLUDED.seen_seq),
                               (SELECT s.seq FROM family_event_seq s WHERE s.family_id = EXCLUDED.family_id))
                    ELSE EXCLUDED.seen_seq END,
    topics = EXCLUDED.topics, live_until = EXCLUDED.live_until, updated_at = now();
UPDATE b SET d = d || '-new';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
INSERT INTO notify_device_presence (user_id, device_id, replica, family_id, seen_seq, topics, live_until)
SELECT x.u, x.d, '20000000-0000-0000-0000-000000000000'::uuid, x.f, least(x.s, fs.seq), CASE WHEN x.t = '' THEN NULL ELSE string_to_array(x.t, ',') END, x.l
FROM b x
JOIN memberships m ON m.user_id = x.u AND m.family_id = x.f
JOIN family_event_seq fs ON fs.family_id = x.f
ON CONFLICT (user_id, device_id, replica) DO UPDATE
SET family_id = EXCLUDED.family_id,
    seen_seq = EXCLUDED.seen_seq, topics = EXCLUDED.topics, live_until = EXCLUDED.live_until, updated_at = now();
ROLLBACK;
