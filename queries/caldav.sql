-- CalDAV: app passwords, the CalDAV view of calendar_events, calendar
-- subscriptions and their imported events (db/migrations/00009_caldav.sql).
-- Every calendar query is scoped by family_id.

-- name: DAVAppPasswordCount :one
SELECT count(*)::int FROM dav_app_passwords WHERE user_id = @user_id;

-- name: DAVAppPasswordInsert :one
INSERT INTO dav_app_passwords (user_id, name, secret_hash)
VALUES (@user_id, @name, @secret_hash)
RETURNING *;

-- name: DAVAppPasswordList :many
SELECT * FROM dav_app_passwords WHERE user_id = @user_id ORDER BY created_at, id;

-- name: DAVAppPasswordDelete :execrows
DELETE FROM dav_app_passwords WHERE id = @id AND user_id = @user_id;

-- DAVAppPasswordFind returns the app password of user_id whose secret
-- hashes to secret_hash.
-- name: DAVAppPasswordFind :one
SELECT * FROM dav_app_passwords WHERE user_id = @user_id AND secret_hash = @secret_hash;

-- name: DAVAppPasswordTouch :exec
UPDATE dav_app_passwords SET last_used_at = now()
WHERE id = @id AND (last_used_at IS NULL OR last_used_at < now() - interval '5 minutes');

-- CalDAVEventGetByName finds the event served as resource name: its
-- dav_name, or <id>.ics for events that have none.
-- name: CalDAVEventGetByName :one
SELECT * FROM calendar_events
WHERE family_id = @family_id
  AND (dav_name = @name OR (dav_name IS NULL AND id::text || '.ics' = @name));

-- name: CalDAVEventGetByNameForUpdate :one
SELECT * FROM calendar_events
WHERE family_id = @family_id
  AND (dav_name = @name OR (dav_name IS NULL AND id::text || '.ics' = @name))
FOR UPDATE;

-- name: CalendarSubscriptionInsert :one
INSERT INTO calendar_subscriptions (id, family_id, name, url, username, password_enc, created_by)
VALUES (@id, @family_id, @name, @url, @username, sqlc.narg('password_enc'), sqlc.narg('created_by'))
RETURNING *;

-- name: CalendarSubscriptionCount :one
SELECT count(*)::int FROM calendar_subscriptions WHERE family_id = @family_id;

-- name: CalendarSubscriptionList :many
SELECT * FROM calendar_subscriptions WHERE family_id = @family_id ORDER BY created_at, id;

-- name: CalendarSubscriptionGet :one
SELECT * FROM calendar_subscriptions WHERE id = @id;

-- CalendarSubscriptionDelete deletes a subscription; its imported events
-- go in the same statement (the foreign key of 00030 cascades).
-- name: CalendarSubscriptionDelete :execrows
DELETE FROM calendar_subscriptions WHERE id = @id AND family_id = @family_id;

-- CalendarSubscriptionListOfCreator returns, locked, the subscriptions a
-- person added: their access to the family ends (db.endAccess), and those
-- that hold their secret go (db.SubscriptionHoldsSecret).
-- name: CalendarSubscriptionListOfCreator :many
SELECT * FROM calendar_subscriptions WHERE family_id = @family_id AND created_by = @created_by ORDER BY id FOR UPDATE;

-- CalendarSubscriptionDeleteMany deletes subscriptions of a family with
-- their imported events (the foreign key of 00030 cascades).
-- name: CalendarSubscriptionDeleteMany :execrows
DELETE FROM calendar_subscriptions WHERE family_id = @family_id AND id = ANY (@ids::uuid[]);

-- CalendarSubscriptionListDue returns the subscriptions whose next attempt
-- has come, the longest-waiting first.
-- name: CalendarSubscriptionListDue :many
SELECT id FROM calendar_subscriptions WHERE next_attempt_at <= now() ORDER BY next_attempt_at, id;

-- CalendarSubscriptionSynced records a sync that reached the source;
-- last_error carries a summary of events that could not be imported (NULL
-- when all were).
-- name: CalendarSubscriptionSynced :exec
UPDATE calendar_subscriptions
SET kind = @kind, ctag = sqlc.narg('ctag'), last_synced_at = now(), failures = 0, next_attempt_at = now(),
    last_error = sqlc.narg('last_error'),
    last_error_at = CASE WHEN sqlc.narg('last_error')::text IS NULL THEN last_error_at ELSE now() END
