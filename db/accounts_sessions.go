package db

// Sign-in sessions and realtime tickets: made, rotated, revoked and
// authenticated, by PostgreSQL's clock. A person's own list of them is
// in sessions.go; sign-up, families and invites in accounts.go.

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// SessionMeta describes the client a session is made for.
type SessionMeta struct {
	UserAgent  string
	ClientAddr string
	TTL        time.Duration
	// DeviceName is what the client calls its device ("Ana's phone"), if
	// it said; ChildDevice the child device a PIN sign-in came through.
	DeviceName  *string
	ChildDevice *uuid.UUID
	// IssuedAs is how the token is handed out: IssuedHost, IssuedPlain or
	// IssuedNone (the zero value counts as IssuedNone).
	IssuedAs string
}

// How a session's token was handed out (sessions.issued_as,
// 00040_session_issued_as.sql). Over HTTPS the cookie's old name lets in
// only IssuedLegacy sessions, made before the __Host- name.
const (
	IssuedLegacy = "legacy" // made before 00040; never given to a new session
	IssuedHost   = "host"   // cookie __Host-familyhub_session
	IssuedPlain  = "plain"  // cookie familyhub_session over plain HTTP
	IssuedNone   = "none"   // no cookie: the token in the answer's body
)

// SessionCreate stores a new session for a user and returns its token (only
// its hash is stored). The session lasts m.TTL from its insert by
// PostgreSQL's clock, which decides its use (SessionAuthenticate compares
// expires_at with now()), not by this replica's: with a replica's clock an
// hour behind, its sessions ended an hour early, and an hour ahead, late.
func (tx *Tx) SessionCreate(ctx context.Context, userID uuid.UUID, m SessionMeta) (string, dbsqlc.Session, error) {
	token := NewToken()
	ua := m.UserAgent
	if len(ua) > 512 {
		ua = strings.ToValidUTF8(ua[:512], "")
	}
	issued := m.IssuedAs
	switch issued {
	case IssuedHost, IssuedPlain:
	default: // a new session is never legacy
		issued = IssuedNone
	}
	sess, err := tx.q.SessionInsert(ctx, tx, dbsqlc.SessionInsertParams{
		TokenHash: HashToken(token), UserID: userID, TtlSeconds: m.TTL.Seconds(),
		UserAgent: ua, ClientAddr: m.ClientAddr, DeviceName: m.DeviceName, ChildDeviceID: m.ChildDevice,
		IssuedAs: issued,
	})
	if m.ChildDevice != nil && isForeignKeyViolationOf(err, sessionsChildDeviceFK) {
		// The device was revoked (ChildDeviceDelete) before this session
		// was inserted: say so, as for its key, not "a referenced record
		// does not exist" (422).
		return "", sess, ErrDeviceRevoked
	}
	return token, sess, Err(err, "session")
}

// sessionsChildDeviceFK is sessions.child_device_id's foreign key (00012).
const sessionsChildDeviceFK = "sessions_child_device_id_fkey"

// SessionRotate replaces the caller's session by a new one (refresh): the
// old token stops working at once; open sockets move to the new session.
// The new one is issued as m says, never legacy: a legacy session lasts
// one lifetime at most, refreshed or not.
func (tx *Tx) SessionRotate(ctx context.Context, m SessionMeta) (string, dbsqlc.Session, error) {
	a, err := tx.caller()
	if err != nil {
		return "", dbsqlc.Session{}, err
	}
	cur, err := tx.q.SessionGet(ctx, tx, a.SessionID)
	if err != nil {
		return "", dbsqlc.Session{}, Err(err, "session")
	}
	m.DeviceName, m.ChildDevice = cur.DeviceName, cur.ChildDeviceID // the same device
	token, sess, err := tx.SessionCreate(ctx, a.UserID, m)
	if errors.Is(err, ErrDeviceRevoked) {
		// The device was revoked while refreshing: its sessions ended, as
		// a concurrent logout ends this one (device_revoked is the PIN
		// page's answer for a revoked device key, not a refresh's).
		return "", sess, errSessionEnded
	}
	if err != nil {
		return "", sess, err
	}
	tx.markAuthChanged()
	n, err := tx.q.SessionRotate(ctx, tx, dbsqlc.SessionRotateParams{ID: a.SessionID, ReplacedBy: &sess.ID})
	if err != nil {
		return "", sess, err
	}
	if n == 0 { // ended by a concurrent refresh or logout
		return "", sess, errSessionEnded
	}
	return token, sess, nil
}

