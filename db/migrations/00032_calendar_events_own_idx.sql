-- The count of a family's own calendar events (not imported from a
-- subscription): a create, a CalDAV PUT of a new event and an undo putting
-- one back count them under the family's limit lock and refuse at
-- familyhub.MaxCalendarEvents (limits.go, docs/api.md "Limits";
-- CalendarEventCountOwn, queries/calendar.sql). The index on (family_id,
-- starts_at) holds the imported events too, up to
-- familyhub.MaxImportedEventsPerSubscription for each of 50 subscriptions,
-- so counting through it would read every one of them from the table; this
-- partial index holds the own events only, and the count reads it alone
-- (an index-only scan of at most the limit's entries).
--
-- Cost: one more index entry per own event written; imported events (the
-- subscriptions' syncs) are not in it. Updates do not touch it (family_id
-- and subscription_id never change). CREATE INDEX takes a SHARE lock on
-- calendar_events while it builds: event writes wait (one pass over the
-- table); reads do not. Measured on the shared 2-core test machine
-- (PostgreSQL 15, busy): 1,000,000 events of 500 families, half of them
-- imported, 1.95 s (the (family_id, starts_at) index on the same table,
-- for comparison, 4.4 s). A family's own events are bounded by the limit
-- this serves, so such a table is hundreds of families. Not CONCURRENTLY:
-- each migration is one transaction (docs/operations.md, "A starting
-- replica waits for migrations"), which CREATE INDEX CONCURRENTLY cannot
-- run in, as 00027, 00029 and 00030 build theirs.

-- +goose Up
CREATE INDEX calendar_events_family_id_own_idx ON calendar_events (family_id) WHERE subscription_id IS NULL;

-- +goose Down
DROP INDEX calendar_events_family_id_own_idx;
