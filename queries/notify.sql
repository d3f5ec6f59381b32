-- Notifications: settings, the notices derived from the event log and the
-- schedule, their sends, and device presence (see
-- db/migrations/00015_notifications.sql).

-- Settings.

-- name: NotifyMemberSettingsGet :one
SELECT * FROM notify_member_settings WHERE user_id = @user_id AND family_id = @family_id;

-- NotifyMemberSettingsEnsure makes a member's row (every member gets one
-- from a trigger; this covers rows deleted by hand).
-- name: NotifyMemberSettingsEnsure :exec
INSERT INTO notify_member_settings (user_id, family_id)
SELECT m.user_id, m.family_id FROM memberships m WHERE m.user_id = @user_id AND m.family_id = @family_id
ON CONFLICT (user_id) DO NOTHING;

-- name: NotifyMemberSettingsUpdate :one
UPDATE notify_member_settings
SET language = sqlc.narg('language'),
    task_reminders = @task_reminders,
    task_lead_minutes = @task_lead_minutes,
    calendar_reminders = @calendar_reminders,
    calendar_lead_minutes = @calendar_lead_minutes,
    digest = @digest,
    list_changes = @list_changes,
    followed_lists = sqlc.narg('followed_lists')::uuid[],
    quiet_start = sqlc.narg('quiet_start'),
    quiet_end = sqlc.narg('quiet_end'),
    ntfy_url = sqlc.narg('ntfy_url'),
    ntfy_token_enc = sqlc.narg('ntfy_token_enc'),
    app_url = sqlc.narg('app_url')
WHERE user_id = @user_id AND family_id = @family_id
RETURNING *;

-- NotifyMemberSettingsList returns every member of a family with their
-- settings and name: who may receive what.
-- name: NotifyMemberSettingsList :many
SELECT s.*, u.display_name
FROM memberships m
JOIN notify_member_settings s ON s.user_id = m.user_id AND s.family_id = m.family_id
JOIN users u ON u.id = m.user_id
WHERE m.family_id = @family_id
ORDER BY m.created_at, m.user_id;

-- name: NotifyFamilySettingsGet :one
SELECT * FROM notify_family_settings WHERE family_id = @family_id;

-- name: NotifyFamilySettingsEnsure :exec
INSERT INTO notify_family_settings (family_id) VALUES (@family_id) ON CONFLICT DO NOTHING;

-- name: NotifyFamilySettingsUpdate :one
UPDATE notify_family_settings SET digest_hour = @digest_hour
WHERE family_id = @family_id
RETURNING *;

-- NotifyFamilyList lists every family with what the schedule needs.
-- name: NotifyFamilyList :many
SELECT f.id, f.time_zone, coalesce(s.digest_hour, 7)::int AS digest_hour
FROM families f
LEFT JOIN notify_family_settings s ON s.family_id = f.id
ORDER BY f.id;

-- The event cursor.

