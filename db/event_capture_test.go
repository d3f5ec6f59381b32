package db_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db/dbtest"
)

// Migration 00019: the capture triggers are deferred constraint triggers
// that number each change at COMMIT themselves (no staging).

// logRow is one event_log row as the tests compare it.
type logRow struct {
	seq    int64
	typ    string
	entity string
	op     string
	at     time.Time
}

func (l logRow) String() string { return fmt.Sprintf("%d %s %s %s", l.seq, l.typ, l.entity, l.op) }

func connectT(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func mustExec(t *testing.T, q interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, sql string, args ...any) {
	t.Helper()
	if _, err := q.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func mustID(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sql string, args ...any) string {
	t.Helper()
	var id string
	if err := q.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return id
}

// readEventLog returns a family's log in seq order and fails the test when
// its seqs are not exactly 1..n or the family's counter is not n.
func readEventLog(t *testing.T, c *pgx.Conn, family string) []logRow {
	t.Helper()
	ctx := context.Background()
	rows, err := c.Query(ctx, `SELECT seq, type, entity_id::text, op, at FROM event_log WHERE family_id = $1 ORDER BY seq`, family)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (logRow, error) {
		var l logRow
		return l, r.Scan(&l.seq, &l.typ, &l.entity, &l.op, &l.at)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range out {
		if l.seq != int64(i+1) {
			t.Fatalf("log %v: seq %d at position %d", out, l.seq, i+1)
		}
	}
	var counter int64
	if err := c.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, family).Scan(&counter); err != nil {
		t.Fatal(err)
	}
	if counter != int64(len(out)) {
		t.Fatalf("family_event_seq says %d, the log holds %d events", counter, len(out))
	}
	return out
}

func newFamily(t *testing.T, c *pgx.Conn, name string) (family, list string) {
	t.Helper()
	family = mustID(t, c, `INSERT INTO families (name) VALUES ($1) RETURNING id`, name)
	list = mustID(t, c, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'L') RETURNING id`, family)
	return family, list
}

// TestEventCaptureOrder: within one transaction, events are numbered in the
// order of its changes, across tables and operations; nothing is numbered
// before COMMIT; "at" follows the seq.
func TestEventCaptureOrder(t *testing.T) {
	ctx := context.Background()
	c := connectT(t, dbtest.URL(t))
	family, list := newFamily(t, c, "F")
	before := len(readEventLog(t, c, family))

	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type change struct{ typ, entity, op string }
	var want []change
	a := mustID(t, tx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'a') RETURNING id`, family, list)
	want = append(want, change{"SHOPPING_ITEM_UPDATED", a, "insert"})
	task := mustID(t, tx, `INSERT INTO tasks (family_id, title) VALUES ($1, 't') RETURNING id`, family)
	want = append(want, change{"TASK_UPDATED", task, "insert"})
	b := mustID(t, tx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'b') RETURNING id`, family, list)
	want = append(want, change{"SHOPPING_ITEM_UPDATED", b, "insert"})
	mustID(t, tx, `UPDATE shopping_items SET name = 'a2' WHERE id = $1 RETURNING id`, a)
	want = append(want, change{"SHOPPING_ITEM_UPDATED", a, "update"})
	mustID(t, tx, `UPDATE shopping_items SET name = 'a2' WHERE id = $1 RETURNING id`, a) // no change: no event
	mustID(t, tx, `UPDATE shopping_lists SET name = 'L2' WHERE id = $1 RETURNING id`, list)
	want = append(want, change{"SHOPPING_LIST_UPDATED", list, "update"})
	mustID(t, tx, `DELETE FROM shopping_items WHERE id = $1 RETURNING id`, b)
	want = append(want, change{"SHOPPING_ITEM_UPDATED", b, "delete"})
	mustID(t, tx, `UPDATE tasks SET title = 't2' WHERE id = $1 RETURNING id`, task)
	want = append(want, change{"TASK_UPDATED", task, "update"})
	mustID(t, tx, `DELETE FROM shopping_items WHERE id = $1 RETURNING id`, a)
	want = append(want, change{"SHOPPING_ITEM_UPDATED", a, "delete"})

	var inside int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM event_log WHERE family_id = $1`, family).Scan(&inside); err != nil {
		t.Fatal(err)
	}
	if inside != before {
		t.Errorf("%d events logged before COMMIT, want none (they are numbered at commit)", inside-before)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	log := readEventLog(t, c, family)[before:]
	if len(log) != len(want) {
		t.Fatalf("logged %v, want %d events", log, len(want))
	}
	for i, w := range want {
		l := log[i]
		if l.typ != w.typ || l.entity != w.entity || l.op != w.op {
			t.Errorf("seq %d: %s %s %s, want %s %s %s", l.seq, l.typ, l.entity, l.op, w.typ, w.entity, w.op)
		}
		if i > 0 && l.at.Before(log[i-1].at) {
			t.Errorf("seq %d at %v, before seq %d at %v", l.seq, l.at, log[i-1].seq, log[i-1].at)
		}
	}
}

// TestEventCaptureMixed: transactions mixing the direct triggers with rows
// staged through the view event_pending (family events, DBA functions),
// many at once on one family: every seq exactly once, without gaps, each
// transaction's events one contiguous block, each mechanism in its order,
// the staged rows numbered together where the first of them was staged.
func TestEventCaptureMixed(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	c := connectT(t, url)
	family, list := newFamily(t, c, "F")
	base := len(readEventLog(t, c, family))

	const workers, perWorker = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	// marks: per entity id, its changes in order: the transaction, "d"irect
	// trigger or "p"ending (staged), and the change's position within its
	// transaction.
	type mark struct {
		tx   string
		kind string
		pos  int
	}
	var mu sync.Mutex
	marks := map[string][]mark{}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close(ctx)
			for n := range perWorker {
				txName := fmt.Sprintf("w%d-%d", w, n)
				err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
					var item string
					if err := tx.QueryRow(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, $3) RETURNING id`, family, list, txName).Scan(&item); err != nil {
						return err
					}
					var p1, p2 string
					if err := tx.QueryRow(ctx, `SELECT gen_random_uuid()::text, gen_random_uuid()::text`).Scan(&p1, &p2); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, `INSERT INTO event_pending (family_id, type, channel, entity_id, op) VALUES ($1, 'FAMILY_UPDATED', 'familyhub_family', $2, 'update')`, family, p1); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, `UPDATE shopping_items SET name = name || '!' WHERE id = $1`, item); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, `INSERT INTO event_pending (family_id, type, channel, entity_id, op) VALUES ($1, 'FAMILY_UPDATED', 'familyhub_family', $2, 'insert')`, family, p2); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, `DELETE FROM shopping_items WHERE id = $1`, item); err != nil {
						return err
					}
					mu.Lock()
					marks[item] = []mark{{txName, "d", 0}, {txName, "d", 2}, {txName, "d", 4}}
					marks[p1] = []mark{{txName, "p", 1}}
					marks[p2] = []mark{{txName, "p", 3}}
					mu.Unlock()
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("%s: %w", txName, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	log := readEventLog(t, c, family)[base:]
	if len(log) != workers*perWorker*5 {
		t.Fatalf("logged %d events, want %d", len(log), workers*perWorker*5)
	}
	// Each transaction's five events are one block, in the order
	// direct insert, the two staged rows (together, where the first was
	// staged), direct update, direct delete.
	wantOrder := []int{0, 1, 3, 2, 4}
	seen := map[string]int{} // entity → events of it seen so far
	for i := 0; i < len(log); i += 5 {
		var txName string
		for j := range 5 {
			l := log[i+j]
			ms := marks[l.entity]
			if len(ms) == 0 {
				t.Fatalf("seq %d: unknown entity %s", l.seq, l.entity)
			}
			m := ms[seen[l.entity]]
			seen[l.entity]++
			if j == 0 {
				txName = m.tx
			}
			if m.tx != txName {
				t.Fatalf("seq %d belongs to %s inside the block of %s: %v", l.seq, m.tx, txName, log[i:i+5])
			}
			if m.pos != wantOrder[j] {
				t.Fatalf("block of %s: %v, change positions not in the order %v", txName, log[i:i+5], wantOrder)
			}
		}
	}
}

// TestEventCaptureFamilyDeleted: changes of a family deleted in the same
// transaction make no event and no error; another family's changes in that
// transaction are numbered.
func TestEventCaptureFamilyDeleted(t *testing.T) {
	ctx := context.Background()
	c := connectT(t, dbtest.URL(t))
	gone, goneList := newFamily(t, c, "gone")
	kept, keptList := newFamily(t, c, "kept")
	base := len(readEventLog(t, c, kept))
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustID(t, tx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x') RETURNING id`, gone, goneList)
	item := mustID(t, tx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'y') RETURNING id`, kept, keptList)
	mustID(t, tx, `UPDATE shopping_lists SET name = 'renamed' WHERE id = $1 RETURNING id`, goneList)
	mustID(t, tx, `DELETE FROM families WHERE id = $1 RETURNING id`, gone)
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM event_log WHERE family_id = $1`, gone).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d events of the deleted family", n)
	}
	log := readEventLog(t, c, kept)[base:]
	if len(log) != 1 || log[0].entity != item || log[0].op != "insert" {
		t.Errorf("the other family's log: %v, want the insert of %s", log, item)
	}
}

