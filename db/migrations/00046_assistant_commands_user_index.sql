-- The spoken undo ("undo that", docs/assistant.md) finds the speaker's
-- last command with AssistantCommandLastOfUser (queries/assistant.sql):
-- WHERE family_id AND user_id AND outcome IN ('executed', 'question') AND
-- intent IS DISTINCT FROM 'command.undo' ORDER BY received_at DESC,
-- finished_at DESC LIMIT 1. No index served it: the planner walked the
-- family's index (family_id, received_at DESC) from the newest command
-- until it met one of the speaker's. Quick when the speaker spoke last
-- (0.05 ms), but for a member whose commands are all old in a family busy
-- with the others' it read every newer command: 63 ms past 300,000 rows,
-- 70 ms as a generic plan (review86). The new index holds each user's
-- commands in each family in the query's order, so the first entry that
-- passes the outcome and intent checks (a spoken undo or a refusal is
-- skipped, a user has few) is the answer, however busy the family.
-- TestAssistantCommandLastOfUserIndex (db/) checks the plan.
--
-- It replaces assistant_commands_user_id_idx (00010, (user_id) WHERE
-- user_id IS NOT NULL), whose only reader was the ON DELETE SET NULL of a
-- user's deletion (UPDATE ... WHERE user_id = $1): the new index leads
-- with user_id and has the same predicate, so that update finds the
-- rows through it as before. No statement of the previous release names
-- either index: replicas of the previous version keep working, and their
-- LastOfUser gets the new plan too.
--
-- What a DBA sees: \d assistant_commands lists
-- assistant_commands_user_received_idx instead of
-- assistant_commands_user_id_idx. Building it reads the table once under
-- a SHARE lock until the migration commits (commands being recorded
-- wait; reads do not); the drop takes the table's ACCESS EXCLUSIVE lock
-- for an instant. Not CONCURRENTLY: each migration is one transaction
-- (00032, docs/operations.md), and a concurrent build that failed would
-- leave an invalid index under this name for the next attempt to trip
-- on. Down puts the old index back.

-- +goose Up
CREATE INDEX assistant_commands_user_received_idx ON assistant_commands
    (user_id, family_id, received_at DESC, finished_at DESC) WHERE user_id IS NOT NULL;
DROP INDEX assistant_commands_user_id_idx;

-- +goose Down
CREATE INDEX assistant_commands_user_id_idx ON assistant_commands (user_id) WHERE user_id IS NOT NULL;
DROP INDEX assistant_commands_user_received_idx;
