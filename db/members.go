package db

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

// Membership: who belongs to a family, with which role, and what ends
// someone's access. Every change here is a FAMILY_UPDATED event (the
// memberships trigger of 00012_members.sql); removing a membership closes
// the person's sockets on every replica (00007_realtime.sql).

// ResetCodeTTL is how long a password reset code works.
const ResetCodeTTL = 24 * time.Hour

// Member is a member of the caller's family.
type Member struct {
	ID          uuid.UUID
	DisplayName string
	Role        string
	JoinedAt    time.Time
	// HasPIN: a child who may sign in with a PIN.
	HasPIN bool
	// Locked: failed sign-ins (or PINs) lock the account, from some
	// address (device) or everywhere; an owner can unlock it.
	Locked bool
}

// MemberList returns the members of the caller's family, in joining order.
func (tx *Tx) MemberList(ctx context.Context) ([]Member, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.MemberList(ctx, tx, family)
	if err != nil {
		return nil, err
	}
	accounts := make([]string, 0, 2*len(rows))
	for _, r := range rows {
		accounts = append(accounts, r.Email, r.ID.String())
	}
	locked, err := tx.lockouts(ctx, accounts)
	if err != nil {
		return nil, err
	}
	out := make([]Member, len(rows))
	for i, r := range rows {
		out[i] = Member{ID: r.ID, DisplayName: r.DisplayName, Role: r.Role, JoinedAt: r.JoinedAt, HasPIN: r.HasPin,
			Locked: locked[r.Email] || locked[r.ID.String()]}
	}
	return out, nil
}

// MemberGet returns one member of the caller's family: not found for
// anyone else (another family's member included).
func (tx *Tx) MemberGet(ctx context.Context, userID uuid.UUID) (Member, error) {
	members, err := tx.MemberList(ctx)
	if err != nil {
		return Member{}, err
	}
	for _, m := range members {
		if m.ID == userID {
			return m, nil
		}
	}
	return Member{}, familyhub.NotFound("member")
}

// lockMembers serialises membership changes of the caller's family and
// returns the target's membership (not found when not in the family) with
// the family's member and owner counts. Under the lock it checks the
// caller again: a concurrent change may have removed them, or taken act
// from their role, since the request began.
func (tx *Tx) lockMembers(ctx context.Context, userID uuid.UUID, act familyhub.Action) (dbsqlc.Membership, dbsqlc.MembershipCountsRow, error) {
	a, err := tx.caller()
	if err != nil {
		return dbsqlc.Membership{}, dbsqlc.MembershipCountsRow{}, err
	}
	family := a.FamilyID
	if _, err := tx.q.FamilyLockMembers(ctx, tx, family); err != nil {
		return dbsqlc.Membership{}, dbsqlc.MembershipCountsRow{}, Err(err, "family")
	}
	me, err := tx.q.MembershipGet(ctx, tx, dbsqlc.MembershipGetParams{FamilyID: family, UserID: a.UserID})
	if errors.Is(err, pgx.ErrNoRows) {
		return dbsqlc.Membership{}, dbsqlc.MembershipCountsRow{}, familyhub.Errorf(familyhub.EUNAUTHORIZED, "You are no longer a member of this family.")
	} else if err != nil {
		return dbsqlc.Membership{}, dbsqlc.MembershipCountsRow{}, err
	}
	if act != "" && !familyhub.Can(me.Role, act) {
		return dbsqlc.Membership{}, dbsqlc.MembershipCountsRow{}, familyhub.Forbidden(me.Role, act)
	}
	m, err := tx.q.MembershipGet(ctx, tx, dbsqlc.MembershipGetParams{FamilyID: family, UserID: userID})
	if err != nil {
		return m, dbsqlc.MembershipCountsRow{}, Err(err, "member")
	}
	counts, err := tx.q.MembershipCounts(ctx, tx, family)
	return m, counts, err
}

// errLastOwner refuses to leave a family without an owner.
var errLastOwner = familyhub.Errorf(familyhub.ECONFLICT, "A family keeps at least one owner: make another member an owner first.")

