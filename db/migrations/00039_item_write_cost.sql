-- Cheaper item writes, the same rules (issue 20; docs/benchmarks.md,
-- "Seventeenth round"). Counted with cmd/familyhub-bench/pgcost.sh
-- (valgrind in one PostgreSQL backend: CPU instructions per transaction,
-- the same to 0.1 % run after run; -w counts the WAL). An add as the
-- application sends it (-k addone) cost 1,173,000 instructions and 16 WAL
-- records. What went, none of it a rule:
--
--   * The item's event: familyhub_capture_versioned_event serves five
--     tables and learns what to write from its arguments: TG_NARGS and
--     TG_ARGV[2] tested in two PL/pgSQL expressions, TG_ARGV[0] and [1]
--     passed into the statement and the notice. PL/pgSQL builds TG_ARGV
--     as an array on each call and sets up each expression again in every
--     transaction: 18,900 instructions of every item event (an add, a
--     tick, a patch, a delete). shopping_items_event now calls
--     familyhub_capture_item_event(), the same function with the item's
--     type, channel and list_id written in: the same event, seq, time,
--     event_log row and notice byte for byte (TestCapturePayloadFormat,
--     TestItemWriteCostMigration), raised for the application or sent
--     with pg_notify for psql, a row without family_id refused, a family
--     deleted in the same transaction silent, as before. The other four
--     tables keep familyhub_capture_versioned_event.
--   * shopping_items_learn's WHEN is read again from its stored text by
--     every statement that inserts items (PostgreSQL parses it and sets it
--     up: about 18,000 instructions). It is now only
--     NEW.category_source = 'user'; the "a category was chosen" half moves
--     into familyhub_shopping_learn (an item a person left uncategorised
--     teaches nothing, as before): 6,800 fewer per add.
--     shopping_items_learn_update (00024) is unchanged: it is considered
--     only by an UPDATE that sets the category's columns.
--   * client_creates_family_id_idx: every create with a client id (an add
--     from the PWA) inserted into it, a B-tree insertion and a WAL record
--     (13,200 instructions, 73 bytes). It served one statement:
--     families_forget_log's DELETE of a deleted family's claims, which now
--     reads client_creates whole; the table holds the claims of the event
--     retention (7 days by default) of every family, and a family is
--     deleted once. Claims are read by id (the primary key) and pruned by
--     created_at (its index), as before.
--
-- What a DBA sees: \d shopping_items shows shopping_items_event calling
-- familyhub_capture_item_event() and shopping_items_learn's shorter WHEN;
-- \d client_creates has no family_id index. Nothing is rewritten: the
-- triggers are made again under a SHARE ROW EXCLUSIVE lock of
-- shopping_items, the index dropped under an ACCESS EXCLUSIVE lock of
-- client_creates, each for an instant. Replicas of the previous version
-- keep working: none of their statements changes. Down restores the
-- trigger, the WHEN, the function's body and the index.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION familyhub_capture_item_event() RETURNS trigger
LANGUAGE plpgsql AS $$
-- familyhub_capture_versioned_event('SHOPPING_ITEM_UPDATED',
-- 'familyhub_shopping', 'list_id') with its arguments written in (00039):
-- the same event, numbered, logged and written out in one statement. NEW
-- is NULL for a DELETE and OLD for an INSERT, so coalesce(NEW.x, OLD.x) is
-- the row's x, and nullif(NEW.version, OLD.version) the version an event
-- carries: none for a delete or for an update that kept it.
DECLARE
    s     bigint;
    msg   text;
    quiet boolean;
