-- Events carry the record's version (issue 13; docs/realtime.md, "An
-- event"), so that a device that already shows that version of the record
-- (its own write came back as the answer) does not read it again.
--
-- What a DBA needs to know:
--   * event_log.version, and "version" in the NOTIFY payloads, is the
--     version the change gave the record (00014_versions.sql: 1 on insert,
--     +1 per change, kept by the database), also for a DBA's UPDATE in psql.
--   * It is absent (NULL) when there is nothing a device could skip by:
--       - on tables without a version column (invites, child devices, the
--         family events of 00012/00017, tables of your own);
--       - on deletes: a device that holds the deleted record's last version
--         must not take "I have that version" as "nothing to do";
--       - on an UPDATE that left the version as it was: only bookkeeping
--         changed (updated_at, a list's categorised_at), or a calendar
--         series was touched because one of its occurrences changed
--         (00011): the record's version is the same, what devices show of
--         it is not, so they must read it again.
--     So the rule for clients is simply: an event with a version you already
--     hold (or a newer one) needs no re-read; every other event does.
--   * A trigger function of your own may stage events with a version by
--     inserting into the view event_pending, which gains a version column.
--
-- The staging table is new: pg_temp.familyhub_staged_v (with its marker
-- familyhub_flush_marker_v and the flush familyhub_flush_events_v), not
-- pg_temp.familyhub_staged with a column added. Temporary tables are made
-- per session on first use, and pooled connections that were open during
-- this migration already made familyhub_staged without the column; some of
-- them may even be in the middle of a transaction that staged rows in it.
-- With new names, such a session simply makes the new tables at its next
-- event, and rows it staged before are still flushed at its commit by
-- familyhub_flush_events, which this migration leaves as it was (the old
-- sessions' marker triggers call it). Nothing writes to the old tables any
-- more; they are gone with their sessions.

-- +goose Up
-- A nullable column without a default: no rewrite of the log.
ALTER TABLE event_log ADD COLUMN version bigint;

-- familyhub_stage_v stages one event in the session's temporary table and,
-- on the transaction's first, queues the deferred flush (as familyhub_stage
-- of 00013, with the version).
-- +goose StatementBegin
CREATE FUNCTION familyhub_stage_v(p_family uuid, p_type text, p_channel text, p_entity uuid, p_list uuid,
                                  p_op text, p_actor uuid, p_device text, p_at timestamptz,
                                  p_version bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('familyhub.flush_queued_v', true) IS DISTINCT FROM 'on' THEN
        IF to_regclass('pg_temp.familyhub_staged_v') IS NULL THEN
            CREATE TEMP TABLE familyhub_staged_v (
                id        bigint GENERATED ALWAYS AS IDENTITY,
                family_id uuid NOT NULL,
                type      text NOT NULL,
                channel   text NOT NULL,
                entity_id uuid NOT NULL,
                list_id   uuid,
                op        text NOT NULL,
                actor_id  uuid,
                device_id text,
                at        timestamptz NOT NULL,
                version   bigint
            );
            CREATE TEMP TABLE familyhub_flush_marker_v (x int);
            CREATE CONSTRAINT TRIGGER familyhub_flush_v AFTER INSERT ON pg_temp.familyhub_flush_marker_v
                DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION familyhub_flush_events_v();
        END IF;
        INSERT INTO pg_temp.familyhub_flush_marker_v VALUES (1);
        PERFORM set_config('familyhub.flush_queued_v', 'on', true);
    END IF;
    INSERT INTO pg_temp.familyhub_staged_v (family_id, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
    VALUES (p_family, p_type, p_channel, p_entity, p_list, p_op, p_actor, p_device, p_at, p_version);
END;
$$;
-- +goose StatementEnd

-- The old entry point, for any caller of it: stages without a version.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_stage(p_family uuid, p_type text, p_channel text, p_entity uuid, p_list uuid,
                                           p_op text, p_actor uuid, p_device text, p_at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM familyhub_stage_v(p_family, p_type, p_channel, p_entity, p_list, p_op, p_actor, p_device, p_at, NULL);
END;
$$;
-- +goose StatementEnd

-- familyhub_capture_event(type, channel [, parent column]): unchanged
-- interface. Rows need id and family_id columns (families: its id); a
-- version column (bigint), if the table has one, goes into the event.
-- The row is turned into jsonb once anyway (a generic function cannot name
-- the columns), so reading version from it costs one key lookup, and
-- tables without the column need no trigger argument. OLD.version is read
-- only where the row has a version (plpgsql resolves a field when it
-- evaluates it, so the nested IF keeps it away from other tables).
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

-- At COMMIT: as familyhub_flush_events of 00013, from the new staging
-- table, with the version in the log and in the notice. (OR REPLACE: the
-- Down leaves it, see there.)
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_flush_events_v() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    fam  record;
    ev   record;
    base bigint;
BEGIN
    -- Captures after this point (another deferred trigger writing) queue
    -- a flush of their own.
    PERFORM set_config('familyhub.flush_queued_v', '', true);
    FOR fam IN
        SELECT family_id, count(*) AS n FROM pg_temp.familyhub_staged_v GROUP BY family_id ORDER BY family_id
    LOOP
        UPDATE family_event_seq SET seq = seq + fam.n
        WHERE family_id = fam.family_id
        RETURNING seq - fam.n INTO base;
        IF NOT FOUND THEN
            CONTINUE; -- the family itself was deleted in this transaction: no one to tell
        END IF;
        FOR ev IN
            INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
            SELECT family_id, base + row_number() OVER (ORDER BY id), type, channel, entity_id, list_id, op, actor_id, device_id, at, version
            FROM pg_temp.familyhub_staged_v WHERE family_id = fam.family_id
            ORDER BY id
            RETURNING *
        LOOP
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
        END LOOP;
    END LOOP;
    -- Emptied by DELETE, not ON COMMIT DELETE ROWS or TRUNCATE (see 00013).
    DELETE FROM pg_temp.familyhub_staged_v;
    DELETE FROM pg_temp.familyhub_flush_marker_v;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- event_pending (the view that trigger functions of their own insert into)
-- gains version, at the end: the columns before it stay as they were.
CREATE OR REPLACE VIEW event_pending AS
SELECT NULL::bigint AS id, NULL::uuid AS family_id, NULL::text AS type, NULL::text AS channel,
       NULL::uuid AS entity_id, NULL::uuid AS list_id, NULL::text AS op, NULL::uuid AS actor_id,
       NULL::text AS device_id, NULL::timestamptz AS at, NULL::bigint AS version
WHERE false;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_event_pending_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM familyhub_stage_v(NEW.family_id, NEW.type, NEW.channel, NEW.entity_id, NEW.list_id, NEW.op,
                              NEW.actor_id, NEW.device_id, coalesce(NEW.at, clock_timestamp()), NEW.version);
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_event_pending_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM familyhub_stage(NEW.family_id, NEW.type, NEW.channel, NEW.entity_id, NEW.list_id, NEW.op,
                            NEW.actor_id, NEW.device_id, coalesce(NEW.at, clock_timestamp()));
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER event_pending_insert ON event_pending;
DROP VIEW event_pending;
CREATE VIEW event_pending AS
SELECT NULL::bigint AS id, NULL::uuid AS family_id, NULL::text AS type, NULL::text AS channel,
       NULL::uuid AS entity_id, NULL::uuid AS list_id, NULL::text AS op, NULL::uuid AS actor_id,
       NULL::text AS device_id, NULL::timestamptz AS at
WHERE false;
CREATE TRIGGER event_pending_insert INSTEAD OF INSERT ON event_pending
    FOR EACH ROW EXECUTE FUNCTION familyhub_event_pending_insert();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD::text = NEW::text THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        r := to_jsonb(OLD);
    ELSE
        r := to_jsonb(NEW);
    END IF;
    PERFORM familyhub_stage(
        coalesce((r->>'family_id')::uuid, CASE WHEN TG_TABLE_NAME = 'families' THEN (r->>'id')::uuid END),
        TG_ARGV[0],
        TG_ARGV[1],
        (r->>'id')::uuid,
        CASE WHEN TG_NARGS > 2 THEN (r->>TG_ARGV[2])::uuid END,
        lower(TG_OP),
        nullif(current_setting('familyhub.actor_id', true), '')::uuid,
        nullif(current_setting('familyhub.device_id', true), ''),
        clock_timestamp());
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
-- familyhub_stage as 00013 made it (it stages into pg_temp.familyhub_staged).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_stage(p_family uuid, p_type text, p_channel text, p_entity uuid, p_list uuid,
                                           p_op text, p_actor uuid, p_device text, p_at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('familyhub.flush_queued', true) IS DISTINCT FROM 'on' THEN
        IF to_regclass('pg_temp.familyhub_staged') IS NULL THEN
            CREATE TEMP TABLE familyhub_staged (
                id        bigint GENERATED ALWAYS AS IDENTITY,
                family_id uuid NOT NULL,
                type      text NOT NULL,
                channel   text NOT NULL,
                entity_id uuid NOT NULL,
                list_id   uuid,
                op        text NOT NULL,
                actor_id  uuid,
                device_id text,
                at        timestamptz NOT NULL
            );
            CREATE TEMP TABLE familyhub_flush_marker (x int);
            CREATE CONSTRAINT TRIGGER familyhub_flush AFTER INSERT ON pg_temp.familyhub_flush_marker
                DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION familyhub_flush_events();
        END IF;
        INSERT INTO pg_temp.familyhub_flush_marker VALUES (1);
        PERFORM set_config('familyhub.flush_queued', 'on', true);
    END IF;
    INSERT INTO pg_temp.familyhub_staged (family_id, type, channel, entity_id, list_id, op, actor_id, device_id, at)
    VALUES (p_family, p_type, p_channel, p_entity, p_list, p_op, p_actor, p_device, p_at);
END;
$$;
-- +goose StatementEnd
-- familyhub_flush_events_v stays: sessions that staged events since the Up
-- have temporary tables whose marker trigger calls it (a migration cannot
-- drop other sessions' temporary tables), and an Up again goes on using
-- them. Nothing queues it any more.
DROP FUNCTION familyhub_stage_v(uuid, text, text, uuid, uuid, text, uuid, text, timestamptz, bigint);
ALTER TABLE event_log DROP COLUMN version;
