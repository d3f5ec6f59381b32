-- A family's settings have a version, as every other record that devices
-- change (00014), so that a change of the family's name or time zone made
-- on one device can no longer silently overwrite another device's change
-- of the same setting (docs/api.md, "Safe retries and conflicts";
-- PATCH /api/family with If-Match).
--
-- What a DBA needs to know:
--   * families.version: 1 for every family there is and every new one,
--     +1 on every UPDATE that changes the row (its name, time zone,
--     default shopping list, code; also a default list cleared because
--     the list was deleted), whoever makes it (REST, psql). The database
--     keeps it: the trigger families_version (familyhub_touch_version of
--     00027, which also keeps updated_at, so it takes the place of
--     families_touch) overwrites whatever an UPDATE sets it to. An UPDATE
--     that changes nothing keeps it, as it keeps updated_at.
--   * The FAMILY_UPDATED event of a change of the family's own row (00012)
--     carries that version ("version" in the notice, event_log.version),
--     as the events of the other versioned records do (00018): a device
--     that already shows that version (its own save came back as the
--     answer) need not read the family again. Events of members, users
--     and invites, and an UPDATE that left the version as it was, carry
--     none, as before. A DBA's UPDATE of families makes the same event
--     with the same version as the app's.
--   * Adding the column rewrites nothing (a constant default); it takes
--     families' ACCESS EXCLUSIVE lock for an instant, after the
--     transactions that hold a lock on families (every write that checks
--     a foreign key to a family) end, and new ones wait that long. As
--     the other migrations, this one sets no lock_timeout.
--   * Replicas of the previous version keep working: they name families'
--     columns (sqlc), send no If-Match to PATCH /api/family, and read a
--     notice's "version" through the JSON decoder, which ignores what it
--     does not know for this event.

-- +goose Up
ALTER TABLE families ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
COMMENT ON COLUMN families.version IS
    'The family''s version for If-Match (PATCH /api/family): 1, +1 per change of the row (families_version, 00043).';

DROP TRIGGER families_touch ON families;
CREATE TRIGGER families_version BEFORE UPDATE ON families
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_version();

-- +goose StatementBegin
-- familyhub_capture_family_event() as 00012 made it, with the version of
-- a change of the family's own row (NULL when the change left it as it
-- was; members, users: none).
CREATE OR REPLACE FUNCTION familyhub_capture_family_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r      jsonb;
    fam    uuid;
    ent    uuid;
    v      bigint;
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
        -- families_event fires on UPDATE only.
        IF (to_jsonb(OLD)->>'version') IS DISTINCT FROM (r->>'version') THEN
            v := (r->>'version')::bigint;
        END IF;
    ELSE -- users
        ent := (r->>'id')::uuid;
        SELECT family_id INTO fam FROM memberships WHERE user_id = ent;
        IF fam IS NULL THEN
            RETURN NULL; -- in no family: no one to tell
        END IF;
    END IF;
    INSERT INTO event_pending (family_id, type, channel, entity_id, op, actor_id, device_id, at, version)
    VALUES (fam, 'FAMILY_UPDATED', 'familyhub_family', ent, lower(TG_OP), actor::uuid, device, clock_timestamp(), v);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_family_event() RETURNS trigger
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
DROP TRIGGER families_version ON families;
CREATE TRIGGER families_touch BEFORE UPDATE ON families
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
ALTER TABLE families DROP COLUMN version;
