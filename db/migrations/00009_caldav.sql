-- CalDAV: app passwords for calendar apps, and calendar subscriptions
-- (external CalDAV calendars or .ics feeds imported into the family calendar).
--
-- Nothing here emits events of its own: imported events are ordinary
-- calendar_events rows (subscription_id set, read_only true), so the
-- calendar_events trigger announces them as CALENDAR_EVENT_UPDATED like any
-- other change.

-- +goose Up

-- App passwords: a random secret per calendar app, so that the app need not
-- hold the account's password. Only a SHA-256 of the secret is stored (the
-- secret has 120 random bits, so a slow hash adds nothing). Deleting the row
-- revokes it at once on every replica.
CREATE TABLE dav_app_passwords (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    secret_hash  bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Updated at most every few minutes, not on every request.
    last_used_at timestamptz
);
CREATE UNIQUE INDEX dav_app_passwords_secret_hash_key ON dav_app_passwords (secret_hash);
CREATE INDEX dav_app_passwords_user_id_idx ON dav_app_passwords (user_id);

-- Calendar subscriptions of a family. password_enc is AES-256-GCM
-- (nonce || ciphertext, the subscription id as additional data) under the
-- server's FAMILYHUB_SECRET_KEY; NULL when the feed needs no password.
-- The import job picks subscriptions whose next_attempt_at has come; a
-- failure stores a readable last_error and pushes next_attempt_at out with
-- exponential backoff (failures counts the consecutive ones).
CREATE TABLE calendar_subscriptions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id       uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    url             text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2048),
    username        text NOT NULL DEFAULT '' CHECK (char_length(username) <= 256),
    password_enc    bytea,
    -- 'caldav' (a CalDAV collection) or 'ics' (a plain iCalendar file);
    -- NULL until the first successful sync found out.
    kind            text CHECK (kind IS NULL OR kind IN ('caldav', 'ics')),
    -- What the source said last time: the collection's CTag (CalDAV) or the
    -- file's HTTP ETag (ics). A source that still says the same is skipped.
    ctag            text,
    last_synced_at  timestamptz,
    last_error      text CHECK (last_error IS NULL OR char_length(last_error) <= 2000),
    last_error_at   timestamptz,
    failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calendar_subscriptions_family_id_idx ON calendar_subscriptions (family_id);
CREATE INDEX calendar_subscriptions_next_attempt_at_idx ON calendar_subscriptions (next_attempt_at);
CREATE INDEX calendar_subscriptions_created_by_idx ON calendar_subscriptions (created_by) WHERE created_by IS NOT NULL;
CREATE TRIGGER calendar_subscriptions_touch BEFORE UPDATE ON calendar_subscriptions
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();

-- calendar_events gains:
--   * dav_name:    the resource name a CalDAV client chose when it PUT the
--                  event (clients pick their own, e.g. <uuid>.ics); NULL
--                  for events made elsewhere, which are served as <id>.ics;
--   * source_href / source_etag: where an imported event lives upstream and
--                  the ETag (or content hash) it had when last imported.
-- subscription_id has no foreign key (existing data and tests may carry
-- ids of no subscription): deleting a subscription deletes its events in
-- the same transaction (CalendarSubscriptionEventsDelete), each announced
-- as usual.
ALTER TABLE calendar_events
    ADD COLUMN dav_name text CHECK (dav_name IS NULL OR char_length(dav_name) BETWEEN 1 AND 255),
    ADD COLUMN source_href text CHECK (source_href IS NULL OR char_length(source_href) <= 2048),
    ADD COLUMN source_etag text CHECK (source_etag IS NULL OR char_length(source_etag) <= 512);
CREATE UNIQUE INDEX calendar_events_family_id_dav_name_key ON calendar_events (family_id, dav_name) WHERE dav_name IS NOT NULL;
CREATE UNIQUE INDEX calendar_events_subscription_id_source_href_key ON calendar_events (subscription_id, source_href)
    WHERE subscription_id IS NOT NULL;

-- +goose Down
DROP INDEX calendar_events_subscription_id_source_href_key;
DROP INDEX calendar_events_family_id_dav_name_key;
ALTER TABLE calendar_events
    DROP COLUMN source_etag,
    DROP COLUMN source_href,
    DROP COLUMN dav_name;
DROP TABLE calendar_subscriptions;
DROP TABLE dav_app_passwords;
