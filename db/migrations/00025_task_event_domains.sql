-- Cheaper task and calendar writes, the same rules (issue 20;
-- docs/benchmarks.md, "Sixth round"). 00024 made the one-column checks of
-- the shopping path domains; tasks had twelve CHECK constraints and
-- calendar_events fourteen, and PostgreSQL parses and prepares every one
-- of them again from its stored text at the start of every statement that
-- writes the table (ExecRelCheck), prepared statement or not: about 18,000
-- instructions each, so every task completed, reopened, snoozed or edited
-- and every CalDAV write of an event or a task paid for them. Counted with
-- cmd/familyhub-bench/pgcost.sh -k complete (a task completed and reopened
-- in turn, as TaskComplete and TaskUncomplete write it; valgrind in one
-- PostgreSQL backend, a count of CPU instructions, the same to 0.1 % run
-- after run): a completion or reopening cost 1.28 million instructions
-- from BEGIN to COMMIT, after this migration 1.05 million (×0.82); an
-- event's title changed through REST (-k event, CalendarEventUpdate) 1.25
-- million, after it 0.99 million (×0.79).
--
-- A domain's check is parsed once per connection and kept (the type cache),
-- so every check that reads one column is now a domain with the same rule,
-- shared where the rule is the same:
--   tasks.title, calendar_events.title        entry_title      1-200 characters
--   tasks.notes, calendar_events.notes        entry_notes      at most 4000 characters
--   tasks.recurrence, calendar_events.rrule   recurrence_rule  1-500 characters
--   tasks.uid, tasks.dav_name,
--     calendar_events.dav_name                dav_ident        1-255 characters
--   tasks.ical, calendar_events.ical          ical_text        at most 262144 bytes (octet_length)
--   tasks.version, calendar_events.version    record_version   >= 1 (00024's)
--   calendar_events.location                  event_location   at most 500 characters
--   calendar_events.exdates                   exdate_list      at most 1000 timestamps
--   calendar_events.sequence                  ical_sequence    >= 0
--   calendar_events.source_href               dav_href         at most 2048 characters
--   calendar_events.source_etag               dav_etag         at most 512 characters
-- NULL passes a domain's check as it passed the table's, and the columns
-- that were NOT NULL still are. A value outside them is refused as before,
-- with the same SQLSTATE (23514, check_violation), now naming the domain.
-- The checks that relate two or more columns stay table checks: five of a
-- task (a template is neither done nor an instance, an instance has a
-- date, completed_by only when completed, a rotation only on a template)
-- and two of an event (ends_at not before starts_at, an all-day event not
-- empty).
--
-- One difference in when: a table check runs after the BEFORE triggers, a
-- domain's when the statement makes the value, before them. So
-- calendar_events.uid keeps its table check (calendar_events_uid_check):
-- an insert with an empty uid gets '<id>@familyhub' from
-- calendar_events_default_uid, and every insert of FamilyHub's relies on
-- it. And an UPDATE that sets version to 0 is now refused, where
-- familyhub_bump_version used to overwrite it with the old version before
-- the check saw it (as for shopping_items.version since 00024); no
-- statement of FamilyHub's sets a version.
--
-- What a DBA sees: \d tasks and \d calendar_events show those columns with
-- their domain types (\dD lists the domains and their checks) and only the
-- checks across columns, and calendar_events_uid_check.
--
-- ALTER COLUMN ... TYPE to a domain with a check rewrites the table and
-- rebuilds its indexes (PostgreSQL does not look whether the rows would
-- pass; each table is one ALTER, so one rewrite), under an exclusive lock:
-- 1.1 seconds for 100,000 tasks and 100,000 events on the 2-core test
-- machine. Going down keeps the files and only checks the rows (0.4 s).
-- No view or trigger condition reads these columns (tasks_rotate's WHEN
-- reads template_id).
--
-- Replicas of the previous version that are still running when a new one
-- applies this: PostgreSQL refuses each of their pooled connections' cached
-- statements that return a task or an event once ("cached plan must not
-- change result type"), pgx then prepares it again, and the PWA's outbox
-- sends the write again (it retries a 5xx); a CalDAV client gets a 5xx for
-- that one request. Going down drops the domains (but record_version, 00024's): stop the
-- replicas first, or their cached statements fail until they reconnect.

-- +goose Up
CREATE DOMAIN entry_title AS text CHECK (char_length(VALUE) BETWEEN 1 AND 200);
COMMENT ON DOMAIN entry_title IS 'A task''s or a calendar event''s title: 1-200 characters (00025: a domain, not a table CHECK, so it is parsed once per connection).';
CREATE DOMAIN entry_notes AS text CHECK (char_length(VALUE) <= 4000);
COMMENT ON DOMAIN entry_notes IS 'A task''s or a calendar event''s notes: at most 4000 characters.';
CREATE DOMAIN ical_text AS text CHECK (octet_length(VALUE) <= 262144);
COMMENT ON DOMAIN ical_text IS 'An iCalendar object as a CalDAV client sent it: at most 262144 bytes (octet_length).';
CREATE DOMAIN dav_ident AS text CHECK (char_length(VALUE) BETWEEN 1 AND 255);
COMMENT ON DOMAIN dav_ident IS 'An iCalendar UID or a CalDAV resource name: 1-255 characters.';
CREATE DOMAIN recurrence_rule AS text CHECK (char_length(VALUE) BETWEEN 1 AND 500);
COMMENT ON DOMAIN recurrence_rule IS 'An RRULE (RFC 5545): 1-500 characters.';
CREATE DOMAIN event_location AS text CHECK (char_length(VALUE) <= 500);
COMMENT ON DOMAIN event_location IS 'A calendar event''s location: at most 500 characters.';
CREATE DOMAIN exdate_list AS timestamptz[] CHECK (cardinality(VALUE) <= 1000);
COMMENT ON DOMAIN exdate_list IS 'The occurrences a recurring calendar event leaves out (EXDATE): at most 1000.';
CREATE DOMAIN ical_sequence AS integer CHECK (VALUE >= 0);
COMMENT ON DOMAIN ical_sequence IS 'An iCalendar SEQUENCE, from 0.';
CREATE DOMAIN dav_etag AS text CHECK (char_length(VALUE) <= 512);
COMMENT ON DOMAIN dav_etag IS 'A subscribed calendar''s ETag of an event: at most 512 characters.';
CREATE DOMAIN dav_href AS text CHECK (char_length(VALUE) <= 2048);
COMMENT ON DOMAIN dav_href IS 'A subscribed calendar''s href of an event: at most 2048 characters.';

ALTER TABLE tasks
    DROP CONSTRAINT tasks_title_check,
    DROP CONSTRAINT tasks_notes_check,
    DROP CONSTRAINT tasks_recurrence_check,
    DROP CONSTRAINT tasks_uid_check,
    DROP CONSTRAINT tasks_dav_name_check,
    DROP CONSTRAINT tasks_ical_check,
    DROP CONSTRAINT tasks_version_check,
    ALTER COLUMN title TYPE entry_title,
    ALTER COLUMN notes TYPE entry_notes,
    ALTER COLUMN recurrence TYPE recurrence_rule,
    ALTER COLUMN uid TYPE dav_ident,
    ALTER COLUMN dav_name TYPE dav_ident,
    ALTER COLUMN ical TYPE ical_text,
    ALTER COLUMN version TYPE record_version;
ALTER TABLE calendar_events
    DROP CONSTRAINT calendar_events_title_check,
    DROP CONSTRAINT calendar_events_notes_check,
    DROP CONSTRAINT calendar_events_location_check,
    DROP CONSTRAINT calendar_events_rrule_check,
    DROP CONSTRAINT calendar_events_exdates_check,
    DROP CONSTRAINT calendar_events_sequence_check,
    DROP CONSTRAINT calendar_events_dav_name_check,
    DROP CONSTRAINT calendar_events_ical_check,
    DROP CONSTRAINT calendar_events_source_href_check,
    DROP CONSTRAINT calendar_events_source_etag_check,
    DROP CONSTRAINT calendar_events_version_check,
    ALTER COLUMN title TYPE entry_title,
    ALTER COLUMN notes TYPE entry_notes,
    ALTER COLUMN location TYPE event_location,
    ALTER COLUMN rrule TYPE recurrence_rule,
    ALTER COLUMN exdates TYPE exdate_list,
    ALTER COLUMN sequence TYPE ical_sequence,
    ALTER COLUMN dav_name TYPE dav_ident,
    ALTER COLUMN ical TYPE ical_text,
    ALTER COLUMN source_href TYPE dav_href,
    ALTER COLUMN source_etag TYPE dav_etag,
    ALTER COLUMN version TYPE record_version;

-- +goose Down
ALTER TABLE calendar_events
    ALTER COLUMN title TYPE text,
    ALTER COLUMN notes TYPE text,
    ALTER COLUMN location TYPE text,
    ALTER COLUMN rrule TYPE text,
    ALTER COLUMN exdates TYPE timestamptz[],
    ALTER COLUMN sequence TYPE integer,
    ALTER COLUMN dav_name TYPE text,
    ALTER COLUMN ical TYPE text,
    ALTER COLUMN source_href TYPE text,
    ALTER COLUMN source_etag TYPE text,
    ALTER COLUMN version TYPE bigint,
    ADD CONSTRAINT calendar_events_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
    ADD CONSTRAINT calendar_events_notes_check CHECK (char_length(notes) <= 4000),
    ADD CONSTRAINT calendar_events_location_check CHECK (char_length(location) <= 500),
    ADD CONSTRAINT calendar_events_rrule_check CHECK (rrule IS NULL OR char_length(rrule) BETWEEN 1 AND 500),
    ADD CONSTRAINT calendar_events_exdates_check CHECK (cardinality(exdates) <= 1000),
    ADD CONSTRAINT calendar_events_sequence_check CHECK (sequence >= 0),
    ADD CONSTRAINT calendar_events_dav_name_check CHECK (dav_name IS NULL OR char_length(dav_name) BETWEEN 1 AND 255),
    ADD CONSTRAINT calendar_events_ical_check CHECK (ical IS NULL OR octet_length(ical) <= 262144),
    ADD CONSTRAINT calendar_events_source_href_check CHECK (source_href IS NULL OR char_length(source_href) <= 2048),
    ADD CONSTRAINT calendar_events_source_etag_check CHECK (source_etag IS NULL OR char_length(source_etag) <= 512),
    ADD CONSTRAINT calendar_events_version_check CHECK (version >= 1);
ALTER TABLE tasks
    ALTER COLUMN title TYPE text,
    ALTER COLUMN notes TYPE text,
    ALTER COLUMN recurrence TYPE text,
    ALTER COLUMN uid TYPE text,
    ALTER COLUMN dav_name TYPE text,
    ALTER COLUMN ical TYPE text,
    ALTER COLUMN version TYPE bigint,
    ADD CONSTRAINT tasks_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
    ADD CONSTRAINT tasks_notes_check CHECK (char_length(notes) <= 4000),
    ADD CONSTRAINT tasks_recurrence_check CHECK (recurrence IS NULL OR char_length(recurrence) BETWEEN 1 AND 500),
    ADD CONSTRAINT tasks_uid_check CHECK (uid IS NULL OR char_length(uid) BETWEEN 1 AND 255),
    ADD CONSTRAINT tasks_dav_name_check CHECK (dav_name IS NULL OR char_length(dav_name) BETWEEN 1 AND 255),
    ADD CONSTRAINT tasks_ical_check CHECK (ical IS NULL OR octet_length(ical) <= 262144),
    ADD CONSTRAINT tasks_version_check CHECK (version >= 1);
DROP DOMAIN dav_href;
DROP DOMAIN dav_etag;
DROP DOMAIN ical_sequence;
DROP DOMAIN exdate_list;
DROP DOMAIN event_location;
DROP DOMAIN recurrence_rule;
DROP DOMAIN dav_ident;
DROP DOMAIN ical_text;
DROP DOMAIN entry_notes;
DROP DOMAIN entry_title;
