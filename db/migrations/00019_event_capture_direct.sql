-- Events captured without staging (issue 20; docs/realtime.md, "In the
-- database"). What an event is, its seq, its payload and its channel stay
-- exactly as they were; what changes is how the database gets there, and it
-- makes a write about 40% cheaper (docs/benchmarks.md).
--
-- Before: the row trigger familyhub_capture_event copied each change into a
-- temporary table of the session, and one deferred trigger per transaction
-- numbered the copies at COMMIT. After: the row triggers that call
-- familyhub_capture_event are themselves deferred ("constraint triggers",
-- DEFERRABLE INITIALLY DEFERRED), so PostgreSQL keeps the list of changes
-- for us and runs the function for each of them at COMMIT, in the order the
-- changes happened. The function then does the work directly: it takes the
-- family's next seq (UPDATE family_event_seq ... RETURNING), appends the
-- event to event_log and emits its notice. As before, the family's counter
-- row is locked only during the commit, so seqs stay gapless and in commit
-- order, and within a transaction they follow the order of its changes,
-- across tables too.
--
-- What a DBA needs to know:
--   * The triggers keep their names, events, UPDATE OF columns and WHEN
--     conditions; \d shows them as constraint triggers now. This migration
--     converts every ordinary AFTER ... FOR EACH ROW trigger that calls
--     familyhub_capture_event, including ones you made on tables of your
--     own, so those stay numbered at commit. One it cannot convert (e.g. on
--     a partitioned table) stays as it was, with a WARNING; it still works,
--     as below.
--   * To make a new table send events, prefer
--       CREATE CONSTRAINT TRIGGER my_table_event
--           AFTER INSERT OR UPDATE OR DELETE ON my_table
--           DEFERRABLE INITIALLY DEFERRED
--           FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('MY_TYPE', 'familyhub_family');
--     An ordinary AFTER ROW trigger works too, but it numbers the event at
--     the moment of the change: your transaction then holds the family's
--     counter until it ends, and every other transaction of that family
--     that produces events waits for it. Keep such transactions short.
--     (SET CONSTRAINTS ALL IMMEDIATE has the same effect on the deferred
--     ones.)
--   * Who acted (familyhub.actor_id, familyhub.device_id) is read when the
--     event is numbered, i.e. at COMMIT: set them once per transaction, as
--     the application does. An event's "at" is the time of the commit.
--   * Trigger functions that insert into the view event_pending (the
--     family events of 00012/00017, yours) still stage through the
--     session's temporary table and are numbered at COMMIT, all of them
--     together and in their order, at the point of the transaction's first
--     such row. A transaction that mixes them with the triggers above still
--     gets gapless seqs (both take the same counter row), but its
--     event_pending rows are numbered as one block at the position of the
--     first of them.
--   * A transaction that writes rows of several families now locks their
--     counters in the order of its changes, no longer in family_id order.
--     Two such transactions running at the same time that touch the same
--     families in opposite orders can deadlock at COMMIT; PostgreSQL then
--     cancels one of them (SQLSTATE 40P01) and the other commits. Nothing
--     in FamilyHub writes two families in one transaction (requests, jobs,
--     CalDAV, the assistant, signup and the demo seed each act for one
--     family); a DBA script that does should write one family per
--     transaction, or be ready to run again.
--   * The assistant's device notice (the deferred trigger on
--     assistant_commands, 00013) still follows the events of its command:
--     deferred triggers run in the order their rows were written, and the
--     command's row is written after its changes.
--   * The families table's own row (a family's settings) and memberships
--     and users keep familyhub_capture_family_event; if a family is deleted
--     in the same transaction as changes of its rows, those changes make no
--     event (no one is left to tell), as before.
--
-- Sessions that were open during this migration (pooled connections):
-- converting a trigger takes a short lock on its table, so the migration
-- waits for transactions that are writing those tables to end, and no
-- transaction spans the conversion of a table it writes. A transaction
-- that staged rows before the migration (through event_pending) still
-- has them flushed at its commit by familyhub_flush_events_v, which stays
-- as it was; nothing is numbered twice. If such a transaction and this
-- migration happen to wait for each other, PostgreSQL cancels one of them;
-- if that is the migration, run it again (a replica retries at start).
-- The temporary staging tables of old sessions stay unused until their
-- sessions end.

-- +goose Up

-- familyhub_capture_event(type, channel [, parent column]): unchanged
-- interface and rules (00018): rows need id and family_id columns
-- (families: its id); an UPDATE that changes nothing is no news; a version
-- column, if the table has one, goes into the event unless the change left
-- it as it was; deletes carry no version.
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

