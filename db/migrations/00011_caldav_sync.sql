-- CalDAV, part two: tasks over CalDAV, changed occurrences of a series,
-- what sync-collection needs, and read-only iCalendar feeds
-- (docs/caldav.md, docs/api/calendar.md).
--
-- Events: nothing new on any channel. A change of a changed occurrence
-- (calendar_event_overrides) touches its series' row, so it is announced as
-- CALENDAR_EVENT_UPDATED of the series (the object a calendar app re-reads);
-- tasks written over CalDAV are announced as TASK_UPDATED like any other
-- change of tasks. Feeds and tombstones have no events.

-- +goose Up

-- Tasks gain what a CalDAV client gives them (as calendar_events did in
-- 00009): the iCalendar UID (NULL: served as '<id>@familyhub'), the
-- resource name the client chose (NULL: served as <id>.ics), and the whole
-- VTODO as received, so that properties FamilyHub does not model (alarms,
-- categories, priority, X- properties) round-trip.
ALTER TABLE tasks
    ADD COLUMN uid text CHECK (uid IS NULL OR char_length(uid) BETWEEN 1 AND 255),
    ADD COLUMN dav_name text CHECK (dav_name IS NULL OR char_length(dav_name) BETWEEN 1 AND 255),
    ADD COLUMN ical text CHECK (ical IS NULL OR octet_length(ical) <= 262144);
CREATE UNIQUE INDEX tasks_family_id_uid_key ON tasks (family_id, uid) WHERE uid IS NOT NULL;
CREATE UNIQUE INDEX tasks_family_id_dav_name_key ON tasks (family_id, dav_name) WHERE dav_name IS NOT NULL;

-- One changed occurrence of a recurring event (iCalendar RECURRENCE-ID):
-- recurrence_id is the occurrence's start as the series' rule gives it, the
-- other columns what that occurrence is now. A cancelled occurrence is not
-- here but in calendar_events.exdates. ical is the changed occurrence's
-- VEVENT as a calendar app sent it (NULL when made through REST: it is then
-- served as a copy of the series' own VEVENT with these columns).
CREATE TABLE calendar_event_overrides (
    family_id     uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    event_id      uuid NOT NULL REFERENCES calendar_events (id) ON DELETE CASCADE,
    recurrence_id timestamptz NOT NULL,
    title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    notes         text NOT NULL DEFAULT '' CHECK (char_length(notes) <= 4000),
    location      text NOT NULL DEFAULT '' CHECK (char_length(location) <= 500),
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    all_day       boolean NOT NULL DEFAULT false,
    ical          text CHECK (ical IS NULL OR octet_length(ical) <= 262144),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, recurrence_id),
    CONSTRAINT calendar_event_overrides_ends_after_start CHECK (ends_at >= starts_at),
    CONSTRAINT calendar_event_overrides_all_day_not_empty CHECK (NOT all_day OR ends_at > starts_at)
);
-- The range listing also finds series whose changed occurrence moved into it.
CREATE INDEX calendar_event_overrides_family_id_starts_at_idx ON calendar_event_overrides (family_id, starts_at);
CREATE TRIGGER calendar_event_overrides_touch BEFORE UPDATE ON calendar_event_overrides
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();

-- A change of an override touches its series' row: its updated_at (and so
-- its CalDAV ETag) moves and CALENDAR_EVENT_UPDATED is announced for the
-- series, also for a change made in psql. When the series itself was
-- already changed in the same transaction, updated_at is already now() and
-- the touch is no news (no second event).
-- +goose StatementBegin
CREATE FUNCTION familyhub_calendar_override_touch_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ev uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN
        ev := OLD.event_id;
    ELSE
        ev := NEW.event_id;
    END IF;
    UPDATE calendar_events SET updated_at = now() WHERE id = ev AND updated_at <> now();
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER calendar_event_overrides_event AFTER INSERT OR UPDATE OR DELETE ON calendar_event_overrides
    FOR EACH ROW EXECUTE FUNCTION familyhub_calendar_override_touch_event();