-- NotifyPassStartMany begins a pass over one or several families (the
-- leader's wake-ups of a moment, notify/pass.go): it takes each one's
-- cursor, FOR UPDATE SKIP LOCKED (a cursor another transaction holds is
-- left out, never waited for: another replica's pass or the schedule's scan
-- is working on the family right now, and no two passes deadlock), and
-- reads the events after each, oldest first, at most max_events per family.
-- Every cursor taken has at least one row, ordered by family and seq: a
-- family with nothing after its cursor has one row without an event
-- (event_seq 0, the event's columns meaningless). A family not in the
-- answer has its cursor taken or missing (NotifyPassEndMany tells which).
-- list_watchers are the members whose settings ask for list-change
-- notices, read once per pass: when no event of a batch of list additions
-- has a watcher other than its actor, the pass reads no members at all.
-- MATERIALIZED, and the events a LATERAL subquery: the cursors' rows are
-- locked and read first, whatever the plan, and the events are read after
-- the locked seqs.
-- Each cursor is looked up by its key, in the order of family_ids (the
-- caller sorts them), by a LATERAL subquery per id: a locking subquery is
-- never flattened into a join, so PostgreSQL cannot choose to scan the
-- table instead. With "family_id = ANY(...)" it did: at 1,000 families its
-- generic plan read all of notify_cursors (15 pages) to lock the few named
-- (docs/benchmarks.md, twentieth round).
-- name: NotifyPassStartMany :many
WITH c AS MATERIALIZED (
    SELECT n.family_id, n.seq,
        coalesce((SELECT array_agg(s.user_id) FROM notify_member_settings s
                  WHERE s.family_id = n.family_id AND s.list_changes), '{}')::uuid[] AS list_watchers
    FROM unnest(@family_ids::uuid[]) AS u(id)
    CROSS JOIN LATERAL (
        SELECT k.family_id, k.seq FROM notify_cursors k WHERE k.family_id = u.id FOR UPDATE SKIP LOCKED
    ) n
)
SELECT c.family_id, c.seq AS cursor, c.list_watchers,
    -- The row of a cursor with nothing after it: event_seq 0, and the
    -- other NOT NULL columns of no event filled in.
    coalesce(e.seq, 0)::bigint AS event_seq, coalesce(e.type, '') AS type, coalesce(e.channel, '') AS channel,
    coalesce(e.entity_id, c.family_id) AS entity_id, e.list_id, coalesce(e.op, 'insert') AS op, e.actor_id, e.device_id,
    coalesce(e.at, now()) AS at, e.version
FROM c
LEFT JOIN LATERAL (
    SELECT * FROM event_log l WHERE l.family_id = c.family_id AND l.seq > c.seq ORDER BY l.seq LIMIT @max_events
) e ON true
ORDER BY c.family_id, e.seq;

-- NotifyPassEndMany ends a pass in one statement. The cursors of the
-- families with events move to the last event read (family_ids, seqs).
-- The cursors taken with nothing after them (idle_ids) move to the
-- family's seq when none of the events after them is left in event_log:
-- they were pruned before anyone looked at them (the service down for
-- longer than the log's retention while something wrote, from psql say);
-- without this the cursor never moved and the family stayed behind for
-- good (swept, and reported as lost by the cross-check, every time). One
-- snapshot: an event committed meanwhile is either in both the seq and
-- the log (and the cursor stays) or in neither. And of the families whose
-- cursor NotifyPassStartMany did not take (missing_ids), a cursor that
-- exists is another transaction's (held: the answer says so, and the
-- leader looks at the family again soon), and a missing one is made;
-- none for a family that is gone (deleted after its event was notified:
-- its pass has nothing to do, rather than failing on the foreign key and
-- being retried for good), and none where one exists: ON CONFLICT alone
-- waits for the commit of a pass that moved it, and this pass's other
-- families with it (two such passes, each holding a cursor of the
-- other's families, deadlocked). Missing cursors are made in family
-- order, so two passes making the same ones wait for each other in one
-- order, never in a circle. Returns the idle families whose cursor moved
-- past pruned events, with the seq (held false), and the held ones (held
-- true, seq 0).
-- Every row is found by its key, whatever PostgreSQL estimates: the
-- cursors to move through the unique index of an upsert (each is one this
-- pass holds, so it never inserts and never waits), the rest through a
-- subquery per id in a select list (never turned into a join, nor
-- answered by hashing the whole table, as EXISTS there may be). With
-- "family_id = ANY(...)" and joins its generic plans read the whole of
-- notify_cursors, family_event_seq or families per pass (at 1,000
-- families; also for an empty array).
-- name: NotifyPassEndMany :many
WITH idle AS MATERIALIZED (
    SELECT u.id,
        (SELECT n.seq FROM notify_cursors n WHERE n.family_id = u.id) AS cursor,
        (SELECT e.seq FROM family_event_seq e WHERE e.family_id = u.id) AS seq
    FROM unnest(@idle_ids::uuid[]) AS u(id)
), pruned AS MATERIALIZED (
    SELECT i.id, i.seq FROM idle i
    WHERE i.seq > i.cursor AND NOT EXISTS (SELECT 1 FROM event_log l WHERE l.family_id = i.id AND l.seq > i.cursor)
), moved AS (
    INSERT INTO notify_cursors AS m (family_id, seq)
    SELECT u.id, u.seq FROM (SELECT unnest(@family_ids::uuid[]) AS id, unnest(@seqs::bigint[]) AS seq) AS u
    UNION ALL
    SELECT p.id, p.seq FROM pruned p
    ON CONFLICT (family_id) DO UPDATE SET seq = greatest(m.seq, excluded.seq), updated_at = now()
), missing AS MATERIALIZED (
    SELECT u.id,
        coalesce((SELECT true FROM notify_cursors n WHERE n.family_id = u.id), false) AS held,
        coalesce((SELECT true FROM families f WHERE f.id = u.id), false) AS family_exists
    FROM unnest(@missing_ids::uuid[]) AS u(id)
), ensured AS (
    INSERT INTO notify_cursors (family_id)
    SELECT m.id FROM missing m WHERE NOT m.held AND m.family_exists ORDER BY m.id
    ON CONFLICT DO NOTHING
)
SELECT p.id::uuid AS family_id, p.seq::bigint AS seq, false AS held FROM pruned p
UNION ALL
SELECT m.id::uuid, 0::bigint, true FROM missing m WHERE m.held;

-- NotifyCursorLock takes a family's cursor for the rest of the
-- transaction, waiting for a pass that holds it. Every transaction that
-- derives a family's notices takes the family's cursor first: a pass
-- (NotifyPassStartMany, which leaves a taken one alone), and the
-- schedule's scan of the family and a settings change (ScheduleFamily),
-- which wait for it. Both write the same notices (a task's reminder, by
-- its key), and before, in their own orders (the pass in the order of
-- the events, the scan by due time): each could wait for the other's
-- uncommitted notice, a deadlock that PostgreSQL broke by failing one.
-- A family without a cursor row (one made before migration 00015 that
-- had no event since: that migration gave cursors only to families with
-- events) has one made here, held by this transaction until it commits,
-- so there is always a row to hold. A SELECT ... FOR UPDATE found nothing
-- to lock for such a family, and the old deadlock could happen there.
-- One statement, and no write when the row exists: ON CONFLICT DO UPDATE
-- locks the existing row, also when its WHERE is false and nothing is
-- updated; setting family_id (the key) makes the lock FOR UPDATE's, as
-- before. While the made row is uncommitted, other transactions do not
-- see it: a pass counts the family as missing and its own insert of the
-- cursor (NotifyPassEndMany) waits for this commit, as NotifyCursorLock
-- elsewhere waits. For a family that is gone (its deletion committed
-- after Scan listed it) nothing is made and nothing locked, as before; one
-- whose deletion is still in flight makes the insert fail on the foreign
-- key (23503) once it commits, and Scan logs that family's error.
-- name: NotifyCursorLock :exec
INSERT INTO notify_cursors AS c (family_id)
SELECT f.id FROM families f WHERE f.id = @family_id
ON CONFLICT (family_id) DO UPDATE SET family_id = excluded.family_id WHERE false;

-- NotifyLockTimeoutSet bounds every lock wait of the rest of the
-- transaction to timeout_ms milliseconds (lock_timeout, SET LOCAL): a
-- settings change that would wait longer for the family's cursor (a pass
-- or the schedule's scan holds it) fails with 55P03 instead
-- (notify.Service.UpdateSettings).
-- name: NotifyLockTimeoutSet :exec
SELECT set_config('lock_timeout', @timeout_ms::text, true);

-- NotifyFamiliesBehind lists families with events not yet looked at,
-- those whose cursor moved longest ago first: with more families behind
-- than max_families (most of them waiting for their window), a family
-- whose wake-up was lost is still among them, not left out for as long as
-- enough families with smaller ids are behind.
-- name: NotifyFamiliesBehind :many
SELECT e.family_id FROM family_event_seq e
JOIN notify_cursors c ON c.family_id = e.family_id
WHERE e.seq > c.seq
ORDER BY c.updated_at, e.family_id
LIMIT @max_families;

-- Notices.

-- NotifyMemberLock locks the member's membership row for the rest of the
-- transaction: concurrent requests of one member that count before they
-- write (test notices) take turns.
-- name: NotifyMemberLock :execrows
SELECT 1 FROM memberships WHERE family_id = @family_id AND user_id = @user_id FOR NO KEY UPDATE;

-- NotifyTestNoticeCount counts the member's test notices made since.
-- name: NotifyTestNoticeCount :one
SELECT count(*) FROM notify_notices
WHERE family_id = @family_id AND user_id = @user_id AND kind = 'test' AND created_at > @since;

-- NotifyNoticeInsert makes a notice unless the member has one with that
-- key: no row comes back then.
-- name: NotifyNoticeInsert :one
INSERT INTO notify_notices (family_id, user_id, key, kind, subject_id, occurs_at, fire_at, send_after, params, last_seq)
VALUES (@family_id, @user_id, @key, @kind, sqlc.narg('subject_id'), sqlc.narg('occurs_at'), @fire_at, @fire_at, @params, sqlc.narg('last_seq'))
ON CONFLICT (user_id, key) DO NOTHING
RETURNING id;

-- NotifyListNoticeOpen locks the member's list-change notice that is still
-- gathering changes, if any.
-- name: NotifyListNoticeOpen :one
SELECT id, params, last_seq FROM notify_notices
WHERE user_id = @user_id AND kind = 'list' AND subject_id = @list_id AND decided_at IS NULL
FOR UPDATE;

-- name: NotifyListNoticeGather :exec
UPDATE notify_notices SET params = @params, last_seq = @last_seq WHERE id = @id AND decided_at IS NULL;

-- name: NotifyNoticeGet :one
SELECT * FROM notify_notices WHERE id = @id;

-- NotifyNoticeLock locks a notice while its fate is decided.
-- name: NotifyNoticeLock :one
SELECT * FROM notify_notices WHERE id = @id FOR UPDATE;

-- name: NotifyNoticeDecide :exec
UPDATE notify_notices SET decided_at = now(), decision = @decision, message = sqlc.narg('message')
WHERE id = @id AND decided_at IS NULL;

-- NotifyNoticeDefer moves a notice out of quiet hours.
-- name: NotifyNoticeDefer :exec
UPDATE notify_notices SET send_after = @send_after WHERE id = @id AND decided_at IS NULL;

-- name: NotifyNoticePrune :execrows
DELETE FROM notify_notices WHERE created_at < @before;

-- Sends.

-- name: NotifySendInsert :exec
INSERT INTO notify_sends (notice_id, target, subscription_id)
VALUES (@notice_id, @target, sqlc.narg('subscription_id'))
ON CONFLICT (notice_id, target) DO NOTHING;

-- name: NotifySendPending :many
SELECT target FROM notify_sends WHERE notice_id = @notice_id AND status = 'pending' ORDER BY target;

-- NotifySendLock claims one pending send, with where it goes; no row when
-- it is done or another worker holds it.
-- name: NotifySendLock :one
SELECT s.notice_id, s.target, s.subscription_id, s.attempts,
       coalesce(p.endpoint, '')::text AS endpoint, coalesce(p.p256dh, '')::text AS p256dh, coalesce(p.auth, '')::text AS auth
FROM notify_sends s
LEFT JOIN push_subscriptions p ON p.id = s.subscription_id
WHERE s.notice_id = @notice_id AND s.target = @target AND s.status = 'pending'
FOR UPDATE OF s SKIP LOCKED;

-- name: NotifySendFinish :exec
UPDATE notify_sends
SET status = @status, attempts = attempts + 1, last_error = sqlc.narg('last_error'),
    sent_at = CASE WHEN @status = 'sent' THEN now() END
WHERE notice_id = @notice_id AND target = @target;

-- NotifySendsOfNotice lists a notice's sends (tests, inspection).
-- name: NotifySendsOfNotice :many
SELECT * FROM notify_sends WHERE notice_id = @notice_id ORDER BY target;

-- Presence.

-- NotifyPresenceUpsert records, in one statement, one replica's devices:
-- per device the highest seq its sockets were sent, their topics ('' for
-- all) and until when it counts as live. Each replica writes its own rows.
-- The seq written is never above the family's seq now: a replica that has
-- not yet noticed that the family's database went back (a restore, a
-- failover) would otherwise raise the rows that another replica lowered
-- (NotifyPresenceRewind) to seqs the database no longer has, and the
-- events that take them again would count as shown. A delivered event
-- was committed before it was sent, so a row is never capped below what
-- its device really showed. One primary-key probe of family_event_seq per
-- device written (a flush, not an event). A device whose member is not
-- in the family is not written; the rows written are returned, so the
-- replica knows which of its live devices it could not record (a removed
-- member whose socket is still open) rather than take their missing rows
-- for a restore's loss at their next refresh.
-- name: NotifyPresenceUpsert :many
INSERT INTO notify_device_presence (user_id, device_id, replica, family_id, seen_seq, topics, live_until)
SELECT x.u, x.d, @replica::uuid, x.f, least(x.s, fs.seq), CASE WHEN x.t = '' THEN NULL ELSE string_to_array(x.t, ',') END, x.l
FROM (
    SELECT unnest(@user_ids::uuid[]) AS u, unnest(@device_ids::text[]) AS d, unnest(@family_ids::uuid[]) AS f,
           unnest(@seqs::bigint[]) AS s, unnest(@topics::text[]) AS t, unnest(@live_until::timestamptz[]) AS l
) x
JOIN memberships m ON m.user_id = x.u AND m.family_id = x.f
JOIN family_event_seq fs ON fs.family_id = x.f
ON CONFLICT (user_id, device_id, replica) DO UPDATE
SET family_id = EXCLUDED.family_id,
    seen_seq = CASE WHEN notify_device_presence.family_id = EXCLUDED.family_id
                    THEN least(greatest(notify_device_presence.seen_seq, EXCLUDED.seen_seq),
                               (SELECT s.seq FROM family_event_seq s WHERE s.family_id = EXCLUDED.family_id))
                    ELSE EXCLUDED.seen_seq END,
    topics = EXCLUDED.topics, live_until = EXCLUDED.live_until, updated_at = now()
RETURNING user_id, device_id;

-- NotifyPresenceRefresh keeps one replica's live devices live: the rows
-- still live at @now whose live_until comes before @due get @live_until.
-- A replica refreshes its devices that have nothing else to write this
-- way, a few times per live time (notify/presence.go): one statement
-- with four values, where writing each device's row again (its key,
-- family, seq and topics) made most of an idle replica's garbage. A row
-- whose device closed says so already (live_until at its close) and is
-- not touched. The index on replica (00044) finds the replica's rows;
-- it holds no column the statement changes, so the updates stay HOT.
-- A former member's row is not extended: the upsert writes members' rows
-- only, so the not-live write of its device's close was never made, and
-- extended here the row stayed live as long as the replica ran (one
-- membership probe per row extended). It is ended instead (live_until
-- now): its member left the family, and the device is not live in it,
-- whatever its socket does until the removal closes it. The answer tells
-- the two apart: refreshed counts the rows extended, and the former
-- members' devices are named. A replica compares refreshed and the names
-- with the devices it expected to refresh: one it finds in neither lost
-- its row (a restore, a failover); a former member's is not such a loss.
-- The row ends at @now, the replica's clock that every presence statement
-- compares with, not the server's now(): with the replica's clock behind
-- the server's, a row ended at now() stayed live for the replica, and its
-- next refresh found it live and due and, the member added back, extended
-- it again (a closed device live as long as the replica ran).
-- name: NotifyPresenceRefresh :one
WITH r AS (
    UPDATE notify_device_presence p
    SET live_until = CASE WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = p.user_id AND m.family_id = p.family_id)
                          THEN @live_until::timestamptz ELSE least(p.live_until, @now::timestamptz) END,
        updated_at = now()
    WHERE p.replica = @replica AND p.live_until > @now::timestamptz AND p.live_until < @due::timestamptz
    RETURNING p.user_id, p.device_id, p.live_until = @live_until::timestamptz AS extended
)
SELECT count(*) FILTER (WHERE r.extended)::bigint AS refreshed,
       coalesce(array_agg(r.user_id) FILTER (WHERE NOT r.extended), '{}')::uuid[] AS former_user_ids,
       coalesce(array_agg(r.device_id) FILTER (WHERE NOT r.extended), '{}')::text[] AS former_device_ids
