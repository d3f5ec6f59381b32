-- Shopping categories, lists and items. Every query is scoped to a family:
-- another family's id finds nothing, exactly like a missing one.

-- name: ShoppingCategoryList :many
SELECT * FROM shopping_categories
WHERE family_id = @family_id
ORDER BY position, lower(name), id;

-- ShoppingCategoryGetByName matches the name case-insensitively, as the
-- unique index does.
-- name: ShoppingCategoryGetByName :one
SELECT * FROM shopping_categories
WHERE family_id = @family_id AND lower(name) = lower(@name);

-- name: ShoppingListList :many
SELECT * FROM shopping_lists
WHERE family_id = @family_id
ORDER BY created_at, id;

-- name: ShoppingListGet :one
SELECT * FROM shopping_lists
WHERE id = @id AND family_id = @family_id;

-- ShoppingListInsert creates a list; id is the client's or, when null, a new one.
-- name: ShoppingListInsert :one
INSERT INTO shopping_lists (id, family_id, name)
VALUES (coalesce(sqlc.narg('id')::uuid, gen_random_uuid()), @family_id, @name)
RETURNING *;

-- ShoppingListUpdate changes a list; with if_version only when the list
-- still has that version (no row otherwise: missing, or changed since).
-- name: ShoppingListUpdate :one
UPDATE shopping_lists
SET name = coalesce(sqlc.narg('name'), name)
WHERE id = @id AND family_id = @family_id
  AND (sqlc.narg('if_version')::bigint IS NULL OR version = sqlc.narg('if_version'))
RETURNING *;

-- ShoppingListLock locks a list of the family for its delete, the list's
-- row before its items (ShoppingListItemsLock, a statement of its own);
-- no row (0): no such list.
-- name: ShoppingListLock :execrows
SELECT id FROM shopping_lists WHERE id = @list_id AND family_id = @family_id FOR UPDATE;

-- ShoppingListItemsLock locks a list's items in the order of their ids, as
-- every writer of several items locks them (docs/architecture.md), after
-- ShoppingListLock: the delete's cascade alone locked them in the order it
-- found them, and met a tick of two the other way round (40P01). A
-- statement of its own, begun once the list is held: one statement that
-- waited for the list's row did not see the items put onto the list
-- meanwhile (its snapshot was older), and the cascade locked those after
-- the others.
-- name: ShoppingListItemsLock :exec
SELECT id FROM shopping_items
WHERE list_id = @list_id AND family_id = @family_id
ORDER BY id FOR UPDATE;

-- ShoppingListKeyShare key-share-locks a list of the family, as the
-- foreign key of an item put onto it does, but first: a writer that puts
-- items onto a list takes it before the items (the lock order, docs/
-- architecture.md), so a delete of the list, which locks the list and then
-- its items, waits for it or it for the delete. No row (0): no such list.
-- name: ShoppingListKeyShare :execrows
SELECT id FROM shopping_lists WHERE id = @list_id AND family_id = @family_id FOR KEY SHARE;

-- ShoppingItemsLock locks the family's items of @ids in the order of their
-- ids, the one order every writer of several items takes their locks in
-- (docs/architecture.md), so that two of them wait for each other rather
-- than deadlock.
-- name: ShoppingItemsLock :exec
SELECT id FROM shopping_items
WHERE family_id = @family_id AND id = ANY (@ids::uuid[])
ORDER BY id FOR UPDATE;

-- name: ShoppingListDelete :execrows
DELETE FROM shopping_lists
WHERE id = @id AND family_id = @family_id
  AND (sqlc.narg('if_version')::bigint IS NULL OR version = sqlc.narg('if_version'));

