-- Indexes for deleting sessions. The prune job deletes sessions that ended
-- FAMILYHUB_SESSION_RETENTION ago. Two foreign keys point at sessions
-- without an index on their own side, so PostgreSQL scanned the referencing
-- table once per deleted session:
--   sessions.replaced_by (ON DELETE SET NULL; a refresh links the old
--     session to the new one): the scan is of sessions itself, so a prune
--     grew with the square of the table. Measured on a 2-core machine,
--     20,000 ended sessions each replaced by the next: their DELETE took
--     12.7 s, 0.42 s with the index; 200,000 were not done after 9.5
--     minutes, 4.6 s with it.
--   realtime_tickets.session_id (ON DELETE CASCADE): a scan of the tickets
--     (pruned hourly, so small) per deleted session.
-- Both indexes are partial or small. CREATE INDEX takes a SHARE lock on
-- its table while it builds: sign-ins, refreshes and ticket hand-outs wait
-- (24 ms for 20,000 rotated sessions here); reads do not.

-- +goose Up
CREATE INDEX sessions_replaced_by_idx ON sessions (replaced_by) WHERE replaced_by IS NOT NULL;
CREATE INDEX realtime_tickets_session_id_idx ON realtime_tickets (session_id);

-- +goose Down
DROP INDEX realtime_tickets_session_id_idx;
DROP INDEX sessions_replaced_by_idx;
