-- Assistant commands (see db/migrations/00010_assistant.sql and
-- 00016_assistant_undo.sql). Inserting an executed command that names a
-- device sends AI_INTENT_EXECUTED to it at commit.

-- name: AssistantCommandInsert :exec
INSERT INTO assistant_commands (id, family_id, user_id, device_id, text, locale, source, intent, slots, outcome, message,
    error_code, received_at, result, options, answers, said_at)
VALUES (@id, @family_id, sqlc.narg('user_id'), sqlc.narg('device_id'), @text, @locale, sqlc.narg('source'),
        sqlc.narg('intent'), sqlc.narg('slots'), @outcome, @message, sqlc.narg('error_code'), @received_at,
        sqlc.narg('result'), sqlc.narg('options'), sqlc.narg('answers'), sqlc.narg('said_at'));

-- name: AssistantCommandGet :one
SELECT * FROM assistant_commands WHERE id = @id AND family_id = @family_id;

-- AssistantCommandFamily says which family used a command id, if any: a
-- client-chosen id used by another family is refused without a word
-- about that family.
-- name: AssistantCommandFamily :one
SELECT family_id FROM assistant_commands WHERE id = @id;

-- AssistantCommandForUndo locks a command for its undo: two undos at once
-- wait for each other, and the second finds it undone.
-- name: AssistantCommandForUndo :one
SELECT * FROM assistant_commands WHERE id = @id AND family_id = @family_id FOR UPDATE;

-- AssistantCommandLastOfUser returns a user's newest command that was
-- executed or asked a question (a refused one changed nothing), other than
-- the spoken undos (@undo_intent), received at @before or earlier when
-- that is given: what "undo that" undoes (@before: when a failed "undo
-- that" retried by its id first arrived).
-- name: AssistantCommandLastOfUser :one
SELECT * FROM assistant_commands
WHERE family_id = @family_id AND user_id = @user_id AND outcome IN ('executed', 'question')
  AND intent IS DISTINCT FROM @undo_intent::text
  AND received_at <= coalesce(sqlc.narg('before')::timestamptz, 'infinity')
ORDER BY received_at DESC, finished_at DESC
LIMIT 1;

-- AssistantCommandDeleteUnexecuted drops the record of a refused or
-- failed command, which a repeat of its id replaces: it wrote nothing.
-- name: AssistantCommandDeleteUnexecuted :execrows
DELETE FROM assistant_commands
WHERE id = @id AND family_id = @family_id AND outcome IN ('refused', 'failed');

-- AssistantCommandAnswerOf returns the command that answered a question.
-- name: AssistantCommandAnswerOf :one
SELECT * FROM assistant_commands
WHERE answers = @question_id AND family_id = @family_id AND outcome IN ('executed', 'question');

-- name: AssistantCommandSetUndone :execrows
UPDATE assistant_commands SET undone_at = now(), undone_by = sqlc.narg('undone_by')
WHERE id = @id AND family_id = @family_id AND outcome = 'executed' AND undone_at IS NULL;

-- name: AssistantWriteInsert :exec
INSERT INTO assistant_command_writes (command_id, family_id, seq, entity, entity_id, op, before, after, version)
VALUES (@command_id, @family_id, @seq, @entity, @entity_id, @op, sqlc.narg('before'), sqlc.narg('after'), sqlc.narg('version'));

-- name: AssistantWriteList :many
SELECT * FROM assistant_command_writes WHERE command_id = @command_id AND family_id = @family_id ORDER BY seq;

-- Writes the assistant needs that REST does not make (yet): moving an item
-- to another list, and putting records back as they were (undo).

-- ShoppingItemsGet returns the family's items of @ids (any order; an id
-- of no item of the family is left out): what a move or a put-back of
-- many items reads once for all of them.
-- name: ShoppingItemsGet :many
SELECT * FROM shopping_items_view
WHERE family_id = @family_id AND id = ANY (@ids::uuid[]);

