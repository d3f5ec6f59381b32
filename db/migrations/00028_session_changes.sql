-- Every change to what a session token stands for reaches the replicas as a
-- notice on familyhub_sessions, so each replica can keep found sessions in
-- memory for a short while (db.SessionCache, FAMILYHUB_SESSION_CACHE_TTL)
-- and forget them when told.
--
-- 00007 already notifies a revoked or rotated session and a removed
-- member. These triggers add the other changes, with one payload:
--   {"reason":"changed"}
-- for a live session deleted (a user's account going, a DBA's DELETE), a
-- session's id, expiry, user or token changed, a membership's role, family
-- or user changed, and sessions or memberships emptied by TRUNCATE (which
-- fires no row trigger; a TRUNCATE of users or families CASCADE empties
-- them too and is announced the same way). PostgreSQL sends identical
-- notices of one transaction once, so a DELETE of many sessions makes one
-- notice. The replicas close no socket for it (the sockets' own notices
-- do that); they forget every kept session. Creating triggers takes a
-- brief exclusive lock on sessions and memberships; nothing is rewritten.
--
-- A deleted session that was revoked, or expired over two minutes ago, is
-- in no replica's memory (a session is kept at most a minute, and a
-- revoked one was announced when revoked): its DELETE sends nothing. So
-- the prune job, which deletes only sessions ended 30 days ago, neither
-- runs a trigger per row nor empties every replica's memory.
--
-- A DBA changing a role by hand:
--   UPDATE memberships SET role = 'child' WHERE user_id = '…';
-- is seen by the next request on every replica.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION familyhub_session_changed_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('familyhub_sessions', '{"reason":"changed"}');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER sessions_deleted_notify
    AFTER DELETE ON sessions
    FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL AND OLD.expires_at > now() - interval '2 minutes')
    EXECUTE FUNCTION familyhub_session_changed_notify();

CREATE TRIGGER sessions_changed_notify
    AFTER UPDATE OF id, expires_at, user_id, token_hash ON sessions
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.token_hash IS DISTINCT FROM NEW.token_hash)
    EXECUTE FUNCTION familyhub_session_changed_notify();

CREATE TRIGGER memberships_changed_notify
    AFTER UPDATE OF role, family_id, user_id ON memberships
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.family_id IS DISTINCT FROM NEW.family_id
          OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION familyhub_session_changed_notify();

CREATE TRIGGER sessions_truncated_notify
    AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION familyhub_session_changed_notify();

CREATE TRIGGER memberships_truncated_notify
    AFTER TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION familyhub_session_changed_notify();

-- +goose Down
DROP TRIGGER memberships_truncated_notify ON memberships;
DROP TRIGGER sessions_truncated_notify ON sessions;
DROP TRIGGER memberships_changed_notify ON memberships;
DROP TRIGGER sessions_changed_notify ON sessions;
DROP TRIGGER sessions_deleted_notify ON sessions;
DROP FUNCTION familyhub_session_changed_notify();
