package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPresenceRefreshFindsReplicaByIndex: the presence refresh
// (NotifyPresenceRefresh, every 5 s per replica) can find the replica's
// rows by the index on replica (00044) instead of reading the whole
// table, and both the refresh and the presence upsert stay HOT updates:
// the index holds no column they change. Before 00044 the only plan was
// a scan of the table. The rewind's lowering (NotifyPresenceRewind, the
// same text), which a client can have run, finds the family's rows
// through its members, not by reading the table. The plans are of the
// queries' real text (dbtest.QueryText), not a copy that could drift.
func TestPresenceRefreshFindsReplicaByIndex(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := db.NewStore(pool)
	var family, user uuid.UUID
	if err := pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name, time_zone) VALUES ('F', 'UTC') RETURNING id),
		u AS (INSERT INTO users (email, password_hash, display_name) VALUES ('refresh@example.org', 'x', 'U') RETURNING id),
		m AS (INSERT INTO memberships (family_id, user_id) SELECT f.id, u.id FROM f, u)
		SELECT f.id, u.id FROM f, u`).Scan(&family, &user); err != nil {
		t.Fatal(err)
	}
	// Few rows: each page (fillfactor 50) has room for the next version
	// of all of its rows, so an update that is not HOT is the index's.
	const devices = 10
	now := time.Now().Truncate(time.Second)
	mine, other := uuid.New(), uuid.New()
	var seen []db.DeviceSeen
	for i := range devices {
		seen = append(seen, db.DeviceSeen{FamilyID: family, UserID: user, DeviceID: fmt.Sprintf("d%d", i), LiveUntil: now.Add(time.Minute)})
	}
	for _, r := range []uuid.UUID{mine, other} {
		if _, err := store.DevicesSeen(ctx, r, seen); err != nil {
			t.Fatal(err)
		}
	}

	// updates returns the rows of notify_device_presence updated, and how
	// many of them HOT, as counted by tx's backend (its own transaction's
	// and those it has not yet reported): the tests take differences.
	updates := func(tx pgx.Tx) (upd, hot int64) {
		t.Helper()
		if err := tx.QueryRow(ctx, `SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'notify_device_presence'`).Scan(&upd, &hot); err != nil {
			t.Fatal(err)
		}
		return upd, hot
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// A table this small is read whole by choice; without a scan to
	// choose, the planner shows whether an index can find the rows.
	if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	// explain returns the plan of the generated query name (its real
	// text, dbtest.QueryText) with args, in tx.
	explain := func(name string, args ...any) string {
		t.Helper()
		query, err := dbtest.QueryText("notify.sql", name)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := tx.Query(ctx, "EXPLAIN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan strings.Builder
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(line + "\n")
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
		return plan.String()
	}
	// NotifyPresenceRefreshParams' order: live_until, now, replica, due.
	if plan := explain("NotifyPresenceRefresh", now.Add(90*time.Second), now, mine, now.Add(2*time.Minute)); !strings.Contains(plan, "notify_device_presence_replica_idx") {
		t.Errorf("the refresh does not use the index on replica:\n%s", plan)
	}

	u0, h0 := updates(tx)
	// The rewind's lowering, which a join with a since past the family's
	// seq has run on the client's word: through the family's members,
	// not a read of the table.
	if plan := explain("NotifyPresenceRewind", []uuid.UUID{family}, []int64{0}); strings.Contains(plan, "Seq Scan on notify_device_presence") {
		t.Errorf("the rewind's lowering (NotifyPresenceRewind) reads the table:\n%s", plan)
	}

	r, err := store.Q.NotifyPresenceRefresh(ctx, tx, dbsqlc.NotifyPresenceRefreshParams{
		Replica: mine, Now: now, Due: now.Add(2 * time.Minute), LiveUntil: now.Add(90 * time.Second)})
	if err != nil || r.Refreshed != devices || len(r.FormerDeviceIds) != 0 {
		t.Fatalf("refresh: %+v, %v; want %d rows refreshed, no former member's", r, err, devices)
	}
	if upd, hot := updates(tx); upd-u0 != devices || hot-h0 != upd-u0 {
		t.Errorf("the refresh updated %d rows, %d of them HOT; want %d, all HOT", upd-u0, hot-h0, devices)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	// The upsert of the devices already there (seq, topics, live time),
	// as db.Store.DevicesSeen writes them.
	up := dbsqlc.NotifyPresenceUpsertParams{Replica: mine}
	for _, d := range seen {
		up.UserIds, up.DeviceIds, up.FamilyIds = append(up.UserIds, d.UserID), append(up.DeviceIds, d.DeviceID), append(up.FamilyIds, d.FamilyID)
		up.Seqs, up.Topics, up.LiveUntil = append(up.Seqs, 0), append(up.Topics, "tasks"), append(up.LiveUntil, now.Add(2*time.Minute))
	}
	tx, err = pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	u0, h0 = updates(tx)
	if _, err := store.Q.NotifyPresenceUpsert(ctx, tx, up); err != nil {
		t.Fatal(err)
	}
	if upd, hot := updates(tx); upd-u0 != devices || hot-h0 != upd-u0 {
		t.Errorf("the upsert updated %d rows, %d of them HOT; want %d, all HOT", upd-u0, hot-h0, devices)
	}
}