// MemberSetRole changes a member's role (owners only). The last owner
// keeps theirs; a member who stops being a child loses their PIN.
func (tx *Tx) MemberSetRole(ctx context.Context, userID uuid.UUID, role string) (Member, error) {
	if err := tx.authorize(familyhub.ActMemberManage); err != nil {
		return Member{}, err
	}
	if !familyhub.ValidRole(role) {
		return Member{}, familyhub.Invalid("role", "role must be owner, member or child.")
	}
	m, counts, err := tx.lockMembers(ctx, userID, familyhub.ActMemberManage)
	if err != nil {
		return Member{}, err
	}
	if m.Role == familyhub.RoleOwner && role != familyhub.RoleOwner && counts.Owners <= 1 {
		return Member{}, errLastOwner
	}
	tx.markAuthChanged()
	if _, err := tx.q.MembershipSetRole(ctx, tx, dbsqlc.MembershipSetRoleParams{FamilyID: m.FamilyID, UserID: userID, Role: role}); err != nil {
		return Member{}, err
	}
	if role != familyhub.RoleChild {
		if _, err := tx.q.UserSetPIN(ctx, tx, dbsqlc.UserSetPINParams{ID: userID}); err != nil {
			return Member{}, err
		}
	}
	return tx.MemberGet(ctx, userID)
}

// MemberRemove removes a member from the family (owners only; removing
// oneself is FamilyLeave): their access ends at once (endAccess).
func (tx *Tx) MemberRemove(ctx context.Context, userID uuid.UUID) error {
	a, err := tx.caller()
	if err != nil {
		return err
	}
	if userID == a.UserID {
		return tx.FamilyLeave(ctx)
	}
	if err := tx.authorize(familyhub.ActMemberManage); err != nil {
		return err
	}
	m, counts, err := tx.lockMembers(ctx, userID, familyhub.ActMemberManage)
	if err != nil {
		return err
	}
	if m.Role == familyhub.RoleOwner && counts.Owners <= 1 {
		return errLastOwner
	}
	return tx.endAccess(ctx, m)
}

// FamilyLeave takes the caller out of their family. The last owner hands
// ownership over first; the only member deletes their account instead.
func (tx *Tx) FamilyLeave(ctx context.Context) error {
	a, err := tx.caller()
	if err != nil {
		return err
	}
	m, counts, err := tx.lockMembers(ctx, a.UserID, "")
	if err != nil {
		return err
	}
	if counts.Members <= 1 {
		return familyhub.Errorf(familyhub.ECONFLICT, "You are the only member: delete your account (DELETE /api/me) or the family instead.")
	}
	if m.Role == familyhub.RoleOwner && counts.Owners <= 1 {
		return errLastOwner
	}
	return tx.endAccess(ctx, m)
}

// endAccess ends a member's access at once, everywhere: the membership goes
// (their sockets close with 4001 on every replica, their later requests
// answer 401, CalDAV included), their sessions are revoked (noted as
// removed: SessionRemoved), their app
// passwords, PIN and unused reset codes deleted, the calendar feeds they
// made revoked (they saw the secret URLs; a feed of their own tasks goes
// with the membership), and the calendar subscriptions they added that
// hold a secret of theirs (a user name, a password, or an address with a
// token: SubscriptionHoldsSecret) deleted with their imported events (the
// server must not go on reading a departed member's private calendar;
// the others stay the family's). What they did
// stays: rows keep their user id, shown as a former member.
func (tx *Tx) endAccess(ctx context.Context, m dbsqlc.Membership) error {
	tx.markAuthChanged()
	if _, err := tx.q.MembershipDelete(ctx, tx, dbsqlc.MembershipDeleteParams{FamilyID: m.FamilyID, UserID: m.UserID}); err != nil {
		return err
	}
	// Revoked with the reason noted: a device offline now is told on its
	// next request that it was removed (401 removed_from_family).
	if _, err := tx.q.SessionRevokeAllOfUserRemoved(ctx, tx, m.UserID); err != nil {
		return err
	}
	if _, err := tx.q.UserAppPasswordsDelete(ctx, tx, m.UserID); err != nil {
		return err
	}
	if _, err := tx.q.UserSetPIN(ctx, tx, dbsqlc.UserSetPINParams{ID: m.UserID}); err != nil {
		return err
	}
	if _, err := tx.q.ICalFeedRevokeByCreator(ctx, tx, dbsqlc.ICalFeedRevokeByCreatorParams{FamilyID: m.FamilyID, CreatedBy: &m.UserID}); err != nil {
		return err
	}
	subs, err := tx.q.CalendarSubscriptionListOfCreator(ctx, tx, dbsqlc.CalendarSubscriptionListOfCreatorParams{FamilyID: m.FamilyID, CreatedBy: &m.UserID})
	if err != nil {
		return err
	}
	var secret []uuid.UUID
	for _, s := range subs {
		if SubscriptionHoldsSecret(s) {
			secret = append(secret, s.ID)
		}
	}
	if len(secret) > 0 {
		if _, err := tx.q.CalendarSubscriptionDeleteMany(ctx, tx, dbsqlc.CalendarSubscriptionDeleteManyParams{FamilyID: m.FamilyID, Ids: secret}); err != nil {
			return err
		}
	}
	return tx.q.PasswordResetDeleteUnused(ctx, tx, m.UserID)
}

