-- Claims on the shopping classifier's questions (jobs/categorise.go,
-- docs/jobs.md "Asking the model once"). The categorise job asks the
-- optional external model about the names of unfiled items outside any
-- transaction: no lock is held over the slow network call. So an item's own
-- job and the sweep (or a retry, a hand run, a rescued job) could both ask
-- about the same item at once, and each question is a paid call. Before
-- asking, a worker claims (item, name) here for a lease; a worker that finds
-- an unexpired claim of someone else does not ask and leaves the item to the
-- holder. The holder deletes its claims once it has filed the items (or the
-- model failed); a claim of a worker that died expires after its lease and
-- the prune job deletes it.
--
-- Not a domain table: no family_id, no triggers, no events, and nothing
-- points here or from here (no foreign key), so adding, renaming or
-- deleting an item costs nothing more. A row lives while one question is in
-- flight (the lease: 2 minutes, or the classifier's timeout plus a minute).
-- The name is part of the key: an item renamed while the model is asked
-- about its old name is a new question.
--
-- A DBA may read it (what the model is being asked right now) and may
-- empty it at any time: the worst outcome is one question asked twice.

-- +goose Up
CREATE TABLE shopping_classifier_claims (
    item_id       uuid        NOT NULL, -- shopping_items.id
    name          text        NOT NULL, -- the item's name as asked about
    claimed_by    uuid        NOT NULL, -- one worker's run (a random id per claim)
    claimed_until timestamptz NOT NULL, -- the lease; an expired claim counts as none
    PRIMARY KEY (item_id, name)
);
COMMENT ON TABLE shopping_classifier_claims IS
    'Shopping items the categorise job is asking the external model about (00031): one question per item at a time. Not a domain table: no events. Expired rows are deleted by prune-events.';

-- +goose Down
DROP TABLE shopping_classifier_claims;
