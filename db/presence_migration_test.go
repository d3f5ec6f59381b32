package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPresencePerReplicaMigration: migration 00021 (a device's presence
// row per replica) keeps the rows there are, and going down keeps each
// device's most recently written row.
func TestPresencePerReplicaMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	store := db.NewStore(pool)
	var family, user uuid.UUID
	if err := pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name, time_zone) VALUES ('F', 'UTC') RETURNING id),
		u AS (INSERT INTO users (email, password_hash, display_name) VALUES ('u@example.org', 'x', 'U') RETURNING id),
		m AS (INSERT INTO memberships (family_id, user_id) SELECT f.id, u.id FROM f, u)
		SELECT f.id, u.id FROM f, u`).Scan(&family, &user); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE family_event_seq SET seq = 10 WHERE family_id = $1`, family); err != nil {
		t.Fatal(err) // the seqs written below are the family's
	}
	now := time.Now()
	a, b := uuid.New(), uuid.New()
	seen := func(replica uuid.UUID, seq int64, topics ...string) {
		t.Helper()
		if _, err := store.DevicesSeen(ctx, replica, []db.DeviceSeen{{FamilyID: family, UserID: user, DeviceID: "phone", Seq: seq, Topics: topics, LiveUntil: now.Add(time.Minute)}}); err != nil {
			t.Fatal(err)
		}
	}
	seen(a, 5, "tasks")
	seen(b, 3, "shopping")
	seen(a, 4, "calendar") // the seq of a row only grows
	count := func() (n int) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM notify_device_presence`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("%d rows, want one per replica", n)
	}
	var seq int64
	var topics []string
	if err := pool.QueryRow(ctx, `SELECT seen_seq, topics FROM notify_device_presence WHERE replica = $1`, a).Scan(&seq, &topics); err != nil || seq != 5 || len(topics) != 1 || topics[0] != "calendar" {
		t.Fatalf("replica a's row: %d %v %v", seq, topics, err)
	}

	if _, err := provider.DownTo(ctx, 20); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT seen_seq, topics FROM notify_device_presence`).Scan(&seq, &topics); err != nil || seq != 5 || topics[0] != "calendar" {
		t.Fatalf("after going down: %d %v %v, want the row written last", seq, topics, err)
	}
	if _, err := provider.UpTo(ctx, 21); err != nil {
		t.Fatal(err)
	}
	var replica uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT replica FROM notify_device_presence`).Scan(&replica); err != nil || replica != uuid.Nil || count() != 1 {
		t.Fatalf("after going up again: replica %s, %d rows, %v", replica, count(), err)
	}
}
