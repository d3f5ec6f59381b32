package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// A family's event times follow its seqs also when a transaction mixes a
// direct event (an item, numbered at commit) with a staged one (the
// family's rename, staged when the row changes and numbered after the
// item): the staged event carried the time it was staged, earlier than
// the item's (00037).
func TestStagedEventTimeFollowsSeq(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var fam, list string
	if err := conn.QueryRow(ctx, `INSERT INTO families (name) VALUES ('Times') RETURNING id::text`).Scan(&fam); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id::text`, fam).Scan(&list); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, q := range []string{
		`INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'milk')`,
		`UPDATE families SET name = 'Times-Two' WHERE id = $1`,
	} {
		args := []any{fam}
		if q[0] == 'I' {
			args = append(args, list)
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT seq, type, at FROM event_log WHERE family_id = $1 ORDER BY seq`, fam)
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		seq int64
		typ string
		at  time.Time
	}
	evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ev, error) {
		var e ev
		return e, r.Scan(&e.seq, &e.typ, &e.at)
	})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for i, e := range evs {
		kinds[e.typ] = true
		if i > 0 && e.at.Before(evs[i-1].at) {
			t.Errorf("seq %d (%s) at %s is before seq %d (%s) at %s", e.seq, e.typ, e.at.Format(time.RFC3339Nano),
				evs[i-1].seq, evs[i-1].typ, evs[i-1].at.Format(time.RFC3339Nano))
		}
	}
	if len(evs) < 2 || !kinds["FAMILY_UPDATED"] {
		t.Fatalf("events %+v, want the item's and the family's", evs)
	}
}
