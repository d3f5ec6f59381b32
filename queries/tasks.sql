-- Tasks and chores: one-off tasks, recurring templates and their per-day
-- instances (see db/migrations/00005_tasks.sql). Every query is scoped by
-- family_id: another family's task is not found.

-- name: TaskInsert :one
INSERT INTO tasks (id, family_id, title, notes, due_at, assignee_id, recurrence, created_by)
VALUES (coalesce(sqlc.narg('id')::uuid, gen_random_uuid()), @family_id, @title, @notes, sqlc.narg('due_at'), sqlc.narg('assignee_id'), sqlc.narg('recurrence'), sqlc.narg('created_by'))
RETURNING *;

-- TaskCountTemplates counts the family's recurring templates (chores).
-- name: TaskCountTemplates :one
SELECT count(*)::int FROM tasks WHERE family_id = @family_id AND recurrence IS NOT NULL;

-- TaskCountOpen counts the family's one-off tasks not yet done (not the
-- instances the chores make: the daily job makes those, bounded by the
-- templates).
-- name: TaskCountOpen :one
SELECT count(*)::int FROM tasks
WHERE family_id = @family_id AND recurrence IS NULL AND completed_at IS NULL AND instance_date IS NULL;

-- name: TaskGet :one
SELECT * FROM tasks WHERE id = @id AND family_id = @family_id;

-- TaskGetForUpdate locks the task for a read-modify-write; a concurrent
-- delete makes it not found instead of a lost update.
-- name: TaskGetForUpdate :one
SELECT * FROM tasks WHERE id = @id AND family_id = @family_id FOR UPDATE;

-- TaskListOpen lists what is still to do: one-off tasks and instances that
-- are not completed, without templates; snoozed tasks only when asked.
-- name: TaskListOpen :many
SELECT * FROM tasks
WHERE family_id = @family_id
  AND recurrence IS NULL
  AND completed_at IS NULL
  AND (@include_snoozed::bool OR snoozed_until IS NULL OR snoozed_until <= now())
ORDER BY coalesce(snoozed_until, due_at) NULLS LAST, created_at, id;

-- name: TaskListTemplates :many
SELECT * FROM tasks
WHERE family_id = @family_id AND recurrence IS NOT NULL
ORDER BY created_at, id;

-- TaskListDay lists the tasks (done or not) due on one day of the family's
-- calendar, [day_start, day_end) being that day's bounds in its time zone.
-- A task counts as due at snoozed_until when snoozed, else at due_at, else
-- (an instance without a time) on its instance_date.
-- name: TaskListDay :many
SELECT * FROM tasks
WHERE family_id = @family_id
  AND recurrence IS NULL
  AND CASE
        WHEN snoozed_until IS NOT NULL THEN snoozed_until >= @day_start::timestamptz AND snoozed_until < @day_end::timestamptz
        WHEN due_at IS NOT NULL THEN due_at >= @day_start::timestamptz AND due_at < @day_end::timestamptz
        ELSE instance_date = @day::date
      END
ORDER BY coalesce(snoozed_until, due_at) NULLS LAST, created_at, id;

-- name: TaskUpdate :one
UPDATE tasks
SET title = @title,
    notes = @notes,
    due_at = sqlc.narg('due_at'),
    assignee_id = sqlc.narg('assignee_id'),
    recurrence = sqlc.narg('recurrence'),
    snoozed_until = sqlc.narg('snoozed_until')
WHERE id = @id AND family_id = @family_id
RETURNING *;

-- TaskComplete keeps the first completion time when completed twice.
-- name: TaskComplete :one
UPDATE tasks
SET completed_at = coalesce(completed_at, now()),
    completed_by = CASE WHEN completed_at IS NULL THEN sqlc.narg('completed_by') ELSE completed_by END
WHERE id = @id AND family_id = @family_id AND recurrence IS NULL
RETURNING *;

-- TaskCompleteOne is a completion as one statement, for a transaction of
-- its own sent in one round trip (Store.TaskComplete): it completes an open
-- one-off task or instance of the family at the version ctx asks for (none:
-- any), and for a caller who may complete only their own tasks
-- (@any_assignee false) only an unassigned task or one assigned to them.
-- It writes nothing and returns no row otherwise; Tx.TaskComplete then
-- says why (not found, forbidden, stale, a template, already done).
-- name: TaskCompleteOne :one
UPDATE tasks
SET completed_at = now(), completed_by = sqlc.narg('completed_by')
WHERE id = @id AND family_id = @family_id AND recurrence IS NULL AND completed_at IS NULL
  AND (sqlc.narg('if_version')::bigint IS NULL OR version = sqlc.narg('if_version'))
  AND (@any_assignee::boolean OR assignee_id IS NULL OR assignee_id = sqlc.narg('completed_by'))
RETURNING *;

-- name: TaskUncomplete :one
UPDATE tasks
SET completed_at = NULL, completed_by = NULL
WHERE id = @id AND family_id = @family_id AND recurrence IS NULL
RETURNING *;

-- name: TaskSnooze :one
UPDATE tasks
SET snoozed_until = @snoozed_until
WHERE id = @id AND family_id = @family_id AND recurrence IS NULL
RETURNING *;

-- name: TaskDelete :execrows
DELETE FROM tasks WHERE id = @id AND family_id = @family_id;

-- TaskDeleteOpenInstances removes a template's instances that are not done,
-- before the template itself goes; completed ones stay as history.
-- name: TaskDeleteOpenInstances :execrows
DELETE FROM tasks
WHERE template_id = @template_id AND family_id = @family_id AND completed_at IS NULL;

-- TaskInstanceInsert makes a template's instance for one day unless it
-- exists: concurrent generators create exactly one (0 rows for the losers).
-- name: TaskInstanceInsert :execrows
INSERT INTO tasks (family_id, title, notes, due_at, assignee_id, template_id, instance_date, created_by)
VALUES (@family_id, @title, @notes, sqlc.narg('due_at'), sqlc.narg('assignee_id'), @template_id, @instance_date, sqlc.narg('created_by'))
ON CONFLICT (template_id, instance_date) DO NOTHING;

-- TaskAssigneeIsMember says whether user_id may be assigned tasks of the family.
-- name: TaskAssigneeIsMember :one
SELECT EXISTS (SELECT 1 FROM memberships WHERE family_id = @family_id AND user_id = @user_id);
