-- The assistant: every typed or spoken command and what became of it.
--
-- A command is executed in one transaction with its domain writes
-- (shopping items, tasks, events: their own triggers send the usual family
-- events) and its row here, outcome 'executed'. A refused command (not
-- understood, ambiguous, nothing matching) writes nothing to the domain:
-- that transaction rolls back, and the refusal is recorded afterwards by a
-- separate single INSERT of its row here, outcome 'refused' (or 'failed'
-- for an internal error). assistant_commands has no event trigger, so such
-- a row reaches no device.
--
-- AI_INTENT_EXECUTED. Inserting an 'executed' row that names a device sends,
-- on channel familyhub_device,
--   {"family_id":"…","device_id":"…","message":{"type":"AI_INTENT_EXECUTED",
--    "intent":"shopping.add_items","command_id":"…"}}
-- which every replica forwards as is to that device's sockets only; it has
-- no family seq and is not in event_log. The trigger is a deferred
-- constraint trigger: it runs at COMMIT after the event flush of the same
-- transaction (queued earlier), so the device hears about the changed
-- records first, and nothing is sent for a transaction that rolls back.
-- A family's recent commands:
--   SELECT received_at, device_id, text, intent, outcome, message
--   FROM assistant_commands WHERE family_id = '…' ORDER BY received_at DESC LIMIT 20;

-- +goose Up
CREATE TABLE assistant_commands (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id   uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    -- The X-Device-ID the command came with; NULL without one (then no
    -- AI_INTENT_EXECUTED is sent: there is no device to send it to).
    device_id   text CHECK (device_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    text        text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 500),
    -- The language it was understood in: 'en' or 'de'.
    locale      text NOT NULL CHECK (locale IN ('en', 'de')),
    -- What understood it: the built-in parser or the configured language
    -- model; NULL when nothing did.
    source      text CHECK (source IN ('parser', 'llm')),
    -- The intent type (familyhub.Intent*) and its slots as JSON; NULL when
    -- the command was not understood.
    intent      text CHECK (char_length(intent) BETWEEN 1 AND 100),
    slots       jsonb,
    outcome     text NOT NULL CHECK (outcome IN ('executed', 'refused', 'failed')),
    -- The answer's message (or the refusal's), as the user saw it.
    message     text NOT NULL CHECK (char_length(message) <= 2000),
    -- The error code of a refusal (familyhub.E*), NULL when executed.
    error_code  text,
    received_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((outcome = 'executed') = (error_code IS NULL)),
    CHECK (outcome <> 'executed' OR intent IS NOT NULL)
);
-- A family's recent commands, newest first.
CREATE INDEX assistant_commands_family_id_idx ON assistant_commands (family_id, received_at DESC);
CREATE INDEX assistant_commands_user_id_idx ON assistant_commands (user_id) WHERE user_id IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION familyhub_assistant_command_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('familyhub_device', json_build_object(
        'family_id', NEW.family_id,
        'device_id', NEW.device_id,
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

CREATE CONSTRAINT TRIGGER assistant_commands_executed_notify
    AFTER INSERT ON assistant_commands
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.outcome = 'executed' AND NEW.device_id IS NOT NULL)
    EXECUTE FUNCTION familyhub_assistant_command_notify();

-- +goose Down
DROP TABLE assistant_commands;
DROP FUNCTION familyhub_assistant_command_notify();