BEGIN
    -- An UPDATE that changes nothing is no news.
    IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
        RETURN NULL;
    END IF;
    -- The family's counter (locked to the end of the transaction, which
    -- for a deferred trigger is already committing; the time is taken
    -- after it, so a family's times follow its seqs), the event_log row,
    -- and what json_strip_nulls(json_build_object()) makes of that row,
    -- byte for byte (00024).
    WITH c AS (
        UPDATE family_event_seq SET seq = seq + 1
        WHERE family_id = coalesce(NEW.family_id, OLD.family_id)
        RETURNING family_id, seq, clock_timestamp() AS at)
    INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
    SELECT c.family_id, c.seq, 'SHOPPING_ITEM_UPDATED', 'familyhub_shopping', coalesce(NEW.id, OLD.id),
           coalesce(NEW.list_id, OLD.list_id), lower(TG_OP),
           nullif(current_setting('familyhub.actor_id', true), '')::uuid,
           nullif(current_setting('familyhub.device_id', true), ''),
           c.at, nullif(NEW.version, OLD.version)
    FROM c
    RETURNING seq,
        format('{"family_id":"%s","seq":%s,"type":%s,"id":"%s"%s,"op":"%s"%s,"at":%s%s%s}',
            family_id, seq, to_json(type), entity_id, ',"list_id":"' || list_id || '"', op,
            ',"version":' || version, to_json(at), ',"actor":"' || actor_id || '"',
            ',"device_id":' || to_json(device_id)),
        current_setting('familyhub.announce', true) = 'after_commit'
    INTO s, msg, quiet;
    IF quiet THEN
        RAISE NOTICE USING MESSAGE = msg, DETAIL = 'familyhub_shopping', ERRCODE = 'FH001';
    ELSIF s IS NOT NULL THEN
        PERFORM pg_notify('familyhub_shopping', msg);
    ELSIF coalesce(NEW.family_id, OLD.family_id) IS NULL THEN
        RAISE EXCEPTION 'familyhub_capture_event: a row of % without family_id', TG_TABLE_NAME
            USING ERRCODE = 'not_null_violation';
    END IF; -- else the family itself was deleted in this transaction: no one to tell
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
COMMENT ON FUNCTION familyhub_capture_item_event() IS
    'shopping_items_event: familyhub_capture_versioned_event(''SHOPPING_ITEM_UPDATED'', ''familyhub_shopping'', ''list_id'') with its arguments written in, the same event (00039).';
DROP TRIGGER shopping_items_event ON shopping_items;
CREATE CONSTRAINT TRIGGER shopping_items_event AFTER INSERT OR UPDATE OR DELETE ON shopping_items
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_item_event();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_shopping_learn() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- A person who left the item uncategorised taught nothing (this was
    -- the insert trigger's WHEN until 00039).
    IF NEW.category_id IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO shopping_category_memory (family_id, name_key, category_id)
    VALUES (NEW.family_id, familyhub_shopping_name_key(NEW.name), NEW.category_id)
    ON CONFLICT (family_id, name_key)
    DO UPDATE SET category_id = EXCLUDED.category_id, updated_at = now();
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER shopping_items_learn ON shopping_items;
CREATE TRIGGER shopping_items_learn
    AFTER INSERT ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user')
    EXECUTE FUNCTION familyhub_shopping_learn();

DROP INDEX client_creates_family_id_idx;

-- +goose Down
CREATE INDEX client_creates_family_id_idx ON client_creates (family_id);

DROP TRIGGER shopping_items_learn ON shopping_items;
CREATE TRIGGER shopping_items_learn
    AFTER INSERT ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user' AND NEW.category_id IS NOT NULL)
    EXECUTE FUNCTION familyhub_shopping_learn();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_shopping_learn() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO shopping_category_memory (family_id, name_key, category_id)
    VALUES (NEW.family_id, familyhub_shopping_name_key(NEW.name), NEW.category_id)
    ON CONFLICT (family_id, name_key)
    DO UPDATE SET category_id = EXCLUDED.category_id, updated_at = now();
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER shopping_items_event ON shopping_items;
CREATE CONSTRAINT TRIGGER shopping_items_event AFTER INSERT OR UPDATE OR DELETE ON shopping_items
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_versioned_event('SHOPPING_ITEM_UPDATED', 'familyhub_shopping', 'list_id');
DROP FUNCTION familyhub_capture_item_event();
