-- Notifications: Web Push and ntfy (notify/, docs/notifications.md).
--
-- What a DBA needs to know:
--   * push_vapid_keys holds the server's one VAPID key pair (RFC 8292). The
--     first replica to start makes it (INSERT ... ON CONFLICT DO NOTHING,
--     then every replica reads the row that won), so all replicas sign with
--     the same key. Browsers bind each subscription to the public key:
--     deleting the row makes every stored subscription useless.
--   * push_subscriptions are browsers' PushSubscriptions, one per device
--     (X-Device-ID) of a member, tied to the session that made them: a
--     refresh moves them to the new session, a logout deletes them
--     (trigger below), and they go with the member.
--   * notify_member_settings / notify_family_settings exist for every
--     member / family (triggers below, backfilled here); the column
--     defaults are the defaults the API documents.
--   * notify_cursors: how far each family's event log has been turned into
--     notices (list changes, rescheduled reminders). One replica at a time
--     works on a family: it locks the row (SKIP LOCKED), and advances it in
--     the transaction that writes the notices, so each event is looked at
--     once.
--   * notify_notices: one row per notice per member, unique (user_id, key):
--     whoever derives a notice twice (the event path, the periodic scan, two
--     replicas) makes it once. A River job (notify-deliver) sends it at
--     send_after. decided_at is when it was decided whether and where to
--     send it (decision says what was decided).
--   * notify_sends: one row per notice and channel target; status 'pending'
--     until sent. A sender holds the row locked while it talks to the push
--     service and records the answer in the same transaction: a replica
--     that dies mid-send leaves the row pending and unlocked, and the
--     rescued job sends it once.
--   * notify_device_presence: which devices have a live socket and the last
--     event seq each was sent, written in batches by every replica's
--     realtime transports. A list-change notice is not sent when one of the
--     member's devices was sent its events live.
--
-- Inspect:
--   SELECT n.kind, n.key, n.send_after, n.decision, s.target, s.status, s.sent_at
--   FROM notify_notices n LEFT JOIN notify_sends s ON s.notice_id = n.id
--   WHERE n.family_id = '…' ORDER BY n.created_at DESC LIMIT 20;

-- +goose Up

