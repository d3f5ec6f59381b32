-- Revoked children's devices are told so (docs/api/family.md "Children's
-- PIN sign-in"). Revoking a device deleted its child_devices row, so its key
-- was afterwards unknown, like a guessed one: a revoked tablet that kept its
-- key (it sends it at every opening of the PIN page and every PIN try) was
-- counted against its address's limit of wrong device keys
-- (db.MaxDeviceKeyFailuresPerAddr: 10 in 15 minutes) and soon locked every
-- children's device on the same home network out for 15 minutes.
--
-- child_device_revoked_keys keeps the key hash of each revoked device:
-- such a key answers 401 device_revoked, which is not counted (the key is a
-- random secret that was valid once: it tells nothing about other keys),
-- and the app forgets it. Revoking still deletes the child_devices row (in
-- one statement with the insert here, queries/accounts.sql
-- ChildDeviceRevoke), so nothing that reads child_devices changes: the
-- device's FAMILY_UPDATED "delete" event (child_devices_event, 00017), the
-- sessions made on it (revoked first, then child_device_id set to NULL)
-- and the family's device count and list are as before. Nothing points at
-- a row here; jobs delete rows older than 90 days (prune-events): a key
-- revoked longer ago is unknown again, counted once, and then forgotten by
-- the app.
--
-- Replicas of the previous version may keep running: they revoke by DELETE
-- and never read this table (a key they revoke is unknown, as before).

-- +goose Up
CREATE TABLE child_device_revoked_keys (
    token_hash bytea PRIMARY KEY,
    revoked_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
-- Only after every replica runs a version before 00048 (docs/operations.md,
-- "Rolling back"): without this table, a newer replica answers 500 to every
-- PIN sign-in.
DROP TABLE child_device_revoked_keys;