-- ShoppingItemsMove puts items of the family at the end of another list
-- of the family, in the order of @ids, in one statement (the list was
-- checked before). It returns the ids moved. The items are locked in the
-- order of their ids (lk; ShoppingItemsLock), not of @ids: a move of
-- "milk, eggs" and a tick of "eggs, milk" wait for each other rather than
-- deadlock.
-- name: ShoppingItemsMove :many
WITH b AS (SELECT b.id, b.ord FROM unnest(@ids::uuid[]) WITH ORDINALITY AS b(id, ord)),
lk AS (SELECT l.id FROM shopping_items l WHERE l.id = ANY (@ids::uuid[]) AND l.family_id = @family_id ORDER BY l.id FOR UPDATE),
top AS (SELECT coalesce(max(o.position) + 1, 0) AS p FROM shopping_items o WHERE o.list_id = @to_list_id)
UPDATE shopping_items i
SET list_id = @to_list_id, position = top.p + b.ord - 1
FROM b, top, lk
WHERE i.id = b.id AND i.id = lk.id AND i.family_id = @family_id
RETURNING i.id;

-- ShoppingItemsRestore sets items back to earlier states (their lists
-- included), each only at the version asked for, in one statement. @items
-- is a JSON array of {ord, id, version, list_id, name, quantity, note,
-- category_id, category_source, checked, checked_at, checked_by,
-- position}, ord counting from 0. The items are locked in the order of
-- their ids (two put-backs never deadlock); if one is missing or at
-- another version, only those before it in ord are written, as one write
-- per item in that order would have. A category that is gone stays
-- empty. It returns the ids written.
-- name: ShoppingItemsRestore :many
WITH b AS (
    SELECT (e.value->>'ord')::int AS ord, (e.value->>'id')::uuid AS id, (e.value->>'version')::bigint AS version,
           (e.value->>'list_id')::uuid AS list_id, e.value->>'name' AS name, e.value->>'quantity' AS quantity,
           e.value->>'note' AS note, (e.value->>'category_id')::uuid AS category_id,
           e.value->>'category_source' AS category_source, (e.value->>'checked')::bool AS checked,
           (e.value->>'checked_at')::timestamptz AS checked_at, (e.value->>'checked_by')::uuid AS checked_by,
           (e.value->>'position')::int AS position
    FROM jsonb_array_elements(@items::jsonb) AS e
), cur AS (
    SELECT i.id, i.version FROM shopping_items i JOIN b ON b.id = i.id
    WHERE i.family_id = @family_id ORDER BY i.id FOR UPDATE OF i
), bad AS (
    SELECT coalesce(min(b.ord), 2147483647) AS ord FROM b LEFT JOIN cur ON cur.id = b.id
    WHERE cur.id IS NULL OR cur.version <> b.version
)
UPDATE shopping_items i
SET list_id = b.list_id, name = b.name, quantity = b.quantity, note = b.note,
    category_id = (SELECT c.id FROM shopping_categories c WHERE c.id = b.category_id AND c.family_id = @family_id),
    category_source = b.category_source, checked = b.checked, checked_at = b.checked_at,
    checked_by = (SELECT u.id FROM users u WHERE u.id = b.checked_by), position = b.position
FROM b, bad
WHERE i.id = b.id AND i.family_id = @family_id AND b.ord < bad.ord
RETURNING i.id;

-- ShoppingItemReinsert puts a deleted item back with its id, on its list
-- (no row when the list is gone).
-- name: ShoppingItemReinsert :one
INSERT INTO shopping_items (id, family_id, list_id, name, quantity, note, category_id, category_source, checked, checked_at,
    checked_by, position, created_at)
SELECT @id, l.family_id, l.id, @name, sqlc.narg('quantity'), sqlc.narg('note'),
       (SELECT c.id FROM shopping_categories c WHERE c.id = sqlc.narg('category_id') AND c.family_id = l.family_id),
       sqlc.narg('category_source'), @checked, sqlc.narg('checked_at'),
       (SELECT u.id FROM users u WHERE u.id = sqlc.narg('checked_by')), @position, @created_at
FROM shopping_lists l
WHERE l.id = @list_id AND l.family_id = @family_id
RETURNING id;

