-- Sessions, invites and failed-login accounting.

-- name: SessionInsert :one
INSERT INTO sessions (token_hash, user_id, expires_at, user_agent, client_addr)
VALUES (@token_hash, @user_id, @expires_at, @user_agent, @client_addr)
RETURNING *;

-- SessionAuthenticate resolves a token to its user and family. The join on
-- memberships means a user removed from the family is no longer let in.
-- name: SessionAuthenticate :one
SELECT s.id AS session_id, s.user_id, m.family_id, m.role, s.expires_at
FROM sessions s
JOIN memberships m ON m.user_id = s.user_id
WHERE s.token_hash = @token_hash
  AND s.revoked_at IS NULL
  AND s.expires_at > now();

-- name: SessionRevoke :execrows
UPDATE sessions SET revoked_at = now()
WHERE id = @id AND revoked_at IS NULL;

-- name: InviteInsert :one
INSERT INTO invites (family_id, code_hash, created_by, expires_at)
VALUES (@family_id, @code_hash, @created_by, @expires_at)
RETURNING *;

-- InviteRedeem marks an unused, unexpired invite as used and returns it. Two
-- concurrent signups with one code: the row lock lets exactly one win.
-- name: InviteRedeem :one
UPDATE invites SET used_at = now(), used_by = @used_by
WHERE code_hash = @code_hash AND used_at IS NULL AND expires_at > now()
RETURNING *;

-- name: AuthFailureInsert :exec
INSERT INTO auth_failures (email, client_addr) VALUES (@email, @client_addr);

-- name: AuthFailureCount :one
SELECT
    count(*) FILTER (WHERE email = @email)::int AS by_email,
    count(*) FILTER (WHERE client_addr = @client_addr)::int AS by_addr
FROM auth_failures
WHERE at > now() - make_interval(secs => @window_seconds::float8)
  AND (email = @email OR client_addr = @client_addr);

-- name: AuthFailurePrune :execrows
DELETE FROM auth_failures WHERE at < now() - make_interval(secs => @older_than_seconds::float8);
