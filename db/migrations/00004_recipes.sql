-- Recipes: the family's cookbook.
--
-- What a DBA needs to know:
--   * Ingredients, steps and tags live in the recipe row (jsonb, text[],
--     text[]), so every change to a recipe is one row and one event
--     (RECIPE_UPDATED on channel familyhub_recipes), whatever it touches.
--   * ingredients is a JSON array of objects
--       {"name": "flour", "quantity": 300, "unit": "g"}
--     where quantity is a number > 0 or null and unit a string or null. The
--     API writes exactly this shape; the CHECKs below keep psql edits close
--     to it (lengths of the strings inside are checked by the API only).
--   * tags are stored trimmed and lower-cased, without duplicates.
--   * updated_at is touched only when a column actually changes, so an
--     UPDATE that changes nothing produces no event.

-- +goose Up
CREATE TABLE recipes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id   uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    servings    integer NOT NULL CHECK (servings BETWEEN 1 AND 100),
    ingredients jsonb NOT NULL DEFAULT '[]' CHECK (
        jsonb_typeof(ingredients) = 'array'
        AND jsonb_array_length(ingredients) <= 100
        AND NOT jsonb_path_exists(ingredients,
            '$[*] ? (@.type() != "object" || !(@.name.type() == "string")
                     || (exists(@.quantity) && @.quantity.type() != "null"
                         && !(@.quantity.type() == "number" && @.quantity > 0))
                     || (exists(@.unit) && @.unit.type() != "null" && @.unit.type() != "string"))')
    ),
    steps       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(steps) <= 100 AND array_position(steps, NULL) IS NULL),
    tags        text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20 AND array_position(tags, NULL) IS NULL),
    source_url  text CHECK (char_length(source_url) <= 2000 AND source_url ~* '^https?://[^[:space:]]+$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recipes_family_id_idx ON recipes (family_id);
CREATE TRIGGER recipes_touch BEFORE UPDATE ON recipes
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();
CREATE TRIGGER recipes_event AFTER INSERT OR UPDATE OR DELETE ON recipes
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('RECIPE_UPDATED', 'familyhub_recipes');

-- +goose Down
DROP TABLE recipes;
