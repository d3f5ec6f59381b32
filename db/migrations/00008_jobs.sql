-- Background jobs (jobs/, docs/jobs.md): what the daily task generator and
-- the shopping auto-categoriser need in the application's own tables.
--
-- River's tables (river_job, river_leader, river_queue, river_migration, ...)
-- are not created here: rivermigrate creates them when the server starts and
-- in `familyhub migrate`, under an advisory lock (see jobs.Migrate).
--
-- What a DBA needs to know:
--   * Jobs write through the same tables as the API, so their changes reach
--     devices through the usual event triggers; jobs carry no actor.
--   * shopping_lists.categorised_at is touched once per reshuffle of a list
--     by the categoriser, in the same transaction as the items it files: one
--     SHOPPING_LIST_UPDATED per reshuffle, plus one SHOPPING_ITEM_UPDATED per
--     item that changed.
--   * shopping_category_memory is what the family taught the categoriser: a
--     trigger records every category a person chose for an item name (also
--     from psql). It has no events; deleting the item keeps the lesson,
--     deleting the category forgets it.
--   * tasks.rotation lists the members a recurring chore rotates between;
--     a trigger picks each new instance's assignee (round-robin).
--   * task_generator_state remembers up to which day each family's
--     instances were generated, so the daily job catches up missed days
--     once, and never re-creates an instance someone deleted.

-- +goose Up

ALTER TABLE shopping_lists ADD COLUMN categorised_at timestamptz;

-- familyhub_shopping_name_key(name) is how item names are compared when
-- learning: lower case, spaces trimmed and collapsed.
-- +goose StatementBegin
CREATE FUNCTION familyhub_shopping_name_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(regexp_replace(btrim(name), '\s+', ' ', 'g'));
$$;
-- +goose StatementEnd

CREATE TABLE shopping_category_memory (
    family_id   uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    name_key    text NOT NULL CHECK (char_length(name_key) BETWEEN 1 AND 200),
    category_id uuid NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (family_id, name_key),
    FOREIGN KEY (family_id, category_id) REFERENCES shopping_categories (family_id, id) ON DELETE CASCADE
);
-- For the foreign key: deleting a category.
CREATE INDEX shopping_category_memory_category_idx ON shopping_category_memory (family_id, category_id);

-- +goose StatementBegin
CREATE FUNCTION familyhub_shopping_learn() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO shopping_category_memory (family_id, name_key, category_id)
    VALUES (NEW.family_id, familyhub_shopping_name_key(NEW.name), NEW.category_id)
    ON CONFLICT (family_id, name_key)
    DO UPDATE SET category_id = EXCLUDED.category_id, updated_at = now();
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- A person chose the category (the API sets category_source = 'user').
CREATE TRIGGER shopping_items_learn
    AFTER INSERT OR UPDATE OF category_id, category_source ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user' AND NEW.category_id IS NOT NULL)
    EXECUTE FUNCTION familyhub_shopping_learn();

-- The categoriser's periodic sweep finds recently written unfiled items
-- (e.g. inserted from psql) through this.
CREATE INDEX shopping_items_unfiled_idx ON shopping_items (updated_at)
    WHERE category_id IS NULL AND category_source IS DISTINCT FROM 'user';

-- Chores that rotate: each new instance of the template goes to the member
-- after the one who had the previous instance, in this order, skipping
-- people who left the family. NULL: no rotation (instances copy the
-- template's assignee).
ALTER TABLE tasks ADD COLUMN rotation uuid[]
    CONSTRAINT tasks_rotation_template CHECK (rotation IS NULL OR (recurrence IS NOT NULL AND cardinality(rotation) BETWEEN 1 AND 50));

-- +goose StatementBegin
CREATE FUNCTION familyhub_task_rotate() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    members uuid[];
    prev    uuid;
    i       integer;
BEGIN
    SELECT array_agg(r.m ORDER BY r.ord) INTO members
    FROM tasks t, unnest(t.rotation) WITH ORDINALITY AS r (m, ord)
    WHERE t.id = NEW.template_id AND t.family_id = NEW.family_id
      AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.family_id = NEW.family_id AND ms.user_id = r.m);
    IF members IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT assignee_id INTO prev FROM tasks
    WHERE template_id = NEW.template_id AND instance_date < NEW.instance_date
    ORDER BY instance_date DESC LIMIT 1;
    i := array_position(members, prev);
    IF i IS NOT NULL THEN
        NEW.assignee_id := members[i % cardinality(members) + 1];
    ELSIF FOUND OR NEW.assignee_id IS NULL OR NOT (NEW.assignee_id = ANY (members)) THEN
        -- The previous one left the rotation, or this is the first
        -- instance and the template's assignee is not in it.
        NEW.assignee_id := members[1];
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER tasks_rotate BEFORE INSERT ON tasks
    FOR EACH ROW WHEN (NEW.template_id IS NOT NULL)
    EXECUTE FUNCTION familyhub_task_rotate();

CREATE TABLE task_generator_state (
    family_id         uuid PRIMARY KEY REFERENCES families (id) ON DELETE CASCADE,
    -- Every day up to this one (in the family's zone) has been generated.
    generated_through date,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE task_generator_state;
DROP TRIGGER tasks_rotate ON tasks;
DROP FUNCTION familyhub_task_rotate();
ALTER TABLE tasks DROP COLUMN rotation;
DROP INDEX shopping_items_unfiled_idx;
DROP TRIGGER shopping_items_learn ON shopping_items;
DROP FUNCTION familyhub_shopping_learn();
DROP TABLE shopping_category_memory;
DROP FUNCTION familyhub_shopping_name_key(text);
ALTER TABLE shopping_lists DROP COLUMN categorised_at;
