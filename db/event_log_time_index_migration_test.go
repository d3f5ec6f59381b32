package db_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestEventLogTimeIndexMigration: migration 00045 drops event_log's BRIN
// index on at, and the events stay what they were before it (at 00044),
// after it and after going down and up again: the same writes, as psql
// makes them (one row, three rows in one statement, an UPDATE of every item
// of a list, one that changes nothing, a delete) and as the application
// makes them (announced after commit, several writes in one transaction),
// give the same events in the same order, numbered with the family's next
// seqs without a gap, and each notice (pg_notify for psql, the FH001 notice
// for the application) is, byte for byte, what
// json_strip_nulls(json_build_object()) makes of its event_log row.
func TestEventLogTimeIndexMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	count := poolSQL{t, pool}.count
	var user string
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, password_hash, display_name) VALUES ('brin@example.org', 'x', 'Brin') RETURNING id::text`).Scan(&user); err != nil {
		t.Fatal(err)
	}

	// events makes the writes on a new family and returns what its log
	// holds, one line per event in seq order (type, op, version, the
	// item's name), after checking seqs and notices.
	events := func(stage string) []string {
		t.Helper()
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var raised []string // the application's notices: message, channel
		cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
			if n.Code == "FH001" {
				mu.Lock()
				raised = append(raised, n.Message+" "+n.Detail)
				mu.Unlock()
			}
		}
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		must := func(sql string, args ...any) {
			t.Helper()
			if _, err := conn.Exec(ctx, sql, args...); err != nil {
				t.Fatalf("%s: %s: %v", stage, sql, err)
			}
		}
		var fam, list string
		if err := conn.QueryRow(ctx, `INSERT INTO families (name) VALUES ('Brin') RETURNING id::text`).Scan(&fam); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id::text`, fam).Scan(&list); err != nil {
			t.Fatal(err)
		}
		var before int64
		if err := conn.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, fam).Scan(&before); err != nil {
			t.Fatal(err)
		}
		must(`LISTEN familyhub_shopping`)
		must(`SELECT set_config('familyhub.actor_id', $1, false), set_config('familyhub.device_id', 'kitchen "tablet"', false)`, user)
		// As psql writes: every statement its own transaction, notified.
		must(`INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'Milk')`, fam, list)
		must(`INSERT INTO shopping_items (family_id, list_id, name, position) VALUES ($1, $2, 'Bread', 1), ($1, $2, 'Eggs', 2), ($1, $2, 'Tea', 3)`, fam, list)
		must(`UPDATE shopping_items SET checked = true, checked_at = now() WHERE list_id = $1`, list)
		must(`UPDATE shopping_items SET name = name WHERE list_id = $1`, list)
		must(`DELETE FROM shopping_items WHERE list_id = $1 AND name = 'Milk'`, list)
		psql := count(`SELECT count(*) FROM event_log WHERE family_id = $1 AND seq > $2`, fam, before)
		// As the application writes: announced after commit, several
		// writes in one transaction.
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, sql := range []string{
			`SELECT set_config('familyhub.announce', 'after_commit', true)`,
			`INSERT INTO shopping_items (family_id, list_id, name, position) VALUES ('` + fam + `', '` + list + `', 'Jam', 4), ('` + fam + `', '` + list + `', 'Rice', 5)`,
			`UPDATE shopping_items SET quantity = '2' WHERE list_id = '` + list + `' AND name = 'Tea'`,
		} {
			if _, err := tx.Exec(ctx, sql); err != nil {
				t.Fatalf("%s: %s: %v", stage, sql, err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		rows, err := conn.Query(ctx, `SELECT l.seq, json_strip_nulls(json_build_object(
				'family_id', l.family_id, 'seq', l.seq, 'type', l.type, 'id', l.entity_id, 'list_id', l.list_id,
				'op', l.op, 'version', l.version, 'at', l.at, 'actor', l.actor_id, 'device_id', l.device_id))::text,
				format('%s %s %s %s %s', l.type, l.channel, l.op, coalesce(l.version::text, '-'), coalesce(i.name, 'deleted'))
			FROM event_log l LEFT JOIN shopping_items i ON i.id = l.entity_id
			WHERE l.family_id = $1 AND l.seq > $2 ORDER BY l.seq`, fam, before)
		if err != nil {
			t.Fatal(err)
		}
		type event struct {
			seq     int64
			payload string
			line    string
		}
		evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (e event, err error) {
			err = r.Scan(&e.seq, &e.payload, &e.line)
			return e, err
		})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for i, e := range evs {
			if e.seq != before+int64(i)+1 {
				t.Errorf("%s: event %d has seq %d, want %d (gapless from %d)", stage, i, e.seq, before+int64(i)+1, before)
			}
			lines = append(lines, e.line)
			if i < psql {
				wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				n, err := conn.WaitForNotification(wctx)
				cancel()
				if err != nil {
					t.Fatalf("%s: event %d: no notice: %v", stage, e.seq, err)
				}
				if n.Channel != "familyhub_shopping" || n.Payload != e.payload {
					t.Errorf("%s: event %d:\nnotice %s %s\nwant   familyhub_shopping %s", stage, e.seq, n.Channel, n.Payload, e.payload)
				}
				continue
			}
			mu.Lock()
			got := ""
			if j := i - psql; j < len(raised) {
				got = raised[j]
			}
			mu.Unlock()
			if want := e.payload + " familyhub_shopping"; got != want {
				t.Errorf("%s: event %d, the application's notice:\ngot  %s\nwant %s", stage, e.seq, got, want)
			}
		}
		mu.Lock()
		if len(raised) != len(evs)-psql {
			t.Errorf("%s: %d notices raised for the application's %d events", stage, len(raised), len(evs)-psql)
		}
		mu.Unlock()
		return lines
	}

	want := []string{
		"SHOPPING_ITEM_UPDATED familyhub_shopping insert 1 deleted", // Milk, deleted later
		"SHOPPING_ITEM_UPDATED familyhub_shopping insert 1 Bread",
		"SHOPPING_ITEM_UPDATED familyhub_shopping insert 1 Eggs",
		"SHOPPING_ITEM_UPDATED familyhub_shopping insert 1 Tea",
	}
	// The UPDATE of the list's four items: one event each, in the order
	// the statement met them; then Milk's delete, the application's two
	// inserts and its change of Tea.
	sortedTail := func(lines []string) []string {
		got := slices.Clone(lines)
		if len(got) >= 8 {
			slices.Sort(got[4:8])
		}
		return got
	}
	want = append(want,
		"SHOPPING_ITEM_UPDATED familyhub_shopping update 2 Bread",
		"SHOPPING_ITEM_UPDATED familyhub_shopping update 2 Eggs",
		"SHOPPING_ITEM_UPDATED familyhub_shopping update 2 Tea",
		"SHOPPING_ITEM_UPDATED familyhub_shopping update 2 deleted",
		"SHOPPING_ITEM_UPDATED familyhub_shopping delete - deleted",
		"SHOPPING_ITEM_UPDATED familyhub_shopping insert 1 Jam",
		"SHOPPING_ITEM_UPDATED familyhub_shopping insert 1 Rice",
		"SHOPPING_ITEM_UPDATED familyhub_shopping update 3 Tea",
	)
	check := func(stage string, index int) {
		t.Helper()
		if n := count(`SELECT count(*) FROM pg_class WHERE relname = 'event_log_at_brin'`); n != index {
			t.Fatalf("%s: event_log_at_brin %d, want %d", stage, n, index)
		}
		if got := sortedTail(events(stage)); !slices.Equal(got, want) {
			t.Errorf("%s: the log holds\n%s\nwant\n%s", stage, fmt.Sprint(got), fmt.Sprint(want))
		}
	}

	check("after 00045", 0)
	if n := count(`SELECT count(*) FROM pg_index WHERE indrelid = 'event_log'::regclass`); n != 1 {
		t.Errorf("after 00045: event_log has %d indexes, want 1 (its primary key)", n)
	}
	if _, err := provider.DownTo(ctx, 44); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	check("at 00044", 1)
	if _, err := provider.UpTo(ctx, 45); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	check("after going up again", 0)
}
