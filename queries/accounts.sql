-- Accounts: users, families, memberships, password resets, child devices.
-- Names are entity first, verb second.

-- name: FamilyInsert :one
INSERT INTO families (name, time_zone) VALUES (@name, @time_zone)
RETURNING *;

-- name: FamilyGet :one
SELECT * FROM families WHERE id = @id;

-- FamilyLockMembers serialises membership changes of a family (roles,
-- removals, leaving), so that two owners demoting each other at once
-- cannot leave it without one. NO KEY UPDATE does not block inserts that
-- reference the family.
-- name: FamilyLockMembers :one
SELECT id FROM families WHERE id = @id FOR NO KEY UPDATE;

-- FamilyUpdate changes a family's settings; with if_version only when the
-- family still has that version (no row otherwise: changed since).
-- name: FamilyUpdate :one
UPDATE families
SET name = coalesce(sqlc.narg('name'), name),
    time_zone = coalesce(sqlc.narg('time_zone'), time_zone),
    default_list_id = CASE WHEN @default_list_set::boolean THEN sqlc.narg('default_list_id')::uuid ELSE default_list_id END
WHERE id = @id
  AND (sqlc.narg('if_version')::bigint IS NULL OR version = sqlc.narg('if_version'))
RETURNING *;

-- name: FamilyDelete :execrows
DELETE FROM families WHERE id = @id;

-- name: UserInsert :one
INSERT INTO users (email, password_hash, display_name)
VALUES (@email, @password_hash, @display_name)
RETURNING *;

-- UserGetByEmail finds a live account (a deleted account's tombstone has
-- no usable email).
-- name: UserGetByEmail :one
SELECT * FROM users WHERE email = @email AND deleted_at IS NULL;

-- name: UserGet :one
SELECT * FROM users WHERE id = @id;

-- name: UserSetPassword :execrows
UPDATE users SET password_hash = @password_hash WHERE id = @id AND deleted_at IS NULL;

-- name: UserSetPIN :execrows
UPDATE users SET pin_hash = sqlc.narg('pin_hash') WHERE id = @id AND deleted_at IS NULL;

-- UserTombstone wipes a deleted account's personal data; its id stays so
-- that what it did stays attributed (to a "former member").
-- name: UserTombstone :execrows
UPDATE users
SET email = @tombstone_email, display_name = 'Former member', password_hash = '!deleted',
    pin_hash = NULL, deleted_at = now()
WHERE id = @id AND deleted_at IS NULL;

-- name: UserAppPasswordsDelete :execrows
DELETE FROM dav_app_passwords WHERE user_id = @user_id;

-- name: UserAppPasswordsRevokedNow :exec
UPDATE users SET app_passwords_revoked_at = now() WHERE id = @id;

-- name: MembershipInsert :exec
INSERT INTO memberships (family_id, user_id, role) VALUES (@family_id, @user_id, @role);

-- name: MembershipGetByUser :one
SELECT * FROM memberships WHERE user_id = @user_id;

-- name: MembershipGet :one
SELECT * FROM memberships WHERE family_id = @family_id AND user_id = @user_id;

-- name: MembershipSetRole :execrows
UPDATE memberships SET role = @role WHERE family_id = @family_id AND user_id = @user_id;

-- name: MembershipDelete :execrows
DELETE FROM memberships WHERE family_id = @family_id AND user_id = @user_id;

-- name: MembershipCounts :one
SELECT count(*)::int AS members, (count(*) FILTER (WHERE role = 'owner'))::int AS owners
FROM memberships WHERE family_id = @family_id;

-- name: MemberList :many
SELECT u.id, u.display_name, u.email, m.role, m.created_at AS joined_at, (u.pin_hash IS NOT NULL)::bool AS has_pin
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.family_id = @family_id
ORDER BY m.created_at, u.id;

-- MemberChildrenByName finds the children of a family with a PIN whose
-- display name is name (case and surrounding spaces do not matter).
-- name: MemberChildrenByName :many
SELECT u.id, u.pin_hash
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.family_id = @family_id AND m.role = 'child' AND u.pin_hash IS NOT NULL
  AND lower(trim(u.display_name)) = lower(trim(@name::text))
ORDER BY u.id;

-- MemberChildNamesWithPIN lists the display names of a family's children
-- with a PIN (what a children's device offers as buttons), at most max.
-- name: MemberChildNamesWithPIN :many
SELECT u.display_name
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.family_id = @family_id AND m.role = 'child' AND u.pin_hash IS NOT NULL
ORDER BY lower(u.display_name), u.id
LIMIT @max;

-- Password resets.

-- name: PasswordResetDeleteUnused :exec
DELETE FROM password_resets WHERE user_id = @user_id AND used_at IS NULL;

-- name: PasswordResetInsert :one
INSERT INTO password_resets (user_id, family_id, code_hash, created_by, expires_at)
VALUES (@user_id, @family_id, @code_hash, @created_by, @expires_at)
RETURNING *;

-- PasswordResetConsume marks a valid code of the user used; no row when
-- the code is wrong, used or expired.
-- name: PasswordResetConsume :one
UPDATE password_resets SET used_at = now()
WHERE user_id = @user_id AND code_hash = @code_hash AND used_at IS NULL AND expires_at > now()
RETURNING id;

-- Child devices.

-- name: ChildDeviceCount :one
SELECT count(*)::int FROM child_devices WHERE family_id = @family_id;

-- name: ChildDeviceInsert :one
INSERT INTO child_devices (family_id, name, token_hash, created_by)
VALUES (@family_id, @name, @token_hash, @created_by)
RETURNING *;

-- name: ChildDeviceList :many
SELECT * FROM child_devices WHERE family_id = @family_id ORDER BY created_at, id;

-- ChildDeviceLock locks a family's child device for its revoke
-- (db.ChildDeviceDelete): FOR UPDATE waits for a PIN sign-in whose session
-- insert on the device is not yet committed (the insert's foreign key check
-- holds FOR KEY SHARE on the row), so the revoke's next statement sees and
-- revokes that session.
-- name: ChildDeviceLock :one
SELECT id FROM child_devices WHERE id = @id AND family_id = @family_id FOR UPDATE;

-- ChildDeviceLockFamily locks all of a family's child devices, in the
-- order ChildDeviceLock's revoke takes one (device before sessions), for
-- the family's deletion (db.FamilyDelete): it ends the children's sessions
-- and then deletes the devices by cascade; locking them first makes a
-- concurrent revoke wait (or the deletion wait for it), not deadlock.
-- name: ChildDeviceLockFamily :many
SELECT id FROM child_devices WHERE family_id = @family_id ORDER BY id FOR UPDATE;

-- ChildDeviceRevoke deletes a child device and keeps its key hash as
-- revoked (00048: such a key answers device_revoked, not counted).
-- name: ChildDeviceRevoke :execrows
WITH gone AS (
    DELETE FROM child_devices WHERE id = @id AND family_id = @family_id RETURNING token_hash
)
INSERT INTO child_device_revoked_keys (token_hash) SELECT token_hash FROM gone;

-- name: ChildDeviceGetByToken :one
SELECT * FROM child_devices WHERE token_hash = @token_hash;

-- name: ChildDeviceKeyRevoked :one
SELECT EXISTS (SELECT 1 FROM child_device_revoked_keys WHERE token_hash = @token_hash);

-- name: ChildDeviceTouch :exec
UPDATE child_devices SET last_used_at = now() WHERE id = @id;
