-- Tasks and chores.
--
-- One table holds three kinds of rows:
--   * one-off tasks:  recurrence IS NULL, template_id IS NULL;
--   * templates:      recurrence IS NOT NULL (an RFC 5545 RRULE). A template is
--                     never done itself: it stands for a recurring chore;
--   * instances:      template_id IS NOT NULL, instance_date IS NOT NULL: the
--                     chore for one day in the family's time zone, made by
--                     TaskInstancesEnsure (the daily generator, and the API
--                     when it reads "today"). unique (template_id,
--                     instance_date) lets concurrent generators race safely:
--                     INSERT ... ON CONFLICT DO NOTHING makes exactly one.
-- Deleting a template deletes its open instances (the application does it
-- first); completed ones stay as history with template_id set to NULL and
-- instance_date kept.
--
-- Every change stages a TASK_UPDATED event on channel familyhub_tasks
-- (see 00002_events.sql).

-- +goose Up
CREATE TABLE tasks (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id     uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    notes         text NOT NULL DEFAULT '' CHECK (char_length(notes) <= 4000),
    -- One-off tasks: when it is due. Templates: the first occurrence, whose
    -- local time of day every instance gets. Instances: that time on
    -- instance_date, or NULL when the template has no time.
    due_at        timestamptz,
    -- Must be a member of the same family: the composite foreign key below
    -- enforces it, and clears the assignment when the member leaves.
    assignee_id   uuid,
    recurrence    text CHECK (recurrence IS NULL OR char_length(recurrence) BETWEEN 1 AND 500),
    template_id   uuid,
    instance_date date,
    completed_at  timestamptz,
    completed_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    -- Postponed until then: the task counts as due at snoozed_until.
    snoozed_until timestamptz,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- Target of the composite foreign keys that keep rows inside their family.
    UNIQUE (family_id, id),
    FOREIGN KEY (family_id, assignee_id) REFERENCES memberships (family_id, user_id)
        ON DELETE SET NULL (assignee_id),
    FOREIGN KEY (family_id, template_id) REFERENCES tasks (family_id, id)
        ON DELETE SET NULL (template_id),
    -- A template is not an instance, and is never completed or snoozed.
    CONSTRAINT tasks_template_not_instance CHECK (recurrence IS NULL OR (template_id IS NULL AND instance_date IS NULL)),
    CONSTRAINT tasks_template_not_done CHECK (recurrence IS NULL OR (completed_at IS NULL AND snoozed_until IS NULL)),
    CONSTRAINT tasks_instance_has_date CHECK (template_id IS NULL OR instance_date IS NOT NULL),
    CONSTRAINT tasks_completed_by_when_completed CHECK (completed_by IS NULL OR completed_at IS NOT NULL)
);

-- Exactly one instance per template and day.
CREATE UNIQUE INDEX tasks_template_id_instance_date_key ON tasks (template_id, instance_date);
-- The open list (GET /api/tasks).
CREATE INDEX tasks_family_id_open_idx ON tasks (family_id, due_at)
    WHERE completed_at IS NULL AND recurrence IS NULL;
-- The day view (GET /api/tasks?date=): by due_at, instance_date or snoozed_until.
CREATE INDEX tasks_family_id_due_at_idx ON tasks (family_id, due_at);
CREATE INDEX tasks_family_id_instance_date_idx ON tasks (family_id, instance_date)
    WHERE instance_date IS NOT NULL;
CREATE INDEX tasks_family_id_snoozed_until_idx ON tasks (family_id, snoozed_until)
    WHERE snoozed_until IS NOT NULL;
-- The generator reads every template of a family.
CREATE INDEX tasks_family_id_templates_idx ON tasks (family_id) WHERE recurrence IS NOT NULL;
-- For the foreign keys: removing a member, a user.
CREATE INDEX tasks_family_id_assignee_id_idx ON tasks (family_id, assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tasks_completed_by_idx ON tasks (completed_by) WHERE completed_by IS NOT NULL;
CREATE INDEX tasks_created_by_idx ON tasks (created_by) WHERE created_by IS NOT NULL;

CREATE TRIGGER tasks_touch BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
CREATE TRIGGER tasks_event AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('TASK_UPDATED', 'familyhub_tasks');

-- +goose Down
DROP TABLE tasks;