// AccountDelete deletes the caller's account (DELETE /api/me): their
// access ends as with FamilyLeave, and their personal data (email, name,
// password) is wiped; their id stays on what they did, shown as a former
// member. The last owner hands ownership over first; when the caller is
// the only member, the family and its data go too.
func (tx *Tx) AccountDelete(ctx context.Context) error {
	a, err := tx.caller()
	if err != nil {
		return err
	}
	m, counts, err := tx.lockMembers(ctx, a.UserID, "")
	if err != nil {
		return err
	}
	if m.Role == familyhub.RoleOwner && counts.Owners <= 1 && counts.Members > 1 {
		return errLastOwner
	}
	if err := tx.endAccess(ctx, m); err != nil {
		return err
	}
	if counts.Members <= 1 {
		tx.markAuthChanged()
		if err := tx.deleteFamily(ctx, m.FamilyID); err != nil {
			return err
		}
	}
	_, err = tx.q.UserTombstone(ctx, tx, dbsqlc.UserTombstoneParams{ID: a.UserID, TombstoneEmail: a.UserID.String() + "@deleted.invalid"})
	return err
}

// FamilyDelete deletes the caller's family with all its data (owners only;
// name must repeat the family's name). Every member's access ends; their
// accounts stay, in no family (they may sign up again to join or start
// one).
func (tx *Tx) FamilyDelete(ctx context.Context, name string) error {
	if err := tx.authorize(familyhub.ActFamilyDelete); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	f, err := tx.q.FamilyGet(ctx, tx, family)
	if err != nil {
		return Err(err, "family")
	}
	if strings.TrimSpace(name) != f.Name {
		return familyhub.Invalid("name", "Type the family's name to confirm that everything of it is deleted.")
	}
	// The member lock, as joining takes it: someone joining right now is
	// either a member below (and their access ends too) or finds no family.
	if _, err := tx.q.FamilyLockMembers(ctx, tx, family); err != nil {
		return Err(err, "family")
	}
	// The children's devices before their sessions (endAccess), in the
	// order a device's revoke (ChildDeviceDelete) takes them: before, the
	// deletion held a child's sessions and waited for the device (the
	// cascade) while the revoke held the device and waited for a session:
	// PostgreSQL failed one of them (40P01, a 500).
	if _, err := tx.q.ChildDeviceLockFamily(ctx, tx, family); err != nil {
		return err
	}
	members, err := tx.q.MemberList(ctx, tx, family)
	if err != nil {
		return err
	}
	for _, mb := range members {
		if err := tx.endAccess(ctx, dbsqlc.Membership{FamilyID: family, UserID: mb.ID}); err != nil {
			return err
		}
	}
	tx.markAuthChanged()
	return tx.deleteFamily(ctx, family)
}

