-- Versions and idempotent creates: writes that never duplicate and never
-- overwrite blindly (docs/api.md, "Safe retries and conflicts").
--
-- What a DBA needs to know:
--   * Every mutable record (shopping lists and items, recipes, tasks,
--     calendar events) has version: 1 on insert, +1 on every UPDATE that
--     changes the row, whoever makes it (REST, CalDAV, jobs, psql). The
--     database keeps it (familyhub_bump_version); whatever an UPDATE sets it
--     to is overwritten. Clients send it back in If-Match; a stale one is
--     refused with 412.
--   * client_creates remembers the client-chosen id of each create for a
--     while (pruned with the event log), with a hash of what was asked, so
--     that a retried create answers the stored record instead of making a
--     second one, and the same id with other content is refused (409).

-- +goose Up
-- +goose StatementBegin
-- BEFORE UPDATE: an UPDATE that changes what the record says bumps its
-- version; one that changes nothing keeps it (and is no event either).
-- Bookkeeping columns do not count: updated_at, and a list's
-- categorised_at (the categoriser's note that it filed the list's items:
-- the items changed, each with its own version, the list did not), so a
-- rename made against the version before a reshuffle still applies.
CREATE FUNCTION familyhub_bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version;
    IF (to_jsonb(NEW) - 'updated_at' - 'categorised_at') IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at' - 'categorised_at') THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

ALTER TABLE shopping_lists  ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE shopping_items  ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE recipes         ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE tasks           ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE calendar_events ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);

CREATE TRIGGER shopping_lists_version BEFORE UPDATE ON shopping_lists
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();
CREATE TRIGGER shopping_items_version BEFORE UPDATE ON shopping_items
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();
CREATE TRIGGER recipes_version BEFORE UPDATE ON recipes
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();
CREATE TRIGGER tasks_version BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();
CREATE TRIGGER calendar_events_version BEFORE UPDATE ON calendar_events
    FOR EACH ROW EXECUTE FUNCTION familyhub_bump_version();

-- The view lists the item's columns as they were when it was made: again,
-- with version.
DROP VIEW shopping_items_view;
CREATE VIEW shopping_items_view AS
SELECT i.*, c.name AS category
FROM shopping_items i
LEFT JOIN shopping_categories c ON c.id = i.category_id;

-- A create with a client-chosen id. kind names what was created
-- ('shopping-list', 'shopping-item', ...); request_hash is a SHA-256 of
-- the normalised request; result_ids the records it made (the record's own
-- id, or several for a recipe's add-to-list).
CREATE TABLE client_creates (
    id           uuid PRIMARY KEY,
    family_id    uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 50),
    request_hash bytea NOT NULL,
    result_ids   uuid[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_creates_created_at_idx ON client_creates (created_at);
CREATE INDEX client_creates_family_id_idx ON client_creates (family_id);

-- +goose Down
DROP TABLE client_creates;
DROP VIEW shopping_items_view;
DROP TRIGGER calendar_events_version ON calendar_events;
DROP TRIGGER tasks_version ON tasks;
DROP TRIGGER recipes_version ON recipes;
DROP TRIGGER shopping_items_version ON shopping_items;
DROP TRIGGER shopping_lists_version ON shopping_lists;
ALTER TABLE calendar_events DROP COLUMN version;
ALTER TABLE tasks DROP COLUMN version;
ALTER TABLE recipes DROP COLUMN version;
ALTER TABLE shopping_items DROP COLUMN version;
ALTER TABLE shopping_lists DROP COLUMN version;
DROP FUNCTION familyhub_bump_version();
CREATE VIEW shopping_items_view AS
SELECT i.*, c.name AS category
FROM shopping_items i
LEFT JOIN shopping_categories c ON c.id = i.category_id;
