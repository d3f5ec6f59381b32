package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestDevicesSeenMergesADevicesRows: a batch naming a device twice writes
// one row for it, with the higher seq and the later live_until with its
// topics; rows without a user or device are skipped; a seq above the
// family's (sent before the database went back) is written as the
// family's.
func TestDevicesSeenMergesADevicesRows(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := db.NewStore(pool)
	var family, user uuid.UUID
	if err := pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name, time_zone) VALUES ('F', 'UTC') RETURNING id),
		u AS (INSERT INTO users (email, password_hash, display_name) VALUES ('merge@example.org', 'x', 'U') RETURNING id),
		m AS (INSERT INTO memberships (family_id, user_id) SELECT f.id, u.id FROM f, u)
		SELECT f.id, u.id FROM f, u`).Scan(&family, &user); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE family_event_seq SET seq = 100 WHERE family_id = $1`, family); err != nil {
		t.Fatal(err) // as after 100 events
	}
	now := time.Now().Truncate(time.Second)
	replica := uuid.New()
	_, err := store.DevicesSeen(ctx, replica, []db.DeviceSeen{
		{FamilyID: family, UserID: user, DeviceID: "tablet", Seq: 2, Topics: []string{"calendar"}, LiveUntil: now.Add(time.Minute)},
		{FamilyID: family, UserID: user, DeviceID: "phone", Seq: 7, Topics: []string{"tasks"}, LiveUntil: now.Add(2 * time.Minute)},
		{FamilyID: family, UserID: uuid.Nil, DeviceID: "phone", Seq: 99, LiveUntil: now.Add(time.Hour)},
		{FamilyID: family, UserID: user, DeviceID: "", Seq: 99, LiveUntil: now.Add(time.Hour)},
		{FamilyID: family, UserID: user, DeviceID: "phone", Seq: 9, Topics: []string{"shopping"}, LiveUntil: now.Add(time.Minute)},
		{FamilyID: family, UserID: user, DeviceID: "watch", Seq: 150, LiveUntil: now.Add(time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT device_id, seen_seq, topics, live_until FROM notify_device_presence WHERE replica = $1 ORDER BY device_id`, replica)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type row struct {
		device string
		seq    int64
		topics []string
		live   time.Time
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.device, &r.seq, &r.topics, &r.live); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("rows %+v, want phone, tablet and watch", got)
	}
	if p := got[0]; p.device != "phone" || p.seq != 9 || len(p.topics) != 1 || p.topics[0] != "tasks" || !p.live.Equal(now.Add(2*time.Minute)) {
		t.Errorf("phone: %+v, want seq 9, the later live_until with its topics [tasks]", p)
	}
	if tb := got[1]; tb.device != "tablet" || tb.seq != 2 || tb.topics[0] != "calendar" {
		t.Errorf("tablet: %+v", tb)
	}
	if w := got[2]; w.device != "watch" || w.seq != 100 {
		t.Errorf("watch: %+v, want seq 100 (the family's)", w)
	}
}