-- ShoppingListPutLock serialises the merging adds to one list (db.Tx.
-- ShoppingItemsForPut) until the transaction ends: each reads the list
-- and then adds to a line or inserts one, so two at once would both add
-- "2" to "eggs 6" (one amount lost) or both insert "milk" (two lines).
-- Plain adds and ticks do not take it. A list id of another family, or
-- none, takes no lock and returns no row (0).
-- The list's row is key-share-locked first, before the put lock and any
-- item (the lock order, docs/architecture.md: a list before its items):
-- the line the add inserts takes that lock anyway (its foreign key), and
-- taken only then, after a line kept (share-locked) or written, it met a
-- list delete that held the list and waited for that line (40P01, the
-- delete's 500). Now the add waits for a delete in progress and then
-- finds the list gone: no row (0), not found; a delete waits for the add.
-- name: ShoppingListPutLock :execrows
WITH l AS MATERIALIZED (
    SELECT s.id FROM shopping_lists s WHERE s.id = @list_id AND s.family_id = @family_id FOR KEY SHARE
)
SELECT pg_advisory_xact_lock(hashtextextended('familyhub.shopping-put:' || l.id::text, 0)) FROM l;

-- ShoppingListLastActive is the family's list with the most recent
-- activity: the list made or renamed, an item on it added, changed or
-- ticked (an item deleted leaves no trace); on a tie the list made first
-- (ShoppingListList's order). One statement, not one read of every
-- list's items.
-- name: ShoppingListLastActive :one
SELECT l.id FROM shopping_lists l
WHERE l.family_id = @family_id
ORDER BY GREATEST(l.updated_at, (SELECT max(i.updated_at) FROM shopping_items i
                                 WHERE i.list_id = l.id AND i.family_id = l.family_id)) DESC,
         l.created_at, l.id
LIMIT 1;

-- name: ShoppingItemListByList :many
SELECT * FROM shopping_items_view
WHERE list_id = @list_id AND family_id = @family_id
ORDER BY position, created_at, id;

-- name: ShoppingItemGet :one
SELECT * FROM shopping_items_view
WHERE id = @id AND family_id = @family_id;

-- ShoppingItemVersionForShare is a line's version, the line share-locked
-- until the transaction ends: a merging add that keeps a line as it is
-- (ShoppingItemPut) checks that the line is still as it read it, and no
-- tick or edit lands between that check and the command's end. No row: the
-- line is gone.
-- name: ShoppingItemVersionForShare :one
SELECT version FROM shopping_items
WHERE id = @id AND family_id = @family_id
FOR SHARE;

-- ShoppingListCount counts the family's lists.
-- name: ShoppingListCount :one
SELECT count(*)::int FROM shopping_lists WHERE family_id = @family_id;

-- ShoppingItemCountList counts a list's items, up to @most (the limit:
-- it never reads more index entries than that).
-- name: ShoppingItemCountList :one
SELECT count(*)::int FROM (
    SELECT FROM shopping_items WHERE list_id = @list_id AND family_id = @family_id LIMIT @most::int
) i;

-- Room on a list (familyhub.MaxShoppingItemsPerList, db/limits.go says
-- why so): an add inserts by itself only while the list is well below the
-- limit, proved without counting: appended positions count up, so a list
-- whose top and bottom positions (two index lookups; the top is read
-- anyway, for the new item's) span fewer than @room_below (the limit less
-- a margin) holds fewer items, unless moves made positions repeat. A list
-- used for years has high positions but a small span: its bought items
-- are cleared from the bottom. Past that span (an item left on the list
-- for thousands of adds) the list's items are counted, at most @room_below
-- of them. Otherwise the add writes nothing and returns no row, and the
-- caller counts exactly under the list's limit lock
-- (Tx.shoppingItemInsert); @room_checked says it did.

-- ShoppingItemInsert appends an item to a list of the family (position =
-- the list's max + 1) and returns it: the caller knows the category's name
-- (it chose the category), so no re-read of shopping_items_view. No row
-- comes back when the list is not the family's: the insert is the proof
-- that the list exists; nor when the list may have no room (above).
-- name: ShoppingItemInsert :one
WITH list AS (
    SELECT l.id, l.family_id, t.top
    FROM shopping_lists l
    CROSS JOIN LATERAL (SELECT max(i.position) AS top, min(i.position) AS bottom FROM shopping_items i WHERE i.list_id = l.id) t
    WHERE l.id = @list_id AND l.family_id = @family_id
      AND CASE
          WHEN @room_checked::boolean OR coalesce(t.top - t.bottom + 1, 0) < @room_below::int THEN true
          ELSE familyhub_shopping_list_below(l.id, @room_below::int)
      END
)
INSERT INTO shopping_items (id, family_id, list_id, name, quantity, note, category_id, category_source, position)
SELECT coalesce(sqlc.narg('id')::uuid, gen_random_uuid()), list.family_id, list.id, @name, sqlc.narg('quantity'), sqlc.narg('note'),
       sqlc.narg('category_id'), sqlc.narg('category_source'), coalesce(list.top + 1, 0)
FROM list
RETURNING *;

-- ShoppingItemAddOne is an add as one statement, for a transaction of its
-- own sent in one round trip (Store.ShoppingItemAdd): it claims the
-- client's id (when there is one), files the item as the auto-categoriser
-- would without a model (the family's own choice for the name, else the
-- dictionary's category, else the fallback; @auto false: neither) and
-- inserts it, returning it with its category's name. It writes nothing
-- and returns no row when the list is not the family's or the id was
-- claimed before: the claim needs the list, the insert needs the claim.
-- Nor when the list may have no room (room, as ShoppingItemInsert).
-- The caller then asks Tx.ShoppingItemAdd, which tells those apart.
-- The insert is the statement itself, not a fourth CTE read by a join
-- with cat: PostgreSQL set up that join, its two CTE scans and their
-- projections for every add, 21,800 instructions (docs/benchmarks.md,
-- seventeenth round). The category's name comes from cat in RETURNING,
-- '' for none (a name has 1-100 characters; sqlc cannot see that the
-- subquery may be NULL, so the caller turns '' into nil).
-- name: ShoppingItemAddOne :one
WITH list AS (
    SELECT l.id, l.family_id, t.top
    FROM shopping_lists l
    CROSS JOIN LATERAL (SELECT max(i.position) AS top, min(i.position) AS bottom FROM shopping_items i WHERE i.list_id = l.id) t
    WHERE l.id = @list_id AND l.family_id = @family_id
      AND CASE
          WHEN coalesce(t.top - t.bottom + 1, 0) < @room_below::int THEN true
          ELSE familyhub_shopping_list_below(l.id, @room_below::int)
      END
), claim AS (
    INSERT INTO client_creates (id, family_id, kind, request_hash, result_ids)
    SELECT sqlc.narg('id')::uuid, list.family_id, 'shopping-item', @request_hash::bytea, ARRAY[sqlc.narg('id')::uuid]
    FROM list
    WHERE sqlc.narg('id')::uuid IS NOT NULL
    ON CONFLICT (id) DO NOTHING
    RETURNING id
), cat AS (
    -- One index lookup each, in order, until one finds a category: the
    -- family's own choice (its category is the family's: a foreign key),
    -- the dictionary's, the fallback. The join of all the family's
    -- categories with its choices that this replaces cost PostgreSQL
    -- 57,000 more instructions per add (docs/benchmarks-history-3.md, twelfth round).
    SELECT c.id, c.name
    FROM shopping_categories c
    WHERE @auto::boolean AND c.family_id = @family_id AND c.id = coalesce(
        (SELECT m.category_id FROM shopping_category_memory m
         WHERE m.family_id = @family_id AND m.name_key = familyhub_shopping_name_key(@name)),
        (SELECT d.id FROM shopping_categories d WHERE d.family_id = @family_id AND lower(d.name) = @dictionary::text),
        (SELECT d.id FROM shopping_categories d WHERE d.family_id = @family_id AND lower(d.name) = @fallback::text))
)
INSERT INTO shopping_items (id, family_id, list_id, name, quantity, note, category_id, category_source, position)
SELECT coalesce(sqlc.narg('id')::uuid, gen_random_uuid()), list.family_id, list.id, @name, sqlc.narg('quantity'), sqlc.narg('note'),
       cat.id, coalesce(sqlc.narg('category_source')::text, CASE WHEN cat.id IS NOT NULL THEN 'auto' END),
       coalesce(list.top + 1, 0)
FROM list LEFT JOIN cat ON true
WHERE sqlc.narg('id')::uuid IS NULL OR EXISTS (SELECT FROM claim)
RETURNING *, coalesce((SELECT cat.name FROM cat), '')::text AS category;

-- ShoppingItemUpdate changes the fields whose *_set flag is true (name,
-- checked and position when not null). Setting the category marks it as
-- chosen by a person. Otherwise auto_category_id (what the auto-categoriser
-- decided for a new name) files the item as 'auto', unless a person chose
-- its category: the categoriser never overrides that, also not one made
-- since the caller decided. Ticking records when and by whom; unticking
-- clears both; ticking a ticked item changes nothing. It returns the item
-- as shopping_items_view shows it (with its category's name), so that a
-- tick is one statement, not an update and a re-read.
-- name: ShoppingItemUpdate :one
WITH upd AS (
UPDATE shopping_items
SET name = coalesce(sqlc.narg('name')::text, name),
    quantity = CASE WHEN @quantity_set::boolean THEN sqlc.narg('quantity')::text ELSE quantity END,
    note = CASE WHEN @note_set::boolean THEN sqlc.narg('note')::text ELSE note END,
    category_id = CASE
        WHEN @category_set::boolean THEN sqlc.narg('category_id')::uuid
        WHEN sqlc.narg('auto_category_id')::uuid IS NOT NULL AND category_source IS DISTINCT FROM 'user'
            THEN sqlc.narg('auto_category_id')::uuid
        ELSE category_id
    END,
    category_source = CASE
        WHEN @category_set::boolean THEN 'user'
        WHEN sqlc.narg('auto_category_id')::uuid IS NOT NULL AND category_source IS DISTINCT FROM 'user' THEN 'auto'
        ELSE category_source
    END,
    checked = coalesce(sqlc.narg('checked')::boolean, checked),
    checked_at = CASE
        WHEN sqlc.narg('checked')::boolean IS NULL OR sqlc.narg('checked')::boolean = checked THEN checked_at
        WHEN sqlc.narg('checked')::boolean THEN now()
    END,
    checked_by = CASE
        WHEN sqlc.narg('checked')::boolean IS NULL OR sqlc.narg('checked')::boolean = checked THEN checked_by
        WHEN sqlc.narg('checked')::boolean THEN sqlc.narg('actor')::uuid
    END,
    position = coalesce(sqlc.narg('position')::integer, position)
WHERE shopping_items.id = @id AND shopping_items.family_id = @family_id
  AND (sqlc.narg('if_version')::bigint IS NULL OR shopping_items.version = sqlc.narg('if_version'))
RETURNING *
)
SELECT upd.*, c.name AS category
FROM upd
LEFT JOIN shopping_categories c ON c.family_id = upd.family_id AND c.id = upd.category_id;

-- ShoppingItemTick is ShoppingItemUpdate for a patch that only ticks or
-- unticks (Store.ShoppingItemUpdate), with the same answer and the same
-- row written. It sets only the columns a tick changes, so PostgreSQL
-- does not consider shopping_items_learn_update (AFTER UPDATE OF
-- category_id, category_source): ShoppingItemUpdate sets every column,
-- and the trigger's WHEN was parsed and evaluated for every tick, with
-- the wider projection 110,000 instructions more per tick
-- (docs/benchmarks-history-3.md, twelfth round).
-- name: ShoppingItemTick :one
WITH upd AS (
UPDATE shopping_items
SET checked = @checked::boolean,
    checked_at = CASE WHEN @checked::boolean = checked THEN checked_at WHEN @checked::boolean THEN now() END,
    checked_by = CASE WHEN @checked::boolean = checked THEN checked_by WHEN @checked::boolean THEN sqlc.narg('actor')::uuid END
WHERE shopping_items.id = @id AND shopping_items.family_id = @family_id
  AND (sqlc.narg('if_version')::bigint IS NULL OR shopping_items.version = sqlc.narg('if_version'))
RETURNING *
)
SELECT upd.*, c.name AS category
FROM upd
LEFT JOIN shopping_categories c ON c.family_id = upd.family_id AND c.id = upd.category_id;

-- ShoppingItemEdit is ShoppingItemUpdate for a patch that neither renames
-- nor names a category (a quantity, a note, a move, a tick with any of
-- them: Store.ShoppingItemUpdate), with the same answer and the same row
-- written. It does not set category_id or category_source, so PostgreSQL
-- does not consider shopping_items_learn_update, whose WHEN it parsed and
-- evaluated for every such patch (docs/benchmarks-history-3.md, thirteenth round).
-- name: ShoppingItemEdit :one
WITH upd AS (
UPDATE shopping_items
SET quantity = CASE WHEN @quantity_set::boolean THEN sqlc.narg('quantity')::text ELSE quantity END,
    note = CASE WHEN @note_set::boolean THEN sqlc.narg('note')::text ELSE note END,
    checked = coalesce(sqlc.narg('checked')::boolean, checked),
    checked_at = CASE
        WHEN sqlc.narg('checked')::boolean IS NULL OR sqlc.narg('checked')::boolean = checked THEN checked_at
        WHEN sqlc.narg('checked')::boolean THEN now()
    END,
    checked_by = CASE
        WHEN sqlc.narg('checked')::boolean IS NULL OR sqlc.narg('checked')::boolean = checked THEN checked_by
        WHEN sqlc.narg('checked')::boolean THEN sqlc.narg('actor')::uuid
    END,
    position = coalesce(sqlc.narg('position')::integer, position)
WHERE shopping_items.id = @id AND shopping_items.family_id = @family_id
  AND (sqlc.narg('if_version')::bigint IS NULL OR shopping_items.version = sqlc.narg('if_version'))
RETURNING *
)
SELECT upd.*, c.name AS category
FROM upd
LEFT JOIN shopping_categories c ON c.family_id = upd.family_id AND c.id = upd.category_id;

-- name: ShoppingItemDelete :execrows
DELETE FROM shopping_items
WHERE id = @id AND family_id = @family_id
  AND (sqlc.narg('if_version')::bigint IS NULL OR version = sqlc.narg('if_version'));

-- ShoppingItemDeleteChecked deletes a list's ticked items (one event per
-- item, from the trigger) and returns their ids. They are locked in the
-- order of their ids first (ShoppingItemsLock).
-- name: ShoppingItemDeleteChecked :many
DELETE FROM shopping_items
WHERE id IN (SELECT c.id FROM shopping_items c
             WHERE c.list_id = @list_id AND c.family_id = @family_id AND c.checked
             ORDER BY c.id FOR UPDATE)
RETURNING id;
