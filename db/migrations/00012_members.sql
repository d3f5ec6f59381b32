-- Family membership, roles and account security.
--
--   * memberships.role gains 'child'; an invite carries the role it grants.
--   * FAMILY_UPDATED: changes of a family's members (joined, role changed,
--     left or removed, display name), of its settings and of its invites are
--     family events like any other: staged by a row trigger, numbered at
--     COMMIT into event_log and sent on channel familyhub_family
--     (00002_events.sql explains the two steps). Payload:
--       {"family_id":"…","seq":58,"type":"FAMILY_UPDATED","id":"<user, family or invite id>",
--        "op":"insert|update|delete","at":"…","actor":"…"}
--   * sessions remember when they were last seen (at most every few minutes),
--     the device name the client gave, and the child device a PIN sign-in
--     came through.
--   * users: pin_hash (a child's PIN, argon2id), deleted_at (an account its
--     owner deleted: its personal data is wiped, its id stays so that past
--     actions stay attributed to a "former member").
--   * families.code: the family code a child types with name and PIN.
--   * password_resets: single-use codes an owner makes for a member.
--   * child_devices: devices an adult set up for children's PIN sign-in.
--   * auth_failures counts attempts against the limits of each kind
--     (docs/api.md "Sign-in limits"): kind 'login' (login, CalDAV, password
--     change), 'pin', 'signup', 'reset'. An attempt is recorded (under an
--     advisory lock, so parallel requests cannot overtake the count) before
--     the password is checked, and removed when it succeeds. Column email
--     holds the account: the lower-cased email, or a child's user id for
--     'pin' (empty for sign-ups); client_addr the source: the client's IPv4
--     address or IPv6 /64, or the child device's id for 'pin'.

-- +goose Up
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check CHECK (role IN ('owner', 'member', 'child'));
-- The owner count of a family (the last owner cannot leave).
CREATE INDEX memberships_family_id_role_idx ON memberships (family_id, role);

ALTER TABLE invites ADD COLUMN role text NOT NULL DEFAULT 'member'
    CHECK (role IN ('owner', 'member', 'child'));

-- +goose StatementBegin
-- A random family code of 8 characters of Crockford's base32 (no I, L, O,
-- U). It is not a secret: a child's PIN sign-in also needs a device an
-- adult set up (child_devices).
CREATE FUNCTION familyhub_family_code() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + floor(random() * 32)::int, 1), '')
    FROM generate_series(1, 8)
$$;
-- +goose StatementEnd

ALTER TABLE families ADD COLUMN code text NOT NULL DEFAULT familyhub_family_code()
    CHECK (code ~ '^[0-9A-Z]{8}$');
CREATE UNIQUE INDEX families_code_key ON families (code);

ALTER TABLE users
    ADD COLUMN pin_hash text,
    ADD COLUMN deleted_at timestamptz;

