-- Realtime plumbing beyond the event log: sign-out reaching open sockets,
-- single-use tickets for clients that cannot send cookies on a WebSocket.
--
-- Channel familyhub_sessions carries "this session no longer speaks for its
-- user" notices, so every replica closes the affected sockets (close code
-- 4001) within a second:
--   {"session_id":"…","user_id":"…","reason":"revoked"}       logout
--   {"session_id":"…","user_id":"…","reason":"rotated","replaced_by":"…"}  refresh: sockets move to the new session
--   {"user_id":"…","family_id":"…","reason":"removed"}        removed from the family: all their sockets
-- A DBA can end someone's sessions with
--   UPDATE sessions SET revoked_at = now() WHERE user_id = '…' AND revoked_at IS NULL;

-- +goose Up
ALTER TABLE sessions ADD COLUMN replaced_by uuid REFERENCES sessions (id) ON DELETE SET NULL;

-- +goose StatementBegin
CREATE FUNCTION familyhub_session_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('familyhub_sessions', json_strip_nulls(json_build_object(
        'session_id', NEW.id,
        'user_id', NEW.user_id,
        'reason', CASE WHEN NEW.replaced_by IS NULL THEN 'revoked' ELSE 'rotated' END,
        'replaced_by', NEW.replaced_by
    ))::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER sessions_revoked_notify
    AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION familyhub_session_notify();

-- +goose StatementBegin
CREATE FUNCTION familyhub_membership_removed_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('familyhub_sessions', json_build_object(
        'user_id', OLD.user_id,
        'family_id', OLD.family_id,
        'reason', 'removed'
    )::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER memberships_removed_notify
    AFTER DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION familyhub_membership_removed_notify();

-- Single-use, short-lived tickets: POST /api/realtime/ticket hands one out
-- to a signed-in client, which opens /ws?ticket=… (or /sse?ticket=…) on any
-- replica within the minute. Only a SHA-256 of the ticket is stored.
CREATE TABLE realtime_tickets (
    token_hash bytea PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX realtime_tickets_expires_at_idx ON realtime_tickets (expires_at);

-- +goose Down
DROP TABLE realtime_tickets;
DROP TRIGGER memberships_removed_notify ON memberships;
DROP FUNCTION familyhub_membership_removed_notify();
DROP TRIGGER sessions_revoked_notify ON sessions;
DROP FUNCTION familyhub_session_notify();
ALTER TABLE sessions DROP COLUMN replaced_by;
