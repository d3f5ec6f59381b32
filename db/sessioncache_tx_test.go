package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSessionCacheDerivedTx: a session ended through a Tx made from
// another (WithAuth, as jobs and seeding act for a caller; Savepoint, as
// the assistant tries an option) is forgotten at commit like one ended
// through the Tx itself: the flag that clears the cache is the
// transaction's, not the copy's.
func TestSessionCacheDerivedTx(t *testing.T) {
	ctx := t.Context()
	store := db.NewStore(dbtest.Pool(t))
	store.Sessions = db.NewSessionCache(func() bool { return true }, time.Minute, 100)
	p := db.Signup{Email: "ana@example.org", Password: "correct horse", DisplayName: "Ana", FamilyName: "Rivera"}
	if err := p.Normalize(false); err != nil {
		t.Fatal(err)
	}
	var acc db.Account
	var tokens [2]string
	var ids [2]uuid.UUID
	if err := store.Tx(ctx, func(tx *db.Tx) (err error) {
		if acc, err = tx.Signup(ctx, p, ""); err != nil {
			return err
		}
		for i := range tokens {
			token, sess, err := tx.SessionCreate(ctx, acc.User.ID, db.SessionMeta{TTL: time.Hour})
			if err != nil {
				return err
			}
			tokens[i], ids[i] = token, sess.ID
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	signedIn := func(token string) bool {
		t.Helper()
		a, err := store.SessionAuthenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		return a != nil
	}
	for _, token := range tokens {
		if !signedIn(token) { // now kept
			t.Fatal("a new session does not sign in")
		}
	}
	caller := &familyhub.Auth{UserID: acc.User.ID, FamilyID: acc.Family.ID, Role: acc.Role, SessionID: ids[0]}

	if err := store.Tx(ctx, func(tx *db.Tx) error {
		return tx.WithAuth(caller).SessionEnd(ctx, ids[1])
	}); err != nil {
		t.Fatal(err)
	}
	if signedIn(tokens[1]) {
		t.Fatal("a session ended through WithAuth still signs in")
	}

	callerCtx := familyhub.NewContextWithAuth(context.Background(), caller)
	if err := store.Tx(callerCtx, func(tx *db.Tx) error {
		return tx.Savepoint(ctx, func(tx *db.Tx) error { return tx.SessionEnd(ctx, ids[0]) })
	}); err != nil {
		t.Fatal(err)
	}
	if signedIn(tokens[0]) {
		t.Fatal("a session ended in a savepoint still signs in")
	}
}
