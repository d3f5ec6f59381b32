-- The assistant, second phase (issue 16): the family's default shopping
-- list, questions back, repeated commands, and undo.
--
-- What a DBA needs to know:
--   * families.default_list_id is the list a command without a list name
--     adds to ("add milk"). NULL: the only list, else the first. It must
--     be a list of the same family (composite foreign key); deleting the
--     list clears it (and, like every change of families, is a
--     FAMILY_UPDATED event).
--   * assistant_commands gains the outcome 'question': the command had two
--     readings and the answer asked which (options holds them, as intents).
--     The person's choice is a command of its own whose answers names the
--     question; a question is answered once (a unique index).
--   * result is what an executed command answered (its records as it left
--     them), so that a repeat of the same command id answers the same.
--   * assistant_command_writes is the undo journal: one row per record a
--     command inserted, changed or deleted, with the record before (to
--     restore it) and after (with its version: undo refuses when someone
--     changed it since). Undo is one transaction of ordinary writes, so
--     devices see the usual events; undone_at marks it done.
--     What commands changed, newest first:
--       SELECT c.received_at, c.text, w.entity, w.op, w.entity_id, c.undone_at
--       FROM assistant_commands c JOIN assistant_command_writes w ON w.command_id = c.id
--       WHERE c.family_id = '…' ORDER BY c.received_at DESC, w.seq;

-- +goose Up
ALTER TABLE families
    ADD COLUMN default_list_id uuid,
    ADD CONSTRAINT families_default_list_fkey FOREIGN KEY (id, default_list_id)
        REFERENCES shopping_lists (family_id, id) ON DELETE SET NULL (default_list_id);
CREATE INDEX families_default_list_id_idx ON families (default_list_id) WHERE default_list_id IS NOT NULL;

ALTER TABLE assistant_commands
    DROP CONSTRAINT assistant_commands_outcome_check,
    ADD CONSTRAINT assistant_commands_outcome_check CHECK (outcome IN ('executed', 'question', 'refused', 'failed')),
    DROP CONSTRAINT assistant_commands_check,
    ADD CONSTRAINT assistant_commands_error_code_check CHECK ((outcome IN ('executed', 'question')) = (error_code IS NULL)),
    -- Executed: the answer's records as the command left them (JSON of the
    -- Go types of package assistant, assistant.Result).
    ADD COLUMN result jsonb,
    -- Question: its options, each a complete intent.
    ADD COLUMN options jsonb,
    -- The question this command answers (the option chosen is its intent).
    ADD COLUMN answers uuid REFERENCES assistant_commands (id) ON DELETE CASCADE,
    ADD COLUMN undone_at timestamptz,
    ADD COLUMN undone_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD CONSTRAINT assistant_commands_question_check CHECK ((outcome = 'question') = (options IS NOT NULL)),
    ADD CONSTRAINT assistant_commands_undone_check CHECK (undone_at IS NULL OR outcome = 'executed');
-- A question is answered once: a second choice finds the first.
CREATE UNIQUE INDEX assistant_commands_answers_key ON assistant_commands (answers)
    WHERE answers IS NOT NULL AND outcome IN ('executed', 'question');

CREATE TABLE assistant_command_writes (
    command_id uuid NOT NULL REFERENCES assistant_commands (id) ON DELETE CASCADE,
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    -- The order of the writes; undo goes backwards.
    seq        integer NOT NULL CHECK (seq >= 0),
    entity     text NOT NULL CHECK (entity IN ('shopping_list', 'shopping_item', 'task', 'calendar_event')),
    entity_id  uuid NOT NULL,
    op         text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    -- The record before the command (update, delete) and after it (insert,
    -- update), as JSON of the Go row types (db/dbsqlc), the event's changed
    -- occurrences included.
    before     jsonb,
    after      jsonb,
    -- The version the command left the record at (insert, update).
    version    bigint,
    PRIMARY KEY (command_id, seq),
    CHECK ((op = 'insert') = (before IS NULL)),
    CHECK ((op = 'delete') = (after IS NULL)),
    CHECK ((op = 'delete') = (version IS NULL))
);
CREATE INDEX assistant_command_writes_family_id_idx ON assistant_command_writes (family_id);

-- +goose Down
DROP TABLE assistant_command_writes;
DELETE FROM assistant_commands WHERE outcome = 'question' OR answers IS NOT NULL;
DROP INDEX assistant_commands_answers_key;
ALTER TABLE assistant_commands
    DROP CONSTRAINT assistant_commands_undone_check,
    DROP CONSTRAINT assistant_commands_question_check,
    DROP COLUMN undone_by,
    DROP COLUMN undone_at,
    DROP COLUMN answers,
    DROP COLUMN options,
    DROP COLUMN result,
    DROP CONSTRAINT assistant_commands_error_code_check,
    ADD CONSTRAINT assistant_commands_check CHECK ((outcome = 'executed') = (error_code IS NULL)),
    DROP CONSTRAINT assistant_commands_outcome_check,
    ADD CONSTRAINT assistant_commands_outcome_check CHECK (outcome IN ('executed', 'refused', 'failed'));
DROP INDEX families_default_list_id_idx;
ALTER TABLE families DROP CONSTRAINT families_default_list_fkey, DROP COLUMN default_list_id;
