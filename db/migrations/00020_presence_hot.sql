-- Device presence (00015, docs/notifications.md "Presence") is rewritten
-- by every replica once a second for each device that was sent an event:
-- under load, every open device, every second. Such an update changes
-- seen_seq, live_until and updated_at, never the key. Two things kept it
-- from being a HOT update (a new row version on the same page, with no new
-- index entries): the index on updated_at, and full pages. Measured on
-- 2,000 devices per statement (docs/benchmarks.md): 43 ms before, 33 ms
-- after.
--
-- What a DBA needs to know: the index on updated_at is gone. Its one user,
-- the daily prune of rows older than 30 days (notify-scan), now reads the
-- table, which has one small row per device. Pages are filled to half,
-- leaving room for the next version of each row.

-- +goose Up
DROP INDEX notify_device_presence_updated_idx;
ALTER TABLE notify_device_presence SET (fillfactor = 50);

-- +goose Down
ALTER TABLE notify_device_presence RESET (fillfactor);
CREATE INDEX notify_device_presence_updated_idx ON notify_device_presence (updated_at);
