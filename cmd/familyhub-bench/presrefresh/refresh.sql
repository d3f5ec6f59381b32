-- The refresh, as a replica runs it (live 90 s; due :due ahead, 65 s and
-- 5 s more each round, as if 5 s passed), each live replica in turn:
-- NotifyPresenceRefresh as sqlc generated it (prepared by run.sh through
-- querytext; parameters live_until, replica, now, due).
SELECT 'round' AS r;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresencerefresh(now() + interval '90 s', '20000000-0000-0000-0000-000000000000', now(), now() + :'due'::interval);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresencerefresh(now() + interval '90 s', '20000000-0000-0000-0000-000000000001', now(), now() + :'due'::interval);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresencerefresh(now() + interval '90 s', '20000000-0000-0000-0000-000000000002', now(), now() + :'due'::interval);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE notifypresencerefresh(now() + interval '90 s', '20000000-0000-0000-0000-000000000003', now(), now() + :'due'::interval);
