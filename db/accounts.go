package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// InviteTTL is how long an invite code works unless its creator says
// otherwise (MinInviteTTL to MaxInviteTTL).
const (
	InviteTTL    = 7 * 24 * time.Hour
	MinInviteTTL = time.Hour
	MaxInviteTTL = 30 * 24 * time.Hour
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

	// checkedUser is the account with this email whose password
	// Store.SignupCheck verified (the sign-in check, counted and limited);
	// uuid.Nil when there was no such account. Only that account can be
	// brought back into a family by Tx.Signup.
	checkedUser uuid.UUID
}

// NewAccount reports whether the sign-up makes a new user (the email
// belonged to no account when Store.SignupCheck looked): only then does
// Tx.Signup need the hash of the password.
func (p *Signup) NewAccount() bool { return p.checkedUser == uuid.Nil }

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

// SignupCheck runs the checks of a sign-up p (normalised already) that
// need no transaction, before Tx.Signup: the invite code first, so that a
// bogus code answers the same whether the email is known or not; then, when
// the email belongs to an account, its password through CheckCredentials,
// the one sign-in check (counted, limited per account and per address,
// forgiven when right). Every known email is checked, whether its account
// is in a family or not, so the answers and the limits do not tell the two
// apart. A wrong password is the conflict of a taken email; a locked
// account ERATELIMITED as at login (retry after LoginWindow). It runs
// outside the sign-up's transaction, which would otherwise hold a pool
// connection while the check takes others.
func (s *Store) SignupCheck(ctx context.Context, p *Signup, clientAddr string) error {
	p.checkedUser = uuid.Nil
	if p.InviteCode != "" {
		// Locks nothing here (no transaction): Tx.Signup locks it again.
		if _, err := s.Q.InviteLockByCode(ctx, s.Pool, HashToken(p.InviteCode)); errors.Is(err, pgx.ErrNoRows) {
			return errInviteUnknown
		} else if err != nil {
			return Err(err, "")
		}
	}
	if _, err := s.Q.UserGetByEmail(ctx, s.Pool, p.Email); errors.Is(err, pgx.ErrNoRows) {
		return nil
	} else if err != nil {
		return Err(err, "")
	}
	user, err := s.CheckCredentials(ctx, p.Email, p.Password, clientAddr, CredentialOpts{})
	switch {
	case familyhub.ErrorCode(err) == familyhub.EUNAUTHORIZED:
		return errEmailTaken
	case err != nil:
		return err
	}
	p.checkedUser = user.ID
	return nil
}

var errInviteUnknown = familyhub.Invalid("invite_code", "This invite code is unknown, used or expired.")

// Signup creates the account p describes (normalised and passed through
// Store.SignupCheck already) with the password hash (unused, and may be
// empty, unless p.NewAccount()); no caller is needed. The invite is checked
// first, so that a bogus invite code answers the same whether the email is
// known or not. The invite's role is the new member's; a new family makes
// its creator the owner. A taken email is a conflict, except that a person
// whose account belongs to no family any more (they left or were removed)
// gets it back by signing up with its password (checked by SignupCheck).
func (tx *Tx) Signup(ctx context.Context, p Signup, passwordHash string) (Account, error) {
	q := tx.q
	var acc Account
	var invite dbsqlc.Invite
	if p.InviteCode != "" {
		// The family's member lock first, then the invite's row: the
		// order in which deleting the family locks them (InviteFamilyByCode).
		family, err := q.InviteFamilyByCode(ctx, tx, HashToken(p.InviteCode))
		if errors.Is(err, pgx.ErrNoRows) {
			return acc, errInviteUnknown
		} else if err != nil {
			return acc, err
		}
		if err := tx.familyRoom(ctx, family); familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
			return acc, errInviteUnknown // the family was deleted meanwhile
		} else if err != nil {
			return acc, err
		}
		invite, err = q.InviteLockByCode(ctx, tx, HashToken(p.InviteCode))
		if errors.Is(err, pgx.ErrNoRows) {
			return acc, errInviteUnknown // used or revoked meanwhile
		} else if err != nil {
			return acc, err
		}
	}
	user, err := tx.signupUser(ctx, p, passwordHash)
	if err != nil {
		return acc, err
	}
	acc.User = user
	if p.InviteCode != "" {
		if err := q.InviteMarkUsed(ctx, tx, dbsqlc.InviteMarkUsedParams{ID: invite.ID, UsedBy: &user.ID}); err != nil {
			return acc, err
		}
		if acc.Family, err = q.FamilyGet(ctx, tx, invite.FamilyID); err != nil {
			return acc, err
		}
		acc.Role = invite.Role
	} else {
		if acc.Family, err = q.FamilyInsert(ctx, tx, dbsqlc.FamilyInsertParams{Name: p.FamilyName, TimeZone: p.TimeZone}); err != nil {
			return acc, Err(err, "family")
		}
		acc.Role = familyhub.RoleOwner
	}
	err = q.MembershipInsert(ctx, tx, dbsqlc.MembershipInsertParams{FamilyID: acc.Family.ID, UserID: acc.User.ID, Role: acc.Role})
	return acc, err
}