// errSessionEnded answers a refresh of a session ended meanwhile.
var errSessionEnded = familyhub.Errorf(familyhub.EUNAUTHORIZED, "The session has ended; sign in again.")

// SessionRevoke ends the caller's session (logout); its sockets close on
// every replica (a trigger notifies them).
func (s *Store) SessionRevoke(ctx context.Context, sessionID uuid.UUID) error {
	_, err := s.Q.SessionRevoke(ctx, s.Pool, sessionID)
	s.Sessions.Clear()
	return Err(err, "session")
}

// SessionAuthenticate resolves a session token to its caller, or nil (and
// no error) when the token is unknown, expired, revoked or its user left
// the family. An error means the database could not be asked.
func (s *Store) SessionAuthenticate(ctx context.Context, token string) (*familyhub.Auth, error) {
	if token == "" || len(token) > 128 {
		return nil, nil
	}
	hash := HashToken(token)
	now := time.Now()
	a, gen := s.Sessions.get(string(hash), now)
	if a != nil {
		return a, nil
	}
	row, err := s.Q.SessionAuthenticate(ctx, s.Pool, hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, Err(err, "session")
	}
	if row.Stale {
		// When the session was last seen is shown on the account page; it
		// is noted at most every five minutes, and a failure to note it
		// does not refuse the request (the next one tries again). A kept
		// session is asked for again within the cache's lifetime (well
		// under five minutes), so the note is not missed.
		_ = s.Q.SessionTouch(ctx, s.Pool, row.SessionID)
	}
	a = &familyhub.Auth{SessionID: row.SessionID, UserID: row.UserID, FamilyID: row.FamilyID, Role: row.Role,
		ExpiresAt: localEnd(now, row.LeftMs), LegacyCookie: row.Legacy}
	s.Sessions.put(string(hash), a, gen, now)
	return a, nil
}

