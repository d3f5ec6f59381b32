-- A changed occurrence of a recurring event (calendar_event_overrides,
-- 00011) belongs to an event of its own family. Its foreign key named
-- calendar_events (id) alone, so a row of family A could point at family
-- B's event: every query scopes overrides by family_id and would never
-- show such a row, but its trigger would touch B's event (a
-- CALENDAR_EVENT_UPDATED in B for a change in A), and only the code that
-- writes the table stood between a bug and that. Now the key is
-- (family_id, event_id) -> calendar_events (family_id, id), as tasks'
-- template_id and shopping items' list_id already are: PostgreSQL itself
-- refuses an override that names another family's event (23503,
-- foreign_key_violation). Deleting an event still deletes its overrides.
--
-- What it adds: a unique index calendar_events_family_id_id_key on
-- calendar_events (family_id, id), which the new key needs (id alone is
-- already unique, so it can never refuse a row; it costs one more index
-- entry per new event).
--
-- Rows it deletes: overrides whose family is not their event's family.
-- No query of FamilyHub's ever returned them (see above), so nothing a
-- member saw goes; they can only have come from psql or a bug. Their
-- deletion touches no event and announces nothing.
--
-- Locks and time: the clean-up holds a SHARE ROW EXCLUSIVE lock on
-- calendar_event_overrides (DISABLE TRIGGER: overrides cannot be written,
-- only read, until the migration commits); CREATE UNIQUE INDEX then holds a
-- SHARE lock on calendar_events (reads go on, writes of events wait); the
-- foreign key is swapped under an ACCESS EXCLUSIVE lock on both tables
-- (dropping and adding a foreign key changes the referenced table's
-- triggers), so from then until the commit reads of events wait too.
-- Measured on the 2-core test machine (PostgreSQL 15, shared with other
-- work, so a quiet one is faster): 5,000 events (50 families) with 3,000
-- overrides, 41 ms in all (clean-up 21 ms, index 16 ms, key 5 ms); 100,000
-- events with 50,000 overrides, 0.9 s in all (clean-up 0.24-0.35 s, index
-- 0.29-0.31 s, key 0.24-0.31 s), so event writes wait about 0.6 s and
-- event reads about 0.3 s. Going down: 0.2 s for 100,000 events (the old
-- key is checked against every override; no index to build).

-- +goose Up
-- Without its trigger: touching the other family's event would announce a
-- change nobody there saw, and leave trigger events pending on
-- calendar_events, which CREATE INDEX and ALTER TABLE refuse (55006).
ALTER TABLE calendar_event_overrides DISABLE TRIGGER calendar_event_overrides_event;
DELETE FROM calendar_event_overrides o
USING calendar_events e
WHERE e.id = o.event_id AND e.family_id <> o.family_id;
ALTER TABLE calendar_event_overrides ENABLE TRIGGER calendar_event_overrides_event;
CREATE UNIQUE INDEX calendar_events_family_id_id_key ON calendar_events (family_id, id);
ALTER TABLE calendar_event_overrides
    DROP CONSTRAINT calendar_event_overrides_event_id_fkey,
    ADD CONSTRAINT calendar_event_overrides_family_id_event_id_fkey
        FOREIGN KEY (family_id, event_id) REFERENCES calendar_events (family_id, id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE calendar_event_overrides
    DROP CONSTRAINT calendar_event_overrides_family_id_event_id_fkey,
    ADD CONSTRAINT calendar_event_overrides_event_id_fkey
        FOREIGN KEY (event_id) REFERENCES calendar_events (id) ON DELETE CASCADE;
DROP INDEX calendar_events_family_id_id_key;
