-- Sessions, invites and the accounting of sign-in attempts.

-- SessionInsert stores a session that lasts ttl_seconds from now(), by
-- PostgreSQL's clock, which decides its use (SessionAuthenticate), not by a
-- replica's, which may be off (db.Tx.SessionCreate). issued_as says how its
-- token is handed out (00040_session_issued_as.sql).
-- name: SessionInsert :one
INSERT INTO sessions (token_hash, user_id, expires_at, user_agent, client_addr, device_name, child_device_id, issued_as)
VALUES (@token_hash, @user_id, now() + make_interval(secs => @ttl_seconds::float8), @user_agent, @client_addr,
        sqlc.narg('device_name'), sqlc.narg('child_device_id'), @issued_as)
RETURNING *;

-- SessionAuthenticate resolves a token to its user and family. The join on
-- memberships means a user removed from the family is no longer let in.
-- stale says the session was last noted as seen over five minutes ago:
-- the caller then notes it (SessionTouch). A write per request would be
-- wasteful, and so was doing it in this statement: a data-modifying CTE
-- made every request's lookup a quarter dearer in PostgreSQL
-- (docs/benchmarks.md, "Sixth round").
-- left_ms is how long the session has left by PostgreSQL's clock: a
-- replica times the session's end (its kept copy, its sockets) by its own
-- clock from it, so a replica whose clock is off does not keep an expired
-- session (db.SessionCache). legacy says the session was made before the
-- cookie had its __Host- name: over HTTPS only such a session is let in
-- under the old name (00040_session_issued_as.sql).
-- name: SessionAuthenticate :one
SELECT s.id AS session_id, s.user_id, m.family_id, m.role, s.expires_at,
       (s.issued_as = 'legacy')::boolean AS legacy,
       (s.last_seen_at < now() - interval '5 minutes')::boolean AS stale,
       (extract(epoch FROM s.expires_at - now()) * 1000)::bigint AS left_ms
FROM sessions s
JOIN memberships m ON m.user_id = s.user_id
WHERE s.token_hash = @token_hash
  AND s.revoked_at IS NULL
  AND s.expires_at > now();

-- name: SessionTouch :exec
UPDATE sessions SET last_seen_at = now()
WHERE id = @id AND last_seen_at < now() - interval '5 minutes';

-- name: SessionGet :one
SELECT * FROM sessions WHERE id = @id;

-- name: SessionRevoke :execrows
UPDATE sessions SET revoked_at = now()
WHERE id = @id AND revoked_at IS NULL;

-- SessionListByUser returns a user's live sessions, the most recently seen
-- first.
-- name: SessionListByUser :many
SELECT s.*, d.name AS child_device_name
FROM sessions s LEFT JOIN child_devices d ON d.id = s.child_device_id
WHERE s.user_id = @user_id AND s.revoked_at IS NULL AND s.expires_at > now()
ORDER BY s.last_seen_at DESC, s.created_at DESC
LIMIT 500;

-- name: SessionRevokeOfUser :execrows
UPDATE sessions SET revoked_at = now()
WHERE id = @id AND user_id = @user_id AND revoked_at IS NULL;

-- SessionRevokeAllOfUser ends every live session of a user but keep (none
-- when NULL). The trigger of 00007_realtime.sql tells every replica to
-- close their sockets.
-- name: SessionRevokeAllOfUser :execrows
UPDATE sessions SET revoked_at = now()
WHERE user_id = @user_id AND revoked_at IS NULL
  AND id IS DISTINCT FROM sqlc.narg('keep')::uuid;

-- SessionRevokeAllOfUserRemoved ends every live session of a user whose
-- membership ended (left or removed) and notes why, so that a device that
-- was offline then is told so on its next request (SessionRevokedReason).
-- name: SessionRevokeAllOfUserRemoved :execrows
UPDATE sessions SET revoked_at = now(), revoked_reason = 'removed'
WHERE user_id = @user_id AND revoked_at IS NULL;

-- SessionRevokedReason is why the session of a token was revoked (NULL:
-- no reason noted), asked only after SessionAuthenticate found no live
-- session for it. No rows: the token is unknown or its session not revoked
-- (expired, or its user no longer in a family). legacy as for
-- SessionAuthenticate.
-- name: SessionRevokedReason :one
SELECT revoked_reason, (issued_as = 'legacy')::boolean AS legacy FROM sessions
WHERE token_hash = @token_hash AND revoked_at IS NOT NULL;

