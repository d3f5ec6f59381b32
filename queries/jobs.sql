-- Queries of the background jobs (jobs/, docs/jobs.md). Jobs write through
-- the domain tables, so their changes produce the usual events.

-- Daily task generator.

-- JobFamilyList lists every family with its zone and how far its task
-- instances were generated.
-- name: JobFamilyList :many
SELECT f.id, f.time_zone, g.generated_through
FROM families f
LEFT JOIN task_generator_state g ON g.family_id = f.id
ORDER BY f.id;

-- name: TaskGeneratorStateInit :exec
INSERT INTO task_generator_state (family_id) VALUES (@family_id)
ON CONFLICT (family_id) DO NOTHING;

-- TaskGeneratorStateLock locks the family's generator row: generators for
-- one family (periodic job, `familyhub jobs run`) take turns.
-- name: TaskGeneratorStateLock :one
SELECT generated_through FROM task_generator_state
WHERE family_id = @family_id
FOR UPDATE;

-- name: TaskGeneratorStateSet :exec
UPDATE task_generator_state
SET generated_through = greatest(generated_through, @generated_through::date), updated_at = now()
WHERE family_id = @family_id;

-- TaskRotationSet sets (or with NULL clears) the members a recurring
-- template rotates between. Only templates have a rotation.
-- name: TaskRotationSet :one
UPDATE tasks SET rotation = sqlc.narg('rotation')::uuid[]
WHERE id = @id AND family_id = @family_id AND recurrence IS NOT NULL
RETURNING *;

-- TaskRotationMembersCount counts how many of ids are members of the family.
-- name: TaskRotationMembersCount :one
SELECT count(*) FROM memberships
WHERE family_id = @family_id AND user_id = ANY (@ids::uuid[]);

-- Auto-categoriser.

-- ShoppingListLockForCategorise locks a list for one reshuffle, so that two
-- categorisers of the same list take turns and the second finds nothing left.
-- FOR NO KEY UPDATE: an item added or moved onto the list meanwhile (which
-- key-share locks it) need not wait, and a move holding one of its items
-- cannot deadlock with the reshuffle.
-- name: ShoppingListLockForCategorise :one
SELECT id, family_id FROM shopping_lists
WHERE id = @id
FOR NO KEY UPDATE;

-- ShoppingItemsToCategorise returns a list's items the categoriser may file:
-- those without a category that no person filed, plus the named ones (just
-- renamed) unless a person chose their category. learned_category_id is the
-- family's own choice for the same name, if any.
-- name: ShoppingItemsToCategorise :many
SELECT i.id, i.name, i.category_id, i.category_source, m.category_id AS learned_category_id
FROM shopping_items i
LEFT JOIN shopping_category_memory m
       ON m.family_id = i.family_id AND m.name_key = familyhub_shopping_name_key(i.name)
WHERE i.list_id = @list_id
  AND i.category_source IS DISTINCT FROM 'user'
  AND (i.category_id IS NULL OR i.id = ANY (@renamed_ids::uuid[]))
ORDER BY i.position, i.created_at, i.id;

-- ShoppingCategoryListForName returns the family's categories, each saying
-- whether it is the family's own choice for an item of this name (what
-- ShoppingItemsToCategorise calls learned_category_id): all the categoriser
-- needs to file a new item in its insert's own transaction.
-- name: ShoppingCategoryListForName :many
SELECT c.id, c.name, (m.category_id IS NOT NULL)::boolean AS learned
FROM shopping_categories c
LEFT JOIN shopping_category_memory m
       ON m.family_id = c.family_id AND m.category_id = c.id AND m.name_key = familyhub_shopping_name_key(@name)
WHERE c.family_id = @family_id;

-- ShoppingItemFileAuto files an item for the categoriser; never over a
-- person's choice (also one made since the item was read).
-- name: ShoppingItemFileAuto :execrows
UPDATE shopping_items
SET category_id = @category_id, category_source = 'auto'
WHERE id = @id AND family_id = @family_id AND category_source IS DISTINCT FROM 'user';

-- ShoppingListTouchCategorised marks a reshuffle: one SHOPPING_LIST_UPDATED.
-- name: ShoppingListTouchCategorised :exec
UPDATE shopping_lists SET categorised_at = now() WHERE id = @id;

-- ShoppingItemListIDs returns the lists holding the items.
-- name: ShoppingItemListIDs :many
SELECT DISTINCT list_id FROM shopping_items
WHERE family_id = @family_id AND id = ANY (@ids::uuid[]);

-- ShoppingListsWithUnfiled returns lists with unfiled items written since
-- (the sweep: items inserted from psql, or whose job was lost).
-- name: ShoppingListsWithUnfiled :many
SELECT DISTINCT list_id FROM shopping_items
WHERE category_id IS NULL AND category_source IS DISTINCT FROM 'user'
  AND updated_at > @since::timestamptz;

