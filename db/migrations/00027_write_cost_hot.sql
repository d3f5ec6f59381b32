-- Cheaper writes again, the same rules (issue 20; docs/benchmarks.md,
-- "Seventh round"). Counted with cmd/familyhub-bench/pgcost.sh (valgrind
-- in one PostgreSQL backend: CPU instructions per transaction, the same to
-- 0.1 % run after run): an item added cost 1,141,000 instructions from
-- BEGIN to COMMIT, a tick 858,000; after this migration about 1,030,000
-- and 650,000 (the benchmarks file has each step). What went, none of it a
-- rule:
--
--   * familyhub_capture_event turned every changed row into jsonb
--     (to_jsonb) to read its id, family_id and version whatever the table,
--     and compared the row before and after as text: about 50,000 and, for
--     a wide row, 40,000 instructions of every event. FamilyHub's five
--     tables with a version (shopping_lists, shopping_items, tasks,
--     calendar_events, recipes) now call familyhub_capture_versioned_event,
--     the same trigger for tables that have id, family_id and version: it
--     reads those columns by name and compares the rows as rows (what
--     familyhub_bump_version decides a version by since 00024). Same
--     arguments (type, channel[, parent column]), same event, same seq,
--     same notice byte for byte (TestCapturePayloadFormat), also when a DBA
--     writes from psql. It writes the notice with one format() instead of
--     a chain of || (25,000 fewer) and takes the time after the family's
--     counter, as before. familyhub_capture_event stays, unchanged, for
--     the tables without a version (invites, child devices, feeds,
--     subscriptions) and for tables of your own.
--   * familyhub_touch_updated_at and familyhub_bump_version were two
--     BEFORE UPDATE triggers on shopping_items, tasks, calendar_events and
--     recipes, each a call of PL/pgSQL (about 20,000 instructions). One
--     trigger, <table>_version calling familyhub_touch_version, now does
--     both with the same result: updated_at is set to now() when anything
--     changed, the version goes up by one when anything but updated_at
--     (and the version itself) changed. shopping_lists keeps both (its
--     bookkeeping column categorised_at is an argument of the version
--     trigger), and so do the tables without a version.
--   * Ticking an item could never be a HOT update (PostgreSQL updates a
--     row in place, without touching its indexes, only when no indexed
--     column changed): shopping_items_checked_by_idx indexes checked_by,
--     which a tick sets, and shopping_items_unfiled_idx (00008) was on
--     updated_at, which every change sets. Each tick inserted the row into
--     every index again (about 50,000 instructions, and more WAL and index
--     bloat).
--       - shopping_items_checked_by_idx served only the foreign key's
--         ON DELETE SET NULL when a user is deleted, which FamilyHub never
--         does (a DBA may: that DELETE now reads shopping_items once).
--         The foreign key stays.
--       - shopping_items_unfiled_idx is now on list_id, same condition.
--         The categoriser's sweep (ShoppingListsWithUnfiled, every
--         minute) reads the unfiled items through it and keeps those
--         written within the last hour, as before; unfiled items are few
--         (auto-categorisation files every item whose name it knows when
--         it is added).
--
-- What a DBA sees: \d shopping_items shows the unfiled index on list_id
-- and no checked_by index; the five tables' *_event triggers call
-- familyhub_capture_versioned_event; shopping_items, tasks,
-- calendar_events and recipes have no *_touch trigger, and their *_version
-- trigger calls familyhub_touch_version. A table of your own keeps using
-- familyhub_capture_event (docs/realtime.md).
--
-- Locks and time, measured on the benchmark machine (2 cores, busy) with
-- 200,000 items (20,000 of them unfiled) in 1,000 lists of 1,000 families
-- and 201,000 events: nothing is rewritten. The triggers are dropped and
-- made again under a SHARE ROW EXCLUSIVE lock of each of the five tables
-- (1-9 ms each); DROP INDEX holds shopping_items' ACCESS EXCLUSIVE lock
-- for an instant (1-9 ms); the new unfiled index is built under a SHARE
-- lock (writes to shopping_items wait, reads do not): 95 ms. All of it
-- together under 0.3 s, in one transaction; writes of the five tables
-- wait for it. The sweep reads every unfiled item now: with those 20,000
-- its query took 16 ms (none written within the hour) to 43 ms (all).
--
-- Replicas of the previous version may keep running: no statement of
-- theirs changes. Going down restores the triggers and both indexes.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION familyhub_capture_versioned_event() RETURNS trigger
LANGUAGE plpgsql AS $$
-- familyhub_capture_event for a table with id, family_id and version
-- columns: the same event, read by column name (00027).
DECLARE
    fam uuid;
    eid uuid;
    lst uuid;
    v   bigint;
    s   bigint;
    ts  timestamptz;
    act uuid;
    dev text;
    op  text;
    msg text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        fam := OLD.family_id;
        eid := OLD.id; -- a delete carries no version
        IF TG_NARGS > 2 THEN
            lst := CASE WHEN TG_ARGV[2] = 'list_id' THEN OLD.list_id ELSE (to_jsonb(OLD)->>TG_ARGV[2])::uuid END;
        END IF;
    ELSE
        IF TG_OP = 'UPDATE' THEN
            -- An UPDATE that changes nothing is no news.
            IF OLD IS NOT DISTINCT FROM NEW THEN
                RETURN NULL;
            END IF;
            IF NEW.version IS DISTINCT FROM OLD.version THEN
                v := NEW.version; -- else devices must re-read: no version
            END IF;
        ELSE
            v := NEW.version;
        END IF;
        fam := NEW.family_id;
        eid := NEW.id;
        IF TG_NARGS > 2 THEN
            lst := CASE WHEN TG_ARGV[2] = 'list_id' THEN NEW.list_id ELSE (to_jsonb(NEW)->>TG_ARGV[2])::uuid END;
        END IF;
    END IF;
    IF fam IS NULL THEN
        RAISE EXCEPTION 'familyhub_capture_event: a row of % without family_id', TG_TABLE_NAME
            USING ERRCODE = 'not_null_violation';
    END IF;
    op := lower(TG_OP);
    act := nullif(current_setting('familyhub.actor_id', true), '')::uuid;
    dev := nullif(current_setting('familyhub.device_id', true), '');
    -- Locks the family's counter to the end of the transaction (which, for
    -- a deferred trigger, is already committing).
    UPDATE family_event_seq SET seq = seq + 1 WHERE family_id = fam RETURNING seq INTO s;
    IF NOT FOUND THEN
        RETURN NULL; -- the family itself was deleted in this transaction: no one to tell
    END IF;
    ts := clock_timestamp(); -- after the counter: a family's times follow its seqs
    INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
    VALUES (fam, s, TG_ARGV[0], TG_ARGV[1], eid, lst, op, act, dev, ts, v);
    -- What json_strip_nulls(json_build_object(...)) makes of the event_log
    -- row, byte for byte (familyhub_capture_event, 00024): keys in order, a
    -- NULL one left out (%s writes NULL as nothing, and || makes the whole
    -- optional part NULL), text through to_json.
    msg := format('{"family_id":"%s","seq":%s,"type":%s,"id":"%s"%s,"op":"%s"%s,"at":%s%s%s}',
        fam, s, to_json(TG_ARGV[0]), eid, ',"list_id":"' || lst || '"', op, ',"version":' || v,
        to_json(ts), ',"actor":"' || act || '"', ',"device_id":' || to_json(dev));
    IF current_setting('familyhub.announce', true) = 'after_commit' THEN
        RAISE NOTICE USING MESSAGE = msg, DETAIL = TG_ARGV[1], ERRCODE = 'FH001';
    ELSE
        PERFORM pg_notify(TG_ARGV[1], msg);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
