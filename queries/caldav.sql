-- CalDAV: app passwords, the CalDAV view of calendar_events, calendar
-- subscriptions and their imported events (db/migrations/00009_caldav.sql).
-- Every calendar query is scoped by family_id.

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

-- name: CalDAVEventList :many
SELECT * FROM calendar_events WHERE family_id = @family_id ORDER BY starts_at, id;

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

-- name: CalendarSubscriptionList :many
SELECT * FROM calendar_subscriptions WHERE family_id = @family_id ORDER BY created_at, id;

-- name: CalendarSubscriptionGet :one
SELECT * FROM calendar_subscriptions WHERE id = @id;

-- CalendarSubscriptionEventsDelete deletes a subscription's imported
-- events; run it with CalendarSubscriptionDelete in one transaction.
-- name: CalendarSubscriptionEventsDelete :execrows
DELETE FROM calendar_events WHERE subscription_id = @subscription_id AND family_id = @family_id;

-- name: CalendarSubscriptionDelete :execrows
DELETE FROM calendar_subscriptions WHERE id = @id AND family_id = @family_id;

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
