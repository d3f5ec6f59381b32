package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPresenceLiveRowsReadsOnlyTheFamily: the read that puts back a
// family's lost presence rows after a rewind note (NotifyPresenceLiveRows,
// at most every 5 s per replica; notify/presence_restore.go putBack) fetches the
// family's rows only, found through its members, not every row of the
// replica. A join with a made-up since has it run on the client's word:
// through the index on replica it fetched the replica's rows of every
// family (4.7-9.6 ms at 100,000 rows, docs/benchmarks.md), as many as the
// replica's other families have, every 5 s.
func TestPresenceLiveRowsReadsOnlyTheFamily(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := db.NewStore(pool)
	mine := uuid.New()
	now := time.Now().Truncate(time.Second)
	// member makes a family with one member and a live device of it on
	// this replica (and one on another), and returns the family.
	member := func(i int) uuid.UUID {
		t.Helper()
		var family, user uuid.UUID
		if err := pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name, time_zone) VALUES ('F', 'UTC') RETURNING id),
			u AS (INSERT INTO users (email, password_hash, display_name) VALUES ($1, 'x', 'U') RETURNING id),
			m AS (INSERT INTO memberships (family_id, user_id) SELECT f.id, u.id FROM f, u)
			SELECT f.id, u.id FROM f, u`, fmt.Sprintf("live%d@example.org", i)).Scan(&family, &user); err != nil {
			t.Fatal(err)
		}
		seen := []db.DeviceSeen{{FamilyID: family, UserID: user, DeviceID: "d", LiveUntil: now.Add(time.Minute)}}
		for _, r := range []uuid.UUID{mine, uuid.New()} {
			if _, err := store.DevicesSeen(ctx, r, seen); err != nil {
				t.Fatal(err)
			}
		}
		return family
	}
	const others = 300
	asked := member(0)
	for i := range others {
		member(i + 1)
	}
	if _, err := pool.Exec(ctx, `ANALYZE notify_device_presence; ANALYZE memberships`); err != nil {
		t.Fatal(err)
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// As on a table too large to read whole.
	if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	// fetched returns how many rows of notify_device_presence tx's
	// backend read so far (by index or scan).
	fetched := func() int64 {
		t.Helper()
		var n int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(idx_tup_fetch, 0) + seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'notify_device_presence'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := fetched()
	rows, err := store.Q.NotifyPresenceLiveRows(ctx, tx, dbsqlc.NotifyPresenceLiveRowsParams{Replica: mine, Now: now, FamilyIds: []uuid.UUID{asked}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].DeviceID != "d" {
		t.Fatalf("the family's live rows on the replica: %+v, want its one device", rows)
	}
	if n := fetched() - before; n > 10 {
		t.Errorf("the read of one family's live rows fetched %d rows of the table; want only the family's (2), not the replica's %d", n, others+1)
	}

	// Every family of the replica (after a refresh found fewer rows than
	// it expected): its rows through the index on replica, no membership
	// read. Asked by the list of every family, the members' read compared
	// each membership with the list (43 ms at 100,000 rows, 6,250
	// families, docs/benchmarks.md).
	var m0 int64
	members := func() int64 {
		t.Helper()
		var n int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(idx_tup_fetch, 0) + seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'memberships'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	m0 = members()
	all, err := store.Q.NotifyPresenceLiveRowsAll(ctx, tx, dbsqlc.NotifyPresenceLiveRowsAllParams{Replica: mine, Now: now})
	if err != nil || len(all) != others+1 {
		t.Fatalf("the replica's live rows: %d, %v; want %d", len(all), err, others+1)
	}
	if n := members() - m0; n != 0 {
		t.Errorf("the read of every family's live rows read %d memberships", n)
	}
}
