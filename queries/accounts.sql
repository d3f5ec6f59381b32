-- Accounts: users, families, memberships. Names are entity first, verb second.

-- name: FamilyInsert :one
INSERT INTO families (name, time_zone) VALUES (@name, @time_zone)
RETURNING *;

-- name: FamilyGet :one
SELECT * FROM families WHERE id = @id;

-- name: FamilyUpdate :one
UPDATE families
SET name = coalesce(sqlc.narg('name'), name),
    time_zone = coalesce(sqlc.narg('time_zone'), time_zone)
WHERE id = @id
RETURNING *;

-- name: UserInsert :one
INSERT INTO users (email, password_hash, display_name)
VALUES (@email, @password_hash, @display_name)
RETURNING *;

-- name: UserGetByEmail :one
SELECT * FROM users WHERE email = @email;

-- name: UserGet :one
SELECT * FROM users WHERE id = @id;

-- name: MembershipInsert :exec
INSERT INTO memberships (family_id, user_id, role) VALUES (@family_id, @user_id, @role);

-- name: MembershipGetByUser :one
SELECT * FROM memberships WHERE user_id = @user_id;

-- name: MemberList :many
SELECT u.id, u.display_name, m.role, m.created_at AS joined_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.family_id = @family_id
ORDER BY m.created_at, u.id;