CREATE TABLE push_vapid_keys (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    -- base64url (unpadded) of the uncompressed P-256 point (65 bytes) and
    -- of the private scalar (32 bytes).
    public_key  text NOT NULL CHECK (char_length(public_key) BETWEEN 86 AND 88),
    private_key text NOT NULL CHECK (char_length(private_key) BETWEEN 42 AND 44),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE push_subscriptions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id       uuid NOT NULL,
    user_id         uuid NOT NULL,
    -- NULL only for rows written from psql; a logout deletes the row.
    session_id      uuid REFERENCES sessions (id) ON DELETE CASCADE,
    device_id       text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    -- The push service's URL for this browser: a capability, unique.
    endpoint        text NOT NULL CHECK (char_length(endpoint) BETWEEN 1 AND 2048),
    -- keys.p256dh (65-byte P-256 point) and keys.auth (16 bytes), base64url.
    p256dh          text NOT NULL CHECK (char_length(p256dh) BETWEEN 86 AND 88),
    auth            text NOT NULL CHECK (char_length(auth) BETWEEN 22 AND 24),
    user_agent      text NOT NULL DEFAULT '' CHECK (char_length(user_agent) <= 512),
    last_success_at timestamptz,
    last_error      text CHECK (char_length(last_error) <= 500),
    last_error_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (family_id, user_id) REFERENCES memberships (family_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX push_subscriptions_endpoint_key ON push_subscriptions (endpoint);
CREATE INDEX push_subscriptions_user_device_idx ON push_subscriptions (user_id, device_id);
CREATE INDEX push_subscriptions_family_idx ON push_subscriptions (family_id, user_id);
CREATE INDEX push_subscriptions_session_idx ON push_subscriptions (session_id);
CREATE TRIGGER push_subscriptions_touch BEFORE UPDATE ON push_subscriptions
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();

-- A session that ends takes its device's subscriptions along: a refresh
-- (replaced_by set) hands them to the new session, a logout deletes them,
-- so a signed-out phone receives nothing more.
-- +goose StatementBegin
CREATE FUNCTION familyhub_push_session_ended() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.replaced_by IS NOT NULL THEN
        UPDATE push_subscriptions SET session_id = NEW.replaced_by WHERE session_id = NEW.id;
    ELSE
        DELETE FROM push_subscriptions WHERE session_id = NEW.id;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER sessions_push_subscriptions
    AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION familyhub_push_session_ended();

-- Per-member settings; defaults are the documented defaults.
CREATE TABLE notify_member_settings (
    user_id               uuid PRIMARY KEY,
    family_id             uuid NOT NULL,
    -- The language of notice texts: 'en', 'de', or NULL for the device's
    -- own (push carries both; ntfy then gets English).
    language              text CHECK (language IN ('en', 'de')),
    task_reminders        boolean NOT NULL DEFAULT true,
    task_lead_minutes     integer NOT NULL DEFAULT 0 CHECK (task_lead_minutes BETWEEN 0 AND 1440),
    calendar_reminders    boolean NOT NULL DEFAULT true,
    -- Used when an event has no VALARM of its own.
    calendar_lead_minutes integer NOT NULL DEFAULT 15 CHECK (calendar_lead_minutes BETWEEN 0 AND 1440),
    digest                boolean NOT NULL DEFAULT true,
    list_changes          boolean NOT NULL DEFAULT true,
    -- NULL: every shopping list of the family; else these lists only.
    followed_lists        uuid[] CHECK (cardinality(followed_lists) <= 200),
    -- Quiet hours in the family's time zone, [start, end) wrapping past
    -- midnight when end <= start; both NULL for none. Notices that fall
    -- inside wait for the end.
    quiet_start           time,
    quiet_end             time,
    -- The member's ntfy topic URL and access token (AES-GCM under
    -- FAMILYHUB_SECRET_KEY, the user id as additional data).
    ntfy_url              text CHECK (char_length(ntfy_url) BETWEEN 1 AND 2048),
    ntfy_token_enc        bytea,
    -- Where the app is, for ntfy's click URL when FAMILYHUB_PUBLIC_URL is
    -- unset: the origin the settings were last saved from.
    app_url               text CHECK (char_length(app_url) <= 512),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL)),
    CHECK (ntfy_token_enc IS NULL OR ntfy_url IS NOT NULL),
    FOREIGN KEY (family_id, user_id) REFERENCES memberships (family_id, user_id) ON DELETE CASCADE
);
CREATE INDEX notify_member_settings_family_idx ON notify_member_settings (family_id);
CREATE TRIGGER notify_member_settings_touch BEFORE UPDATE ON notify_member_settings
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();

