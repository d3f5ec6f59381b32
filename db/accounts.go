package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Failed sign-in limits, counted in the database so they hold across
// replicas; login and CalDAV's Basic auth share them (CheckCredentials).
const (
	LoginWindow        = 15 * time.Minute
	MaxFailuresByEmail = 10
	MaxFailuresByAddr  = 50
	// InviteTTL is how long an invite code works.
	InviteTTL = 7 * 24 * time.Hour
	// authFailureRetention is how long failed attempts are kept at all.
	authFailureRetention = 24 * time.Hour
)

// Account is a user with their family and role in it.
type Account struct {
	User   dbsqlc.User
	Family dbsqlc.Family
	Role   string
}

// NewToken returns 256 random bits, URL-safe: session tokens, tickets.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is what the database stores for tokens, tickets, invite codes
// and app passwords: never the secret itself.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Signup is a new account: with FamilyName it creates a family (the
// signer becomes its owner), with InviteCode it joins one.
type Signup struct {
	Email       string
	Password    string
	DisplayName string
	FamilyName  string
	InviteCode  string
	TimeZone    string
}

// Normalize checks and normalises the fields (email lower-cased, names
// trimmed, time zone UTC when not given for a new family). inviteOnly
// refuses sign-ups without an invite code.
func (p *Signup) Normalize(inviteOnly bool) (err error) {
	if p.Email, err = NormalizeEmail(p.Email); err != nil {
		return err
	}
	if err := ValidatePassword("password", p.Password); err != nil {
		return err
	}
	if p.DisplayName, err = TrimmedText("display_name", p.DisplayName, 1, familyhub.MaxDisplayNameLen); err != nil {
		return err
	}
	p.FamilyName = strings.TrimSpace(p.FamilyName)
	p.InviteCode = NormalizeInviteCode(p.InviteCode)
	switch {
	case p.FamilyName != "" && p.InviteCode != "":
		return familyhub.Invalid("invite_code", "Give either family_name (to create a family) or invite_code (to join one), not both.")
	case p.InviteCode != "":
		if p.TimeZone != "" {
			return familyhub.Invalid("time_zone", "time_zone belongs to the family; it cannot be set when joining one.")
		}
		return nil
	case inviteOnly:
		return familyhub.Invalid("invite_code", "This server only accepts sign-ups with an invite code.")
	case p.FamilyName == "":
		return familyhub.Invalid("family_name", "family_name (to create a family) or invite_code (to join one) is required.")
	}
	if err := ValidateText("family_name", p.FamilyName, 1, familyhub.MaxFamilyNameLen); err != nil {
		return err
	}
	if p.TimeZone == "" {
		p.TimeZone = "UTC"
	}
	return ValidateTimeZone("time_zone", p.TimeZone)
}

// Signup creates the account p describes (normalised already) with the
// password hash; no caller is needed. An unknown, used or expired invite
// is invalid; a taken email a conflict.
func (tx *Tx) Signup(ctx context.Context, p Signup, passwordHash string) (Account, error) {
	q := tx.q
	var acc Account
	if p.InviteCode != "" {
		user, err := q.UserInsert(ctx, tx, dbsqlc.UserInsertParams{Email: p.Email, PasswordHash: passwordHash, DisplayName: p.DisplayName})
		if err != nil {
			return acc, Err(err, "user")
		}
		invite, err := q.InviteRedeem(ctx, tx, dbsqlc.InviteRedeemParams{UsedBy: &user.ID, CodeHash: HashToken(p.InviteCode)})
		if errors.Is(err, pgx.ErrNoRows) {
			return acc, familyhub.Invalid("invite_code", "This invite code is unknown, used or expired.")
		} else if err != nil {
			return acc, err
		}
		if acc.Family, err = q.FamilyGet(ctx, tx, invite.FamilyID); err != nil {
			return acc, err
		}
		acc.User, acc.Role = user, familyhub.RoleMember
	} else {
		var err error
		if acc.Family, err = q.FamilyInsert(ctx, tx, dbsqlc.FamilyInsertParams{Name: p.FamilyName, TimeZone: p.TimeZone}); err != nil {
			return acc, Err(err, "family")
		}
		if acc.User, err = q.UserInsert(ctx, tx, dbsqlc.UserInsertParams{Email: p.Email, PasswordHash: passwordHash, DisplayName: p.DisplayName}); err != nil {
			return acc, Err(err, "user")
		}
		acc.Role = familyhub.RoleOwner
	}
	err := q.MembershipInsert(ctx, tx, dbsqlc.MembershipInsertParams{FamilyID: acc.Family.ID, UserID: acc.User.ID, Role: acc.Role})
	return acc, err
}

