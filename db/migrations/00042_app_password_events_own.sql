-- An app password's event (00038) is for its member's own devices only.
-- App passwords are personal: nobody else sees or manages them, yet the
-- FAMILY_UPDATED of one made or revoked reached every device of the
-- family, saying who made one (actor), on which device, and when.
--
--   * event_log.for_user_id: the one member whose devices hear the event
--     (NULL: the whole family, as every other event). The notice carries
--     it as "for_user". It takes the family's seq as every event does
--     (seqs stay gapless per family); the replicas skip it for the other
--     members' sockets, long polls and catch-up reads, as they skip an
--     event of a topic a socket did not ask for (prev_seq tells such a
--     skip from a loss, docs/realtime.md).
--   * familyhub_capture_app_password_event() numbers, logs and writes out
--     the event in one statement, as the versioned tables' trigger does
--     (00035), from a deferred trigger (at COMMIT, in the order of the
--     changes), instead of staging it (event_pending): the staged rows
--     have no column for the member, and each session's staging table
--     (pg_temp.familyhub_staged_v) keeps its shape for the session's
--     life. The family is read at COMMIT: a member in no family by then
--     (removed: endAccess deletes the membership first) makes no event,
--     as before.
--
-- Adding a nullable column rewrites nothing; it takes event_log's ACCESS
-- EXCLUSIVE lock for an instant (every event waits that long). Replicas of
-- the previous version keep working: they read event_log's columns by
-- name, and read a notice with "for_user" through the JSON decoder, which
-- ignores the key: they hand the event to the whole family, as before,
-- until they are replaced.

-- +goose Up
ALTER TABLE event_log ADD COLUMN for_user_id uuid;
COMMENT ON COLUMN event_log.for_user_id IS
    'The member whose devices alone hear the event (an app password''s, 00042); NULL: the whole family.';

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_app_password_event() RETURNS trigger
LANGUAGE plpgsql AS $$
-- FAMILY_UPDATED for an app password made or revoked, in its member's
-- family, for that member's devices alone (for_user_id). Numbered, logged
-- and written out as familyhub_capture_versioned_event does (00035): the
-- notice is what json_strip_nulls(json_build_object()) makes of the
-- event_log row, keys in order, for_user last.
DECLARE
    uid   uuid := coalesce(NEW.user_id, OLD.user_id);
    s     bigint;
    msg   text;
    quiet boolean;
BEGIN
    WITH c AS (
        UPDATE family_event_seq SET seq = seq + 1
        WHERE family_id = (SELECT family_id FROM memberships WHERE user_id = uid)
        RETURNING family_id, seq, clock_timestamp() AS at)
    INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, actor_id, device_id, at, for_user_id)
    SELECT c.family_id, c.seq, 'FAMILY_UPDATED', 'familyhub_family', coalesce(NEW.id, OLD.id), lower(TG_OP),
           nullif(current_setting('familyhub.actor_id', true), '')::uuid,
           nullif(current_setting('familyhub.device_id', true), ''),
           c.at, uid
    FROM c
    RETURNING seq,
        format('{"family_id":"%s","seq":%s,"type":%s,"id":"%s","op":"%s","at":%s%s%s,"for_user":"%s"}',
            family_id, seq, to_json(type), entity_id, op, to_json(at), ',"actor":"' || actor_id || '"',
            ',"device_id":' || to_json(device_id), for_user_id),
        current_setting('familyhub.announce', true) = 'after_commit'
    INTO s, msg, quiet;
    IF quiet THEN
        RAISE NOTICE USING MESSAGE = msg, DETAIL = 'familyhub_family', ERRCODE = 'FH001';
    ELSIF s IS NOT NULL THEN
        PERFORM pg_notify('familyhub_family', msg);
    END IF; -- else in no family (or the family deleted in this transaction): no one to tell
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
COMMENT ON FUNCTION familyhub_capture_app_password_event() IS
    'FAMILY_UPDATED for an app password made or revoked, in its member''s family, for the member''s devices alone (00038, 00042).';

DROP TRIGGER dav_app_passwords_event ON dav_app_passwords;
CREATE CONSTRAINT TRIGGER dav_app_passwords_event AFTER INSERT OR DELETE ON dav_app_passwords
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_app_password_event();

-- +goose Down
DROP TRIGGER dav_app_passwords_event ON dav_app_passwords;
-- The body of 00038.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_app_password_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    uid uuid;
    eid uuid;
    fam uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN
        uid := OLD.user_id;
        eid := OLD.id;
    ELSE
        uid := NEW.user_id;
        eid := NEW.id;
    END IF;
    SELECT family_id INTO fam FROM memberships WHERE user_id = uid;
    IF fam IS NULL THEN
        RETURN NULL; -- in no family: no one to tell
    END IF;
    INSERT INTO event_pending (family_id, type, channel, entity_id, op, actor_id, device_id, at)
    VALUES (fam, 'FAMILY_UPDATED', 'familyhub_family', eid, lower(TG_OP),
            nullif(current_setting('familyhub.actor_id', true), '')::uuid,
            nullif(current_setting('familyhub.device_id', true), ''), clock_timestamp());
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
COMMENT ON FUNCTION familyhub_capture_app_password_event() IS
    'FAMILY_UPDATED for an app password made or revoked, in its member''s family (00038).';
CREATE TRIGGER dav_app_passwords_event AFTER INSERT OR DELETE ON dav_app_passwords
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_app_password_event();
ALTER TABLE event_log DROP COLUMN for_user_id;