CREATE TABLE notify_family_settings (
    family_id   uuid PRIMARY KEY REFERENCES families (id) ON DELETE CASCADE,
    -- The local hour (0-23) of the morning digest.
    digest_hour smallint NOT NULL DEFAULT 7 CHECK (digest_hour BETWEEN 0 AND 23),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER notify_family_settings_touch BEFORE UPDATE ON notify_family_settings
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();

CREATE TABLE notify_cursors (
    family_id  uuid PRIMARY KEY REFERENCES families (id) ON DELETE CASCADE,
    -- Every event of the family up to this seq has been looked at.
    seq        bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose StatementBegin
CREATE FUNCTION familyhub_notify_family_init() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notify_family_settings (family_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    INSERT INTO notify_cursors (family_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER families_notify_init AFTER INSERT ON families
    FOR EACH ROW EXECUTE FUNCTION familyhub_notify_family_init();

-- +goose StatementBegin
CREATE FUNCTION familyhub_notify_member_init() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notify_member_settings (user_id, family_id) VALUES (NEW.user_id, NEW.family_id)
    ON CONFLICT (user_id) DO UPDATE SET family_id = EXCLUDED.family_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER memberships_notify_init AFTER INSERT ON memberships
    FOR EACH ROW EXECUTE FUNCTION familyhub_notify_member_init();

-- Existing families start from now: their history is no news.
INSERT INTO notify_family_settings (family_id) SELECT id FROM families;
INSERT INTO notify_cursors (family_id, seq) SELECT family_id, seq FROM family_event_seq;
INSERT INTO notify_member_settings (user_id, family_id) SELECT user_id, family_id FROM memberships;

CREATE TABLE notify_device_presence (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_id  text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    -- The highest event seq one of the device's sockets was sent (or
    -- started at: a fresh page shows the state of then).
    seen_seq   bigint NOT NULL DEFAULT 0,
    -- The topics the socket was subscribed to (NULL: every event), so a
    -- socket on the tasks page does not count as having seen a list.
    topics     text[],
    -- A socket of the device is open until then (refreshed while it is).
    live_until timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, device_id)
);
CREATE INDEX notify_device_presence_updated_idx ON notify_device_presence (updated_at);

CREATE TABLE notify_notices (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- What makes the notice unique for its member, e.g.
    -- 'task:<id>:<fire unix>', 'event:<id>:<start unix>:<fire unix>',
    -- 'digest:<date>:<fire unix>', 'list:<list id>:<first seq>', 'test:<uuid>'.
    key        text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    kind       text NOT NULL CHECK (kind IN ('task', 'event', 'digest', 'list', 'test')),
    -- The task, calendar event or shopping list it is about.
    subject_id uuid,
    -- When the thing happens: the task's due time, the occurrence's start,
    -- the digest's day (its local midnight).
    occurs_at  timestamptz,
    -- When it was meant to go out, and when it may (quiet hours move it).
    fire_at    timestamptz NOT NULL,
    send_after timestamptz NOT NULL,
    -- A list change's tally: {"count":n,"actors":[…],"items":[…]}.
    params     jsonb NOT NULL DEFAULT '{}',
    -- The last event it covers (list changes).
    last_seq   bigint,
    -- The texts sent: {"url":…,"tag":…,"en":{"title","body"},"de":{…}}.
    message    jsonb,
    decided_at timestamptz,
    decision   text CHECK (decision IN ('send', 'seen', 'cancelled', 'empty', 'no_channel')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((decided_at IS NULL) = (decision IS NULL))
);
CREATE UNIQUE INDEX notify_notices_user_key ON notify_notices (user_id, key);
-- At most one list-change notice per member and list still gathering.
CREATE UNIQUE INDEX notify_notices_open_list_key ON notify_notices (user_id, subject_id)
    WHERE kind = 'list' AND decided_at IS NULL;
CREATE INDEX notify_notices_family_idx ON notify_notices (family_id, created_at);
CREATE INDEX notify_notices_created_idx ON notify_notices (created_at);
CREATE TRIGGER notify_notices_touch BEFORE UPDATE ON notify_notices
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();

CREATE TABLE notify_sends (
    notice_id       uuid NOT NULL REFERENCES notify_notices (id) ON DELETE CASCADE,
    -- 'push:<subscription id>' or 'ntfy'.
    target          text NOT NULL CHECK (target = 'ntfy' OR target LIKE 'push:%'),
    -- NULL for ntfy, and once the subscription is gone.
    subscription_id uuid REFERENCES push_subscriptions (id) ON DELETE SET NULL,
    -- pending: to send; sent: the service took it; gone: the subscription
    -- no longer exists (404/410, now deleted); failed: refused for good.
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'gone', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text CHECK (char_length(last_error) <= 500),
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notice_id, target)
);
CREATE INDEX notify_sends_subscription_idx ON notify_sends (subscription_id) WHERE subscription_id IS NOT NULL;

-- +goose Down
DROP TABLE notify_sends;
DROP TABLE notify_notices;
DROP TABLE notify_device_presence;
DROP TRIGGER memberships_notify_init ON memberships;
DROP FUNCTION familyhub_notify_member_init();
DROP TRIGGER families_notify_init ON families;
DROP FUNCTION familyhub_notify_family_init();
DROP TABLE notify_cursors;
DROP TABLE notify_family_settings;
DROP TABLE notify_member_settings;
DROP TRIGGER sessions_push_subscriptions ON sessions;
DROP FUNCTION familyhub_push_session_ended();
DROP TABLE push_subscriptions;
DROP TABLE push_vapid_keys;
