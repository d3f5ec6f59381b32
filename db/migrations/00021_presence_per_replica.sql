-- Device presence (00015, docs/notifications.md "Presence") is no longer
-- rewritten for every event a socket is sent: a replica writes a device's
-- row when a socket opens, when its subscriptions change, every 30 s while
-- one is open, and when the last one closes. Between those writes the row
-- says "live now, listening to these topics", and a list notice counts a
-- device live on the list as having seen it.
--
-- With rows written that rarely, two replicas writing one row would lose
-- each other's state for up to 30 s (a tab on each, or a reconnect from
-- one replica to another: the old replica's "closed" landing after the new
-- one's "open"). So each replica writes its own row per device: the key
-- gains the replica, a random id per process. A device is live when any of
-- its rows is.
--
-- What a DBA needs to know: a replica that stops writes its rows as no
-- longer live; they are deleted a day later by the daily notify-scan.
-- Existing rows (all written before this version) get the nil replica and
-- expire with their live_until.

-- +goose Up
ALTER TABLE notify_device_presence ADD COLUMN replica uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE notify_device_presence ALTER COLUMN replica DROP DEFAULT;
ALTER TABLE notify_device_presence DROP CONSTRAINT notify_device_presence_pkey;
ALTER TABLE notify_device_presence ADD PRIMARY KEY (user_id, device_id, replica);

-- +goose Down
DELETE FROM notify_device_presence p USING notify_device_presence q
WHERE q.user_id = p.user_id AND q.device_id = p.device_id
  AND (q.updated_at, q.replica) > (p.updated_at, p.replica);
ALTER TABLE notify_device_presence DROP CONSTRAINT notify_device_presence_pkey;
ALTER TABLE notify_device_presence DROP COLUMN replica;
ALTER TABLE notify_device_presence ADD PRIMARY KEY (user_id, device_id);
