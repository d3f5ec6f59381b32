-- Cheaper writes, the same rules (issue 20; docs/benchmarks.md, "Sixth
-- round"). Counted with valgrind in a single PostgreSQL backend (a
-- deterministic count of CPU instructions, not a timing), an item add cost
-- about 1.15 million instructions from BEGIN to COMMIT. Two things that
-- check nothing new took a quarter of that:
--
--   * CHECK constraints are re-read from their stored text at the start of
--     every statement that writes the table (PostgreSQL parses each one
--     again and prepares it: ExecRelCheck), even in a prepared statement.
--     shopping_items' eight checks cost about 190,000 instructions per
--     insert, and the same on every tick and edit. A domain's check is
--     parsed once per connection and kept (the type cache). So the three
--     text lengths become domains with the same limits: shopping_item_name
--     (1-200 characters), shopping_item_quantity (1-50) and
--     shopping_item_note (1-500). A value outside them is refused as
--     before, with the same SQLSTATE (23514, check_violation), now naming
--     the domain. The other checks stay as they were.
--   * Two foreign keys that repeat a check already made in the same
--     statement or transaction, each a lookup and a row lock on families
--     (about 40,000 instructions each):
--       - shopping_items.family_id → families: the item's list is checked
--         by (family_id, list_id) → shopping_lists, whose family_id is a
--         foreign key to families. Deleting a family still deletes its
--         items (through its lists, ON DELETE CASCADE).
--       - event_log.family_id → families: every event is written by
--         familyhub_capture_event (or the event_pending flush) for a row
--         of that family, whose own foreign key was checked, after taking
--         the family's counter row in family_event_seq (itself a foreign
--         key to families). What the foreign key also did, deleting a
--         family's events with the family, is now the trigger
--         families_forget_events.
--
-- What a DBA sees: \d shopping_items shows the three columns with their
-- domain types (\dD lists the domains and their checks), without the
-- family_id foreign key; \d event_log has no foreign key, and families has
-- the trigger. A table of your own that stores events' family_id and relied
-- on event_log's foreign key for nothing is unaffected.
--
-- ALTER COLUMN ... TYPE to a domain over the same type does not rewrite the
-- table, but it reads every row to check it and holds an exclusive lock on
-- shopping_items meanwhile (well under a second for a few hundred thousand
-- items). shopping_items_view lists the columns and is made again around it.
--
-- Replicas of the previous version that are still running when a new one
-- applies this: PostgreSQL refuses each of their pooled connections' cached
-- statements that return an item once ("cached plan must not change result
-- type"), pgx then prepares it again, and the PWA's outbox sends the write
-- again (it retries a 5xx). Going down drops the domains: stop the replicas
-- first, or their cached statements fail until they reconnect.

-- +goose Up
CREATE DOMAIN shopping_item_name AS text CHECK (char_length(VALUE) BETWEEN 1 AND 200);
CREATE DOMAIN shopping_item_quantity AS text CHECK (char_length(VALUE) BETWEEN 1 AND 50);
CREATE DOMAIN shopping_item_note AS text CHECK (char_length(VALUE) BETWEEN 1 AND 500);
COMMENT ON DOMAIN shopping_item_name IS 'A shopping item''s name: 1-200 characters (00024: a domain, not a table CHECK, so it is parsed once per connection).';
COMMENT ON DOMAIN shopping_item_quantity IS 'A shopping item''s quantity as typed ("2 l", "a handful"): 1-50 characters.';
COMMENT ON DOMAIN shopping_item_note IS 'A shopping item''s note: 1-500 characters.';

DROP VIEW shopping_items_view;
ALTER TABLE shopping_items
    DROP CONSTRAINT shopping_items_name_check,
    DROP CONSTRAINT shopping_items_quantity_check,
    DROP CONSTRAINT shopping_items_note_check,
    DROP CONSTRAINT shopping_items_family_id_fkey,
    ALTER COLUMN name TYPE shopping_item_name,
    ALTER COLUMN quantity TYPE shopping_item_quantity,
    ALTER COLUMN note TYPE shopping_item_note;
CREATE VIEW shopping_items_view AS
SELECT i.*, c.name AS category
FROM shopping_items i
LEFT JOIN shopping_categories c ON c.id = i.category_id;

ALTER TABLE event_log DROP CONSTRAINT event_log_family_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION familyhub_forget_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM event_log WHERE family_id = OLD.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER families_forget_events AFTER DELETE ON families
    FOR EACH ROW EXECUTE FUNCTION familyhub_forget_events();
COMMENT ON TRIGGER families_forget_events ON families IS
    'Deletes a deleted family''s event_log rows (00024: event_log has no foreign key to families).';

-- +goose Down
DROP TRIGGER families_forget_events ON families;
DROP FUNCTION familyhub_forget_events();
DELETE FROM event_log e WHERE NOT EXISTS (SELECT 1 FROM families f WHERE f.id = e.family_id);
ALTER TABLE event_log ADD CONSTRAINT event_log_family_id_fkey
    FOREIGN KEY (family_id) REFERENCES families (id) ON DELETE CASCADE;

DROP VIEW shopping_items_view;
ALTER TABLE shopping_items
    ALTER COLUMN name TYPE text,
    ALTER COLUMN quantity TYPE text,
    ALTER COLUMN note TYPE text,
    ADD CONSTRAINT shopping_items_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    ADD CONSTRAINT shopping_items_quantity_check CHECK (char_length(quantity) BETWEEN 1 AND 50),
    ADD CONSTRAINT shopping_items_note_check CHECK (char_length(note) BETWEEN 1 AND 500),
    ADD CONSTRAINT shopping_items_family_id_fkey
        FOREIGN KEY (family_id) REFERENCES families (id) ON DELETE CASCADE;
CREATE VIEW shopping_items_view AS
SELECT i.*, c.name AS category
FROM shopping_items i
LEFT JOIN shopping_categories c ON c.id = i.category_id;
DROP DOMAIN shopping_item_note;
DROP DOMAIN shopping_item_quantity;
DROP DOMAIN shopping_item_name;
