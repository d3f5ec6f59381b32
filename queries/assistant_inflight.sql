-- The assistant's commands in flight (db/migrations/00047_assistant_inflight.sql).

-- AssistantInflightStart notes a member's command as it arrives, for
-- @ttl at most, and deletes the family's expired rows (a killed
-- replica's). It returns the command's place in the order of
-- arrival. seq is drawn only once the member's "inflight" lock is held,
-- and that lock is held until the transaction commits: so when a
-- command's row is seen, every row of the member with a smaller seq is
-- seen too (a seq is drawn at insert but seen at commit; without the
-- lock, an "undo that" arriving at the same moment as the command before
-- it could commit first and not see it). The lock is taken in the FROM of
-- the INSERT, so before the identity default is evaluated.
-- name: AssistantInflightStart :one
WITH ordered AS (
    SELECT pg_advisory_xact_lock(hashtextextended('familyhub.assistant:inflight:user:' || (@user_id::uuid)::text, 0))
), expired AS (
    DELETE FROM assistant_inflight
    WHERE assistant_inflight.family_id = @family_id AND assistant_inflight.expires_at < clock_timestamp()
)
INSERT INTO assistant_inflight (family_id, user_id, command_id, replica, expires_at)
SELECT @family_id, @user_id, @command_id, @replica, clock_timestamp() + @ttl::interval
FROM ordered
RETURNING seq;

-- AssistantInflightEnd deletes a command's row: it has ended.
-- name: AssistantInflightEnd :exec
DELETE FROM assistant_inflight WHERE seq = @seq;

-- AssistantInflightEarlier counts the member's commands in flight that
-- arrived before @seq, have not expired and do not hold their command's
-- lock yet (AssistantCommandSerialize, taken after the member's: one that
-- holds it is waited for by that lock, bounded): what "undo that" waits
-- for. pg_locks shows an advisory lock's 64-bit key as classid (high 32
-- bits) and objid (low), objsubid 1. It is read once per call (held, a
-- materialized CTE, hashed against the rows), not once per earlier row:
-- reading pg_locks takes every lock partition's lock for a moment and
-- costs about 1 ms with thousands of locks held, and an undo asks again
-- while it waits (after 50 ms, doubling up to every 500 ms).
-- name: AssistantInflightEarlier :one
WITH held AS MATERIALIZED (
    SELECT l.classid, l.objid FROM pg_catalog.pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = current_database())
)
SELECT count(*) FROM assistant_inflight f
CROSS JOIN LATERAL (SELECT hashtextextended('familyhub.assistant:command:' || f.command_id::text, 0) AS key) k
WHERE f.user_id = @user_id AND f.seq < @seq AND f.expires_at > clock_timestamp()
  AND NOT EXISTS (
      SELECT 1 FROM held h
      WHERE h.classid = ((k.key >> 32) & 4294967295)::oid AND h.objid = (k.key & 4294967295)::oid);