// AccountGet returns a user with their family and role.
func (tx *Tx) AccountGet(ctx context.Context, userID uuid.UUID) (Account, error) {
	var acc Account
	var err error
	if acc.User, err = tx.q.UserGet(ctx, tx, userID); err != nil {
		return acc, Err(err, "user")
	}
	m, err := tx.q.MembershipGetByUser(ctx, tx, userID)
	if err != nil {
		return acc, Err(err, "family membership")
	}
	acc.Role = m.Role
	acc.Family, err = tx.q.FamilyGet(ctx, tx, m.FamilyID)
	return acc, Err(err, "family")
}

// MemberList returns the members of the caller's family.
func (tx *Tx) MemberList(ctx context.Context) ([]dbsqlc.MemberListRow, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.q.MemberList(ctx, tx, family)
}

// FamilyPatch changes the present settings of a family.
type FamilyPatch struct {
	Name     *string
	TimeZone *string
}

// FamilyUpdate applies p to the caller's family.
func (tx *Tx) FamilyUpdate(ctx context.Context, p FamilyPatch) (dbsqlc.Family, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.Family{}, err
	}
	if p.Name != nil {
		if *p.Name, err = TrimmedText("name", *p.Name, 1, familyhub.MaxFamilyNameLen); err != nil {
			return dbsqlc.Family{}, err
		}
	}
	if p.TimeZone != nil {
		if err := ValidateTimeZone("time_zone", *p.TimeZone); err != nil {
			return dbsqlc.Family{}, err
		}
	}
	f, err := tx.q.FamilyUpdate(ctx, tx, dbsqlc.FamilyUpdateParams{ID: family, Name: p.Name, TimeZone: p.TimeZone})
	return f, Err(err, "family")
}

// InviteCreate makes an invite code for the caller's family, valid for
// InviteTTL; only its hash is stored.
func (tx *Tx) InviteCreate(ctx context.Context) (code string, expires time.Time, err error) {
	family, err := tx.family()
	if err != nil {
		return "", time.Time{}, err
	}
	code = newInviteCode()
	invite, err := tx.q.InviteInsert(ctx, tx, dbsqlc.InviteInsertParams{
		FamilyID: family, CodeHash: HashToken(NormalizeInviteCode(code)), CreatedBy: tx.user(),
		ExpiresAt: time.Now().Add(InviteTTL),
	})
	if err != nil {
		return "", time.Time{}, Err(err, "invite")
	}
	return code, invite.ExpiresAt, nil
}

// inviteAlphabet is Crockford's base32: no I, L, O, U, easy to read aloud.
const inviteAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newInviteCode returns a 50-bit code shown as XXXXX-XXXXX.
func newInviteCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, inviteAlphabet[int(c)%len(inviteAlphabet)])
	}
	return string(out)
}

// NormalizeInviteCode makes typing forgiving: case, dashes, spaces and the
// letters people confuse with digits do not matter.
func NormalizeInviteCode(code string) string {
	r := strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1")
	return r.Replace(strings.ToUpper(strings.TrimSpace(code)))
}

// Sessions.

// SessionMeta describes the client a session is made for.
type SessionMeta struct {
	UserAgent  string
	ClientAddr string
	TTL        time.Duration
}

// SessionCreate stores a new session for a user and returns its token (only
// its hash is stored).
func (tx *Tx) SessionCreate(ctx context.Context, userID uuid.UUID, m SessionMeta) (string, dbsqlc.Session, error) {
	token := NewToken()
	ua := m.UserAgent
	if len(ua) > 512 {
		ua = strings.ToValidUTF8(ua[:512], "")
	}
	sess, err := tx.q.SessionInsert(ctx, tx, dbsqlc.SessionInsertParams{
		TokenHash: HashToken(token), UserID: userID, ExpiresAt: time.Now().Add(m.TTL),
		UserAgent: ua, ClientAddr: m.ClientAddr,
	})
	return token, sess, err
}

