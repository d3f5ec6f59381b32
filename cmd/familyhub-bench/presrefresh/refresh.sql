-- The refresh, as a replica runs it (live 90 s; due :due ahead, 65 s and
-- 5 s more each round, as if 5 s passed), each live replica in turn.
SELECT 'round' AS r;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
UPDATE notify_device_presence SET live_until = now() + interval '90 s', updated_at = now()
WHERE replica = '20000000-0000-0000-0000-000000000000' AND live_until > now() AND live_until < now() + :'due'::interval;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
UPDATE notify_device_presence SET live_until = now() + interval '90 s', updated_at = now()
WHERE replica = '20000000-0000-0000-0000-000000000001' AND live_until > now() AND live_until < now() + :'due'::interval;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
UPDATE notify_device_presence SET live_until = now() + interval '90 s', updated_at = now()
WHERE replica = '20000000-0000-0000-0000-000000000002' AND live_until > now() AND live_until < now() + :'due'::interval;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
UPDATE notify_device_presence SET live_until = now() + interval '90 s', updated_at = now()
WHERE replica = '20000000-0000-0000-0000-000000000003' AND live_until > now() AND live_until < now() + :'due'::interval;