WHERE id = @id;

-- CalendarSubscriptionFailed records a sync that failed as a whole and when
-- to try again.
-- name: CalendarSubscriptionFailed :exec
UPDATE calendar_subscriptions
SET last_error = @last_error, last_error_at = now(), failures = failures + 1, next_attempt_at = @next_attempt_at
WHERE id = @id;

-- name: CalendarSubscriptionImportedList :many
SELECT id, uid, source_href, source_etag FROM calendar_events WHERE subscription_id = @subscription_id;

-- name: CalendarSubscriptionImportedDelete :execrows
DELETE FROM calendar_events WHERE id = @id AND subscription_id = @subscription_id;

-- The CalDAV collections (ical/dav*.go): listings without the object
-- bodies, objects by id and by resource name, in pages. Every query is
-- scoped by family_id.

-- CalDAVEventHeads lists what a PROPFIND or a sync needs of each event:
-- its name and what its ETag is made of.
-- name: CalDAVEventHeads :many
SELECT id, dav_name, updated_at, sequence FROM calendar_events
WHERE family_id = @family_id
ORDER BY id;

-- CalDAVEventRangeHeads is CalendarEventListRange without the stored
-- iCalendar: what a time-range query expands before it loads any object.
-- name: CalDAVEventRangeHeads :many
SELECT e.id, e.dav_name, e.updated_at, e.sequence, e.starts_at, e.ends_at, e.all_day, e.rrule, e.exdates
FROM calendar_events e
WHERE e.family_id = @family_id
  AND ((e.starts_at < @range_to AND (e.rrule IS NOT NULL OR e.ends_at > @range_from OR e.starts_at >= @range_from))
       OR EXISTS (SELECT 1 FROM calendar_event_overrides o
                  WHERE o.family_id = @family_id AND o.event_id = e.id
                    AND o.starts_at < @range_to AND (o.ends_at > @range_from OR o.starts_at >= @range_from)))
ORDER BY e.id;

-- name: CalDAVEventsByIDs :many
SELECT * FROM calendar_events
WHERE family_id = @family_id AND id = ANY (@ids::uuid[])
ORDER BY id;

-- CalDAVEventsByNames finds the events served under any of names (a
-- calendar-multiget).
-- name: CalDAVEventsByNames :many
SELECT * FROM calendar_events
WHERE family_id = @family_id
  AND (dav_name = ANY (@names::text[]) OR (dav_name IS NULL AND id::text || '.ics' = ANY (@names::text[])))
ORDER BY id;

-- CalDAVEventPage returns the family's events after after_id, in id order.
-- name: CalDAVEventPage :many
SELECT * FROM calendar_events
WHERE family_id = @family_id AND id > @after_id
ORDER BY id
LIMIT @max_rows;

-- The tasks collection holds one-off tasks and the instances of recurring
-- chores (recurrence IS NULL), not the templates.

-- name: CalDAVTaskHeads :many
SELECT id, dav_name, updated_at FROM tasks
WHERE family_id = @family_id AND recurrence IS NULL
ORDER BY id;

-- name: CalDAVTasksByIDs :many
SELECT * FROM tasks
WHERE family_id = @family_id AND recurrence IS NULL AND id = ANY (@ids::uuid[])
ORDER BY id;

-- name: CalDAVTasksByNames :many
SELECT * FROM tasks
WHERE family_id = @family_id AND recurrence IS NULL
  AND (dav_name = ANY (@names::text[]) OR (dav_name IS NULL AND id::text || '.ics' = ANY (@names::text[])))
ORDER BY id;

-- CalDAVTaskGetByNameForUpdate locks the task served as name.
-- name: CalDAVTaskGetByNameForUpdate :one
SELECT * FROM tasks
WHERE family_id = @family_id AND recurrence IS NULL
  AND (dav_name = @name OR (dav_name IS NULL AND id::text || '.ics' = @name))
FOR UPDATE;

-- CalDAVTaskUIDTaken says whether a task of the family (a template too)
-- has uid, stored or implied ('<id>@familyhub').
-- name: CalDAVTaskUIDTaken :one
SELECT EXISTS (
    SELECT 1 FROM tasks
    WHERE family_id = @family_id AND (uid = @uid OR (uid IS NULL AND id::text || '@familyhub' = @uid))
);