-- ShoppingClassifierClaim claims asking the external model about each
-- (item_ids[i], names[i]) until lease_seconds from now, and returns the
-- items it claimed: those without an unexpired claim of another worker.
-- Rows are taken in key order, so two workers claiming overlapping sets wait
-- for each other rather than deadlock.
-- name: ShoppingClassifierClaim :many
INSERT INTO shopping_classifier_claims AS c (item_id, name, claimed_by, claimed_until)
SELECT DISTINCT q.item_id, q.name, @claimed_by::uuid, now() + make_interval(secs => @lease_seconds::float8)
FROM (SELECT unnest(@item_ids::uuid[]) AS item_id, unnest(@names::text[]) AS name) AS q
ORDER BY q.item_id, q.name
ON CONFLICT (item_id, name) DO UPDATE
SET claimed_by = excluded.claimed_by, claimed_until = excluded.claimed_until
WHERE c.claimed_until < now()
RETURNING c.item_id, c.name;

-- ShoppingClassifierRelease deletes one worker's claims (its question was
-- answered and filed, or failed).
-- name: ShoppingClassifierRelease :exec
DELETE FROM shopping_classifier_claims
WHERE item_id = ANY (@item_ids::uuid[]) AND claimed_by = @claimed_by;

-- Pruning.

-- PruneFamilyList lists every family for the prune of event_log. A deleted
-- family's events go with it (families_forget_log, 00024), so no family
-- with events is missing here.
-- name: PruneFamilyList :many
SELECT id FROM families ORDER BY id;

-- EventLogPruneBounds is the family's lowest seq and its prune boundary:
-- the first seq with at >= before (an index scan of the primary key from
-- the family's lowest seq: it reads the expired events plus one), or, when
-- every event expired, one past the last. A family's times follow its seqs
-- (each event's at is taken after the family's counter is locked:
-- 00027 for direct events, 00037 for staged ones), so every event below the
-- boundary is expired. Both 0 when the family has no events.
-- name: EventLogPruneBounds :one
SELECT coalesce((SELECT l.seq FROM event_log l WHERE l.family_id = @family_id::uuid ORDER BY l.seq LIMIT 1), 0)::bigint AS lowest,
       coalesce((SELECT b.seq FROM event_log b WHERE b.family_id = @family_id::uuid AND b.at >= @before::timestamptz ORDER BY b.seq LIMIT 1),
                (SELECT h.seq + 1 FROM event_log h WHERE h.family_id = @family_id::uuid ORDER BY h.seq DESC LIMIT 1), 0)::bigint AS boundary;

-- EventLogPruneRange deletes the family's expired events with seqs from
-- from_seq to to_seq - 1 (a range of the primary key); the prune job calls
-- it lowest range first, each in its own short transaction, so the
-- family's log never has a gap. at < before only guards: below the
-- boundary every event is older.
-- name: EventLogPruneRange :execrows
DELETE FROM event_log
WHERE family_id = @family_id AND seq >= @from_seq::bigint AND seq < @to_seq::bigint
  AND at < @before::timestamptz;

-- SessionPrune deletes sessions that expired or were revoked before.
-- name: SessionPrune :execrows
DELETE FROM sessions
WHERE expires_at < @before::timestamptz OR revoked_at < @before::timestamptz;

-- InvitePrune deletes invites used or expired before @before. Nothing
-- points at an invite (the member it made keeps no link to it); a revoked
-- invite is deleted at once (InviteDelete). Each delete is announced as a
-- FAMILY_UPDATED event (invites_event), as a revocation is.
-- name: InvitePrune :execrows
DELETE FROM invites WHERE used_at < @before::timestamptz OR expires_at < @before::timestamptz;

-- ICalFeedPrune deletes feeds revoked before @before that no app asked for
-- since then (a revoked feed's URL answers 410 and notes the ask in
-- last_used_at, db.Store.ICalFeedByToken). Nothing points at a feed.
-- name: ICalFeedPrune :execrows
DELETE FROM ical_feeds
WHERE revoked_at < @before::timestamptz AND (last_used_at IS NULL OR last_used_at < @before::timestamptz);

-- ChildDeviceRevokedKeyPrune deletes the key hashes of child devices
-- revoked before @before (00048). Nothing points at them.
-- name: ChildDeviceRevokedKeyPrune :execrows
DELETE FROM child_device_revoked_keys WHERE revoked_at < @before::timestamptz;

-- ShoppingClassifierClaimPrune deletes expired claims (of workers that died
-- before releasing them).
-- name: ShoppingClassifierClaimPrune :execrows
DELETE FROM shopping_classifier_claims WHERE claimed_until < now();