COMMENT ON FUNCTION familyhub_capture_versioned_event() IS
    'familyhub_capture_event(type, channel[, parent column]) for tables with id, family_id and version: the same event, without turning the row into jsonb (00027).';

DROP TRIGGER shopping_lists_event ON shopping_lists;
CREATE CONSTRAINT TRIGGER shopping_lists_event AFTER INSERT OR UPDATE OR DELETE ON shopping_lists
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_versioned_event('SHOPPING_LIST_UPDATED', 'familyhub_shopping');
DROP TRIGGER shopping_items_event ON shopping_items;
CREATE CONSTRAINT TRIGGER shopping_items_event AFTER INSERT OR UPDATE OR DELETE ON shopping_items
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_versioned_event('SHOPPING_ITEM_UPDATED', 'familyhub_shopping', 'list_id');
DROP TRIGGER tasks_event ON tasks;
CREATE CONSTRAINT TRIGGER tasks_event AFTER INSERT OR UPDATE OR DELETE ON tasks
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_versioned_event('TASK_UPDATED', 'familyhub_tasks');
DROP TRIGGER calendar_events_event ON calendar_events;
CREATE CONSTRAINT TRIGGER calendar_events_event AFTER INSERT OR UPDATE OR DELETE ON calendar_events
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_versioned_event('CALENDAR_EVENT_UPDATED', 'familyhub_calendar');
DROP TRIGGER recipes_event ON recipes;
CREATE CONSTRAINT TRIGGER recipes_event AFTER INSERT OR UPDATE OR DELETE ON recipes
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_versioned_event('RECIPE_UPDATED', 'familyhub_recipes');

-- +goose StatementBegin
CREATE FUNCTION familyhub_touch_version() RETURNS trigger
LANGUAGE plpgsql AS $$
-- familyhub_touch_updated_at, then familyhub_bump_version, in one call
-- (00027): the same updated_at and version as the two triggers made.
DECLARE
    r record;