// deleteFamily deletes the family's row and, by cascade, all its data,
// after its members' access ended (endAccess). It takes the family's
// notify cursor first, as every transaction that writes the family's
// notices does (the notifier's pass, the schedule's scan, a settings
// change: NotifyCursorLock), so it waits for one of those to commit.
// Before, it deleted the family's row and then waited for the cursor (the
// cascade), while the holder's next notice waited for the family's row
// (its foreign key): PostgreSQL broke that deadlock by failing the
// deletion. After endAccess, not before: a settings change holds its
// member's settings row (which endAccess deletes) while it waits for the
// cursor.
func (tx *Tx) deleteFamily(ctx context.Context, family uuid.UUID) error {
	if err := tx.q.NotifyCursorLock(ctx, tx, family); err != nil {
		return err
	}
	_, err := tx.q.FamilyDelete(ctx, tx, family)
	return err
}

// MemberUnlock forgets a member's failed sign-ins and PINs (owners only),
// so that a locked-out member gets in again at once.
func (tx *Tx) MemberUnlock(ctx context.Context, userID uuid.UUID) error {
	if err := tx.authorize(familyhub.ActMemberManage); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	if _, err := tx.q.MembershipGet(ctx, tx, dbsqlc.MembershipGetParams{FamilyID: family, UserID: userID}); err != nil {
		return Err(err, "member")
	}
	u, err := tx.q.UserGet(ctx, tx, userID)
	if err != nil {
		return Err(err, "member")
	}
	_, err = tx.q.AuthFailureClear(ctx, tx, []string{u.Email, u.ID.String()})
	return err
}

