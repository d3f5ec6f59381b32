package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSignupRejoinNeedsSignInCheck: Tx.Signup verifies no password itself.
// An account in no family comes back into one only when Store.SignupCheck
// verified its password (the sign-in check, counted once); a wrong password
// is the conflict of a taken email. Not parallel: it reads the process-wide
// count of password checks.
func TestSignupRejoinNeedsSignInCheck(t *testing.T) {
	ctx := t.Context()
	store := db.NewStore(dbtest.Pool(t))
	params := db.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}
	hash, err := db.HashPassword("correct horse", params)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	if err := store.Pool.QueryRow(ctx, `INSERT INTO users (email, password_hash, display_name) VALUES ('left@example.org', $1, 'Left') RETURNING id`, hash).Scan(&id); err != nil {
		t.Fatal(err)
	}
	signup := func(password string) db.Signup {
		p := db.Signup{Email: "left@example.org", Password: password, DisplayName: "Back", FamilyName: "Again"}
		if err := p.Normalize(false); err != nil {
			t.Fatal(err)
		}
		return p
	}
	join := func(p db.Signup) (db.Account, error) {
		var acc db.Account
		err := store.Tx(ctx, func(tx *db.Tx) (err error) {
			acc, err = tx.Signup(ctx, p, "")
			return err
		})
		return acc, err
	}

	// Without the check, even the right password is a taken email.
	before := db.PasswordChecks()
	if _, err := join(signup("correct horse")); familyhub.ErrorCode(err) != familyhub.ECONFLICT {
		t.Fatalf("unchecked sign-up of a family-less account: %v", err)
	}
	if n := db.PasswordChecks() - before; n != 0 {
		t.Fatalf("Tx.Signup checked %d passwords", n)
	}
	// A wrong password: one counted check, a conflict.
	wrong := signup("wrong horse")
	before = db.PasswordChecks()
	if err := store.SignupCheck(ctx, &wrong, "192.0.2.1"); familyhub.ErrorCode(err) != familyhub.ECONFLICT || !wrong.NewAccount() {
		t.Fatalf("wrong password: %v (new account %v)", err, wrong.NewAccount())
	}
	if n := db.PasswordChecks() - before; n != 1 {
		t.Fatalf("a wrong password cost %d checks, want 1", n)
	}
	// The right one: the account joins the new family, once.
	right, again := signup("correct horse"), signup("correct horse")
	for _, p := range []*db.Signup{&right, &again} {
		if err := store.SignupCheck(ctx, p, "192.0.2.1"); err != nil || p.NewAccount() {
			t.Fatalf("right password: %v (new account %v)", err, p.NewAccount())
		}
	}
	acc, err := join(right)
	if err != nil || acc.User.ID.String() != id || acc.Role != familyhub.RoleOwner {
		t.Fatalf("rejoined as %+v, %v", acc, err)
	}
	if _, err := join(again); familyhub.ErrorCode(err) != familyhub.ECONFLICT {
		t.Fatalf("a second sign-up checked before the first joined: %v", err)
	}
}

// TestSignupWhileFamilyDeleted: someone joins with an invite while the
// family is being deleted (which holds the family's member lock and then
// deletes the invites with the family). Joining takes the member lock
// before the invite's row lock, in the same order, so the deletion goes
// through and the join answers "unknown invite". Taking the invite first
// (as before) deadlocked: PostgreSQL cancelled one of the two after a
// second (40P01, a 500 for the user).
func TestSignupWhileFamilyDeleted(t *testing.T) {
	t.Parallel()
	e := newPipelineEnvConns(t, 3)
	ctx := e.owner(t, "going")
	family := familyhub.AuthFromContext(ctx).FamilyID
	var code string
	if err := e.store.Tx(ctx, func(tx *db.Tx) (err error) {
		code, _, err = tx.InviteCreate(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// The deletion, at the point FamilyDelete has taken the member lock.
	del, err := e.pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer del.Rollback(context.Background())
	if _, err := del.Exec(context.Background(), `SELECT id FROM families WHERE id = $1 FOR NO KEY UPDATE`, family); err != nil {
		t.Fatal(err)
	}
	joined := make(chan error, 1)
	go func() {
		joined <- e.store.Tx(context.Background(), func(tx *db.Tx) error {
			_, err := tx.Signup(context.Background(), db.Signup{Email: "late@example.org", DisplayName: "Late", InviteCode: db.NormalizeInviteCode(code)}, "x")
			return err
		})
	}()
	if !e.lockWaiter(t, "") {
		t.Fatal("the sign-up did not wait for the family's lock")
	}
	if _, err := del.Exec(context.Background(), `DELETE FROM families WHERE id = $1`, family); err != nil {
		t.Fatalf("deleting the family while someone joins: %v", err)
	}
	if err := del.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	err = <-joined
	var fe *familyhub.Error
	if !errors.As(err, &fe) || fe.Code != familyhub.EINVALID || fe.Field != "invite_code" {
		t.Fatalf("joining a deleted family: %v, want the unknown invite", err)
	}
}
