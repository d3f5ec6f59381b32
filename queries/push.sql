-- Web Push: the server's VAPID key and the browsers' subscriptions (see
-- db/migrations/00015_notifications.sql).

-- PushVAPIDKeyInsert stores a key pair unless one exists: the first
-- replica's wins, the others read it.
-- name: PushVAPIDKeyInsert :exec
INSERT INTO push_vapid_keys (id, public_key, private_key) VALUES (1, @public_key, @private_key)
ON CONFLICT (id) DO NOTHING;

-- name: PushVAPIDKeyGet :one
SELECT public_key, private_key FROM push_vapid_keys WHERE id = 1;

-- PushSubscriptionUpsert saves a browser's subscription for a member's
-- device. The endpoint is the browser's: subscribing it again (after a
-- sign-in as someone else, or with new keys) takes it over.
-- name: PushSubscriptionUpsert :one
INSERT INTO push_subscriptions (family_id, user_id, session_id, device_id, endpoint, p256dh, auth, user_agent)
VALUES (@family_id, @user_id, sqlc.narg('session_id'), @device_id, @endpoint, @p256dh, @auth, @user_agent)
ON CONFLICT (endpoint) DO UPDATE
SET family_id = EXCLUDED.family_id, user_id = EXCLUDED.user_id, session_id = EXCLUDED.session_id,
    device_id = EXCLUDED.device_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
    user_agent = EXCLUDED.user_agent, last_error = NULL, last_error_at = NULL
RETURNING *, (xmax = 0)::bool AS inserted;

-- PushSubscriptionDeleteOthersOfDevice removes a device's older
-- subscriptions once it has a new one: one subscription per device.
-- name: PushSubscriptionDeleteOthersOfDevice :execrows
DELETE FROM push_subscriptions
WHERE user_id = @user_id AND device_id = @device_id AND id <> @keep_id;

-- PushSubscriptionTrim keeps a member's keep_id and their others_kept
-- most recently saved other subscriptions, and deletes the rest.
-- name: PushSubscriptionTrim :execrows
DELETE FROM push_subscriptions p
WHERE p.family_id = @family_id AND p.user_id = @user_id AND p.id <> @keep_id
  AND p.id NOT IN (SELECT k.id FROM push_subscriptions k
                 WHERE k.family_id = @family_id AND k.user_id = @user_id AND k.id <> @keep_id
                 ORDER BY k.updated_at DESC, k.id DESC
                 LIMIT @others_kept);

-- name: PushSubscriptionList :many
SELECT * FROM push_subscriptions
WHERE family_id = @family_id AND user_id = @user_id
ORDER BY created_at, id;

-- PushSubscriptionDelete deletes one of the member's own subscriptions.
-- name: PushSubscriptionDelete :execrows
DELETE FROM push_subscriptions
WHERE id = @id AND family_id = @family_id AND user_id = @user_id;

-- PushSubscriptionGone deletes a subscription the push service no longer
-- knows (404/410).
-- name: PushSubscriptionGone :execrows
DELETE FROM push_subscriptions WHERE id = @id;

-- name: PushSubscriptionSucceeded :exec
UPDATE push_subscriptions SET last_success_at = now() WHERE id = @id;

-- name: PushSubscriptionFailed :exec
UPDATE push_subscriptions SET last_error = @last_error, last_error_at = now() WHERE id = @id;

-- PushSubscriptionsOfMember lists where a member's pushes go: their
-- devices' subscriptions whose session is still valid.
-- name: PushSubscriptionsOfMember :many
SELECT p.* FROM push_subscriptions p
LEFT JOIN sessions s ON s.id = p.session_id
WHERE p.family_id = @family_id AND p.user_id = @user_id
  AND (p.session_id IS NULL OR (s.revoked_at IS NULL AND s.expires_at > now()))
ORDER BY p.created_at, p.id;