BEGIN
    r := NEW;
    r.updated_at := OLD.updated_at;
    r.version := OLD.version;
    IF r IS DISTINCT FROM OLD THEN
        NEW.version := OLD.version + 1;
        NEW.updated_at := now();
    ELSE
        -- Only updated_at or the version was written: touched, the
        -- version kept.
        IF NEW.updated_at IS DISTINCT FROM OLD.updated_at OR NEW.version IS DISTINCT FROM OLD.version THEN
            NEW.updated_at := now();
        END IF;
        NEW.version := OLD.version;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
COMMENT ON FUNCTION familyhub_touch_version() IS
    'BEFORE UPDATE: updated_at = now() when anything changed, version + 1 when anything but updated_at changed (familyhub_touch_updated_at and familyhub_bump_version in one call, 00027).';

DROP TRIGGER shopping_items_touch ON shopping_items;
DROP TRIGGER shopping_items_version ON shopping_items;
CREATE TRIGGER shopping_items_version BEFORE UPDATE ON shopping_items
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_version();
DROP TRIGGER tasks_touch ON tasks;
DROP TRIGGER tasks_version ON tasks;
CREATE TRIGGER tasks_version BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_version();
DROP TRIGGER calendar_events_touch ON calendar_events;
DROP TRIGGER calendar_events_version ON calendar_events;
CREATE TRIGGER calendar_events_version BEFORE UPDATE ON calendar_events
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_version();
DROP TRIGGER recipes_touch ON recipes;
DROP TRIGGER recipes_version ON recipes;
CREATE TRIGGER recipes_version BEFORE UPDATE ON recipes
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_version();

-- A tick changes no indexed column any more: a HOT update.
DROP INDEX shopping_items_checked_by_idx;
DROP INDEX shopping_items_unfiled_idx;
CREATE INDEX shopping_items_unfiled_idx ON shopping_items (list_id)
    WHERE category_id IS NULL AND category_source IS DISTINCT FROM 'user';
COMMENT ON INDEX shopping_items_unfiled_idx IS
    'The categoriser''s sweep (ShoppingListsWithUnfiled). On list_id, not updated_at, so that an item''s update can be HOT (00027).';

-- +goose Down
DROP INDEX shopping_items_unfiled_idx;
CREATE INDEX shopping_items_unfiled_idx ON shopping_items (updated_at)
    WHERE category_id IS NULL AND category_source IS DISTINCT FROM 'user';
CREATE INDEX shopping_items_checked_by_idx ON shopping_items (checked_by) WHERE checked_by IS NOT NULL;

DROP TRIGGER shopping_items_version ON shopping_items;
CREATE TRIGGER shopping_items_touch BEFORE UPDATE ON shopping_items
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
CREATE TRIGGER shopping_items_version BEFORE UPDATE ON shopping_items
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();
DROP TRIGGER tasks_version ON tasks;
CREATE TRIGGER tasks_touch BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
CREATE TRIGGER tasks_version BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();
DROP TRIGGER calendar_events_version ON calendar_events;
CREATE TRIGGER calendar_events_touch BEFORE UPDATE ON calendar_events
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
CREATE TRIGGER calendar_events_version BEFORE UPDATE ON calendar_events
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();
DROP TRIGGER recipes_version ON recipes;
CREATE TRIGGER recipes_touch BEFORE UPDATE ON recipes
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
CREATE TRIGGER recipes_version BEFORE UPDATE ON recipes
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();
DROP FUNCTION familyhub_touch_version();

DROP TRIGGER shopping_lists_event ON shopping_lists;
CREATE CONSTRAINT TRIGGER shopping_lists_event AFTER INSERT OR UPDATE OR DELETE ON shopping_lists
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('SHOPPING_LIST_UPDATED', 'familyhub_shopping');
DROP TRIGGER shopping_items_event ON shopping_items;
CREATE CONSTRAINT TRIGGER shopping_items_event AFTER INSERT OR UPDATE OR DELETE ON shopping_items
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('SHOPPING_ITEM_UPDATED', 'familyhub_shopping', 'list_id');
DROP TRIGGER tasks_event ON tasks;
CREATE CONSTRAINT TRIGGER tasks_event AFTER INSERT OR UPDATE OR DELETE ON tasks
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('TASK_UPDATED', 'familyhub_tasks');
DROP TRIGGER calendar_events_event ON calendar_events;
CREATE CONSTRAINT TRIGGER calendar_events_event AFTER INSERT OR UPDATE OR DELETE ON calendar_events
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('CALENDAR_EVENT_UPDATED', 'familyhub_calendar');
DROP TRIGGER recipes_event ON recipes;
CREATE CONSTRAINT TRIGGER recipes_event AFTER INSERT OR UPDATE OR DELETE ON recipes
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('RECIPE_UPDATED', 'familyhub_recipes');
DROP FUNCTION familyhub_capture_versioned_event();