-- TaskRestore sets a task back to an earlier state, only at the version
-- asked for. An assignee who left the family stays unassigned.
-- name: TaskRestore :one
UPDATE tasks t
SET title = @title, notes = @notes, due_at = sqlc.narg('due_at'),
    assignee_id = (SELECT m.user_id FROM memberships m WHERE m.user_id = sqlc.narg('assignee_id') AND m.family_id = @family_id),
    recurrence = sqlc.narg('recurrence'), snoozed_until = sqlc.narg('snoozed_until'),
    completed_at = sqlc.narg('completed_at'),
    completed_by = (SELECT u.id FROM users u WHERE u.id = sqlc.narg('completed_by')),
    rotation = @rotation::uuid[]
WHERE t.id = @id AND t.family_id = @family_id AND t.version = @version
RETURNING t.*;

-- TaskReinsert puts a deleted task back with its id (and CalDAV name).
-- name: TaskReinsert :one
INSERT INTO tasks (id, family_id, title, notes, due_at, assignee_id, recurrence, template_id, instance_date, completed_at,
    completed_by, snoozed_until, created_by, created_at, rotation, uid, dav_name, ical)
VALUES (@id, @family_id, @title, @notes, sqlc.narg('due_at'),
    (SELECT m.user_id FROM memberships m WHERE m.user_id = sqlc.narg('assignee_id') AND m.family_id = @family_id),
    sqlc.narg('recurrence'),
    (SELECT t.id FROM tasks t WHERE t.id = sqlc.narg('template_id') AND t.family_id = @family_id),
    sqlc.narg('instance_date'), sqlc.narg('completed_at'),
    (SELECT u.id FROM users u WHERE u.id = sqlc.narg('completed_by')), sqlc.narg('snoozed_until'),
    (SELECT u.id FROM users u WHERE u.id = sqlc.narg('created_by')), @created_at, @rotation::uuid[],
    sqlc.narg('uid'), sqlc.narg('dav_name'), sqlc.narg('ical'))
RETURNING *;

-- CalendarEventRestore sets an event back to an earlier state, only at
-- the version asked for; its SEQUENCE still goes up (calendar apps take
-- the restored event as news).
-- name: CalendarEventRestore :one
UPDATE calendar_events
SET title = @title, notes = @notes, location = @location, starts_at = @starts_at, ends_at = @ends_at,
    all_day = @all_day, rrule = sqlc.narg('rrule'), exdates = @exdates::timestamptz[], sequence = sequence + 1
WHERE id = @id AND family_id = @family_id AND version = @version AND NOT read_only
RETURNING *;

-- DavTombstoneForget drops the tombstone of a record that is back (undo):
-- sync-collection reports it as changed, not deleted.
-- name: DavTombstoneForget :exec
DELETE FROM dav_tombstones WHERE family_id = @family_id AND entity_id = @entity_id;

-- AssistantCommandSerialize serialises the commands of one user (key
-- 'user:<id>', none when NULL) and of one command id ('command:<id>'),
-- in that order, until the end of the transaction: "undo that" waits for
-- the speaker's command still running, and a repeat of an id sent at once
-- waits for the first and answers what it answered. Each wait is bounded
-- by @wait (lock_timeout, set for the two locks only and then set back to
-- what it was), all in one statement: the inner row's columns are
-- computed in order (read the old value, bound, lock, lock), and the outer
-- one sets the old value back. The locks are volatile, so the planner
-- keeps them although nothing reads them.
-- name: AssistantCommandSerialize :exec
SELECT set_config('lock_timeout', w.was, true)
FROM (SELECT current_setting('lock_timeout') AS was,
             set_config('lock_timeout', @wait::text, true) AS bounded,
             pg_advisory_xact_lock(hashtextextended('familyhub.assistant:' || sqlc.narg('user_key')::text, 0)) AS by_user,
             pg_advisory_xact_lock(hashtextextended('familyhub.assistant:' || @command_key::text, 0)) AS by_command
      OFFSET 0) w;
