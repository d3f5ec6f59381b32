-- Recipes. Every query is scoped to a family: another family's id finds
-- nothing, exactly like a missing one.

-- name: RecipeList :many
SELECT * FROM recipes
WHERE family_id = @family_id
ORDER BY lower(title), created_at, id;

-- name: RecipeGet :one
SELECT * FROM recipes
WHERE id = @id AND family_id = @family_id;

-- name: RecipeCount :one
SELECT count(*)::int FROM recipes WHERE family_id = @family_id;

-- name: RecipeInsert :one
INSERT INTO recipes (id, family_id, title, servings, ingredients, steps, tags, source_url)
VALUES (coalesce(sqlc.narg('id')::uuid, gen_random_uuid()), @family_id, @title, @servings, @ingredients, @steps, @tags, sqlc.narg('source_url'))
RETURNING *;

-- RecipeUpdate replaces the fields that are not null; source_url only when
-- source_url_set is true (null then clears it).
-- name: RecipeUpdate :one
UPDATE recipes
SET title = coalesce(sqlc.narg('title'), title),
    servings = coalesce(sqlc.narg('servings'), servings),
    ingredients = coalesce(sqlc.narg('ingredients'), ingredients),
    steps = coalesce(sqlc.narg('steps')::text[], steps),
    tags = coalesce(sqlc.narg('tags')::text[], tags),
    source_url = CASE WHEN @source_url_set::boolean THEN sqlc.narg('source_url') ELSE source_url END
WHERE id = @id AND family_id = @family_id
  AND (sqlc.narg('if_version')::bigint IS NULL OR version = sqlc.narg('if_version'))
RETURNING *;

-- name: RecipeDelete :execrows
DELETE FROM recipes
WHERE id = @id AND family_id = @family_id
  AND (sqlc.narg('if_version')::bigint IS NULL OR version = sqlc.narg('if_version'));
