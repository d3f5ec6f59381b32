-- The event of a change in one SQL statement (issue 20; docs/benchmarks.md,
-- "Thirteenth round"). familyhub_capture_versioned_event (00027) spent about
-- 236,000 instructions of every add (pgcost.sh addone): half in its two
-- statements (the family's counter, the event_log row), the other half in
-- nineteen PL/pgSQL expressions (reading NEW's columns, the settings, the
-- time, the notice's text), each of which PostgreSQL sets up again in every
-- transaction (ExecInitExprWithParams) before it evaluates it. It now
-- numbers the change, appends it to event_log and writes the notice's text
-- in one statement (the counter's UPDATE as a CTE of the INSERT, the text in
-- its RETURNING), and evaluates about seven expressions around it.
--
-- Nothing else changes: the same arguments (type, channel[, parent
-- column]), the same seq from the family's counter row (locked to the end
-- of the transaction), the time taken after the counter (the UPDATE's
-- RETURNING), the same event_log row, the same notice byte for byte
-- (TestCapturePayloadFormat), raised for the application (announce =
-- after_commit) or sent with pg_notify for every other writer (psql); a row
-- without family_id is refused as before, an event of a family deleted in
-- the same transaction is dropped as before. What a DBA sees: the
-- function's body (\sf familyhub_capture_versioned_event); no table,
-- trigger or index changes, so nothing is locked beyond the function's
-- replacement, and replicas of the previous version keep working.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_versioned_event() RETURNS trigger
LANGUAGE plpgsql AS $$
-- familyhub_capture_event for a table with id, family_id and version
-- columns: the same event, read by column name (00027), numbered, logged
-- and written out in one statement (00035). NEW is NULL for a DELETE and
-- OLD for an INSERT, so coalesce(NEW.x, OLD.x) is the row's x, and
-- nullif(NEW.version, OLD.version) the version an event carries: none for
-- a delete or for an update that kept it (devices must re-read).
--
-- The statement: the family's counter's UPDATE (it locks the counter to
-- the end of the transaction, which for a deferred trigger is already
-- committing; the time is taken after it, so a family's times follow its
-- seqs), the event_log row, and what json_strip_nulls(json_build_object())
-- makes of that row, byte for byte (00024: keys in order, a NULL one left
-- out, since || makes the optional part NULL and %s writes it as nothing).
-- The parent column is named in the statement's text, so each kind of
-- table has its own: one without list_id could not prepare the list's.
DECLARE
    s     bigint;
    msg   text;
    quiet boolean;
BEGIN
    -- An UPDATE that changes nothing is no news.
    IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
        RETURN NULL;
    END IF;
    IF TG_NARGS < 3 THEN
        WITH c AS (
            UPDATE family_event_seq SET seq = seq + 1
            WHERE family_id = coalesce(NEW.family_id, OLD.family_id)
            RETURNING family_id, seq, clock_timestamp() AS at)
        INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
        SELECT c.family_id, c.seq, TG_ARGV[0], TG_ARGV[1], coalesce(NEW.id, OLD.id), NULL, lower(TG_OP),
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
    ELSIF TG_ARGV[2] = 'list_id' THEN
        WITH c AS (
            UPDATE family_event_seq SET seq = seq + 1
            WHERE family_id = coalesce(NEW.family_id, OLD.family_id)
            RETURNING family_id, seq, clock_timestamp() AS at)
        INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
        SELECT c.family_id, c.seq, TG_ARGV[0], TG_ARGV[1], coalesce(NEW.id, OLD.id), coalesce(NEW.list_id, OLD.list_id), lower(TG_OP),
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
    ELSE
        -- Another parent column: read by its name through jsonb.
        WITH c AS (
            UPDATE family_event_seq SET seq = seq + 1
            WHERE family_id = coalesce(NEW.family_id, OLD.family_id)
            RETURNING family_id, seq, clock_timestamp() AS at)
        INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at, version)
        SELECT c.family_id, c.seq, TG_ARGV[0], TG_ARGV[1], coalesce(NEW.id, OLD.id), (to_jsonb(coalesce(NEW, OLD))->>TG_ARGV[2])::uuid, lower(TG_OP),
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
    END IF;
    IF quiet THEN
        RAISE NOTICE USING MESSAGE = msg, DETAIL = TG_ARGV[1], ERRCODE = 'FH001';
    ELSIF s IS NOT NULL THEN
        PERFORM pg_notify(TG_ARGV[1], msg);
    ELSIF coalesce(NEW.family_id, OLD.family_id) IS NULL THEN
        RAISE EXCEPTION 'familyhub_capture_event: a row of % without family_id', TG_TABLE_NAME
            USING ERRCODE = 'not_null_violation';
    END IF; -- else the family itself was deleted in this transaction: no one to tell
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- The body of 00027.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION familyhub_capture_versioned_event() RETURNS trigger
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
