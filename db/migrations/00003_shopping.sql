-- Shopping: per-family categories, lists and their items.
--
-- What a DBA needs to know:
--   * Every row carries family_id. Items reference their list through the
--     pair (family_id, list_id), and their category through
--     (family_id, category_id), so no row, however written, can point into
--     another family.
--   * shopping_lists and shopping_items have event triggers (channel
--     familyhub_shopping): any INSERT/UPDATE/DELETE, from the API or from
--     psql, reaches every device of the family. Item events carry list_id.
--     Deleting a list cascades to its items: one event per item plus one for
--     the list. Categories have no events (clients refetch them rarely).
--   * updated_at is touched only when a column actually changes (see
--     familyhub_touch_updated_at), so an UPDATE that changes nothing
--     produces no event.
--   * Every family gets the default categories from an AFTER INSERT trigger
--     on families (also when the family is created from psql); the migration
--     backfills families that existed before it.

-- +goose Up

-- Categories group items the way a shop is laid out; position is that order.
-- Names are unique per family, case-insensitively (the API matches them
-- case-insensitively and returns them as stored).
CREATE TABLE shopping_categories (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100 AND name = btrim(name)),
    position   integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Target of the items' composite foreign key.
    UNIQUE (family_id, id)
);
CREATE UNIQUE INDEX shopping_categories_family_name_key ON shopping_categories (family_id, lower(name));
CREATE TRIGGER shopping_categories_touch BEFORE UPDATE ON shopping_categories
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();

-- familyhub_shopping_categories_seed(family) gives a family the default
-- categories it does not have yet (by name), in store-walk order. Safe to
-- run again.
-- +goose StatementBegin
CREATE FUNCTION familyhub_shopping_categories_seed(family uuid) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO shopping_categories (family_id, name, position)
    SELECT family, d.name, d.ord::integer
    FROM unnest(ARRAY[
        'produce', 'bakery', 'dairy', 'meat & fish', 'frozen', 'pantry', 'snacks',
        'drinks', 'household', 'personal care', 'baby', 'pets', 'other'
    ]) WITH ORDINALITY AS d (name, ord)
    ON CONFLICT (family_id, lower(name)) DO NOTHING;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION familyhub_shopping_categories_init() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM familyhub_shopping_categories_seed(NEW.id);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER families_shopping_categories_init AFTER INSERT ON families
    FOR EACH ROW EXECUTE FUNCTION familyhub_shopping_categories_init();

SELECT familyhub_shopping_categories_seed(id) FROM families;

CREATE TABLE shopping_lists (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Target of the items' composite foreign key.
    UNIQUE (family_id, id)
);
-- Lists are read per family in creation order.
CREATE INDEX shopping_lists_family_id_idx ON shopping_lists (family_id, created_at);
CREATE TRIGGER shopping_lists_touch BEFORE UPDATE ON shopping_lists
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
CREATE TRIGGER shopping_lists_event AFTER INSERT OR UPDATE OR DELETE ON shopping_lists
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('SHOPPING_LIST_UPDATED', 'familyhub_shopping');

-- Items. Display order is (position, created_at, id); a new item gets its
-- list's max(position) + 1. Positions are not unique: two items added at the
-- same moment may share one and then sort by created_at.
--
-- category_source says who filed the item:
--   NULL   nobody yet: the auto-categoriser may file it;
--   'auto' the auto-categoriser did (a later job; it may refile it);
--   'user' a person chose the category, or chose none (category_id NULL):
--          jobs leave it alone and may learn from it.
-- Deleting a category sets its items' category_id to NULL and keeps the
-- source: an 'auto' item without a category counts as unfiled again, a
-- 'user' one stays deliberately uncategorised.
--
-- checked_at/checked_by say when and by whom an item was ticked off; both
-- are cleared when it is unticked.
CREATE TABLE shopping_items (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id       uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    list_id         uuid NOT NULL,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    -- Free text: "2 l", "a handful", "300 g".
    quantity        text CHECK (char_length(quantity) BETWEEN 1 AND 50),
    note            text CHECK (char_length(note) BETWEEN 1 AND 500),
    category_id     uuid,
    category_source text CHECK (category_source IN ('user', 'auto')),
    checked         boolean NOT NULL DEFAULT false,
    checked_at      timestamptz,
    checked_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    position        integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (checked = (checked_at IS NOT NULL)),
    CHECK (checked OR checked_by IS NULL),
    FOREIGN KEY (family_id, list_id) REFERENCES shopping_lists (family_id, id) ON DELETE CASCADE,
    FOREIGN KEY (family_id, category_id) REFERENCES shopping_categories (family_id, id)
        ON DELETE SET NULL (category_id)
);
CREATE INDEX shopping_items_family_id_idx ON shopping_items (family_id);
CREATE INDEX shopping_items_list_id_idx ON shopping_items (list_id, position, created_at);
CREATE INDEX shopping_items_category_id_idx ON shopping_items (category_id) WHERE category_id IS NOT NULL;
CREATE INDEX shopping_items_checked_by_idx ON shopping_items (checked_by) WHERE checked_by IS NOT NULL;
CREATE TRIGGER shopping_items_touch BEFORE UPDATE ON shopping_items
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
CREATE TRIGGER shopping_items_event AFTER INSERT OR UPDATE OR DELETE ON shopping_items
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('SHOPPING_ITEM_UPDATED', 'familyhub_shopping', 'list_id');

-- Items with their category's name, as the API shows them.
CREATE VIEW shopping_items_view AS
SELECT i.*, c.name AS category
FROM shopping_items i
LEFT JOIN shopping_categories c ON c.id = i.category_id;

-- +goose Down
DROP VIEW shopping_items_view;
DROP TABLE shopping_items;
DROP TABLE shopping_lists;
DROP TRIGGER families_shopping_categories_init ON families;
DROP FUNCTION familyhub_shopping_categories_init();
DROP FUNCTION familyhub_shopping_categories_seed(uuid);
DROP TABLE shopping_categories;
