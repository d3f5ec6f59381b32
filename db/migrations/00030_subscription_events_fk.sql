-- An imported event (calendar_events.subscription_id, 00006/00009) now
-- belongs to a subscription of its own family: a foreign key
-- (family_id, subscription_id) -> calendar_subscriptions (family_id, id)
-- ON DELETE CASCADE, like overrides to their event (00026). Before, the
-- column had no key, and deleting a subscription deleted its events by a
-- statement of its own: an import already running (it fetches for up to a
-- minute, then writes each event in a transaction of its own) could write
-- events after that, for a subscription that no longer existed. Those were
-- read-only orphans on every member's calendar that no one could remove.
-- Now PostgreSQL refuses such a write (23503, foreign_key_violation, on
-- constraint calendar_events_family_id_subscription_id_fkey; the import
-- stops quietly on it, ical/import.go), and deleting a subscription deletes
-- its events in the same statement (each still announced as a
-- CALENDAR_EVENT_UPDATED delete by calendar_events_event, and a CalDAV
-- tombstone written, since cascaded deletes fire row triggers). An import
-- writing an event while the subscription is being deleted waits for one
-- or the other: the key's check locks the subscription row (FOR KEY SHARE).
--
-- What it adds: a unique index calendar_subscriptions_family_id_id_key on
-- calendar_subscriptions (family_id, id), which the key needs (id alone is
-- already unique, so it never refuses a row; at most 50 rows per family).
-- The cascade finds a subscription's events through the existing index
-- calendar_events_subscription_id_idx.
--
-- Rows it deletes: imported events whose subscription is gone or belongs
-- to another family (the orphans above, or rows written in psql). Members
-- saw them (read-only, unremovable); their deletion is announced like any
-- other, so open apps and CalDAV clients drop them.
--
-- Locks and time: the clean-up holds ROW EXCLUSIVE on calendar_events
-- (the orphans' rows only); SET CONSTRAINTS ALL IMMEDIATE then numbers and
-- announces their deletions at once (ALTER TABLE refuses a table with
-- pending trigger events, 55006). CREATE UNIQUE INDEX holds a SHARE lock on
-- calendar_subscriptions (a few rows per family: milliseconds); adding the
-- key holds SHARE ROW EXCLUSIVE on both tables while it checks every
-- imported event: writes of events and subscriptions wait, reads go on.
-- Measured on the 2-core test machine (PostgreSQL 15, shared with other
-- work, so a quiet one is faster): 100,000 events of 50 families, 50,000 of
-- them imported from 100 subscriptions, 100 orphans: 0.36 s in all; with
-- no orphans 0.18 s (the orphan search 0.17 s, the index 4 ms, the key's
-- check 0.10 s, the only time writes wait on the key's lock). Going down
-- drops the key and the index: 10-22 ms. Deleting a subscription with
-- 1,000 events afterwards: the cascade itself 3-9 ms; the events' own
-- triggers (tombstones, overrides, announcements) cost what the separate
-- DELETE of before cost (0.2-0.3 s for the 1,000 here, either way).

-- +goose Up
DELETE FROM calendar_events e
WHERE e.subscription_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM calendar_subscriptions s WHERE s.id = e.subscription_id AND s.family_id = e.family_id);
SET CONSTRAINTS ALL IMMEDIATE;
CREATE UNIQUE INDEX calendar_subscriptions_family_id_id_key ON calendar_subscriptions (family_id, id);
ALTER TABLE calendar_events
    ADD CONSTRAINT calendar_events_family_id_subscription_id_fkey
        FOREIGN KEY (family_id, subscription_id) REFERENCES calendar_subscriptions (family_id, id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE calendar_events DROP CONSTRAINT calendar_events_family_id_subscription_id_fkey;
DROP INDEX calendar_subscriptions_family_id_id_key;
