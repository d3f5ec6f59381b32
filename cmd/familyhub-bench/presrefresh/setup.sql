-- :n rows of notify_device_presence, :live_share of them on the 4 live
-- replicas (live_until within the next 90 s), the rest on 20 old replicas
-- (rows of restarted processes, live_until past), in random physical order.
SET session_replication_role = replica; -- fixtures only: no FK checks
TRUNCATE notify_device_presence, memberships, family_event_seq CASCADE;
CREATE TEMP TABLE dev AS
SELECT i, ('00000000-0000-0000-0000-' || lpad(to_hex(i / 4 + 1), 12, '0'))::uuid AS u,
       ('10000000-0000-0000-0000-' || lpad(to_hex(i / 16 + 1), 12, '0'))::uuid AS f
FROM generate_series(0, :n - 1) i;
INSERT INTO memberships (family_id, user_id) SELECT DISTINCT f, u FROM dev;
INSERT INTO family_event_seq (family_id, seq) SELECT DISTINCT f, 1000 FROM dev;
INSERT INTO notify_device_presence (user_id, device_id, replica, family_id, seen_seq, topics, live_until, updated_at)
SELECT u, 'dev-' || i,
       CASE WHEN i < :n * :live_share THEN ('20000000-0000-0000-0000-00000000000' || (i % 4))::uuid
            ELSE ('30000000-0000-0000-0000-0000000000' || lpad((i % 20)::text, 2, '0'))::uuid END,
       f, 900, NULL,
       CASE WHEN i < :n * :live_share THEN now() + interval '60 s' + random() * interval '30 s' ELSE now() - random() * interval '20 h' END,
       now()
FROM dev ORDER BY random();
VACUUM ANALYZE notify_device_presence;
VACUUM ANALYZE memberships;
VACUUM ANALYZE family_event_seq;
SELECT count(*) AS rows, pg_size_pretty(pg_relation_size('notify_device_presence')) AS heap,
       pg_relation_size('notify_device_presence') / 8192 AS pages FROM notify_device_presence;