-- name: SessionRevokeByChildDevice :execrows
UPDATE sessions SET revoked_at = now()
WHERE child_device_id = @child_device_id AND revoked_at IS NULL;

-- Invites.

-- name: InviteInsert :one
INSERT INTO invites (family_id, code_hash, created_by, expires_at, role)
VALUES (@family_id, @code_hash, @created_by, @expires_at, @role)
RETURNING *;

-- InviteFamilyByCode is the family of an unused, unexpired invite, read
-- without a lock: a sign-up takes the family's member lock before the
-- invite's row lock, in the order deleting a family takes them (its row,
-- then its invites by cascade), so the two cannot deadlock.
-- name: InviteFamilyByCode :one
SELECT family_id FROM invites
WHERE code_hash = @code_hash AND used_at IS NULL AND expires_at > now();

-- InviteLockByCode finds an unused, unexpired invite and locks it: two
-- concurrent signups with one code, and exactly one wins.
-- name: InviteLockByCode :one
SELECT * FROM invites
WHERE code_hash = @code_hash AND used_at IS NULL AND expires_at > now()
FOR UPDATE;

-- name: InviteMarkUsed :exec
UPDATE invites SET used_at = now(), used_by = @used_by WHERE id = @id;

-- name: InviteList :many
SELECT * FROM invites WHERE family_id = @family_id
ORDER BY created_at DESC, id
LIMIT 200;

-- name: InviteCountOpen :one
SELECT count(*)::int FROM invites
WHERE family_id = @family_id AND used_at IS NULL AND expires_at > now();

-- name: InviteDelete :execrows
DELETE FROM invites WHERE id = @id AND family_id = @family_id;

-- Sign-in attempts (auth_failures, 00012_members.sql).

-- AuthAttemptLock serialises the attempts of one key (an account or a
-- source of one kind) until the end of the transaction.
-- name: AuthAttemptLock :exec
SELECT pg_advisory_xact_lock(hashtextextended(@key::text, 0));

-- LimitLock serialises the creates one collection limit counts (a kind and
-- its family's or member's id, db/limits.go) until the end of the
-- transaction, so that two creates at the limit cannot both see room.
-- name: LimitLock :exec
SELECT pg_advisory_xact_lock(hashtextextended('familyhub.limit:' || @key::text, 0));

-- name: AuthAttemptCount :one
SELECT
    (count(*) FILTER (WHERE email = @account AND client_addr = @source))::int AS pair,
    (count(*) FILTER (WHERE email = @account))::int AS by_account,
    (count(*) FILTER (WHERE client_addr = @source))::int AS by_source,
    (count(DISTINCT email) FILTER (WHERE client_addr = @source))::int AS source_accounts
FROM auth_failures
WHERE kind = @kind
  AND at > now() - make_interval(secs => @window_seconds::float8)
  AND (email = @account OR client_addr = @source);

-- name: AuthAttemptInsert :one
INSERT INTO auth_failures (kind, email, client_addr) VALUES (@kind, @account, @source)
RETURNING id;

-- AuthAttemptSucceeded forgets the failures of one account from one source
-- (the attempt just made among them): a right password forgives typos.
-- name: AuthAttemptSucceeded :exec
DELETE FROM auth_failures WHERE kind = @kind AND email = @account AND client_addr = @source;

-- AuthFailureStats counts the recent failures of accounts per source.
-- name: AuthFailureStats :many
SELECT kind, email AS account, client_addr AS source, count(*)::int AS n
FROM auth_failures
WHERE at > now() - make_interval(secs => @window_seconds::float8)
  AND email = ANY(@accounts::text[])
GROUP BY kind, email, client_addr;

-- AuthFailureClear forgets every failure of the accounts (an owner unlocks
-- a member; a password reset).
-- name: AuthFailureClear :execrows
DELETE FROM auth_failures WHERE email = ANY(@accounts::text[]);

-- name: AuthFailurePrune :execrows
DELETE FROM auth_failures WHERE at < now() - make_interval(secs => @older_than_seconds::float8);
