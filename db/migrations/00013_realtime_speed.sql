-- Events at full speed (docs/realtime.md, docs/benchmarks.md). Three changes
-- to the machinery of 00002_events.sql, none to what it promises: every
-- writer (the app, jobs, CalDAV, psql) still produces the same numbered
-- event in the same transaction as its change, and a DBA can still LISTEN.
--
-- 1. Staging costs no WAL. familyhub_capture_event stages into a temporary
--    table of the session (pg_temp.familyhub_staged, created on first use,
--    emptied at every commit), not into the shared table event_pending: a
--    temporary table writes no WAL and takes no shared buffers. A
--    transaction queues one deferred flush (not one per row). event_pending
--    stays as a view that accepts INSERTs, for trigger functions written
--    against it (e.g. familyhub_capture_family_event).
--
-- 2. NOTIFY leaves the durable commit's critical section for the
--    application's own transactions. PostgreSQL holds a global lock from a
--    notifying transaction's pre-commit until its commit record is flushed,
--    so notifying commits cannot share a WAL flush (group commit). The
--    application sets familyhub.announce = 'after_commit' in its
--    transactions; the flush then hands it the payloads as NOTICEs (SQLSTATE
--    FH001, the channel in DETAIL) instead of NOTIFYing, and the
--    application, once its COMMIT succeeded, sends them with
--    familyhub_notify_async(): a tiny transaction with synchronous_commit
--    off (it writes no data, so a lost commit record loses nothing but the
--    notice). Every other writer (psql, jobs on the pool) notifies in its
--    own transaction as before. If a process dies between the commit and
--    its announcement, each replica's seq cross-check finds the family's
--    seq ahead of what it delivered and reads the log.
--
-- 3. Device notices name the member they are for, so they reach only that
--    member's sockets on the device: a device id is not a secret, and a
--    shared kitchen tablet is used by several members in turn.
--
-- Channels familyhub_presence (who is online where) and familyhub_ping
-- (each replica's proof that its LISTEN connection is alive) carry no data
-- of record; see docs/realtime.md.

-- +goose Up

-- familyhub_emit sends one notice the way the transaction wants it: as a
-- NOTIFY now, or (familyhub.announce = 'after_commit') as a NOTICE the
-- application announces after its commit.
-- +goose StatementBegin
CREATE FUNCTION familyhub_emit(channel text, payload text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('familyhub.announce', true) = 'after_commit' THEN
        RAISE NOTICE USING MESSAGE = payload, DETAIL = channel, ERRCODE = 'FH001';
    ELSE
        PERFORM pg_notify(channel, payload);
    END IF;
END;
$$;
-- +goose StatementEnd

-- familyhub_notify_async sends notices in a transaction that does not wait
-- for its commit record to reach disk (it changes no data).
--   SELECT familyhub_notify_async(ARRAY['familyhub_shopping'], ARRAY['{…}']);
-- +goose StatementBegin
CREATE FUNCTION familyhub_notify_async(channels text[], payloads text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    FOR i IN 1 .. coalesce(array_length(payloads, 1), 0) LOOP
        PERFORM pg_notify(channels[i], payloads[i]);
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- familyhub_stage stages one event in the session's temporary table and,
-- on the transaction's first, queues the deferred flush.
-- +goose StatementBegin
CREATE FUNCTION familyhub_stage(p_family uuid, p_type text, p_channel text, p_entity uuid, p_list uuid,
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

-- familyhub_capture_event(type, channel [, parent column]): unchanged
-- interface. Rows need id and family_id columns (families: its id).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
BEGIN
    -- An UPDATE that changes nothing is no news.
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

-- At COMMIT (deferred, once per transaction): number the staged events per
-- family, append them to event_log and emit one notice each. Families are
-- locked in id order, so transactions that touch several families cannot
-- deadlock on the counters; the counter row lock, held to the end of the
-- commit, keeps each family's seq gapless and in commit order.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_flush_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    fam  record;
    ev   record;
    base bigint;
BEGIN
    -- Captures after this point (another deferred trigger writing) queue
    -- a flush of their own.
    PERFORM set_config('familyhub.flush_queued', '', true);
    FOR fam IN
        SELECT family_id, count(*) AS n FROM pg_temp.familyhub_staged GROUP BY family_id ORDER BY family_id
    LOOP
        UPDATE family_event_seq SET seq = seq + fam.n
        WHERE family_id = fam.family_id
        RETURNING seq - fam.n INTO base;
        IF NOT FOUND THEN
            CONTINUE; -- the family itself was deleted in this transaction: no one to tell
        END IF;
        FOR ev IN
            INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at)
            SELECT family_id, base + row_number() OVER (ORDER BY id), type, channel, entity_id, list_id, op, actor_id, device_id, at
            FROM pg_temp.familyhub_staged WHERE family_id = fam.family_id
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
                'at', ev.at,
                'actor', ev.actor_id,
                'device_id', ev.device_id
            ))::text);
        END LOOP;
    END LOOP;
    -- Emptied by DELETE, not ON COMMIT DELETE ROWS or TRUNCATE: those take
    -- an AccessExclusiveLock that is WAL-logged for standbys and send
    -- relcache invalidations, at every commit. Dead rows of a temporary
    -- table are pruned as its pages are read again.
    DELETE FROM pg_temp.familyhub_staged;
    DELETE FROM pg_temp.familyhub_flush_marker;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- event_log's time index (for pruning) becomes a BRIN index: rows arrive