-- CalDAVTaskInterchangeSet stores what a CalDAV client gave a task beside
-- its modelled fields (the task operations write those).
-- name: CalDAVTaskInterchangeSet :one
UPDATE tasks SET uid = sqlc.narg('uid'), dav_name = sqlc.narg('dav_name'), ical = sqlc.narg('ical')
WHERE id = @id AND family_id = @family_id
RETURNING *;

-- CalDAVTasksDue lists the family's tasks due in [due_from, due_to) (or,
-- for a chore without a time, on a day in [day_from, day_to)), of
-- one assignee when assignee_id is given: what an iCalendar feed shows.
-- name: CalDAVTasksDue :many
SELECT * FROM tasks
WHERE family_id = @family_id AND recurrence IS NULL
  AND (sqlc.narg('assignee_id')::uuid IS NULL OR assignee_id = sqlc.narg('assignee_id')::uuid)
  AND ((due_at >= @due_from AND due_at < @due_to)
       OR (due_at IS NULL AND instance_date >= @day_from AND instance_date < @day_to))
ORDER BY coalesce(due_at, instance_date::timestamptz), id
LIMIT @max_rows;

-- CalDAVFamilyMembers lists the family's members with their names (a
-- task's assignee over CalDAV).
-- name: CalDAVFamilyMembers :many
SELECT u.id, u.display_name, u.email FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.family_id = @family_id
ORDER BY u.id;

-- Sync tokens (RFC 6578) are numbers of the family's event log.

-- CalDAVSyncState returns the family's last seq, the oldest seq the event
-- log still holds (-1 when it holds none), and the last seq of an event of
-- type (-1 when the log holds none).
-- name: CalDAVSyncState :one
SELECT s.seq AS current_seq,
       coalesce((SELECT min(l.seq) FROM event_log l WHERE l.family_id = @family_id), -1)::bigint AS oldest_seq,
       coalesce((SELECT max(l.seq) FROM event_log l WHERE l.family_id = @family_id AND l.type = @type), -1)::bigint AS last_seq
FROM family_event_seq s
WHERE s.family_id = @family_id;

-- CalDAVChangesSince returns the entities of type changed after since,
-- each once with its last seq, in the order of that seq.
-- name: CalDAVChangesSince :many
SELECT entity_id, max(seq)::bigint AS seq FROM event_log
WHERE family_id = @family_id AND seq > @since AND type = @type
GROUP BY entity_id
ORDER BY max(seq), entity_id
LIMIT @max_rows;

-- name: DAVTombstoneList :many
SELECT entity_id, name FROM dav_tombstones
WHERE family_id = @family_id AND collection = @collection AND entity_id = ANY (@ids::uuid[]);

-- Read-only iCalendar feeds.

-- ICalFeedCountLive counts the family's feeds that are not revoked.
-- name: ICalFeedCountLive :one
SELECT count(*)::int FROM ical_feeds WHERE family_id = @family_id AND revoked_at IS NULL;

-- name: ICalFeedInsert :one
INSERT INTO ical_feeds (family_id, member_id, name, token_hash, created_by)
VALUES (@family_id, sqlc.narg('member_id'), @name, @token_hash, sqlc.narg('created_by'))
RETURNING *;

-- name: ICalFeedList :many
SELECT * FROM ical_feeds WHERE family_id = @family_id AND revoked_at IS NULL ORDER BY created_at, id;

-- name: ICalFeedRevoke :execrows
UPDATE ical_feeds SET revoked_at = now() WHERE id = @id AND family_id = @family_id AND revoked_at IS NULL;

-- ICalFeedRevokeByCreator revokes the feeds a person made, whose URLs they
-- saw: their access to the family ends (db.endAccess).
-- name: ICalFeedRevokeByCreator :execrows
UPDATE ical_feeds SET revoked_at = now()
WHERE family_id = @family_id AND created_by = @created_by AND revoked_at IS NULL;

-- ICalFeedByToken finds a feed, revoked or not, by its token's hash.
-- name: ICalFeedByToken :one
SELECT * FROM ical_feeds WHERE token_hash = @token_hash;

-- name: ICalFeedTouch :exec
UPDATE ical_feeds SET last_used_at = now()
WHERE id = @id AND (last_used_at IS NULL OR last_used_at < now() - interval '5 minutes');
