package realtime

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestCrossCheckProbesEventLog: the 2 s cross-check (FamilySeqList) reads
// the event under each local family's delivered seq by its primary key,
// never by a scan of event_log, however many families the replica has.
// With the event_log join a plain join, PostgreSQL hashed the whole log
// once the families were many (a seq scan of event_log every 2 s: 1 s and
// a temporary file for 10,000 families of 50 events, EXPLAIN ANALYZE).
// Counted with the transaction's own scan counters, not timed.
func TestCrossCheckProbesEventLog(t *testing.T) {
	pool := dbtest.PoolFor(t, dbtest.URL(t))
	ctx := context.Background()
	const families, events = 1500, 10
	if _, err := pool.Exec(ctx, `INSERT INTO families (name) SELECT 'f' || i FROM generate_series(1, $1::int) i`, families); err != nil {
		t.Fatal(err)
	}
	// The events written as the capture triggers write them, in bulk.
	if _, err := pool.Exec(ctx, `
INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, at)
SELECT f.id, s, 'FAMILY_UPDATED', 'familyhub_family', gen_random_uuid(), 'update', now()
FROM families f, generate_series(1, $1::int) s`, events); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE family_event_seq SET seq = $1`, events); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE families; ANALYZE family_event_seq; ANALYZE event_log`); err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT array_agg(family_id) FROM family_event_seq`).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	seqs := make([]int64, len(ids))
	for i := range seqs {
		seqs[i] = events
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	rows, err := dbsqlc.New().FamilySeqList(ctx, tx, dbsqlc.FamilySeqListParams{FamilyIds: ids, Seqs: seqs})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, r := range rows {
		if r.DeliveredAt != nil {
			found++
		}
	}
	if len(rows) != len(ids) || found != len(ids) {
		t.Fatalf("%d rows, %d with the delivered event, want %d of each", len(rows), found, len(ids))
	}
	var seqScans int64
	if err := tx.QueryRow(ctx, `SELECT pg_stat_get_xact_numscans('event_log'::regclass)`).Scan(&seqScans); err != nil {
		t.Fatal(err)
	}
	if seqScans != 0 {
		t.Errorf("the cross-check of %d families scanned event_log %d times, want its primary key probed only", len(ids), seqScans)
	}
}
