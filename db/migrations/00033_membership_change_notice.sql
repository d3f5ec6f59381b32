-- A membership's role (or family, or user) changed: the notice names whose,
--   {"reason":"changed","user_id":"…","family_id":"…"}
-- (the user and family before the change), so every replica re-checks the
-- open sockets of that user only (realtime/recheck.go) and closes them when
-- their role or family is no longer what they were opened with (close code
-- 4003 "role changed", 4001 when the family is another). Until now the
-- notice was {"reason":"changed"} alone: the replicas forgot their kept
-- sessions (db.SessionCache) but the sockets kept the role and family they
-- were opened with. A replica that does not know the new fields reads the
-- notice as before. Replacing a trigger takes a brief exclusive lock on
-- memberships; nothing is rewritten.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION familyhub_membership_changed_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('familyhub_sessions', json_build_object(
        'reason', 'changed',
        'user_id', OLD.user_id,
        'family_id', OLD.family_id
    )::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER memberships_changed_notify ON memberships;
CREATE TRIGGER memberships_changed_notify
    AFTER UPDATE OF role, family_id, user_id ON memberships
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.family_id IS DISTINCT FROM NEW.family_id
          OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION familyhub_membership_changed_notify();

-- +goose Down
DROP TRIGGER memberships_changed_notify ON memberships;
CREATE TRIGGER memberships_changed_notify
    AFTER UPDATE OF role, family_id, user_id ON memberships
    FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.family_id IS DISTINCT FROM NEW.family_id
          OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION familyhub_session_changed_notify();
DROP FUNCTION familyhub_membership_changed_notify();
