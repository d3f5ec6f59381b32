-- The family calendar (see db/migrations/00006_calendar.sql). Every query is
-- scoped by family_id: another family's event is not found.

-- CalendarEventInsert is the one insert of calendar_events, for every
-- writer (REST, CalDAV, subscription imports, the assistant: db/calendar.go).
-- An empty uid gets '<id>@familyhub' from a trigger.
-- name: CalendarEventInsert :one
INSERT INTO calendar_events (id, family_id, uid, title, notes, location, starts_at, ends_at, all_day, rrule, exdates,
    sequence, ical, dav_name, subscription_id, read_only, source_href, source_etag, created_by)
VALUES (coalesce(sqlc.narg('id')::uuid, gen_random_uuid()), @family_id, @uid, @title, @notes, @location, @starts_at, @ends_at, @all_day, sqlc.narg('rrule'),
    @exdates::timestamptz[], @sequence, sqlc.narg('ical'), sqlc.narg('dav_name'), sqlc.narg('subscription_id'),
    @read_only, sqlc.narg('source_href'), sqlc.narg('source_etag'), sqlc.narg('created_by'))
RETURNING *;

-- CalendarEventCountOwn counts the family's own events (not imported), up
-- to @most (the limit): an index-only scan of calendar_events_family_id_own_idx
-- (00032) that never reads more entries than that.
-- name: CalendarEventCountOwn :one
SELECT count(*)::int FROM (
    SELECT FROM calendar_events WHERE family_id = @family_id AND subscription_id IS NULL LIMIT @most::int
) e;

-- name: CalendarEventGet :one
SELECT * FROM calendar_events WHERE id = @id AND family_id = @family_id;

-- CalendarEventGetForUpdate locks the event for a read-modify-write; a
-- concurrent delete makes it not found instead of a lost update.
-- name: CalendarEventGetForUpdate :one
SELECT * FROM calendar_events WHERE id = @id AND family_id = @family_id FOR UPDATE;

-- CalendarEventListRange returns the single events that overlap [range_from,
-- range_to) (an instant event counts when it lies inside), every series
-- that started before range_to, and every series with a changed occurrence
-- moved into the range, to be expanded by the caller.
-- name: CalendarEventListRange :many
SELECT * FROM calendar_events e
WHERE e.family_id = @family_id
  AND ((e.starts_at < @range_to AND (e.rrule IS NOT NULL OR e.ends_at > @range_from OR e.starts_at >= @range_from))
       OR EXISTS (SELECT 1 FROM calendar_event_overrides o
                  WHERE o.family_id = @family_id AND o.event_id = e.id
                    AND o.starts_at < @range_to AND (o.ends_at > @range_from OR o.starts_at >= @range_from)))
ORDER BY e.starts_at, e.id;

-- CalendarEventUpdate is the one update of calendar_events. It replaces the
-- modelled fields; a REST write (interchange false) bumps the iCalendar
-- SEQUENCE and keeps the stored object, an iCalendar write (CalDAV, import)
-- sets sequence, ical and source_etag as given.
-- name: CalendarEventUpdate :one
UPDATE calendar_events
SET title = @title,
    notes = @notes,
    location = @location,
    starts_at = @starts_at,
    ends_at = @ends_at,
    all_day = @all_day,
    rrule = sqlc.narg('rrule'),
    exdates = @exdates::timestamptz[],
    sequence = CASE WHEN @interchange::boolean THEN sqlc.narg('sequence')::integer ELSE sequence + 1 END,
    ical = CASE WHEN @interchange::boolean THEN sqlc.narg('ical') ELSE ical END,
    source_etag = CASE WHEN @interchange::boolean THEN sqlc.narg('source_etag') ELSE source_etag END
WHERE id = @id AND family_id = @family_id
RETURNING *;

-- name: CalendarEventDelete :execrows
DELETE FROM calendar_events WHERE id = @id AND family_id = @family_id;

-- CalendarEventSequenceBump marks a change of the series made through REST
-- that is not a change of its own columns (one of its occurrences): the
-- iCalendar SEQUENCE goes up by one.
-- name: CalendarEventSequenceBump :one
UPDATE calendar_events SET sequence = sequence + 1
WHERE id = @id AND family_id = @family_id
RETURNING *;

-- Changed occurrences of series (RECURRENCE-ID), see 00011_caldav_sync.sql.

-- name: CalendarOverrideList :many
SELECT * FROM calendar_event_overrides
WHERE family_id = @family_id AND event_id = ANY (@event_ids::uuid[])
ORDER BY event_id, recurrence_id;

-- CalendarOverrideUpsert is the one write of a changed occurrence.
-- name: CalendarOverrideUpsert :one
INSERT INTO calendar_event_overrides (family_id, event_id, recurrence_id, title, notes, location, starts_at, ends_at, all_day, ical)
VALUES (@family_id, @event_id, @recurrence_id, @title, @notes, @location, @starts_at, @ends_at, @all_day, sqlc.narg('ical'))
ON CONFLICT (event_id, recurrence_id) DO UPDATE
SET title = EXCLUDED.title, notes = EXCLUDED.notes, location = EXCLUDED.location, starts_at = EXCLUDED.starts_at,
    ends_at = EXCLUDED.ends_at, all_day = EXCLUDED.all_day, ical = EXCLUDED.ical
RETURNING *;

-- CalendarOverrideDeleteOne removes a changed occurrence (it becomes the
-- series' own again, or is cancelled through exdates).
-- name: CalendarOverrideDeleteOne :execrows
DELETE FROM calendar_event_overrides
WHERE family_id = @family_id AND event_id = @event_id AND recurrence_id = @recurrence_id;

-- CalendarOverridesDeleteExcept removes a series' changed occurrences but
-- the listed ones (an iCalendar write replaces them all).
-- name: CalendarOverridesDeleteExcept :execrows
DELETE FROM calendar_event_overrides
WHERE family_id = @family_id AND event_id = @event_id AND NOT (recurrence_id = ANY (@keep::timestamptz[]));

-- CalendarOverridesDeleteFrom removes the changed occurrences at and after
-- a point of the series (the series ends there).
-- name: CalendarOverridesDeleteFrom :execrows
DELETE FROM calendar_event_overrides
WHERE family_id = @family_id AND event_id = @event_id AND recurrence_id >= @from_recurrence_id;

-- CalendarOverridesMove hands the changed occurrences at and after a point
-- to the series that continues from there (a split).
-- name: CalendarOverridesMove :execrows
UPDATE calendar_event_overrides SET event_id = @to_event_id
WHERE family_id = @family_id AND event_id = @event_id AND recurrence_id >= @from_recurrence_id;