// SessionRotate replaces the caller's session by a new one (refresh): the
// old token stops working at once; open sockets move to the new session.
func (tx *Tx) SessionRotate(ctx context.Context, m SessionMeta) (string, dbsqlc.Session, error) {
	a, err := tx.caller()
	if err != nil {
		return "", dbsqlc.Session{}, err
	}
	token, sess, err := tx.SessionCreate(ctx, a.UserID, m)
	if err != nil {
		return "", sess, err
	}
	n, err := tx.q.SessionRotate(ctx, tx, dbsqlc.SessionRotateParams{ID: a.SessionID, ReplacedBy: &sess.ID})
	if err != nil {
		return "", sess, err
	}
	if n == 0 { // ended by a concurrent refresh or logout
		return "", sess, familyhub.Errorf(familyhub.EUNAUTHORIZED, "The session has ended; sign in again.")
	}
	return token, sess, nil
}

// SessionRevoke ends the caller's session (logout); its sockets close on
// every replica (a trigger notifies them).
func (s *Store) SessionRevoke(ctx context.Context, sessionID uuid.UUID) error {
	_, err := s.Q.SessionRevoke(ctx, s.Pool, sessionID)
	return Err(err, "session")
}

// SessionAuthenticate resolves a session token to its caller, or nil (and
// no error) when the token is unknown, expired, revoked or its user left
// the family. An error means the database could not be asked.
func (s *Store) SessionAuthenticate(ctx context.Context, token string) (*familyhub.Auth, error) {
	if token == "" || len(token) > 128 {
		return nil, nil
	}
	row, err := s.Q.SessionAuthenticate(ctx, s.Pool, HashToken(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, Err(err, "session")
	}
	return &familyhub.Auth{SessionID: row.SessionID, UserID: row.UserID, FamilyID: row.FamilyID, Role: row.Role, ExpiresAt: row.ExpiresAt}, nil
}

// SessionAuthenticateByID is SessionAuthenticate for a session id.
func (s *Store) SessionAuthenticateByID(ctx context.Context, id uuid.UUID) (*familyhub.Auth, error) {
	row, err := s.Q.SessionAuthenticateByID(ctx, s.Pool, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, Err(err, "session")
	}
	return &familyhub.Auth{SessionID: row.SessionID, UserID: row.UserID, FamilyID: row.FamilyID, Role: row.Role, ExpiresAt: row.ExpiresAt}, nil
}

// Realtime tickets: single-use, short-lived stand-ins for the session
// token, for clients that cannot send cookies on a WebSocket.

// TicketTTL is how long a realtime ticket works.
const TicketTTL = time.Minute

// TicketCreate hands out a ticket for the caller's session.
func (s *Store) TicketCreate(ctx context.Context, sessionID uuid.UUID) (string, time.Time, error) {
	ticket := NewToken()
	expires := time.Now().Add(TicketTTL)
	err := s.Q.RealtimeTicketInsert(ctx, s.Pool, dbsqlc.RealtimeTicketInsertParams{
		TokenHash: ticketHash(ticket), SessionID: sessionID, ExpiresAt: expires,
	})
	return ticket, expires, Err(err, "")
}

// TicketAuthenticate consumes a ticket and returns its session's caller, or
// nil when the ticket is unknown, used or expired, or its session ended.
func (s *Store) TicketAuthenticate(ctx context.Context, ticket string) (*familyhub.Auth, error) {
	if len(ticket) > 128 {
		return nil, nil
	}
	sessionID, err := s.Q.RealtimeTicketConsume(ctx, s.Pool, ticketHash(ticket))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, Err(err, "")
	}
	return s.SessionAuthenticateByID(ctx, sessionID)
}

func ticketHash(ticket string) []byte { return HashToken("realtime-ticket:" + ticket) }

// Credentials.

// CredentialOpts says what CheckCredentials accepts besides the password.
type CredentialOpts struct {
	// AppPasswords accepts the user's app passwords (CalDAV clients).
	AppPasswords bool
	// Cache remembers a successful argon2id check for a few minutes:
	// calendar apps send the password with every request, and argon2id is
	// slow on purpose. Keyed by the password and the stored hash, so a
	// password change ends it.
	Cache bool
}

// ErrBadCredentials is the answer to a wrong email or password.
var ErrBadCredentials = familyhub.Errorf(familyhub.EUNAUTHORIZED, "Wrong email or password.")

