-- Idempotent creates (db/migrations/00014_versions.sql): a create with a
-- client-chosen id claims it first; a repeat finds the claim.

-- ClientCreateClaim claims id for a create; no row comes back when it was
-- claimed before (by this family or another). result_ids is what the
-- create is expected to make (the record's own id), so that the usual
-- create needs no ClientCreateSetResult: nobody sees the claim before the
-- transaction commits, and by then it holds what was made.
-- name: ClientCreateClaim :one
INSERT INTO client_creates (id, family_id, kind, request_hash, result_ids)
VALUES (@id, @family_id, @kind, @request_hash, @result_ids)
ON CONFLICT (id) DO NOTHING
RETURNING id;

-- name: ClientCreateGet :one
SELECT * FROM client_creates WHERE id = @id;

-- ClientCreateSetResult records what a create made, when it is not what
-- the claim expected (a recipe's add-to-list).
-- name: ClientCreateSetResult :exec
UPDATE client_creates SET result_ids = @result_ids WHERE id = @id;

-- name: ClientCreatePrune :execrows
DELETE FROM client_creates WHERE created_at < @before;