-- Devices an adult (owner or member) set up so that children sign in on
-- them with family code, name and PIN. Only a SHA-256 of the device key is
-- stored; deleting the row revokes the device and the sessions made on it.
CREATE TABLE child_devices (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id    uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    token_hash   bytea NOT NULL,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE UNIQUE INDEX child_devices_token_hash_key ON child_devices (token_hash);
CREATE INDEX child_devices_family_id_idx ON child_devices (family_id);

ALTER TABLE sessions
    ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN device_name text CHECK (device_name IS NULL OR char_length(device_name) BETWEEN 1 AND 100),
    ADD COLUMN child_device_id uuid REFERENCES child_devices (id) ON DELETE SET NULL;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_child_device_id_idx ON sessions (child_device_id) WHERE child_device_id IS NOT NULL;

-- One-time password reset codes (an owner makes one for a member; no e-mail
-- needed). Only a SHA-256 of the code is stored. Valid until expires_at,
-- once; a new code replaces the member's unused ones.
CREATE TABLE password_resets (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_user_id_idx ON password_resets (user_id);
CREATE INDEX password_resets_family_id_idx ON password_resets (family_id);

ALTER TABLE auth_failures ADD COLUMN kind text NOT NULL DEFAULT 'login'
    CHECK (kind IN ('login', 'pin', 'signup', 'reset'));
DROP INDEX auth_failures_email_at_idx;
DROP INDEX auth_failures_client_addr_at_idx;
CREATE INDEX auth_failures_kind_email_at_idx ON auth_failures (kind, email, at);
CREATE INDEX auth_failures_kind_client_addr_at_idx ON auth_failures (kind, client_addr, at);

-- +goose StatementBegin
-- familyhub_capture_family_event() stages a FAMILY_UPDATED event for a
-- change of memberships (id: the member's user id; none while the member is
-- alone in the family), families (the family's id) or users (the user's id,
-- for the family they belong to). Invites use
-- the generic familyhub_capture_event (they have id and family_id).
CREATE FUNCTION familyhub_capture_family_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r      jsonb;
    fam    uuid;
    ent    uuid;
    actor  text := nullif(current_setting('familyhub.actor_id', true), '');
    device text := nullif(current_setting('familyhub.device_id', true), '');
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := to_jsonb(OLD);
    ELSE
        r := to_jsonb(NEW);
    END IF;
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = r THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'memberships' THEN
        fam := (r->>'family_id')::uuid;
        ent := (r->>'user_id')::uuid;
        -- A family's first member (its creator) or its last one: no one
        -- else to tell, and a new family's log starts with its own data.
        IF NOT EXISTS (SELECT 1 FROM memberships WHERE family_id = fam AND user_id <> ent) THEN
            RETURN NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'families' THEN
        fam := (r->>'id')::uuid;
        ent := fam;
    ELSE -- users
        ent := (r->>'id')::uuid;
        SELECT family_id INTO fam FROM memberships WHERE user_id = ent;
        IF fam IS NULL THEN
            RETURN NULL; -- in no family: no one to tell
        END IF;
    END IF;
    INSERT INTO event_pending (family_id, type, channel, entity_id, op, actor_id, device_id, at)
    VALUES (fam, 'FAMILY_UPDATED', 'familyhub_family', ent, lower(TG_OP), actor::uuid, device, clock_timestamp());
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER memberships_event AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_family_event();
CREATE TRIGGER families_event AFTER UPDATE ON families
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_family_event();
CREATE TRIGGER users_event AFTER UPDATE OF display_name ON users
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION familyhub_capture_family_event();
CREATE TRIGGER invites_event AFTER INSERT OR UPDATE OR DELETE ON invites
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family');

-- +goose Down
DROP TRIGGER invites_event ON invites;
DROP TRIGGER users_event ON users;
DROP TRIGGER families_event ON families;
DROP TRIGGER memberships_event ON memberships;
DROP FUNCTION familyhub_capture_family_event();
DROP INDEX auth_failures_kind_client_addr_at_idx;
DROP INDEX auth_failures_kind_email_at_idx;
DELETE FROM auth_failures WHERE kind <> 'login';
CREATE INDEX auth_failures_email_at_idx ON auth_failures (email, at);
CREATE INDEX auth_failures_client_addr_at_idx ON auth_failures (client_addr, at);
ALTER TABLE auth_failures DROP COLUMN kind;
DROP TABLE password_resets;
DROP INDEX sessions_child_device_id_idx;
ALTER TABLE sessions DROP COLUMN child_device_id, DROP COLUMN device_name, DROP COLUMN last_seen_at;
DROP TABLE child_devices;
ALTER TABLE users DROP COLUMN deleted_at, DROP COLUMN pin_hash;
DROP INDEX families_code_key;
ALTER TABLE families DROP COLUMN code;
DROP FUNCTION familyhub_family_code();
ALTER TABLE invites DROP COLUMN role;
DROP INDEX memberships_family_id_role_idx;
DELETE FROM memberships WHERE role = 'child';
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check CHECK (role IN ('owner', 'member'));
