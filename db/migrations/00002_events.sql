-- The event log and its triggers: how every change reaches every device.
--
-- A domain table opts in with one row trigger:
--
--   CREATE TRIGGER shopping_items_event
--       AFTER INSERT OR UPDATE OR DELETE ON shopping_items
--       FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('SHOPPING_ITEM_UPDATED', 'familyhub_shopping');
--
-- (a third argument names a parent column, e.g. 'list_id', carried along).
--
-- Why two steps. A row trigger could take the family's next sequence number
-- at once, but that locks the family's counter row in the middle of the
-- transaction: a transaction that then waits for another row lock can
-- deadlock with one that holds that row and waits for the counter. So the row
-- trigger only stages the change in event_pending, and a deferred constraint
-- trigger numbers the staged events at COMMIT time, when the transaction
-- takes no further locks. The counter row lock is held from there to the end
-- of the commit, so sequence numbers are gapless (a rollback undoes the
-- increment) and in commit order for each family, and families never wait
-- for each other.
--
-- Each numbered event is appended to event_log and sent with pg_notify on its
-- domain's channel. NOTIFY is delivered only when the transaction commits, in
-- commit order. Payloads are small JSON objects (ids and seq only):
--
--   {"family_id":"…","seq":57,"type":"SHOPPING_ITEM_UPDATED","id":"…",
--    "list_id":"…","op":"insert","at":"2026-11-22T08:00:00.123456+00:00","actor":"…"}
--
-- The application says who acts by setting, inside its transaction,
--   SELECT set_config('familyhub.actor_id', '<user uuid>', true),
--          set_config('familyhub.device_id', '<device id>', true);
-- A write from psql has neither, and its events carry no actor.

-- +goose Up

-- One row per family: the last sequence number handed out.
CREATE TABLE family_event_seq (
    family_id uuid PRIMARY KEY REFERENCES families (id) ON DELETE CASCADE,
    seq       bigint NOT NULL DEFAULT 0 CHECK (seq >= 0)
);

-- +goose StatementBegin
CREATE FUNCTION familyhub_family_seq_init() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO family_event_seq (family_id) VALUES (NEW.id);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER families_seq_init AFTER INSERT ON families
    FOR EACH ROW EXECUTE FUNCTION familyhub_family_seq_init();

INSERT INTO family_event_seq (family_id) SELECT id FROM families;

-- The durable history clients and replicas catch up from. Kept for a bounded
-- time (pruned by the prune-events job).
CREATE TABLE event_log (
    family_id uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    seq       bigint NOT NULL,
    type      text NOT NULL,
    channel   text NOT NULL,
    entity_id uuid NOT NULL,
    list_id   uuid,
    op        text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    actor_id  uuid,
    device_id text,
    at        timestamptz NOT NULL,
    PRIMARY KEY (family_id, seq)
);
CREATE INDEX event_log_at_idx ON event_log (at);

-- Changes of the running transaction, waiting for their sequence numbers.
-- Rows live only inside their own transaction: numbered and deleted at commit.
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

-- familyhub_capture_event(type, channel [, parent column]) stages one event
-- for the changed row. Rows must have id and family_id columns.
-- +goose StatementBegin
CREATE FUNCTION familyhub_capture_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r      jsonb;
    actor  text := nullif(current_setting('familyhub.actor_id', true), '');
    device text := nullif(current_setting('familyhub.device_id', true), '');
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := to_jsonb(OLD);
    ELSE
        r := to_jsonb(NEW);
    END IF;
    -- An UPDATE that changes nothing is no news.
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = r THEN
        RETURN NULL;
    END IF;
    INSERT INTO event_pending (family_id, type, channel, entity_id, list_id, op, actor_id, device_id, at)
    VALUES (
        (r->>'family_id')::uuid,
        TG_ARGV[0],
        TG_ARGV[1],
        (r->>'id')::uuid,
        CASE WHEN TG_NARGS > 2 THEN (r->>TG_ARGV[2])::uuid END,
        lower(TG_OP),
        actor::uuid,
        device,
        clock_timestamp()
    );
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- Runs at COMMIT (deferred) for each staged row; the first call of a
-- transaction numbers, logs and notifies all of them, later calls find
-- nothing left to do. Families are locked in id order, so transactions that
-- touch several families cannot deadlock on the counters.
-- +goose StatementBegin
CREATE FUNCTION familyhub_flush_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    fam  record;
    ev   record;
    base bigint;
BEGIN
    FOR fam IN
        SELECT family_id, count(*) AS n FROM event_pending GROUP BY family_id ORDER BY family_id
    LOOP
        UPDATE family_event_seq SET seq = seq + fam.n
        WHERE family_id = fam.family_id
        RETURNING seq - fam.n INTO base;
        IF NOT FOUND THEN
            -- The family itself was deleted in this transaction: no one to tell.
            DELETE FROM event_pending WHERE family_id = fam.family_id;
            CONTINUE;
        END IF;
        WITH moved AS (
            DELETE FROM event_pending WHERE family_id = fam.family_id RETURNING *
        )
        INSERT INTO event_log (family_id, seq, type, channel, entity_id, list_id, op, actor_id, device_id, at)
        SELECT family_id, base + row_number() OVER (ORDER BY id), type, channel, entity_id, list_id, op, actor_id, device_id, at
        FROM moved;
        FOR ev IN
            SELECT * FROM event_log WHERE family_id = fam.family_id AND seq > base ORDER BY seq
        LOOP
            PERFORM pg_notify(ev.channel, json_strip_nulls(json_build_object(
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
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER event_pending_flush
    AFTER INSERT ON event_pending
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_flush_events();

-- +goose Down
DROP TABLE event_pending;
DROP FUNCTION familyhub_flush_events();
DROP TABLE event_log;
DROP TRIGGER families_seq_init ON families;
DROP FUNCTION familyhub_family_seq_init();
DROP TABLE family_event_seq;
DROP FUNCTION familyhub_capture_event();