-- Tombstones: the resource name a deleted event or task was served under,
-- so that sync-collection (RFC 6578) can name what was removed since a
-- client's token (event_log carries the id only, and a calendar app chose
-- the name). Kept as long as the family's event log reaches back: each new
-- tombstone prunes those older than the family's oldest event_log row.
CREATE TABLE dav_tombstones (
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    entity_id  uuid NOT NULL,
    collection text NOT NULL CHECK (collection IN ('family', 'tasks')),
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    deleted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (family_id, entity_id)
);
CREATE INDEX dav_tombstones_family_id_deleted_at_idx ON dav_tombstones (family_id, deleted_at);

-- familyhub_dav_tombstone(collection) records a deleted row's resource
-- name. Templates of recurring tasks are not served over CalDAV, so they
-- leave none. Rows deleted with their family (cascade) leave none either.
-- +goose StatementBegin
CREATE FUNCTION familyhub_dav_tombstone() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r jsonb := to_jsonb(OLD);
BEGIN
    IF TG_ARGV[0] = 'tasks' AND r->>'recurrence' IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM families WHERE id = OLD.family_id) THEN
        RETURN NULL;
    END IF;
    INSERT INTO dav_tombstones (family_id, entity_id, collection, name)
    VALUES (OLD.family_id, OLD.id, TG_ARGV[0], coalesce(r->>'dav_name', OLD.id::text || '.ics'))
    ON CONFLICT (family_id, entity_id)
    DO UPDATE SET collection = EXCLUDED.collection, name = EXCLUDED.name, deleted_at = EXCLUDED.deleted_at;
    DELETE FROM dav_tombstones
    WHERE family_id = OLD.family_id
      AND deleted_at < (SELECT at FROM event_log WHERE family_id = OLD.family_id ORDER BY seq LIMIT 1);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER calendar_events_dav_tombstone AFTER DELETE ON calendar_events
    FOR EACH ROW EXECUTE FUNCTION familyhub_dav_tombstone('family');
CREATE TRIGGER tasks_dav_tombstone AFTER DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION familyhub_dav_tombstone('tasks');

-- Read-only iCalendar feeds (/ical/<token>.ics) for apps that can only
-- subscribe to a URL (Google Calendar, Outlook). member_id NULL is the
-- family's feed (every event, every task with a due date); otherwise the
-- member's (every event, that member's tasks with a due date). Only a
-- SHA-256 of the 256-bit token is stored. Revoking sets revoked_at: the URL
-- then answers 410 Gone. A member who leaves takes their feeds along.
CREATE TABLE ical_feeds (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id    uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    member_id    uuid,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    token_hash   bytea NOT NULL,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Updated at most every few minutes, not on every poll.
    last_used_at timestamptz,
    revoked_at   timestamptz,
    FOREIGN KEY (family_id, member_id) REFERENCES memberships (family_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ical_feeds_token_hash_key ON ical_feeds (token_hash);
CREATE INDEX ical_feeds_family_id_idx ON ical_feeds (family_id);
CREATE INDEX ical_feeds_created_by_idx ON ical_feeds (created_by) WHERE created_by IS NOT NULL;

-- +goose Down
DROP TABLE ical_feeds;
DROP TRIGGER tasks_dav_tombstone ON tasks;
DROP TRIGGER calendar_events_dav_tombstone ON calendar_events;
DROP FUNCTION familyhub_dav_tombstone();
DROP TABLE dav_tombstones;
DROP TABLE calendar_event_overrides;
DROP FUNCTION familyhub_calendar_override_touch_event();
DROP INDEX tasks_family_id_dav_name_key;
DROP INDEX tasks_family_id_uid_key;
ALTER TABLE tasks
    DROP COLUMN ical,
    DROP COLUMN dav_name,
    DROP COLUMN uid;
