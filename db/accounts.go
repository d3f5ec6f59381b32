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
