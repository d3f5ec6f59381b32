-- A session's issued_as (00040) changed by hand reaches the replicas as a
-- notice on familyhub_sessions, as a change of its expiry or token does
-- (00028), so that they forget their kept sessions (db.SessionCache).
-- Each kept session carries whether it is legacy (familyhub.Auth's
-- LegacyCookie: over HTTPS only a legacy session is let in under the
-- cookie's old name). Without the notice, an operator ending the legacy
-- sessions' grace early,
--   UPDATE sessions SET issued_as = 'none' WHERE issued_as = 'legacy';
-- left every replica letting those sessions in under the old name over
-- HTTPS, and moving them into the __Host- name, for as long as it kept
-- them (FAMILYHUB_SESSION_CACHE_TTL). The app itself never changes
-- issued_as. Replacing a trigger takes a brief exclusive lock on
-- sessions; nothing is rewritten or scanned.

-- +goose Up
DROP TRIGGER sessions_changed_notify ON sessions;
CREATE TRIGGER sessions_changed_notify
    AFTER UPDATE OF id, expires_at, user_id, token_hash, issued_as ON sessions
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.token_hash IS DISTINCT FROM NEW.token_hash
          OR OLD.issued_as IS DISTINCT FROM NEW.issued_as)
    EXECUTE FUNCTION familyhub_session_changed_notify();

-- +goose Down
DROP TRIGGER sessions_changed_notify ON sessions;
CREATE TRIGGER sessions_changed_notify
    AFTER UPDATE OF id, expires_at, user_id, token_hash ON sessions
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.token_hash IS DISTINCT FROM NEW.token_hash)
    EXECUTE FUNCTION familyhub_session_changed_notify();