FROM r;

-- NotifyPresenceListSeen says how much of a list's events the member's
-- devices showed: live when a socket that listens to the list is open now
-- (it is sent every event in order, so it shows them all, or will in a
-- moment); else seen_seq, the highest seq a socket that listened to it was
-- sent before it closed: its device showed every event up to that one (the
-- page it loaded, and what followed), none after; 0 when no device did.
-- name: NotifyPresenceListSeen :one
SELECT coalesce(bool_or(live_until > @now::timestamptz), false)::bool AS live,
       coalesce(max(seen_seq), 0)::bigint AS seen_seq
FROM notify_device_presence
WHERE user_id = @user_id AND family_id = @family_id
  AND (topics IS NULL OR 'shopping' = ANY (topics) OR @list_topic::text = ANY (topics));

-- NotifyPresenceRewind lowers the seq recorded for every device of each
-- family (all replicas' rows) to at most the given one: the family's
-- database went back (a restore, a failover), and the events that take the
-- lost seqs again were not shown to the devices that were sent the old
-- ones (realtime's cross-check or a join found it; notify/presence_restore.go).
-- The rows are found through the family's members (memberships, then
-- the primary key's user_id): a join with a since past the family's seq
-- runs it on the client's word, so it must not read the whole table
-- (21 ms at 100,000 rows, 0.15 ms this way). A former member's rows are
-- left: the family's notices are no longer theirs.
-- name: NotifyPresenceRewind :exec
UPDATE notify_device_presence p SET seen_seq = x.seq
FROM (SELECT unnest(@family_ids::uuid[]) AS family_id, unnest(@seqs::bigint[]) AS seq) x
JOIN memberships m ON m.family_id = x.family_id
WHERE p.user_id = m.user_id AND p.family_id = x.family_id AND p.seen_seq > x.seq;

-- NotifyPresenceLiveRows lists one replica's rows that are live at @now
-- (of the families asked; the key only): after a rewind, or a refresh
-- that found fewer rows than it expected, a replica puts back the rows of
-- its live devices that the database lost or left expired (a restore, a
-- failover; notify/presence_restore.go). A read, not a write: a note a client can
-- cause (a join ahead of the database) rewrites nothing that is there.
-- The rows are found through the families' members (memberships, then
-- the primary key's user_id), as NotifyPresenceRewind's: through the index
-- on replica the read of one family fetched every row of the replica, of
-- all its families, every 5 s on a client's word. A former member's row is
-- not listed: the upsert does not write it either.
-- name: NotifyPresenceLiveRows :many
SELECT p.user_id, p.device_id FROM memberships m
JOIN notify_device_presence p ON p.user_id = m.user_id AND p.family_id = m.family_id
WHERE m.family_id = ANY (@family_ids::uuid[]) AND p.replica = @replica AND p.live_until > @now::timestamptz;

-- NotifyPresenceLiveRowsAll lists one replica's rows that are live at
-- @now, of every family (the key only): NotifyPresenceLiveRows for all the
-- replica's families at once, after a refresh found fewer rows than it
-- expected. Through the index on replica (00044): asked by the list of
-- its families, the members' read compared each membership with the list
-- (43 ms instead of 0.05 ms for one family at 100,000 rows, 6,250 families).
-- name: NotifyPresenceLiveRowsAll :many
SELECT user_id, device_id FROM notify_device_presence
WHERE replica = @replica AND live_until > @now::timestamptz;

-- NotifyPresenceRowLiveUntil reads one row's live_until (no row: none),
-- the replica's canary: its last row written live, probed every few
-- seconds. Gone, or older than what the replica wrote, the database went
-- back (a restore into the running server, which no start time shows),
-- and every live row is looked for (notify/presence_restore.go). One primary-key
-- probe. member says whether the row's member is still in its family: a
-- row gone with its family (deleted) or its account (ON DELETE CASCADE)
-- ended, the database did not go back.
-- name: NotifyPresenceRowLiveUntil :one
SELECT p.live_until,
       EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = @user_id AND m.family_id = @family_id) AS member
FROM (SELECT 1) x
LEFT JOIN notify_device_presence p ON p.user_id = @user_id AND p.device_id = @device_id AND p.replica = @replica;

-- NotifyPresenceRowEnd ends one of a replica's rows that a restore brought
-- back live: its canary, written not live when the device's last socket
-- closed, read back live (notify/presence_restore.go, probeCanary). Only
-- while the row is exactly as the probe read it (@restored): a write of
-- the replica since (the device reconnected and was written live again)
-- moved live_until, and the row is left. Other replicas' rows of the
-- device are their own (the key has the replica) and never touched. The
-- row ends at @now, the replica's clock, as NotifyPresenceRefresh's.
-- name: NotifyPresenceRowEnd :execrows
UPDATE notify_device_presence
SET live_until = @now::timestamptz, updated_at = now()
WHERE user_id = @user_id AND device_id = @device_id AND replica = @replica
  AND live_until = @restored::timestamptz AND live_until > @now::timestamptz;

-- NotifyPresenceRowsEnd ends a replica's rows of devices with no socket
-- open on it that the database has live: a restore brought closed
-- devices back live (the replica's putBack read found them, after its
-- canary or a refresh or a rewind suspected a restore;
-- notify/presence_restore.go). Only this replica's rows, and only live
-- ones; each ends at @now, the replica's clock, as NotifyPresenceRefresh's.
-- name: NotifyPresenceRowsEnd :execrows
UPDATE notify_device_presence p SET live_until = @now::timestamptz, updated_at = now()
FROM (SELECT unnest(@user_ids::uuid[]) AS u, unnest(@device_ids::text[]) AS d) x
WHERE p.user_id = x.u AND p.device_id = x.d AND p.replica = @replica AND p.live_until > @now::timestamptz;

-- name: NotifyPresencePrune :execrows
DELETE FROM notify_device_presence WHERE updated_at < @before AND live_until < now();

-- What notices are about.

-- NotifyTasksDue lists a family's open tasks (not templates) due, or
-- snoozed until, within [from, to).
-- name: NotifyTasksDue :many
SELECT * FROM tasks
WHERE family_id = @family_id AND recurrence IS NULL AND completed_at IS NULL
  AND coalesce(snoozed_until, due_at) >= @due_from::timestamptz
  AND coalesce(snoozed_until, due_at) < @due_to::timestamptz
ORDER BY coalesce(snoozed_until, due_at), id;

-- Written as a lookup per id, so that the plan does not depend on what the
-- planner guesses of the array: with "id = ANY(@ids)" PostgreSQL's generic
-- plan intersected the family's whole index with the key's.
-- name: NotifyItemNames :many
SELECT i.id, i.name FROM shopping_items i
WHERE i.id IN (SELECT unnest(@ids::uuid[])) AND i.family_id = @family_id;

-- NotifyListAdds returns the additions to a list with seqs in (after,
-- upto] made by anyone but the member, oldest first, each with the item's
-- current name ('': deleted since): what of a list notice the member's
-- devices did not show, when they showed its first additions (compose).
-- name: NotifyListAdds :many
SELECT l.seq, l.actor_id, coalesce(i.name, '')::text AS name
FROM event_log l
LEFT JOIN shopping_items i ON i.id = l.entity_id AND i.family_id = l.family_id
WHERE l.family_id = @family_id AND l.seq > @after::bigint AND l.seq <= @upto::bigint
  AND l.list_id = @list_id::uuid AND l.type = @type AND l.op = 'insert' AND l.actor_id IS DISTINCT FROM @user_id::uuid
ORDER BY l.seq;

-- NotifyEventLogOldest returns a family's oldest seq still in the event
-- log (the prune removes the oldest), the largest bigint when none is.
-- name: NotifyEventLogOldest :one
SELECT coalesce(min(seq), 9223372036854775807)::bigint FROM event_log WHERE family_id = @family_id;

-- NotifyListsCount counts how many of ids are shopping lists of the family.
-- name: NotifyListsCount :one
SELECT count(*) FROM shopping_lists WHERE family_id = @family_id AND id = ANY (@ids::uuid[]);
