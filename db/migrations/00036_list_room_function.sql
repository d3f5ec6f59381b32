-- The add's room check without a subplan (issue 20; docs/benchmarks.md,
-- "Thirteenth round"). ShoppingItemAddOne and ShoppingItemInsert count a
-- list's items (at most the limit less a margin) only when its top and
-- bottom positions span too much to prove room without counting, which
-- almost never happens. PostgreSQL still set up that count, a subplan, for
-- every add. A function call is set up for almost nothing and runs only
-- when reached, so the count is this function now; the same answer.
-- Nothing is locked or rewritten; replicas of the previous version keep
-- their own statements.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION familyhub_shopping_list_below(list uuid, n integer) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT count(*) FROM (SELECT FROM shopping_items i WHERE i.list_id = list LIMIT n) c) < n;
END;
$$;
-- +goose StatementEnd
COMMENT ON FUNCTION familyhub_shopping_list_below(uuid, integer) IS
    'Whether a shopping list has fewer than n items (counting at most n): the add''s room check when positions cannot prove it (00036).';

-- +goose Down
DROP FUNCTION familyhub_shopping_list_below(uuid, integer);
