package db_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestEventVersionsMigration: migration 00018 (events carry the record's
// version) under the connections of a running pool. A session that staged
// events before it (so it holds the old temporary staging table), and one
// in the middle of a transaction that staged an event before it and more
// after, keep working: every event is logged, numbered without a gap, and
// those staged after the migration carry the version. Down and Up again
// under the same sessions lose nothing either.
func TestEventVersionsMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.EmptyURL(t)
	provider := migrations(t, url)
	migrate := func(to int64, up bool) {
		t.Helper()
		var err error
		if up {
			_, err = provider.UpTo(ctx, to)
		} else {
			_, err = provider.DownTo(ctx, to)
		}
		if err != nil {
			t.Fatalf("migrate to %d: %v", to, err)
		}
	}
	connect := func() *pgx.Conn {
		t.Helper()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	migrate(17, true)
	admin := connect()
	var family string
	if err := admin.QueryRow(ctx, `INSERT INTO families (name) VALUES ('F') RETURNING id`).Scan(&family); err != nil {
		t.Fatal(err)
	}
	insertList := func(q interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}, name string) string {
		t.Helper()
		var id string
		if err := q.QueryRow(ctx, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, $2) RETURNING id`, family, name).Scan(&id); err != nil {
			t.Fatalf("insert %s: %v", name, err)
		}
		return id
	}

	// Before the migration: one session stages an event (and so makes the
	// old staging table), another is inside a transaction that staged one.
	pooled := connect()
	insertList(pooled, "before")
	midConn := connect()
	mid, err := midConn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	insertList(mid, "in flight, before")

	migrate(18, true)

	// The transaction goes on and commits; the pooled session writes again.
	later := insertList(mid, "in flight, after")
	if _, err := mid.Exec(ctx, `UPDATE shopping_lists SET name = 'in flight, renamed' WHERE id = $1`, later); err != nil {
		t.Fatal(err)
	}
	if err := mid.Commit(ctx); err != nil {
		t.Fatalf("commit of the transaction that straddled the migration: %v", err)
	}
	list := insertList(pooled, "after")
	if _, err := pooled.Exec(ctx, `UPDATE shopping_lists SET name = 'after, renamed' WHERE id = $1`, list); err != nil {
		t.Fatal(err)
	}
	if _, err := pooled.Exec(ctx, `DELETE FROM shopping_lists WHERE id = $1`, list); err != nil {
		t.Fatal(err)
	}

	type logged struct {
		seq     int64
		op      string
		version *int64
	}
	readLog := func() []logged {
		t.Helper()
		rows, err := admin.Query(ctx, `SELECT seq, op, version FROM event_log WHERE family_id = $1 ORDER BY seq`, family)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (logged, error) {
			var l logged
			return l, r.Scan(&l.seq, &l.op, &l.version)
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range out {
			if l.seq != int64(i+1) {
				t.Fatalf("log %v: seq %d at position %d", out, l.seq, i+1)
			}
		}
		return out
	}
	log := readLog()
	if len(log) != 7 {
		t.Fatalf("logged %d events, want 7", len(log))
	}
	// The transaction that straddled the migration: its events after it
	// carry their versions if its session saw the new functions by then,
	// none if it still ran the old ones (both are fine; losing them is not).
	// The pooled session's writes after the migration: 1, 2, none (delete).
	show := func(v *int64) any {
		if v == nil {
			return "none"
		}
		return *v
	}
	t.Logf("the straddling transaction's events after the migration: versions %v, %v", show(log[2].version), show(log[3].version))
	for i, want := range []int64{1, 2, 1, 2, 0} {
		l := log[2+i]
		straddling := i < 2
		if got := l.version; (got == nil && want != 0 && !straddling) || (got != nil && *got != want) {
			t.Errorf("event %d (%s): version %v, want %d", l.seq, l.op, got, want)
		}
	}

	// Down and Up again while both sessions stay open.
	migrate(17, false)
	insertList(pooled, "down")
	insertList(midConn, "down")
	migrate(18, true)
	insertList(pooled, "up again")
	insertList(midConn, "up again")
	log = readLog()
	if len(log) != 11 {
		t.Fatalf("logged %d events, want 11", len(log))
	}
	for _, l := range log[9:] {
		if l.version == nil || *l.version != 1 {
			t.Errorf("event %d after Up again: version %v, want 1", l.seq, l.version)
		}
	}
}
