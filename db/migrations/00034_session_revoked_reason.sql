-- Why a session was revoked, when it says more than "signed out": 'removed'
-- when its member left or was removed from the family (db endAccess). A
-- device that was offline at the time learns it on its next request with
-- that session (401 removed_from_family, not unauthorized) for as long as
-- the revoked row is kept (jobs prune it). NULL for every other end:
-- logout, signing out other devices, a password change, a refresh's
-- rotation, expiry. A nullable column without a default: nothing is
-- rewritten, the lock is brief.

-- +goose Up
ALTER TABLE sessions ADD COLUMN revoked_reason text
    CHECK (revoked_reason IS NULL OR revoked_reason = 'removed');

-- +goose Down
ALTER TABLE sessions DROP COLUMN revoked_reason;
