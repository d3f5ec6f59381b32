-- The family calendar.
--
-- A row is one VEVENT: a single event, or a recurring series when rrule is
-- set (RFC 5545 RRULE, expanded by the application in the family's time
-- zone; exdates are the series' excluded occurrence starts, EXDATE).
-- What CalDAV needs is kept from the start:
--   * uid:      the iCalendar UID, stable and unique per family; filled with
--               '<id>@familyhub' when an insert gives none (trigger below);
--   * sequence: the iCalendar SEQUENCE, incremented by each REST update;
--   * ical:     the raw VEVENT text of an imported event, for round-tripping
--               the properties FamilyHub does not model (NULL otherwise);
--   * subscription_id / read_only: filled by calendar subscriptions
--               (imported events); the REST API refuses to change read-only
--               events. No foreign key yet: the subscriptions table comes later.
-- All-day events start and end (exclusive) at midnight in the family's time
-- zone.
--
-- Every change stages a CALENDAR_EVENT_UPDATED event on channel
-- familyhub_calendar (see 00002_events.sql).

-- +goose Up
CREATE TABLE calendar_events (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id       uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    uid             text NOT NULL CHECK (char_length(uid) BETWEEN 1 AND 255),
    title           text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    notes           text NOT NULL DEFAULT '' CHECK (char_length(notes) <= 4000),
    location        text NOT NULL DEFAULT '' CHECK (char_length(location) <= 500),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    all_day         boolean NOT NULL DEFAULT false,
    rrule           text CHECK (rrule IS NULL OR char_length(rrule) BETWEEN 1 AND 500),
    exdates         timestamptz[] NOT NULL DEFAULT '{}' CHECK (cardinality(exdates) <= 1000),
    sequence        integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    ical            text CHECK (ical IS NULL OR octet_length(ical) <= 262144),
    subscription_id uuid,
    read_only       boolean NOT NULL DEFAULT false,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_events_ends_after_start CHECK (ends_at >= starts_at),
    -- All-day events last at least one day.
    CONSTRAINT calendar_events_all_day_not_empty CHECK (NOT all_day OR ends_at > starts_at)
);

CREATE UNIQUE INDEX calendar_events_family_id_uid_key ON calendar_events (family_id, uid);
-- The range query: single events by start, series separately (expanded in Go).
CREATE INDEX calendar_events_family_id_starts_at_idx ON calendar_events (family_id, starts_at);
CREATE INDEX calendar_events_family_id_series_idx ON calendar_events (family_id) WHERE rrule IS NOT NULL;
CREATE INDEX calendar_events_subscription_id_idx ON calendar_events (subscription_id) WHERE subscription_id IS NOT NULL;
CREATE INDEX calendar_events_created_by_idx ON calendar_events (created_by) WHERE created_by IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION familyhub_calendar_event_default_uid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.uid IS NULL OR NEW.uid = '' THEN
        NEW.uid := NEW.id::text || '@familyhub';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER calendar_events_default_uid BEFORE INSERT ON calendar_events
    FOR EACH ROW EXECUTE FUNCTION familyhub_calendar_event_default_uid();
CREATE TRIGGER calendar_events_touch BEFORE UPDATE ON calendar_events
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
CREATE TRIGGER calendar_events_event AFTER INSERT OR UPDATE OR DELETE ON calendar_events
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('CALENDAR_EVENT_UPDATED', 'familyhub_calendar');

-- +goose Down
DROP TABLE calendar_events;
DROP FUNCTION familyhub_calendar_event_default_uid();
