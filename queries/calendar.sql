-- The family calendar (see db/migrations/00006_calendar.sql). Every query is
-- scoped by family_id: another family's event is not found.

-- name: CalendarEventInsert :one
INSERT INTO calendar_events (family_id, title, notes, location, starts_at, ends_at, all_day, rrule, exdates, created_by)
VALUES (@family_id, @title, @notes, @location, @starts_at, @ends_at, @all_day, sqlc.narg('rrule'), @exdates::timestamptz[], sqlc.narg('created_by'))
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

-- CalendarEventUpdate replaces the modelled fields and bumps the iCalendar
-- SEQUENCE.
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
    sequence = sequence + 1
WHERE id = @id AND family_id = @family_id
RETURNING *;

-- name: CalendarEventDelete :execrows
DELETE FROM calendar_events WHERE id = @id AND family_id = @family_id;
