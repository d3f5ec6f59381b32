package db_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestShoppingItemAddClaimWAL pins that an add with the client's id claims
// the id with a plain INSERT: no speculative insertion (ON CONFLICT DO
// NOTHING), whose Heap/HEAP_CONFIRM record every add wrote for the rare
// retry's sake (docs/benchmarks.md, "Where the application's add goes").
// The WAL of this test's database is read with pg_walinspect, as the
// server's superuser; a retry stays a replay (TestOneStatementWrites).
func TestShoppingItemAddClaimWAL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := dbtest.URL(t)
	store := db.NewStore(dbtest.PoolFor(t, dbURL))
	var family uuid.UUID
	if err := store.Pool.QueryRow(ctx, `INSERT INTO families (name) VALUES ('F') RETURNING id`).Scan(&family); err != nil {
		t.Fatal(err)
	}
	anna := familyhub.NewContextWithAuth(ctx, familyhub.SystemAuth(family))
	var list uuid.UUID
	if err := store.Tx(anna, func(tx *db.Tx) error {
		l, _, err := tx.ShoppingListCreate(anna, db.ShoppingListNew{Name: "Weekly"})
		list = l.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// The superuser, on this test's database.
	su, err := url.Parse(dbtest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	mine, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	su.Path = mine.Path
	admin, err := pgx.Connect(ctx, su.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_walinspect"); err != nil {
		t.Fatal(err)
	}
	var start string
	if err := admin.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&start); err != nil {
		t.Fatal(err)
	}
	const adds = 3
	for i := 0; i < adds; i++ {
		id := uuid.New()
		item, replayed, err := store.ShoppingItemAdd(anna, list, db.ShoppingItemNew{ID: &id, Name: "Milk"})
		if err != nil || replayed || item.ID != id {
			t.Fatalf("add %d: %+v, %v, replayed %v", i, item, err, replayed)
		}
	}
	// The cluster of the tests commits without waiting for the disk: wait
	// until the WAL writer has flushed the adds' records, which
	// pg_walinspect reads only then.
	var end string
	if err := admin.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&end); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		var flushed bool
		if err := admin.QueryRow(ctx, "SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn", end).Scan(&flushed); err != nil {
			t.Fatal(err)
		}
		if flushed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WAL up to %s was not flushed within 10 s", end)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Records that touch client_creates' heap (rel tablespace/database/
	// relfilenode in the record's block references), by type.
	rows, err := admin.Query(ctx, `SELECT record_type, count(*)::int
		FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)
		WHERE block_ref LIKE '%rel %/' || (SELECT oid FROM pg_database WHERE datname = current_database()) || '/' ||
			pg_relation_filenode('client_creates') || ' %'
		GROUP BY 1`, start, end)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		Type string
		N    int
	}])
	if err != nil {
		t.Fatal(err)
	}
	inserts := 0
	for _, r := range got {
		switch r.Type {
		case "INSERT", "INSERT+INIT":
			inserts += r.N
		case "HEAP_CONFIRM":
			t.Errorf("%d HEAP_CONFIRM records for %d adds: the claim is a speculative insertion (ON CONFLICT)", r.N, adds)
		}
	}
	if inserts != adds {
		t.Errorf("client_creates' WAL records: %+v; want %d inserts (one claim per add)", got, adds)
	}
}
