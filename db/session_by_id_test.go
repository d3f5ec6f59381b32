package db_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSessionAuthenticateByIDLegacy: SessionAuthenticateByID (a realtime
// ticket's session, a rotated session's successor) carries whether the
// session is legacy, as SessionAuthenticate does, and so does
// TicketAuthenticate through it. Before, it always said not legacy: a
// caller that went by LegacyCookie would refuse a legacy session found by
// id where the same session found by its token was let in.
func TestSessionAuthenticateByIDLegacy(t *testing.T) {
	ctx := t.Context()
	store := db.NewStore(dbtest.Pool(t))
	p := db.Signup{Email: "ana@example.org", Password: "correct horse", DisplayName: "Ana", FamilyName: "F"}
	if err := p.Normalize(false); err != nil {
		t.Fatal(err)
	}
	for _, issued := range []string{db.IssuedLegacy, db.IssuedHost, db.IssuedPlain, db.IssuedNone} {
		var token string
		var id uuid.UUID
		err := store.Tx(ctx, func(tx *db.Tx) error {
			var userID uuid.UUID
			if issued == db.IssuedLegacy {
				acc, err := tx.Signup(ctx, p, "x")
				if err != nil {
					return err
				}
				userID = acc.User.ID
			} else if err := tx.QueryRow(ctx, `SELECT id FROM users WHERE email = 'ana@example.org'`).Scan(&userID); err != nil {
				return err
			}
			tok, sess, err := tx.SessionCreate(ctx, userID, db.SessionMeta{TTL: time.Hour, IssuedAs: db.IssuedNone})
			token, id = tok, sess.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// issued_as as migration 00040 or the app wrote it.
		if _, err := store.Pool.Exec(ctx, `UPDATE sessions SET issued_as = $2 WHERE id = $1`, id, issued); err != nil {
			t.Fatal(err)
		}
		want := issued == db.IssuedLegacy
		byToken, err := store.SessionAuthenticate(ctx, token)
		if err != nil || byToken == nil || byToken.LegacyCookie != want {
			t.Fatalf("%s: SessionAuthenticate = %+v, %v; want LegacyCookie %v", issued, byToken, err, want)
		}
		byID, err := store.SessionAuthenticateByID(ctx, id)
		if err != nil || byID == nil || byID.LegacyCookie != want {
			t.Fatalf("%s: SessionAuthenticateByID = %+v, %v; want LegacyCookie %v", issued, byID, err, want)
		}
		ticket, _, err := store.TicketCreate(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		byTicket, _, err := store.TicketAuthenticate(ctx, ticket)
		if err != nil || byTicket == nil || byTicket.LegacyCookie != want {
			t.Fatalf("%s: TicketAuthenticate = %+v, %v; want LegacyCookie %v", issued, byTicket, err, want)
		}
	}
}