// ResetCodeCreate makes a one-time password reset code for a member
// (owners only), valid ResetCodeTTL; it replaces the member's unused codes.
// Only its hash is stored.
func (tx *Tx) ResetCodeCreate(ctx context.Context, userID uuid.UUID) (code string, expires time.Time, err error) {
	if err := tx.authorize(familyhub.ActMemberManage); err != nil {
		return "", time.Time{}, err
	}
	family, err := tx.family()
	if err != nil {
		return "", time.Time{}, err
	}
	if _, err := tx.q.MembershipGet(ctx, tx, dbsqlc.MembershipGetParams{FamilyID: family, UserID: userID}); err != nil {
		return "", time.Time{}, Err(err, "member")
	}
	if err := tx.q.PasswordResetDeleteUnused(ctx, tx, userID); err != nil {
		return "", time.Time{}, err
	}
	code = newInviteCode()
	r, err := tx.q.PasswordResetInsert(ctx, tx, dbsqlc.PasswordResetInsertParams{
		UserID: userID, FamilyID: family, CodeHash: HashToken("reset:" + NormalizeInviteCode(code)),
		CreatedBy: tx.user(), ExpiresAt: time.Now().Add(ResetCodeTTL),
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return code, r.ExpiresAt, nil
}

// ErrBadResetCode answers a wrong, used or expired reset code, and an
// unknown email alike.
var ErrBadResetCode = familyhub.Invalid("code", "This reset code is wrong, used or expired, or is not for this email.")

// PasswordReset sets a new password (hashed with params) with a reset code
// an owner made: the code works once, every session and app password of
// the user ends, and their failed sign-ins are forgotten. Attempts are counted before the code
// is checked (per email and address); too many are ERATELIMITED. The new
// password is hashed only once the code proved right: the endpoint needs
// no session, and a guess must not cost the server an argon2id hash (nor
// take a slot that sign-ins wait for), least of all once it is refused;
// and only once when the transaction (a TxRetry) is run again.
func (s *Store) PasswordReset(ctx context.Context, email, code, newPassword string, params PasswordParams, clientAddr string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	source := SourceKey(clientAddr)
	if len(email) > familyhub.MaxEmailLen {
		return ErrBadResetCode
	}
	if _, err := s.reserve(ctx, resetLimits, email, source); err != nil {
		return err
	}
	hash := "" // made once, in the first try that gets this far (argon2 is slow)
	err := s.TxRetry(ctx, func(tx *Tx) error {
		u, err := s.Q.UserGetByEmail(ctx, tx, email)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrBadResetCode
		} else if err != nil {
			return err
		}
		if _, err := s.Q.PasswordResetConsume(ctx, tx, dbsqlc.PasswordResetConsumeParams{
			UserID: u.ID, CodeHash: HashToken("reset:" + NormalizeInviteCode(code)),
		}); errors.Is(err, pgx.ErrNoRows) {
			return ErrBadResetCode
		} else if err != nil {
			return err
		}
		if hash == "" {
			if hash, err = HashPassword(newPassword, params); err != nil {
				return err
			}
		}
		return tx.passwordSet(ctx, u, hash, nil)
	})
	if err != nil {
		return err
	}
	// The reset committed: clearing the failed attempts is best effort, for
	// an error here would tell the member nothing was done, and the code is
	// used up.
	if err := s.succeeded(ctx, resetLimits, email, source); err != nil && s.Logger != nil {
		s.Logger.Warn("password reset done; its failed attempts not cleared", "err", err)
	}
	return nil
}

// passwordSet stores a new password hash for u and ends their sessions but
// keep (nil: all), their app passwords, their unused reset codes and their
// failed sign-ins, all in tx: none of it without the rest.
//
// App passwords go whoever sets the password (the member themself, a reset
// code, the operator), as Google revokes them when the account's password
// changes: a new password is what someone does who fears another person
// knew the old one, and that person may have made an app password with it
// (it needs only a session), which would keep them reading and writing the
// family's calendar over CalDAV. Re-entering a password in each calendar
// app is the price; the app says so before (the password forms) and after
// (the list of app passwords, from users.app_passwords_revoked_at).
func (tx *Tx) passwordSet(ctx context.Context, u dbsqlc.User, hash string, keep *uuid.UUID) error {
	if n, err := tx.q.UserSetPassword(ctx, tx, dbsqlc.UserSetPasswordParams{ID: u.ID, PasswordHash: hash}); err != nil {
		return err
	} else if n == 0 {
		return familyhub.NotFound("user")
	}
	tx.markAuthChanged()
	if _, err := tx.q.SessionRevokeAllOfUser(ctx, tx, dbsqlc.SessionRevokeAllOfUserParams{UserID: u.ID, Keep: keep}); err != nil {
		return err
	}
	// Each deleted row is a FAMILY_UPDATED event (00038): open lists empty live.
	if n, err := tx.q.UserAppPasswordsDelete(ctx, tx, u.ID); err != nil {
		return err
	} else if n > 0 {
		if err := tx.q.UserAppPasswordsRevokedNow(ctx, tx, u.ID); err != nil {
			return err
		}
	}
	if err := tx.q.PasswordResetDeleteUnused(ctx, tx, u.ID); err != nil {
		return err
	}
	_, err := tx.q.AuthFailureClear(ctx, tx, []string{u.Email, u.ID.String()})
	return err
}

// PasswordChange sets the caller's new password (hashed already; the
// caller checked the current one with CheckCredentials): every other
// session of theirs ends (sockets close with 4001), this one stays; their
// app passwords are revoked (passwordSet says why).
func (tx *Tx) PasswordChange(ctx context.Context, newHash string) error {
	a, err := tx.caller()
	if err != nil {
		return err
	}
	u, err := tx.q.UserGet(ctx, tx, a.UserID)
	if err != nil {
		return Err(err, "user")
	}
	keep := a.SessionID
	return tx.passwordSet(ctx, u, newHash, &keep)
}

// PasswordSetByEmail sets the password of the account with email (the
// operator's `familyhub reset-password`): all its sessions and app
// passwords end and it is unlocked. An unknown email is not found.
func (s *Store) PasswordSetByEmail(ctx context.Context, email, hash string) (dbsqlc.User, error) {
	var u dbsqlc.User
	err := s.Tx(ctx, func(tx *Tx) error {
		var err error
		if u, err = s.Q.UserGetByEmail(ctx, tx, strings.ToLower(strings.TrimSpace(email))); err != nil {
			return Err(err, "account with that email")
		}
		return tx.passwordSet(ctx, u, hash, nil)
	})
	return u, err
}
