-- Idempotent creates (db/migrations/00014_versions.sql): a create with a
-- client-chosen id claims it first; a repeat finds the claim.

-- ClientCreateClaim claims id for a create; no row comes back when it was
-- claimed before (by this family or another).
-- name: ClientCreateClaim :one
INSERT INTO client_creates (id, family_id, kind, request_hash)
VALUES (@id, @family_id, @kind, @request_hash)
ON CONFLICT (id) DO NOTHING
RETURNING id;

-- name: ClientCreateGet :one
SELECT * FROM client_creates WHERE id = @id;

-- name: ClientCreateSetResult :exec
UPDATE client_creates SET result_ids = @result_ids WHERE id = @id;

-- name: ClientCreatePrune :execrows
DELETE FROM client_creates WHERE created_at < @before;