-- Every ordinary AFTER ROW trigger calling familyhub_capture_event becomes
-- a deferred constraint trigger with the same name and definition (as
-- pg_get_triggerdef writes it). Skipped, as they cannot be constraint
-- triggers: BEFORE/INSTEAD OF, statement level, TRUNCATE, transition
-- tables, triggers cloned onto partitions (their parent's is converted).
-- +goose StatementBegin
DO $$
DECLARE
    t   record;
    def text;
BEGIN
    FOR t IN
        SELECT tr.oid, tr.tgname, tr.tgrelid::regclass AS tbl, tr.tgenabled,
               pg_get_triggerdef(tr.oid) AS def, obj_description(tr.oid, 'pg_trigger') AS note
        FROM pg_trigger tr
        WHERE tr.tgfoid = 'familyhub_capture_event()'::regprocedure
          AND NOT tr.tgisinternal
          AND tr.tgconstraint = 0
          AND tr.tgparentid = 0
          AND tr.tgtype & (1 | 2 | 32 | 64) = 1 -- ROW, not BEFORE, not TRUNCATE, not INSTEAD
          AND tr.tgoldtable IS NULL AND tr.tgnewtable IS NULL
        ORDER BY tr.tgrelid::regclass::text, tr.tgname
    LOOP
        def := regexp_replace(t.def, '^CREATE TRIGGER ', 'CREATE CONSTRAINT TRIGGER ');
        def := regexp_replace(def, ' FOR EACH ROW ', ' DEFERRABLE INITIALLY DEFERRED FOR EACH ROW ');
        BEGIN
            EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.tbl);
            EXECUTE def;
            IF t.tgenabled <> 'O' THEN
                EXECUTE format('ALTER TABLE %s %s TRIGGER %I', t.tbl,
                               CASE t.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE ALWAYS' END,
                               t.tgname);
            END IF;
            IF t.note IS NOT NULL THEN
                EXECUTE format('COMMENT ON TRIGGER %I ON %s IS %L', t.tgname, t.tbl, t.note);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'trigger % on % left as it was (it numbers events when its row changes): %',
                t.tgname, t.tbl, SQLERRM;
        END;
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- +goose Down

-- Back to ordinary AFTER ROW triggers, every constraint trigger calling
-- familyhub_capture_event (also any of your own).
-- +goose StatementBegin
DO $$
DECLARE
    t   record;
    def text;
BEGIN
    FOR t IN
        SELECT tr.oid, tr.tgname, tr.tgrelid::regclass AS tbl, tr.tgenabled,
               pg_get_triggerdef(tr.oid) AS def, obj_description(tr.oid, 'pg_trigger') AS note
        FROM pg_trigger tr
        WHERE tr.tgfoid = 'familyhub_capture_event()'::regprocedure
          AND NOT tr.tgisinternal
          AND tr.tgconstraint <> 0
          AND tr.tgparentid = 0
        ORDER BY tr.tgrelid::regclass::text, tr.tgname
    LOOP
        def := regexp_replace(t.def, '^CREATE CONSTRAINT TRIGGER ', 'CREATE TRIGGER ');
        def := regexp_replace(def, '( FROM \S+)? (NOT )?DEFERRABLE INITIALLY (DEFERRED|IMMEDIATE) FOR EACH ROW ', ' FOR EACH ROW ');
        EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.tbl);
        EXECUTE def;
        IF t.tgenabled <> 'O' THEN
            EXECUTE format('ALTER TABLE %s %s TRIGGER %I', t.tbl,
                           CASE t.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE ALWAYS' END,
                           t.tgname);
        END IF;
        IF t.note IS NOT NULL THEN
            EXECUTE format('COMMENT ON TRIGGER %I ON %s IS %L', t.tgname, t.tbl, t.note);
        END IF;
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- familyhub_capture_event as 00018 made it: it stages, and the
-- transaction's deferred flush (familyhub_flush_events_v) numbers.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    v bigint;
BEGIN
    -- An UPDATE that changes nothing is no news.
    IF TG_OP = 'UPDATE' AND OLD::text = NEW::text THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        r := to_jsonb(OLD); -- a delete carries no version (see the top)
    ELSE
        r := to_jsonb(NEW);
        v := (r->>'version')::bigint;
        IF v IS NOT NULL AND TG_OP = 'UPDATE' THEN
            IF OLD.version = NEW.version THEN
                v := NULL; -- the version did not change: devices must re-read
            END IF;
        END IF;
    END IF;
    PERFORM familyhub_stage_v(
        coalesce((r->>'family_id')::uuid, CASE WHEN TG_TABLE_NAME = 'families' THEN (r->>'id')::uuid END),
        TG_ARGV[0],
        TG_ARGV[1],
        (r->>'id')::uuid,
        CASE WHEN TG_NARGS > 2 THEN (r->>TG_ARGV[2])::uuid END,
        lower(TG_OP),
        nullif(current_setting('familyhub.actor_id', true), '')::uuid,
        nullif(current_setting('familyhub.device_id', true), ''),
        clock_timestamp(),
        v);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