-- in time order, and an insert into the newest, not yet summarised range
-- writes nothing to the index (a B-tree wrote a WAL record per event).
DROP INDEX event_log_at_idx;
CREATE INDEX event_log_at_brin ON event_log USING brin (at);

-- event_pending: now a view that stages what is inserted into it.
DROP TABLE event_pending;
CREATE VIEW event_pending AS
SELECT NULL::bigint AS id, NULL::uuid AS family_id, NULL::text AS type, NULL::text AS channel,
       NULL::uuid AS entity_id, NULL::uuid AS list_id, NULL::text AS op, NULL::uuid AS actor_id,
       NULL::text AS device_id, NULL::timestamptz AS at
WHERE false;

-- +goose StatementBegin
CREATE FUNCTION familyhub_event_pending_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM familyhub_stage(NEW.family_id, NEW.type, NEW.channel, NEW.entity_id, NEW.list_id, NEW.op,
                            NEW.actor_id, NEW.device_id, coalesce(NEW.at, clock_timestamp()));
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER event_pending_insert INSTEAD OF INSERT ON event_pending
    FOR EACH ROW EXECUTE FUNCTION familyhub_event_pending_insert();

-- The assistant's device notice: through familyhub_emit, naming the user,
-- with the family's seq it follows.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_assistant_command_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- after_seq: the family's seq once this transaction's events are
    -- numbered (this deferred trigger runs after the events' flush), so
    -- that replicas deliver the answer after the changes it reports.
    PERFORM familyhub_emit('familyhub_device', json_build_object(
        'family_id', NEW.family_id,
        'device_id', NEW.device_id,
        'user_id', NEW.user_id,
        'after_seq', (SELECT seq FROM family_event_seq WHERE family_id = NEW.family_id),
        'message', json_build_object(
            'type', 'AI_INTENT_EXECUTED',
            'intent', NEW.intent,
            'command_id', NEW.id
        )
    )::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX event_log_at_brin;
CREATE INDEX event_log_at_idx ON event_log (at);
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_assistant_command_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('familyhub_device', json_build_object(
        'family_id', NEW.family_id,
        'device_id', NEW.device_id,
        'message', json_build_object('type', 'AI_INTENT_EXECUTED', 'intent', NEW.intent, 'command_id', NEW.id)
    )::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER event_pending_insert ON event_pending;
DROP FUNCTION familyhub_event_pending_insert();
DROP VIEW event_pending;
CREATE TABLE event_pending (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r      jsonb;
    actor  text := nullif(current_setting('familyhub.actor_id', true), '');
    device text := nullif(current_setting('familyhub.device_id', true), '');
BEGIN
    IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = r THEN RETURN NULL; END IF;
    INSERT INTO event_pending (family_id, type, channel, entity_id, list_id, op, actor_id, device_id, at)
    VALUES ((r->>'family_id')::uuid, TG_ARGV[0], TG_ARGV[1], (r->>'id')::uuid,
            CASE WHEN TG_NARGS > 2 THEN (r->>TG_ARGV[2])::uuid END, lower(TG_OP), actor::uuid, device, clock_timestamp());
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_flush_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    fam  record;
    ev   record;
    base bigint;
BEGIN
    FOR fam IN SELECT family_id, count(*) AS n FROM event_pending GROUP BY family_id ORDER BY family_id LOOP
        UPDATE family_event_seq SET seq = seq + fam.n WHERE family_id = fam.family_id RETURNING seq - fam.n INTO base;
        IF NOT FOUND THEN
            DELETE FROM event_pending WHERE family_id = fam.family_id;
            CONTINUE;
        END IF;
        WITH moved AS (DELETE FROM event_pending WHERE family_id = fam.family_id RETURNING *)
        INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at)
        SELECT family_id, base + row_number() OVER (ORDER BY id), type, channel, entity_id, list_id, op, actor_id, device_id, at
        FROM moved;
        FOR ev IN SELECT * FROM event_log WHERE family_id = fam.family_id AND seq > base ORDER BY seq LOOP
            PERFORM pg_notify(ev.channel, json_strip_nulls(json_build_object('family_id', ev.family_id, 'seq', ev.seq,
                'type', ev.type, 'id', ev.entity_id, 'list_id', ev.list_id, 'op', ev.op, 'at', ev.at,
                'actor', ev.actor_id, 'device_id', ev.device_id))::text);
        END LOOP;
    END LOOP;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER event_pending_flush
    AFTER INSERT ON event_pending
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_flush_events();
DROP FUNCTION familyhub_stage(uuid, text, text, uuid, uuid, text, uuid, text, timestamptz);
DROP FUNCTION familyhub_notify_async(text[], text[]);
DROP FUNCTION familyhub_emit(text, text);
