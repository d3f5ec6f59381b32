package db_test

import (
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
