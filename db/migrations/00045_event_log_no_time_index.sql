-- event_log without its time index (issue 20; docs/benchmarks.md, "The
-- write path inside PostgreSQL, counted"). Counted with
-- cmd/familyhub-bench/pgcost.sh -k insert -w (one backend under valgrind,
-- then pg_waldump): a one-row INSERT into shopping_items as the
-- application sends it wrote 10 WAL records (966 bytes) and cost 578,000
-- instructions; one record of every event was BRIN/SAMEPAGE_UPDATE (72
-- bytes) of event_log_at_brin (00013), and the index cost 14,000
-- instructions of every event (opened, locked, its summary read, widened
-- and written back).
--
-- 00013 expected "an insert into the newest, not yet summarised range
-- writes nothing to the index". That holds only while event_log only
-- grows: CREATE INDEX on the empty table summarised the first range
-- (128 pages, about 6,000 events), and once the prune job deletes a day's
-- events and VACUUM frees their pages, new events fill those pages, whose
-- ranges are summarised: every such insert widens its range's summary to
-- now (a WAL record), and a range holding events of a week ago and of
-- today no longer lets a scan for old events skip it. In a log that is
-- pruned the index costs a record per event and saves the prune nothing.
--
-- The prune job (jobs/prune.go, EventLogPruneBlocks) now walks event_log
-- by block ranges (a TID range scan of 256 pages, 2 MiB, per short
-- transaction) and deletes the old events it finds: one pass over the
-- table per run, whatever order the events lie in.
--
-- Nothing else changes: the same triggers, the same event_log rows and
-- seqs, the same notices. What a DBA sees: \d event_log lists only its
-- primary key (family_id, seq). Dropping the index takes event_log's
-- ACCESS EXCLUSIVE lock for an instant (writes of events wait that long).
-- Replicas of the previous version keep working: their prune
-- (EventLogPruneBatch: WHERE at < $1 LIMIT $2) reads the table instead of
-- the index, as it did in effect once the ranges were wide. Down makes the
-- index again (reading event_log once, under a SHARE lock: writes of
-- events wait for it).

-- +goose Up
DROP INDEX event_log_at_brin;

-- +goose Down
CREATE INDEX event_log_at_brin ON event_log USING brin (at);
