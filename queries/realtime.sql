-- The event log, family sequence counters and realtime tickets.

-- FamilySeqGet returns a family's seq and the database's clock when it
-- was read: clock_timestamp(), evaluated after the statement's snapshot
-- was taken, so every event the read counts was numbered (its event_log
-- "at") before read_at. An event under one of those seqs with a later
-- time was written after the read: the database went back and reused the
-- seq (realtime/rewind.go). The join's hello never waits on event_log.
-- name: FamilySeqGet :one
SELECT seq, clock_timestamp()::timestamptz AS read_at FROM family_event_seq WHERE family_id = @family_id;

-- FamilySeqGetMember is FamilySeqGet for a reader of the family's log
-- (the delta and long-poll endpoints): with whether the user is a member
-- of the family in the same snapshot. A member read so was not yet
-- removed when any event up to seq was committed: the reader's log read
-- stops at seq, so a member removed meanwhile is never handed an event
-- committed after the removal (realtime.Hub.EventsSince). One probe of
-- memberships' primary key.
-- name: FamilySeqGetMember :one
SELECT fs.seq,
       EXISTS (SELECT 1 FROM memberships m WHERE m.family_id = fs.family_id AND m.user_id = @user_id) AS member
FROM family_event_seq fs WHERE fs.family_id = @family_id;

-- EventLogListSince returns a family's events after a sequence number, oldest
-- first; the caller bounds the count.
-- name: EventLogListSince :many
SELECT * FROM event_log
WHERE family_id = @family_id AND seq > @since
ORDER BY seq
LIMIT @max_events;

-- EventLogMarkGet returns the entity and time of a family's event under one
-- seq (no row: the log no longer holds it, or never did): a client resuming
-- with since names its last event so, and another event under that seq
-- says the history was written anew under it (a database that went back,
-- realtime/join.go). One probe of event_log's primary key.
-- name: EventLogMarkGet :one
SELECT entity_id, at FROM event_log WHERE family_id = @family_id AND seq = @seq;

-- RealtimeTicketInsert stores a ticket that lasts ttl_seconds by
-- PostgreSQL's clock, the one RealtimeTicketConsume compares with: a
-- replica whose own clock is off by a minute would otherwise hand out
-- tickets dead on arrival or living twice as long (db.Store.TicketCreate).
-- name: RealtimeTicketInsert :one
INSERT INTO realtime_tickets (token_hash, session_id, expires_at)
VALUES (@token_hash, @session_id, now() + make_interval(secs => @ttl_seconds::float8))
RETURNING expires_at;

-- RealtimeTicketCountLive counts a session's tickets that have not
-- expired, used or not, and how many seconds until the first of them
-- expires (0 with none), under the session's limit lock
-- (db.Store.TicketCreate).
-- name: RealtimeTicketCountLive :one
SELECT count(*)::int AS live,
       coalesce(ceil(extract(epoch FROM min(expires_at) - now())), 0)::int AS first_ends_in
FROM realtime_tickets
WHERE session_id = @session_id AND expires_at > now();

-- RealtimeTicketConsume marks a ticket used and returns its session; a used,
-- expired or unknown ticket returns no row.
-- name: RealtimeTicketConsume :one
UPDATE realtime_tickets SET used_at = now()
WHERE token_hash = @token_hash AND used_at IS NULL AND expires_at > now()
RETURNING session_id;

-- RealtimeTicketRelease makes a ticket usable again: the connection it
-- admitted was refused before it opened (db.Store.TicketRelease).
-- name: RealtimeTicketRelease :exec
UPDATE realtime_tickets SET used_at = NULL
WHERE token_hash = @token_hash AND used_at IS NOT NULL AND expires_at > now();

-- SessionRevokedReasonByID is why the session of a realtime ticket that
-- was just used up was revoked (NULL: no reason noted), asked only when
-- the ticket admitted no caller (db.Store.TicketAuthenticate). No rows:
-- the session is not revoked (expired, or its user in no family).
-- name: SessionRevokedReasonByID :one
SELECT revoked_reason FROM sessions
WHERE id = @id AND revoked_at IS NOT NULL;

-- name: RealtimeTicketPrune :execrows
DELETE FROM realtime_tickets WHERE expires_at < now() - interval '1 hour';

-- SessionAuthenticateByID is SessionAuthenticate for a session id (a
-- realtime ticket's, a rotated session's successor), legacy included.
-- name: SessionAuthenticateByID :one
SELECT s.id AS session_id, s.user_id, m.family_id, m.role, s.expires_at,
       (s.issued_as = 'legacy')::boolean AS legacy,
       (extract(epoch FROM s.expires_at - now()) * 1000)::bigint AS left_ms
FROM sessions s
JOIN memberships m ON m.user_id = s.user_id
WHERE s.id = @id
  AND s.revoked_at IS NULL
  AND s.expires_at > now();

-- SessionRotate ends a session that a new one replaces (refresh).
-- name: SessionRotate :execrows
UPDATE sessions SET revoked_at = now(), replaced_by = @replaced_by
WHERE id = @id AND revoked_at IS NULL;

-- name: NotificationQueueUsage :one
SELECT pg_notification_queue_usage()::float8 AS usage;

-- FamilySeqList returns the seq of each named family and, from the event
-- log, the time and entity of its event at the seq the replica last
-- delivered of it (@seqs, in the order of @family_ids; NULL when the log no
-- longer holds that seq, or never did): the replicas' cross-check of what
-- they delivered against what was committed. A seq below the delivered one,
-- or another event under it, says the database went back (realtime/hub.go,
-- crossCheck). The event is one probe of event_log's primary key per family:
-- a LATERAL subquery with LIMIT (the key is unique) is not flattened into a
-- join, which for a replica of many families PostgreSQL made a hash of the
-- whole log, read every 2 s (TestCrossCheckProbesEventLog). Its LEFT JOIN
-- to one empty row gives the row of a seq the log lacks (sqlc then knows the
-- columns can be NULL).
-- name: FamilySeqList :many
SELECT s.family_id, s.seq, e.at AS delivered_at, e.entity_id AS delivered_id
FROM (SELECT unnest(@family_ids::uuid[]) AS family_id, unnest(@seqs::bigint[]) AS seq) d
JOIN family_event_seq s ON s.family_id = d.family_id
CROSS JOIN LATERAL (
    SELECT l.at, l.entity_id
    FROM (SELECT) one LEFT JOIN event_log l ON l.family_id = d.family_id AND l.seq = d.seq
    LIMIT 1
) e;

-- name: NotifyAsync :exec
SELECT familyhub_notify_async(@channels::text[], @payloads::text[]);

-- SessionCheckMany answers, for each named session that still exists, what
-- an open socket of it may still do: live (not revoked, not expired), the
-- session that replaced it (a refresh), and its user's family and role now
-- (NULL: in no family). The hub re-checks its sockets with it after a
-- notice it cannot attribute, a listener reconnect, and on a timer
-- (realtime/recheck.go).
-- name: SessionCheckMany :many
SELECT s.id AS session_id, s.user_id, s.expires_at, s.replaced_by,
       (s.revoked_at IS NULL AND s.expires_at > now())::boolean AS live,
       (extract(epoch FROM s.expires_at - now()) * 1000)::bigint AS left_ms,
       m.family_id, m.role
FROM sessions s
LEFT JOIN memberships m ON m.user_id = s.user_id
WHERE s.id = ANY(@ids::uuid[]);
