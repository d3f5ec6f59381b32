-- A staged event's "at" is the time it is numbered, as a direct event's is
-- (00027: "after the counter: a family's times follow its seqs";
-- docs/realtime.md: "at is the time of the commit"). The flush wrote the
-- time each event was staged (the families', memberships' and users'
-- triggers pass clock_timestamp() when the row changes), so in a
-- transaction that added an item and then renamed the family, the rename
-- (numbered after the item at commit) carried the earlier time: a
-- family's times no longer followed its seqs. The staged column is kept
-- (a DBA's own staging may fill it) but no longer written to the log.
-- Only the flush's INSERT changes; Down restores the 00018 body.

-- +goose Up
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
            SELECT family_id, base + row_number() OVER (ORDER BY id), type, channel, entity_id, list_id, op, actor_id, device_id, clock_timestamp(), version
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

-- +goose Down
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
