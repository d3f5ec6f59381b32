package realtime

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestCrossCheckQuietInNormalOperation: the cross-check's comparison of
// the event under the delivered seq (rewind.go) must never fire on a
// database that did not go back: a false alarm makes every socket of the
// family re-read everything, every 2 s for a busy family. The cases that
// could look like another event under the seq: the writer's session in
// another time zone (the notice's "at" is written in it, with its offset),
// an event for another member alone (an app password's, 00042: skipped for
// this socket, yet the delivered seq), an event whose notice never came
// and that the replica read from the log (catch-up), and the event under
// the seq pruned by retention. None may make a resync or a rewind.
func TestCrossCheckQuietInNormalOperation(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told) // the test's own checks only
	ctx := context.Background()
	family, list := newFamily(t, pool)
	owner, other := member(t, pool, family), member(t, pool, family)
	a, err := hub.Join(ctx, JoinParams{FamilyID: family, UserID: other, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(a.Client)
	quiet := func(what string) {
		t.Helper()
		for range 2 { // the first check may take the mark from the log
			if err := hub.crossCheck(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if msgs := a.Client.Take(); len(msgs) != 0 {
			t.Fatalf("%s: the cross-check sent %q", what, msgs[0].Data)
		}
		select {
		case <-a.Client.Done():
			code, reason := a.Client.CloseStatus()
			t.Fatalf("%s: the socket was closed (%d %s)", what, code, reason)
		default:
		}
		if got := told.get(); len(got) != 0 {
			t.Fatalf("%s: OnRewind was told %+v", what, got)
		}
	}
	seq := func() (s int64) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, family).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	deliveredTo := func(s int64) {
		t.Helper()
		waitFor(t, "the hub to deliver the family's last event", func() bool { d, _, _ := hub.delivered(family); return d == s })
	}
	quiet("a family joined")

	// Written in a session of another time zone (+05:45).
	exec(t, pool, `SET LOCAL TimeZone = 'Asia/Kathmandu'`, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ('`+family.String()+`', '`+list.String()+`', 'milk')`)
	collect(t, a.Client, 1)
	quiet("an event written in another time zone")

	// An app password of the owner: an event for the owner's devices alone,
	// skipped for this socket, under the seq the replica last delivered.
	exec(t, pool, `INSERT INTO dav_app_passwords (user_id, name, secret_hash) VALUES ('`+owner.String()+`', 'phone', decode(md5(random()::text), 'hex'))`)
	deliveredTo(seq())
	quiet("another member's own event")

	// An event whose notice never came (raised as a notice no one
	// collects): the checks find the family's seq ahead and read it from
	// the log.
	exec(t, pool, `SET LOCAL familyhub.announce = 'after_commit'`, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ('`+family.String()+`', '`+list.String()+`', 'eggs')`)
	s := seq()
	waitFor(t, "the cross-check to catch the family up", func() bool {
		if err := hub.crossCheck(ctx); err != nil {
			t.Fatal(err)
		}
		d, _, _ := hub.delivered(family)
		return d == s
	})
	collect(t, a.Client, 1)
	quiet("an event read from the log")

	// Retention pruned the event under the delivered seq.
	if _, err := pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1`, family); err != nil {
		t.Fatal(err)
	}
	quiet("the delivered event pruned")
}

// member adds a member to the family and returns the user's id.
func member(t *testing.T, pool *pgxpool.Pool, family uuid.UUID) (id uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, password_hash, display_name) VALUES ($1, 'x', 'Member') RETURNING id`,
		"m-"+uuid.NewString()+"@example.com").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO memberships (family_id, user_id, role) VALUES ($1, $2, 'member')`, family, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// exec runs the statements in one transaction.
func exec(t *testing.T, pool *pgxpool.Pool, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}
