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

-- name: CalendarEventGet :one
SELECT * FROM calendar_events WHERE id = @id AND family_id = @family_id;

-- CalendarEventGetForUpdate locks the event for a read-modify-write; a
-- concurrent delete makes it not found instead of a lost update.
-- name: CalendarEventGetForUpdate :one
SELECT * FROM calendar_events WHERE id = @id AND family_id = @family_id FOR UPDATE;

-- CalendarEventListRange returns the single events that overlap [range_from,
-- range_to) (an instant event counts when it lies inside) and every series
-- that started before range_to, to be expanded by the caller.
-- name: CalendarEventListRange :many
SELECT * FROM calendar_events
WHERE family_id = @family_id
  AND starts_at < @range_to
  AND (rrule IS NOT NULL OR ends_at > @range_from OR starts_at >= @range_from)
ORDER BY starts_at, id;

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
