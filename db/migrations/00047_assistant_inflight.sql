-- The assistant's commands still in flight, across replicas (docs/assistant.md,
-- "undo that"). A command of a member is written here when it arrives and
-- deleted when it has ended (executed, asked, refused); with a language
-- model that is seconds later. "undo that" waits, bounded, until each of
-- the member's commands that arrived before it is gone from here or holds
-- its lock (queries/assistant_inflight.sql): the command still with the
-- model on another replica is then the last one, and is the one undone. Only the assistant reads and writes this table
-- (queries/assistant_inflight.sql).
--
-- Rows are short-lived: one per command being answered now, gone when its
-- answer is. A replica killed while it answered leaves its rows; they
-- stop counting at expires_at (the model's timeout plus the command's lock
-- waits from arrival) and are deleted by the next command of the same
-- family. The table holds a few rows at any time; it is not in the event
-- log and has no trigger. seq orders the commands by arrival (one
-- sequence for all replicas); replica says which server process answers
-- it (for a DBA looking at a stuck row).
--
-- Also assistant_commands.said_at: when a command was said, as its client
-- sent it (Request.SaidAt), NULL when it sent none. A question's answer
-- (a chosen option) counts its days from when the question was said, not
-- only from when it arrived. Commands recorded before this migration, and
-- by a replica of the previous version, have NULL: as before, their
-- arrival counts.

-- +goose Up
CREATE TABLE assistant_inflight (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    command_id uuid NOT NULL,
    replica    text NOT NULL CHECK (char_length(replica) BETWEEN 1 AND 100),
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > started_at)
);
-- A member's commands in flight, in order of arrival: what "undo that" waits for.
CREATE INDEX assistant_inflight_user_idx ON assistant_inflight (user_id, seq);
-- The family's expired rows, deleted by its next command.
CREATE INDEX assistant_inflight_family_idx ON assistant_inflight (family_id, expires_at);

ALTER TABLE assistant_commands ADD COLUMN said_at timestamptz;

-- +goose Down
ALTER TABLE assistant_commands DROP COLUMN said_at;
DROP TABLE assistant_inflight;
