-- The categoriser learns a family's choice for a name (00008) when a
-- person files an item: an INSERT with a category chosen by a person, or
-- an UPDATE that sets the category or marks it as chosen. Before this, the
-- UPDATE trigger fired on every update of an item a person had filed,
-- because the application's update lists category_id in its SET even when
-- it keeps it: every tick of such an item rewrote its memory row, and a
-- rename taught the new name the old name's category (a hand-filed
-- "Bread" renamed to "Shampoo" filed future shampoo under bakery). Now an
-- UPDATE teaches only when the category or who chose it changed, whoever
-- writes it (the API, a job, a DBA in psql).

-- +goose Up
DROP TRIGGER shopping_items_learn ON shopping_items;
CREATE TRIGGER shopping_items_learn
    AFTER INSERT ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user' AND NEW.category_id IS NOT NULL)
    EXECUTE FUNCTION familyhub_shopping_learn();
CREATE TRIGGER shopping_items_learn_update
    AFTER UPDATE OF category_id, category_source ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user' AND NEW.category_id IS NOT NULL
        AND (OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.category_source IS DISTINCT FROM NEW.category_source))
    EXECUTE FUNCTION familyhub_shopping_learn();

-- +goose Down
DROP TRIGGER shopping_items_learn_update ON shopping_items;
DROP TRIGGER shopping_items_learn ON shopping_items;
CREATE TRIGGER shopping_items_learn
    AFTER INSERT OR UPDATE OF category_id, category_source ON shopping_items
    FOR EACH ROW WHEN (NEW.category_source = 'user' AND NEW.category_id IS NOT NULL)
    EXECUTE FUNCTION familyhub_shopping_learn();