// TestEventCaptureOwnTable: a DBA's table of their own with an ordinary
// AFTER ROW trigger calling familyhub_capture_event numbers its events when
// the row changes; mixed with FamilyHub's deferred ones in one transaction
// the seqs stay gapless. A constraint trigger of their own numbers at
// commit like FamilyHub's.
func TestEventCaptureOwnTable(t *testing.T) {
	ctx := context.Background()
	c := connectT(t, dbtest.URL(t))
	family, list := newFamily(t, c, "F")
	base := len(readEventLog(t, c, family))
	mustExec(t, c, `CREATE TABLE dba_notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), family_id uuid NOT NULL, body text)`)
	mustExec(t, c, `CREATE TRIGGER dba_notes_event AFTER INSERT OR UPDATE OR DELETE ON dba_notes
		FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family')`)
	mustExec(t, c, `CREATE TABLE dba_pins (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), family_id uuid NOT NULL)`)
	mustExec(t, c, `CREATE CONSTRAINT TRIGGER dba_pins_event AFTER INSERT ON dba_pins DEFERRABLE INITIALLY DEFERRED
		FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family')`)

	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	item := mustID(t, tx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x') RETURNING id`, family, list)
	pin := mustID(t, tx, `INSERT INTO dba_pins (family_id) VALUES ($1) RETURNING id`, family)
	note := mustID(t, tx, `INSERT INTO dba_notes (family_id, body) VALUES ($1, 'n') RETURNING id`, family)
	var inside []string
	rows, err := tx.Query(ctx, `SELECT entity_id::text FROM event_log WHERE family_id = $1 AND seq > $2 ORDER BY seq`, family, base)
	if err != nil {
		t.Fatal(err)
	}
	if inside, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if len(inside) != 1 || inside[0] != note {
		t.Errorf("logged before COMMIT: %v, want the note %s alone (an ordinary trigger numbers at once)", inside, note)
	}
	mustID(t, tx, `UPDATE dba_notes SET body = 'm' WHERE id = $1 RETURNING id`, note)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	log := readEventLog(t, c, family)[base:]
	want := []string{note + " insert", note + " update", item + " insert", pin + " insert"}
	if len(log) != len(want) {
		t.Fatalf("logged %v, want %v", log, want)
	}
	for i, w := range want {
		if got := log[i].entity + " " + log[i].op; got != w {
			t.Errorf("seq %d: %s, want %s", log[i].seq, got, w)
		}
	}
}

// TestEventCaptureMigration: 00019 under the connections of a running pool.
// A transaction that staged a family event before the migration and writes
// a converted table after it, and one writing a converted table while the
// migration waits for it, both commit with every event numbered once; a
// DBA's own ordinary trigger is converted too; Down and Up again under the
// same sessions lose nothing.
func TestEventCaptureMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.EmptyURL(t)
	provider := migrations(t, url)
	migrate := func(to int64, up bool) error {
		if up {
			_, err := provider.UpTo(ctx, to)
			return err
		}
		_, err := provider.DownTo(ctx, to)
		return err
	}
	if err := migrate(18, true); err != nil {
		t.Fatal(err)
	}
	admin := connectT(t, url)
	family, list := newFamily(t, admin, "F")
	mustExec(t, admin, `CREATE TABLE dba_notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), family_id uuid NOT NULL)`)
	mustExec(t, admin, `CREATE TRIGGER dba_notes_event AFTER INSERT ON dba_notes
		FOR EACH ROW EXECUTE FUNCTION familyhub_capture_event('FAMILY_UPDATED', 'familyhub_family')`)
	addItem := func(q interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}, name string) string {
		t.Helper()
		return mustID(t, q, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, $3) RETURNING id`, family, list, name)
	}
	pending := func(q interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}) string {
		t.Helper()
		return mustID(t, q, `INSERT INTO event_pending (family_id, type, channel, entity_id, op)
			VALUES ($1, 'FAMILY_UPDATED', 'familyhub_family', gen_random_uuid(), 'update') RETURNING entity_id`, family)
	}
	pooled := connectT(t, url)
	addItem(pooled, "before") // the session's staging tables exist

	// staged: a transaction with a staged row and no lock on a converted table.
	stagedConn := connectT(t, url)
	staged, err := stagedConn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pending(staged)
	// writing: a transaction that wrote a converted table (and holds it).
	writingConn := connectT(t, url)
	writing, err := writingConn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	addItem(writing, "writing, before")

	done := make(chan error, 1)
	go func() { done <- migrate(19, true) }()
	// The migration waits for writing's lock on shopping_items.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting bool
		if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			WHERE NOT l.granted AND c.relname = 'shopping_items')`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the migration finished (%v) while a transaction held shopping_items", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the migration never waited for shopping_items")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
	addItem(writing, "writing, while the migration waits")
	pending(writing)
	if err := writing.Commit(ctx); err != nil {
		t.Fatalf("commit of the transaction the migration waited for: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("migrate to 19: %v", err)
	}
	// staged writes a converted table now and commits: its staged row is
	// flushed by the old marker trigger, the item numbered directly.
	addItem(staged, "staged, after")
	if err := staged.Commit(ctx); err != nil {
		t.Fatalf("commit of the transaction that straddled the migration: %v", err)
	}
	addItem(pooled, "after")
	mustExec(t, pooled, `INSERT INTO dba_notes (family_id) VALUES ($1)`, family)
	var converted bool
	if err := admin.QueryRow(ctx, `SELECT tgconstraint <> 0 AND tginitdeferred FROM pg_trigger WHERE tgname = 'dba_notes_event'`).Scan(&converted); err != nil {
		t.Fatal(err)
	}
	if !converted {
		t.Error("the DBA's ordinary capture trigger was not made a deferred constraint trigger")
	}
	if n := len(readEventLog(t, admin, family)); n != 9 { // list, before, 2+1 writing, 1+1 staged, after, note
		t.Fatalf("logged %d events, want 9", n)
	}

	// Down and Up again while the sessions stay open.
	if err := migrate(18, false); err != nil {
		t.Fatalf("down to 18: %v", err)
	}
	addItem(pooled, "down")
	addItem(stagedConn, "down")
	mustExec(t, pooled, `INSERT INTO dba_notes (family_id) VALUES ($1)`, family)
	if err := admin.QueryRow(ctx, `SELECT tgconstraint <> 0 FROM pg_trigger WHERE tgname = 'dba_notes_event'`).Scan(&converted); err != nil {
		t.Fatal(err)
	}
	if converted {
		t.Error("Down left the DBA's trigger a constraint trigger")
	}
	if err := migrate(19, true); err != nil {
		t.Fatalf("up again: %v", err)
	}
	addItem(pooled, "up again")
	addItem(stagedConn, "up again")
	if n := len(readEventLog(t, admin, family)); n != 14 {
		t.Fatalf("logged %d events, want 14", n)
	}
}
