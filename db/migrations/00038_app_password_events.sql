-- App passwords made or revoked are news, and a password change or reset
-- revokes them all (docs/caldav.md "App passwords"):
--
--   * dav_app_passwords (00009) made or deleted is heard of as
--     FAMILY_UPDATED (channel familyhub_family), like the other lists of
--     the Family page (00017, 00023): the member's other open apps (another
--     tab, another device) re-read their list of app passwords, so a list
--     emptied by a password change on one device empties everywhere at
--     once. The event names the app password (its id, nothing of its
--     secret or name). The table has no family_id: the family is the
--     member's (memberships); a member in no family (removed: endAccess
--     deletes the membership first) makes no event, there is no one to
--     tell. last_used_at, touched by CalDAV requests, makes no event.
--     Staged through event_pending like the family's own rows (00012) and
--     numbered at COMMIT. A password change that revokes 50 makes 50
--     events; devices re-read /api/me once for a burst (app.js).
--   * users.app_passwords_revoked_at: when a password change or reset last
--     revoked the member's app passwords (NULL: never, or none to revoke).
--     GET /api/me shows it, so the app can say afterwards why the list is
--     empty. It is no event of its own (users_event fires only on
--     display_name): the deletions are.
--
-- Nothing is rewritten: a column with no default is added under a short
-- ACCESS EXCLUSIVE lock of users; the trigger takes a SHARE ROW EXCLUSIVE
-- lock of dav_app_passwords for an instant. Replicas of the previous
-- version keep running (they neither read nor write the column; their app
-- passwords now make events, which their PWAs ignore as a re-read).

-- +goose Up
ALTER TABLE users ADD COLUMN app_passwords_revoked_at timestamptz;

-- +goose StatementBegin
CREATE FUNCTION familyhub_capture_app_password_event() RETURNS trigger
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

-- +goose Down
DROP TRIGGER dav_app_passwords_event ON dav_app_passwords;
DROP FUNCTION familyhub_capture_app_password_event();
ALTER TABLE users DROP COLUMN app_passwords_revoked_at;
