-- The rewind's lowering of a family's rows (NotifyPresenceRewind), as it
-- was (reading the table by family_id, which has no index) and as it is
-- (through the family's members and the primary key: NotifyPresenceRewind
-- as sqlc generated it, prepared by run.sh), rolled back.
BEGIN;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
UPDATE notify_device_presence p SET seen_seq = x.seq
FROM (SELECT unnest(ARRAY['10000000-0000-0000-0000-000000000010'::uuid]) AS family_id, unnest(ARRAY[5::bigint]) AS seq) x
WHERE p.family_id = x.family_id AND p.seen_seq > x.seq;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresencerewind(ARRAY['10000000-0000-0000-0000-000000000010'::uuid], ARRAY[5::bigint]);
ROLLBACK;
-- The read that puts back lost rows after a rewind note
-- (NotifyPresenceLiveRows, as sqlc generated it: family_ids, replica,
-- now): one family, then every family of the replica
-- (NotifyPresenceLiveRowsAll: a refresh that found fewer rows than expected).
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresenceliverows(ARRAY['10000000-0000-0000-0000-000000000010'::uuid], '20000000-0000-0000-0000-000000000000', now());
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresenceliverowsall('20000000-0000-0000-0000-000000000000', now());