// CheckCredentials is the one credential check (login, CalDAV Basic auth):
// it refuses with ERATELIMITED when the email or the client address failed
// too often lately, verifies the password (against a dummy hash for
// unknown emails, so both take as long), records a failure, and returns
// the user. Wrong credentials are ErrBadCredentials.
func (s *Store) CheckCredentials(ctx context.Context, email, password, clientAddr string, opts CredentialOpts) (dbsqlc.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > familyhub.MaxEmailLen || password == "" || len(password) > familyhub.MaxPasswordBytes {
		return dbsqlc.User{}, ErrBadCredentials
	}
	counts, err := s.Q.AuthFailureCount(ctx, s.Pool, dbsqlc.AuthFailureCountParams{
		Email: email, ClientAddr: clientAddr, WindowSeconds: LoginWindow.Seconds(),
	})
	if err != nil {
		return dbsqlc.User{}, Err(err, "")
	}
	if counts.ByEmail >= MaxFailuresByEmail || counts.ByAddr >= MaxFailuresByAddr {
		return dbsqlc.User{}, ErrRateLimited
	}
	user, err := s.Q.UserGetByEmail(ctx, s.Pool, email)
	known := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return dbsqlc.User{}, Err(err, "")
	}
	ok := false
	if known && opts.AppPasswords {
		if ok, err = s.checkAppPassword(ctx, user.ID, password); err != nil {
			return dbsqlc.User{}, err
		}
	}
	if !ok {
		hash := dummyHash
		if known {
			hash = user.PasswordHash
		}
		verify := VerifyPassword
		if opts.Cache {
			verify = recentPasswords.verify
		}
		if ok, err = verify(password, hash); err != nil {
			return dbsqlc.User{}, err
		}
		ok = ok && known
	}
	if !ok {
		if err := s.recordAuthFailure(ctx, email, clientAddr); err != nil {
			return dbsqlc.User{}, err
		}
		return dbsqlc.User{}, ErrBadCredentials
	}
	return user, nil
}

// ErrRateLimited refuses a sign-in after too many failures.
var ErrRateLimited = familyhub.Errorf(familyhub.ERATELIMITED, "Too many failed sign-in attempts; try again in %d minutes.", int(LoginWindow.Minutes()))

// dummyHash is verified against when the email is unknown, so that a
// sign-in for an unknown account takes as long as one for a known account.
var dummyHash, _ = HashPassword("familyhub-dummy-password", DefaultPasswordParams)

// recordAuthFailure counts a failed sign-in and prunes the counter table of
// entries too old to matter.
func (s *Store) recordAuthFailure(ctx context.Context, email, addr string) error {
	return s.Tx(ctx, func(tx *Tx) error {
		if err := s.Q.AuthFailureInsert(ctx, tx, dbsqlc.AuthFailureInsertParams{Email: email, ClientAddr: addr}); err != nil {
			return err
		}
		_, err := s.Q.AuthFailurePrune(ctx, tx, authFailureRetention.Seconds())
		return err
	})
}

// recentPasswords remembers recent successful argon2id checks (CredentialOpts.Cache).
var recentPasswords = &passwordCache{entries: map[[32]byte]time.Time{}}

type passwordCache struct {
	mu      sync.Mutex
	entries map[[32]byte]time.Time
}

const (
	passwordCacheTTL  = 5 * time.Minute
	passwordCacheSize = 10000
)

func (c *passwordCache) verify(password, hash string) (bool, error) {
	key := sha256.Sum256([]byte(password + "\x00" + hash))
	c.mu.Lock()
	exp, hit := c.entries[key]
	c.mu.Unlock()
	if hit && time.Now().Before(exp) {
		return true, nil
	}
	ok, err := VerifyPassword(password, hash)
	if err != nil || !ok {
		return ok, err
	}
	c.mu.Lock()
	if len(c.entries) >= passwordCacheSize {
		clear(c.entries)
	}
	c.entries[key] = time.Now().Add(passwordCacheTTL)
	c.mu.Unlock()
	return true, nil
}

// MembershipGet returns the family membership of a user: not found when
// they belong to none (removed).
func (s *Store) MembershipGet(ctx context.Context, userID uuid.UUID) (dbsqlc.Membership, error) {
	m, err := s.Q.MembershipGetByUser(ctx, s.Pool, userID)
	return m, Err(err, "family membership")
}

// UserExists reports whether an account has the email.
func (s *Store) UserExists(ctx context.Context, email string) (bool, error) {
	_, err := s.Q.UserGetByEmail(ctx, s.Pool, strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, Err(err, "")
}