// SessionRemoved says whether token is the secret of a session revoked
// because its member left or was removed from the family (the row is kept
// until jobs prune it). Asked only when SessionAuthenticate found no
// caller, so only the holder of that secret learns why; an unknown token,
// or a session ended any other way (logout, other devices signed out, a
// password change, expiry), answers false; so does a session that is not
// legacy when legacyOnly (its token came under the cookie's old name over
// HTTPS, where such a session is not let in: http/cookie.go). Nothing is
// cached: a refused token asks PostgreSQL each time, as before.
func (s *Store) SessionRemoved(ctx context.Context, token string, legacyOnly bool) (bool, error) {
	if token == "" || len(token) > 128 {
		return false, nil
	}
	row, err := s.Q.SessionRevokedReason(ctx, s.Pool, HashToken(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, Err(err, "session")
	}
	return row.RevokedReason != nil && *row.RevokedReason == "removed" && (row.Legacy || !legacyOnly), nil
}

// SessionAuthenticateByID is SessionAuthenticate for a session id (a
// realtime ticket's, a rotated session's successor), with the same
// fields: nil and no error when the session is gone, expired, revoked or
// its user in no family; an error when the database could not be asked.
// Not kept in the session cache, which is keyed by token.
func (s *Store) SessionAuthenticateByID(ctx context.Context, id uuid.UUID) (*familyhub.Auth, error) {
	now := time.Now()
	row, err := s.Q.SessionAuthenticateByID(ctx, s.Pool, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, Err(err, "session")
	}
	return &familyhub.Auth{SessionID: row.SessionID, UserID: row.UserID, FamilyID: row.FamilyID, Role: row.Role,
		ExpiresAt: localEnd(now, row.LeftMs), LegacyCookie: row.Legacy}, nil
}

// localEnd is when a session with leftMs to live by PostgreSQL's clock
// (asked at or after now) ends by this process's clock: Auth.ExpiresAt,
// which times the end of a kept session and of its sockets. A replica
// whose clock is ahead of or behind PostgreSQL's does not end a session
// late (it keeps no expired session) or early (its sockets would close and
// reconnect in a loop): at most the query's duration early.
func localEnd(now time.Time, leftMs int64) time.Time {
	return now.Add(time.Duration(leftMs) * time.Millisecond)
}

// LocalEnd is localEnd for the realtime hub's re-check.
func LocalEnd(now time.Time, leftMs int64) time.Time { return localEnd(now, leftMs) }

// Realtime tickets: single-use, short-lived stand-ins for the session
// token, for clients that cannot send cookies on a WebSocket.

// TicketTTL is how long a realtime ticket works.
const TicketTTL = time.Minute

// TicketCreate hands out a ticket for the caller's session, and when it
// stops working. Its lifetime is counted by PostgreSQL's clock, which
// decides its use (RealtimeTicketConsume compares with now()), not by this
// replica's: with a replica's clock a minute behind, its tickets were
// expired when made, and a minute ahead, they lasted two.
//
// A session holds at most familyhub.MaxTicketsPerSession tickets that have
// not expired (used ones count: each was a connection attempt); one more
// is a *TicketLimitError (ETICKETLIMIT) saying when the first of them
// expires. They are counted under the session's limit lock, so parallel
// requests cannot overtake the count.
func (s *Store) TicketCreate(ctx context.Context, sessionID uuid.UUID) (string, time.Time, error) {
	ticket := NewToken()
	var expires time.Time
	err := s.TxRetry(ctx, func(tx *Tx) error { // a failed try inserted nothing: the same ticket again
		if err := tx.limitLock(ctx, limitTickets, sessionID); err != nil {
			return err
		}
		n, err := tx.q.RealtimeTicketCountLive(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		if n.Live >= familyhub.MaxTicketsPerSession {
			return &TicketLimitError{
				RetryAfter: time.Duration(max(n.FirstEndsIn, 1)) * time.Second,
				err: familyhub.Errorf(familyhub.ETICKETLIMIT, "Too many realtime tickets: this session asked for %d within a minute, the most allowed. Wait for Retry-After, and ask for one ticket per connection attempt.",
					familyhub.MaxTicketsPerSession),
			}
		}
		expires, err = tx.q.RealtimeTicketInsert(ctx, tx, dbsqlc.RealtimeTicketInsertParams{
			TokenHash: ticketHash(ticket), SessionID: sessionID, TtlSeconds: TicketTTL.Seconds(),
		})
		return err
	})
	if err != nil {
		return "", time.Time{}, Err(err, "")
	}
	return ticket, expires, nil
}

// TicketLimitError refuses a ticket to a session that holds
// familyhub.MaxTicketsPerSession unexpired ones already (ETICKETLIMIT);
// RetryAfter is when the first of them expires, making room.
type TicketLimitError struct {
	RetryAfter time.Duration
	err        *familyhub.Error
}

func (e *TicketLimitError) Error() string { return e.err.Error() }
func (e *TicketLimitError) Unwrap() error { return e.err }

// TicketAuthenticate uses up a ticket and returns its session's caller, or
// nil when the ticket is unknown, used or expired, or its session ended.
// removed reports, when this call used the ticket up but its session had
// ended, whether it ended because its member left or was removed from the
// family (SessionRemoved for a ticket), so that a /ws or /sse with a
// ticket made just before the removal says so as the session's token
// would. Only that use says it: a ticket used already is told no more
// than an unknown one. A ticket travels in a URL (?ticket=), which
// proxies' logs and browsers' histories keep after its use; whoever reads
// it there must not learn from it that a member was removed. An expired
// ticket says nothing either, and the client's next ticket, asked for
// with its token, is refused with the reason. Nothing is cached.
func (s *Store) TicketAuthenticate(ctx context.Context, ticket string) (a *familyhub.Auth, removed bool, err error) {
	if len(ticket) > 128 {
		return nil, false, nil
	}
	sessionID, err := s.Q.RealtimeTicketConsume(ctx, s.Pool, ticketHash(ticket))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, Err(err, "")
	}
	if a, err = s.SessionAuthenticateByID(ctx, sessionID); a != nil || err != nil {
		return a, false, err
	}
	why, err := s.Q.SessionRevokedReasonByID(ctx, s.Pool, sessionID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, Err(err, "")
	}
	return nil, why != nil && *why == "removed", nil
}

// TicketRelease gives back a ticket that TicketAuthenticate used for a
// connection refused before it opened (too many connections, the server
// shutting down, a bad parameter), so the client may try again with it
// while it lasts. Only the caller that used the ticket may release it: a
// ticket still admits at most one open connection.
func (s *Store) TicketRelease(ctx context.Context, ticket string) error {
	if len(ticket) > 128 {
		return nil
	}
	return Err(s.Q.RealtimeTicketRelease(ctx, s.Pool, ticketHash(ticket)), "")
}

func ticketHash(ticket string) []byte { return HashToken("realtime-ticket:" + ticket) }
