-- Two more changes of a family that other devices show and so must hear of
-- as FAMILY_UPDATED (channel familyhub_family), like the rest of 00012:
--   * a child's PIN set, changed or cleared (users.pin_hash; the family page
--     says which children can sign in with a PIN). The event names the user.
--   * a child device set up, renamed or revoked (child_devices). The event
--     names the device. Its last_used_at, touched at every PIN sign-in, is
--     no change anyone looks at live: it makes no event.

-- +goose Up
CREATE TRIGGER users_pin_event AFTER UPDATE OF pin_hash ON users
    FOR EACH ROW WHEN (OLD.pin_hash IS DISTINCT FROM NEW.pin_hash)
    EXECUTE FUNCTION familyhub_capture_family_event();
CREATE TRIGGER child_devices_event AFTER INSERT OR DELETE ON child_devices
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family');
CREATE TRIGGER child_devices_name_event AFTER UPDATE OF name ON child_devices
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family');

-- +goose Down
DROP TRIGGER child_devices_name_event ON child_devices;
DROP TRIGGER child_devices_event ON child_devices;
DROP TRIGGER users_pin_event ON users;
