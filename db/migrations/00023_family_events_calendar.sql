-- Two more lists of the Family page that other devices show and so must
-- hear of as FAMILY_UPDATED (channel familyhub_family), like 00012 and 00017:
--   * the read-only calendar feeds (ical_feeds, 00011): made, renamed,
--     revoked (revoked_at set: the list no longer shows it) or gone with
--     their member. The event names the feed. Its last_used_at, touched
--     at most every five minutes while Google or Outlook poll the address,
--     makes no event: the list shows it, but it is no change anyone makes
--     or waits for; the next re-read shows it.
--   * the subscribed calendars (calendar_subscriptions, 00009): added,
--     renamed, pointed elsewhere, removed. The event names the
--     subscription. The import job writes its bookkeeping on every run
--     (kind, ctag, last_synced_at, last_error, failures, next_attempt_at,
--     and updated_at through the touch trigger): that makes no event, or
--     every family with a subscription would wake all its devices every
--     few minutes for nothing. The list does show a status ("not synced
--     yet", "synced 5 minutes ago", "could not sync"), so a change from one
--     of those three to another is an event: the first sync, a sync that
--     starts failing and one that works again. A calendar that keeps
--     syncing or keeps failing makes none; its times and counts are
--     refreshed by the next re-read.
-- Both are deferred constraint triggers calling familyhub_capture_event
-- (00019): numbered at commit like every other event. The tables have no
-- version column: the events carry none, and devices re-read.

-- +goose Up
CREATE CONSTRAINT TRIGGER ical_feeds_event AFTER INSERT OR DELETE ON ical_feeds
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family');
CREATE CONSTRAINT TRIGGER ical_feeds_change_event AFTER UPDATE OF name, member_id, revoked_at ON ical_feeds
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name
                       OR OLD.member_id IS DISTINCT FROM NEW.member_id
                       OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
    EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family');

CREATE CONSTRAINT TRIGGER calendar_subscriptions_event AFTER INSERT OR DELETE ON calendar_subscriptions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family');
CREATE CONSTRAINT TRIGGER calendar_subscriptions_change_event
    AFTER UPDATE OF name, url, username, password_enc, last_synced_at, last_error ON calendar_subscriptions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name
                       OR OLD.url IS DISTINCT FROM NEW.url
                       OR OLD.username IS DISTINCT FROM NEW.username
                       OR OLD.password_enc IS DISTINCT FROM NEW.password_enc
                       OR (OLD.last_synced_at IS NULL) <> (NEW.last_synced_at IS NULL)
                       OR (OLD.last_error IS NULL) <> (NEW.last_error IS NULL))
    EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family');

-- +goose Down
DROP TRIGGER calendar_subscriptions_change_event ON calendar_subscriptions;
DROP TRIGGER calendar_subscriptions_event ON calendar_subscriptions;
DROP TRIGGER ical_feeds_change_event ON ical_feeds;
DROP TRIGGER ical_feeds_event ON ical_feeds;
