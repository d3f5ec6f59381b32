-- Each replica refreshes its live devices' presence every 5 s in one
-- statement (NotifyPresenceRefresh, queries/notify.sql): UPDATE ...
-- SET live_until, updated_at WHERE replica = $1 AND live_until in a
-- window. Without an index on replica that statement read the whole
-- table, every 5 s per replica, and the table holds far more than the
-- replica's live rows: every device's rows of the last day (closed ones
-- included) on every replica process that ran that day (each has its
-- own id, so each restart leaves a set behind). Measured at 100,000 rows
-- over 4 live replicas (docs/benchmarks.md, "Presence refresh index"):
-- 9.7 ms -> 2.7 ms per refresh when 5 % of the rows are live, 16.9 ->
-- 10.4 ms at 25 %, no change when all are (a replica's rows are then on
-- every page anyway); the upsert is not measurably slower.
--
-- What a DBA needs to know: the index holds only replica, a column no
-- statement changes after the insert. The refresh and the presence upsert
-- change live_until, updated_at, seen_seq and topics, so their updates
-- stay HOT (a new row version on the same page, no new index entries;
-- fillfactor 50 since 00020): an index on live_until would have made
-- every refresh write an entry in each index. Building it takes a SHARE
-- lock on notify_device_presence until this migration's transaction
-- commits (the build: milliseconds for 100,000 rows, and the table holds
-- only the last day's devices). Writes to the table wait meanwhile: the
-- presence flushes and refreshes (single statements), notify-scan's
-- delete, and a user's or family's deletion (its cascade), which waits
-- holding its other locks; reads do not. The lock is granted once the
-- transactions that wrote the table are done, and the writes that come
-- after queue behind it; like the other migrations it sets no
-- lock_timeout. Not CONCURRENTLY: each migration is one transaction
-- (00032, docs/operations.md), and a concurrent build that failed would
-- leave an invalid index under this name for the next attempt to trip on.

-- +goose Up
CREATE INDEX notify_device_presence_replica_idx ON notify_device_presence (replica);

-- +goose Down
DROP INDEX notify_device_presence_replica_idx;