// familyRoom refuses (ELIMIT) one more member of a family that has
// familyhub.MaxFamilyMembers. It takes the lock membership changes take
// (FamilyLockMembers), so two people joining at once are counted in turn.
func (tx *Tx) familyRoom(ctx context.Context, family uuid.UUID) error {
	if _, err := tx.q.FamilyLockMembers(ctx, tx, family); err != nil {
		return Err(err, "family")
	}
	c, err := tx.q.MembershipCounts(ctx, tx, family)
	if err != nil {
		return Err(err, "")
	}
	if c.Members >= familyhub.MaxFamilyMembers {
		return familyhub.Errorf(familyhub.ELIMIT, "A family can have at most %d members; remove one first.", familyhub.MaxFamilyMembers)
	}
	return nil
}

// errEmailTaken answers a sign-up with a taken email (or with the email of
// a family-less account and the wrong password: the same answer). It names
// the field, so the app says so at the email field.
var errEmailTaken = familyhub.Errorf(familyhub.ECONFLICT, "That email address already exists.").WithField("email")

// signupUser creates the signing-up user, or returns their family-less
// account when SignupCheck verified its password. It verifies no password
// itself: that is CheckCredentials' work, with its limits. The account must
// still be the one checked and still in no family.
func (tx *Tx) signupUser(ctx context.Context, p Signup, passwordHash string) (dbsqlc.User, error) {
	existing, err := tx.q.UserGetByEmail(ctx, tx, p.Email)
	if errors.Is(err, pgx.ErrNoRows) {
		if !p.NewAccount() {
			return existing, errEmailTaken // the checked account went (deleted) meanwhile
		}
		u, err := tx.q.UserInsert(ctx, tx, dbsqlc.UserInsertParams{Email: p.Email, PasswordHash: passwordHash, DisplayName: p.DisplayName})
		return u, Err(err, "user")
	} else if err != nil {
		return existing, err
	}
	if existing.ID != p.checkedUser {
		return existing, errEmailTaken
	}
	// Two such sign-ups at once: memberships_user_id_key lets one win.
	if _, err := tx.q.MembershipGetByUser(ctx, tx, existing.ID); err == nil {
		return existing, errEmailTaken
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return existing, err
	}
	return existing, nil
}

// ErrNoFamily refuses a sign-in to an account that belongs to no family any more.
var ErrNoFamily = familyhub.Errorf(familyhub.EFORBIDDEN,
	"This account belongs to no family any more. To join one, sign up with an invite code using this email and password; to start your own, sign up with a family name.")

// AccountGet returns a user with their family and role; ErrNoFamily when
// they left or were removed from their family.
func (tx *Tx) AccountGet(ctx context.Context, userID uuid.UUID) (Account, error) {
	var acc Account
	var err error
	if acc.User, err = tx.q.UserGet(ctx, tx, userID); err != nil {
		return acc, Err(err, "user")
	}
	m, err := tx.q.MembershipGetByUser(ctx, tx, userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return acc, ErrNoFamily
	} else if err != nil {
		return acc, err
	}
	acc.Role = m.Role
	acc.Family, err = tx.q.FamilyGet(ctx, tx, m.FamilyID)
	return acc, Err(err, "family")
}

// FamilyPatch changes the present settings of a family.
type FamilyPatch struct {
	Name     *string
	TimeZone *string
	// DefaultListID is the shopping list commands without a list name use
	// (the assistant); null clears it (then the only list, else the first).
	DefaultListID familyhub.Optional[uuid.UUID]
}

