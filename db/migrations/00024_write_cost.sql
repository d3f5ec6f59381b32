-- Cheaper writes, the same rules (issue 20; docs/benchmarks.md, "Sixth
-- round"). Counted with cmd/familyhub-bench/pgcost.sh (valgrind in one
-- PostgreSQL backend: a count of CPU instructions, not a timing, the same
-- to 0.1 % run after run), an item add cost 1.10 million instructions from
-- BEGIN to COMMIT and a tick 1.23 million; after this migration 0.81 and
-- 0.83 million. What went, none of it a rule:
--
--   * CHECK constraints are read again from their stored text at the start
--     of every statement that writes the table (PostgreSQL parses and
--     prepares each one: ExecRelCheck), prepared statement or not, about
--     18,000 instructions each. shopping_items had eight, and every event
--     paid for event_log's and family_event_seq's, every create with a
--     client id for client_creates'. A domain's check is
--     parsed once per connection and kept (the type cache), so every check
--     of one column on that path is now a domain with the same rule:
--       shopping_items.name             shopping_item_name      1-200 characters
--       shopping_items.quantity         shopping_item_quantity  1-50 characters
--       shopping_items.note             shopping_item_note      1-500 characters
--       shopping_items.category_source  category_source         'user' or 'auto'
--       shopping_items.position         list_position           >= 0
--       shopping_items.version          record_version          >= 1
--       event_log.op                    event_op                insert, update, delete
--       family_event_seq.seq            event_seq               >= 0
--       client_creates.kind             create_kind             1-50 characters
--     A value outside them is refused as before, with the same SQLSTATE
--     (23514, check_violation), now naming the domain. The two checks that
--     relate columns of an item (ticked <=> ticked_at, ticked_by only when
--     ticked) stay table checks. Other tables keep theirs (tasks and
--     calendar_events have a dozen each: docs/benchmarks.md).
--   * Two foreign keys that repeated a check already made in the same
--     transaction, each a lookup and a row lock on families (about 40,000
--     instructions):
--       - shopping_items.family_id → families: the item's list is checked
--         by (family_id, list_id) → shopping_lists, whose family_id is a
--         foreign key to families. Deleting a family still deletes its
--         items (through its lists, ON DELETE CASCADE). The foreign key's
--         index goes too: every query of items names an item or a list.
--       - event_log.family_id → families: every event is written by
--         familyhub_capture_event (or the event_pending flush) for a row
--         of that family, whose own foreign key was checked, after taking
--         the family's counter row in family_event_seq (itself a foreign
--         key to families).
--       - client_creates.family_id → families: a create's client id is
--         claimed for the family of the request's own session, in the
--         transaction that writes the family's rows.
--     What these two foreign keys also did, deleting the family's events
--     and claimed ids with the family, is now the trigger
--     families_forget_log.
--   * familyhub_bump_version (00014, BEFORE UPDATE on the five tables with
--     a version) compared the row before and after as jsonb, converting
--     both whole rows and deleting keys (~150,000 instructions per update).
--     It now compares the rows themselves with updated_at set aside (IS
--     DISTINCT FROM, the comparison familyhub_touch_updated_at already
--     makes): the same answer for every column type these tables have.
--     Bookkeeping columns other than updated_at are now the trigger's
--     arguments: shopping_lists_version passes categorised_at (the
--     categoriser's note, 00014), and a trigger with arguments compares as
--     jsonb without them, as before. A table of your own that uses
--     familyhub_bump_version needs an updated_at column (all of
--     FamilyHub's have one), or arguments.
--   * familyhub_capture_event (00019) built each event's notice with
--     json_build_object and json_strip_nulls in a query and handed it to
--     familyhub_emit, another function: ~110,000 instructions of an event.
--     It now writes the same text (byte for byte, TestCapturePayloadFormat)
--     itself and raises the notice or notifies directly: ~80,000.
--     familyhub_emit stays for its other callers (the assistant's device
--     notice, staged events).
--
-- What a DBA sees: \d shopping_items, event_log, family_event_seq and client_creates show
-- those columns with their domain types (\dD lists the domains and their
-- checks); shopping_items has no family_id foreign key or index, event_log
-- and client_creates no foreign key at all, and families has the trigger
-- families_forget_log.
--
-- ALTER COLUMN ... TYPE to a domain with a check rewrites the table and its
-- indexes (PostgreSQL skips the rewrite only for a domain without
-- constraints) and holds an exclusive lock on it meanwhile: shopping_items,
-- event_log, family_event_seq and client_creates are each rewritten once.
-- Writes wait for it: about 1 s for 200,000 items and as many events on
-- the benchmark machine (2 cores). shopping_items_view and the learning
-- triggers (00022, whose WHEN reads category_source) depend on the columns
-- and are made again around it, as they were.
--
-- One change a DBA may notice: an UPDATE that sets an item's version to 0
-- is now refused by the domain; before, familyhub_bump_version replaced
-- the value before the table check saw it. No query of the application
-- sets a version.
--
-- Replicas of the previous version that are still running when a new one
-- applies this: PostgreSQL refuses each of their pooled connections' cached
-- statements that return an item once ("cached plan must not change result
-- type"), pgx then prepares it again, and the PWA's outbox sends the write
-- again (it retries a 5xx). Going down drops the domains: stop the replicas
-- first, or their cached statements fail until they reconnect.

-- +goose Up
CREATE DOMAIN shopping_item_name AS text CHECK (char_length(VALUE) BETWEEN 1 AND 200);
CREATE DOMAIN shopping_item_quantity AS text CHECK (char_length(VALUE) BETWEEN 1 AND 50);
CREATE DOMAIN shopping_item_note AS text CHECK (char_length(VALUE) BETWEEN 1 AND 500);
COMMENT ON DOMAIN shopping_item_name IS 'A shopping item''s name: 1-200 characters (00024: a domain, not a table CHECK, so it is parsed once per connection).';
COMMENT ON DOMAIN shopping_item_quantity IS 'A shopping item''s quantity as typed ("2 l", "a handful"): 1-50 characters.';
COMMENT ON DOMAIN shopping_item_note IS 'A shopping item''s note: 1-500 characters.';
CREATE DOMAIN category_source AS text CHECK (VALUE IN ('user', 'auto'));
COMMENT ON DOMAIN category_source IS 'Who filed a shopping item: a person (user) or the categoriser (auto).';
CREATE DOMAIN list_position AS integer CHECK (VALUE >= 0);
COMMENT ON DOMAIN list_position IS 'A place in a list, from 0.';
CREATE DOMAIN record_version AS bigint CHECK (VALUE >= 1);
COMMENT ON DOMAIN record_version IS 'A record''s version for If-Match, from 1 (familyhub_bump_version).';
CREATE DOMAIN event_op AS text CHECK (VALUE IN ('insert', 'update', 'delete'));
COMMENT ON DOMAIN event_op IS 'What an event''s change was.';
CREATE DOMAIN event_seq AS bigint CHECK (VALUE >= 0);
COMMENT ON DOMAIN event_seq IS 'A family''s last event number (0: none yet).';
CREATE DOMAIN create_kind AS text CHECK (char_length(VALUE) BETWEEN 1 AND 50);
COMMENT ON DOMAIN create_kind IS 'What a create with a client id made (shopping-item, recipe, ...).';

-- The view and the learning triggers (00022, whose WHEN reads
-- category_source) depend on the columns: made again, as they were.
DROP VIEW shopping_items_view;
DROP TRIGGER shopping_items_learn ON shopping_items;
DROP TRIGGER shopping_items_learn_update ON shopping_items;
ALTER TABLE shopping_items
    DROP CONSTRAINT shopping_items_name_check,
    DROP CONSTRAINT shopping_items_quantity_check,
    DROP CONSTRAINT shopping_items_note_check,
    DROP CONSTRAINT shopping_items_category_source_check,
    DROP CONSTRAINT shopping_items_position_check,
    DROP CONSTRAINT shopping_items_version_check,
    DROP CONSTRAINT shopping_items_family_id_fkey,
    ALTER COLUMN name TYPE shopping_item_name,
    ALTER COLUMN quantity TYPE shopping_item_quantity,
    ALTER COLUMN note TYPE shopping_item_note,
    ALTER COLUMN category_source TYPE category_source,
    ALTER COLUMN position TYPE list_position,
    ALTER COLUMN version TYPE record_version;
CREATE TRIGGER shopping_items_learn
    AFTER INSERT ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user' AND NEW.category_id IS NOT NULL)
    EXECUTE FUNCTION familyhub_shopping_learn();
CREATE TRIGGER shopping_items_learn_update
    AFTER UPDATE OF category_id, category_source ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user' AND NEW.category_id IS NOT NULL
        AND (OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.category_source IS DISTINCT FROM NEW.category_source))
    EXECUTE FUNCTION familyhub_shopping_learn();
CREATE VIEW shopping_items_view AS
SELECT i.*, c.name AS category
FROM shopping_items i
LEFT JOIN shopping_categories c ON c.id = i.category_id;

-- Its index served only that foreign key's ON DELETE CASCADE: every query
-- of items names an item or a list.
DROP INDEX shopping_items_family_id_idx;

ALTER TABLE event_log
    DROP CONSTRAINT event_log_family_id_fkey,
    DROP CONSTRAINT event_log_op_check,
    ALTER COLUMN op TYPE event_op;
ALTER TABLE family_event_seq
    DROP CONSTRAINT family_event_seq_seq_check,
    ALTER COLUMN seq TYPE event_seq;
ALTER TABLE client_creates
    DROP CONSTRAINT client_creates_family_id_fkey,
    DROP CONSTRAINT client_creates_kind_check,
    ALTER COLUMN kind TYPE create_kind;

-- +goose StatementBegin
CREATE FUNCTION familyhub_forget_family_log() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM event_log WHERE family_id = OLD.id;
    DELETE FROM client_creates WHERE family_id = OLD.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER families_forget_log AFTER DELETE ON families
    FOR EACH ROW EXECUTE FUNCTION familyhub_forget_family_log();
COMMENT ON TRIGGER families_forget_log ON families IS
    'Deletes a deleted family''s event_log and client_creates rows (00024: neither has a foreign key to families).';

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    j jsonb;
    k jsonb;
BEGIN
    NEW.version := OLD.version;
    IF TG_NARGS = 0 THEN
        r := NEW;
        r.updated_at := OLD.updated_at;
        IF r IS DISTINCT FROM OLD THEN
            NEW.version := OLD.version + 1;
        END IF;
        RETURN NEW;
    END IF;
    j := to_jsonb(NEW) - 'updated_at';
    k := to_jsonb(OLD) - 'updated_at';
    FOR i IN 0 .. TG_NARGS - 1 LOOP
        j := j - TG_ARGV[i];
        k := k - TG_ARGV[i];
    END LOOP;
    IF j IS DISTINCT FROM k THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER shopping_lists_version ON shopping_lists;
CREATE TRIGGER shopping_lists_version BEFORE UPDATE ON shopping_lists
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version('categorised_at');

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r   jsonb;
    v   bigint;
    fam uuid;
    s   bigint;
    ev  record;
    msg text;
BEGIN
    -- An UPDATE that changes nothing is no news.
    IF TG_OP = 'UPDATE' AND OLD::text = NEW::text THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        r := to_jsonb(OLD); -- a delete carries no version
    ELSE
        r := to_jsonb(NEW);
        v := (r->>'version')::bigint;
        IF v IS NOT NULL AND TG_OP = 'UPDATE' THEN
            IF OLD.version = NEW.version THEN
                v := NULL; -- the version did not change: devices must re-read
            END IF;
        END IF;
    END IF;
    fam := coalesce((r->>'family_id')::uuid, CASE WHEN TG_TABLE_NAME = 'families' THEN (r->>'id')::uuid END);
    IF fam IS NULL THEN
        RAISE EXCEPTION 'familyhub_capture_event: a row of % without family_id', TG_TABLE_NAME
            USING ERRCODE = 'not_null_violation';
    END IF;
    -- Locks the family's counter to the end of the transaction (which, for
    -- a deferred trigger, is already committing).
    UPDATE family_event_seq SET seq = seq + 1 WHERE family_id = fam RETURNING seq INTO s;
    IF NOT FOUND THEN
        RETURN NULL; -- the family itself was deleted in this transaction: no one to tell
    END IF;
    INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
    VALUES (fam, s, TG_ARGV[0], TG_ARGV[1], (r->>'id')::uuid,
            CASE WHEN TG_NARGS > 2 THEN (r->>TG_ARGV[2])::uuid END,
            lower(TG_OP),
            nullif(current_setting('familyhub.actor_id', true), '')::uuid,
            nullif(current_setting('familyhub.device_id', true), ''),
            clock_timestamp(), v)
    RETURNING * INTO ev;
    -- The payload of familyhub_flush_events_v, byte for byte: what
    -- json_strip_nulls(json_build_object(...)) makes, written out: that
    -- query and the call of familyhub_emit were a quarter of an event's
    -- cost (00024). Text that is not a uuid, a number or an op goes
    -- through to_json, which quotes and escapes it.
    msg := '{"family_id":"' || ev.family_id || '","seq":' || ev.seq
        || ',"type":' || to_json(ev.type)::text
        || ',"id":"' || ev.entity_id || '"'
        || CASE WHEN ev.list_id IS NOT NULL THEN ',"list_id":"' || ev.list_id || '"' ELSE '' END
        || ',"op":"' || ev.op || '"'
        || CASE WHEN ev.version IS NOT NULL THEN ',"version":' || ev.version ELSE '' END
        || ',"at":' || to_json(ev.at)::text
        || CASE WHEN ev.actor_id IS NOT NULL THEN ',"actor":"' || ev.actor_id || '"' ELSE '' END
        || CASE WHEN ev.device_id IS NOT NULL THEN ',"device_id":' || to_json(ev.device_id)::text ELSE '' END
        || '}';
    IF current_setting('familyhub.announce', true) = 'after_commit' THEN
        RAISE NOTICE USING MESSAGE = msg, DETAIL = ev.channel, ERRCODE = 'FH001';
    ELSE
        PERFORM pg_notify(ev.channel, msg);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r   jsonb;
    v   bigint;
    fam uuid;
    s   bigint;
    ev  record;
BEGIN
    -- An UPDATE that changes nothing is no news.
    IF TG_OP = 'UPDATE' AND OLD::text = NEW::text THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        r := to_jsonb(OLD); -- a delete carries no version
    ELSE
        r := to_jsonb(NEW);
        v := (r->>'version')::bigint;
        IF v IS NOT NULL AND TG_OP = 'UPDATE' THEN
            IF OLD.version = NEW.version THEN
                v := NULL; -- the version did not change: devices must re-read
            END IF;
        END IF;
    END IF;
    fam := coalesce((r->>'family_id')::uuid, CASE WHEN TG_TABLE_NAME = 'families' THEN (r->>'id')::uuid END);
    IF fam IS NULL THEN
        RAISE EXCEPTION 'familyhub_capture_event: a row of % without family_id', TG_TABLE_NAME
            USING ERRCODE = 'not_null_violation';
    END IF;
    -- Locks the family's counter to the end of the transaction (which, for
    -- a deferred trigger, is already committing).
    UPDATE family_event_seq SET seq = seq + 1 WHERE family_id = fam RETURNING seq INTO s;
    IF NOT FOUND THEN
        RETURN NULL; -- the family itself was deleted in this transaction: no one to tell
    END IF;
    INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
    VALUES (fam, s, TG_ARGV[0], TG_ARGV[1], (r->>'id')::uuid,
            CASE WHEN TG_NARGS > 2 THEN (r->>TG_ARGV[2])::uuid END,
            lower(TG_OP),
            nullif(current_setting('familyhub.actor_id', true), '')::uuid,
            nullif(current_setting('familyhub.device_id', true), ''),
            clock_timestamp(), v)
    RETURNING * INTO ev;
    -- The payload of familyhub_flush_events_v, key for key.
    PERFORM familyhub_emit(ev.channel, json_strip_nulls(json_build_object(
        'family_id', ev.family_id,
        'seq', ev.seq,
        'type', ev.type,
        'id', ev.entity_id,
        'list_id', ev.list_id,
        'op', ev.op,
        'version', ev.version,
        'at', ev.at,
        'actor', ev.actor_id,
        'device_id', ev.device_id
    ))::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER shopping_lists_version ON shopping_lists;
CREATE TRIGGER shopping_lists_version BEFORE UPDATE ON shopping_lists
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version;
    IF (to_jsonb(NEW) - 'updated_at' - 'categorised_at') IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at' - 'categorised_at') THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER families_forget_log ON families;
DROP FUNCTION familyhub_forget_family_log();
DELETE FROM event_log e WHERE NOT EXISTS (SELECT 1 FROM families f WHERE f.id = e.family_id);
DELETE FROM client_creates c WHERE NOT EXISTS (SELECT 1 FROM families f WHERE f.id = c.family_id);
ALTER TABLE client_creates
    ALTER COLUMN kind TYPE text,
    ADD CONSTRAINT client_creates_kind_check CHECK (char_length(kind) BETWEEN 1 AND 50),
    ADD CONSTRAINT client_creates_family_id_fkey
        FOREIGN KEY (family_id) REFERENCES families (id) ON DELETE CASCADE;
ALTER TABLE event_log
    ALTER COLUMN op TYPE text,
    ADD CONSTRAINT event_log_op_check CHECK (op IN ('insert', 'update', 'delete')),
    ADD CONSTRAINT event_log_family_id_fkey
        FOREIGN KEY (family_id) REFERENCES families (id) ON DELETE CASCADE;
ALTER TABLE family_event_seq
    ALTER COLUMN seq TYPE bigint,
    ADD CONSTRAINT family_event_seq_seq_check CHECK (seq >= 0);

DROP VIEW shopping_items_view;
DROP TRIGGER shopping_items_learn ON shopping_items;
DROP TRIGGER shopping_items_learn_update ON shopping_items;
ALTER TABLE shopping_items
    ALTER COLUMN name TYPE text,
    ALTER COLUMN quantity TYPE text,
    ALTER COLUMN note TYPE text,
    ALTER COLUMN category_source TYPE text,
    ALTER COLUMN position TYPE integer,
    ALTER COLUMN version TYPE bigint,
    ADD CONSTRAINT shopping_items_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    ADD CONSTRAINT shopping_items_quantity_check CHECK (char_length(quantity) BETWEEN 1 AND 50),
    ADD CONSTRAINT shopping_items_note_check CHECK (char_length(note) BETWEEN 1 AND 500),
    ADD CONSTRAINT shopping_items_category_source_check CHECK (category_source IN ('user', 'auto')),
    ADD CONSTRAINT shopping_items_position_check CHECK (position >= 0),
    ADD CONSTRAINT shopping_items_version_check CHECK (version >= 1),
    ADD CONSTRAINT shopping_items_family_id_fkey
        FOREIGN KEY (family_id) REFERENCES families (id) ON DELETE CASCADE;
CREATE INDEX shopping_items_family_id_idx ON shopping_items (family_id);
CREATE TRIGGER shopping_items_learn
    AFTER INSERT ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user' AND NEW.category_id IS NOT NULL)
    EXECUTE FUNCTION familyhub_shopping_learn();
CREATE TRIGGER shopping_items_learn_update
    AFTER UPDATE OF category_id, category_source ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user' AND NEW.category_id IS NOT NULL
        AND (OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.category_source IS DISTINCT FROM NEW.category_source))
    EXECUTE FUNCTION familyhub_shopping_learn();
CREATE VIEW shopping_items_view AS
SELECT i.*, c.name AS category
FROM shopping_items i
LEFT JOIN shopping_categories c ON c.id = i.category_id;
DROP DOMAIN create_kind;
DROP DOMAIN event_seq;
DROP DOMAIN event_op;
DROP DOMAIN record_version;
DROP DOMAIN list_position;
DROP DOMAIN category_source;
DROP DOMAIN shopping_item_note;
DROP DOMAIN shopping_item_quantity;
DROP DOMAIN shopping_item_name;