// FamilyUpdate applies p to the caller's family (owners only). If-Match:
// only at the version ctx asks for; another version is a StaleError with
// the family as stored.
func (tx *Tx) FamilyUpdate(ctx context.Context, p FamilyPatch) (dbsqlc.Family, error) {
	if err := tx.authorize(familyhub.ActFamilyUpdate); err != nil {
		return dbsqlc.Family{}, err
	}
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
	if p.DefaultListID.Set && !p.DefaultListID.Null {
		if _, err := tx.ShoppingListGet(ctx, p.DefaultListID.Value); err != nil {
			if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
				return dbsqlc.Family{}, familyhub.Invalid("default_list_id", "default_list_id must be the id of one of your family's shopping lists.")
			}
			return dbsqlc.Family{}, err
		}
	}
	f, err := tx.q.FamilyUpdate(ctx, tx, dbsqlc.FamilyUpdateParams{ID: family, Name: p.Name, TimeZone: p.TimeZone,
		DefaultListSet: p.DefaultListID.Set, DefaultListID: p.DefaultListID.Ptr(), IfVersion: ifVersion(ctx)})
	if isNoRows(err) {
		return f, staleOrMissing(ctx, "family", func() (dbsqlc.Family, error) {
			f, err := tx.q.FamilyGet(ctx, tx, family)
			return f, Err(err, "family")
		})
	}
	return f, Err(err, "family")
}

// Invites.

// InviteNew is an invite to make: the role it grants (default member) and
// how long it works (default InviteTTL).
type InviteNew struct {
	Role string
	TTL  time.Duration
}

// InviteCreate makes a member invite valid for InviteTTL (InviteMake with
// the defaults).
func (tx *Tx) InviteCreate(ctx context.Context) (code string, expires time.Time, err error) {
	inv, code, err := tx.InviteMake(ctx, InviteNew{})
	return code, inv.ExpiresAt, err
}

// InviteMake makes an invite code for the caller's family and returns it
// with the stored invite (only the code's hash is stored). Owners and
// members make invites; only owners invite owners. A family has at most
// MaxOpenInvites open invites (ELIMIT beyond).
func (tx *Tx) InviteMake(ctx context.Context, p InviteNew) (dbsqlc.Invite, string, error) {
	if err := tx.authorize(familyhub.ActInviteManage); err != nil {
		return dbsqlc.Invite{}, "", err
	}
	family, err := tx.family()
	if err != nil {
		return dbsqlc.Invite{}, "", err
	}
	if p.Role == "" {
		p.Role = familyhub.RoleMember
	}
	if !familyhub.ValidRole(p.Role) {
		return dbsqlc.Invite{}, "", familyhub.Invalid("role", "role must be owner, member or child.")
	}
	if p.Role == familyhub.RoleOwner {
		if err := tx.authorize(familyhub.ActInviteOwner); err != nil {
			return dbsqlc.Invite{}, "", err
		}
	}
	if p.TTL == 0 {
		p.TTL = InviteTTL
	}
	if p.TTL < MinInviteTTL || p.TTL > MaxInviteTTL {
		return dbsqlc.Invite{}, "", familyhub.Invalid("expires_in_hours", "An invite works for 1 hour to %d days.", int(MaxInviteTTL.Hours()/24))
	}
	if err := tx.underLimit(ctx, limitInvites, family, MaxOpenInvites,
		func() (int32, error) { return tx.q.InviteCountOpen(ctx, tx, family) },
		familyhub.Errorf(familyhub.ELIMIT, "A family can have at most %d open invites; delete one first.", MaxOpenInvites)); err != nil {
		return dbsqlc.Invite{}, "", err
	}
	code := newInviteCode()
	invite, err := tx.q.InviteInsert(ctx, tx, dbsqlc.InviteInsertParams{
		FamilyID: family, CodeHash: HashToken(NormalizeInviteCode(code)), CreatedBy: tx.user(),
		ExpiresAt: time.Now().Add(p.TTL), Role: p.Role,
	})
	if err != nil {
		return dbsqlc.Invite{}, "", Err(err, "invite")
	}
	return invite, code, nil
}

// InviteList returns the family's invites, newest first (at most 200),
// used and expired ones included.
func (tx *Tx) InviteList(ctx context.Context) ([]dbsqlc.Invite, error) {
	if err := tx.authorize(familyhub.ActInviteManage); err != nil {
		return nil, err
	}
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.q.InviteList(ctx, tx, family)
}

// InviteDelete deletes an invite of the family: an open one stops working.
func (tx *Tx) InviteDelete(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActInviteManage); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	n, err := tx.q.InviteDelete(ctx, tx, dbsqlc.InviteDeleteParams{ID: id, FamilyID: family})
	return deleted(n, err, "invite")
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
	return token, sess, Err(err, "session")
}

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
	if err != nil {
		return "", sess, err
	}
	tx.markAuthChanged()
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
	err := s.Tx(ctx, func(tx *Tx) error {
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
