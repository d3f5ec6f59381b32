package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestEventCaptureCounterWait: two transactions of one family, the second
// made to wait for the family's counter row at its COMMIT while the first
// holds it (SET CONSTRAINTS ALL IMMEDIATE numbers its events early), the
// first also rolling back to a savepoint after one of its events was
// numbered. The rolled-back event leaves no seq behind, the waiting
// transaction gets the next seq after the first's last (the counter's
// UPDATE, a CTE of the event's INSERT since 00035, re-reads the row it
// waited for), the log is gapless with times in seq order, and the
// waiting writer's notice (a psql write: pg_notify) carries that seq.
func TestEventCaptureCounterWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := dbtest.URL(t)
	c := connectT(t, url)
	family, list := newFamily(t, c, "Wait")
	base := int64(len(readEventLog(t, c, family)))
	listen := connectT(t, url)
	mustExec(t, listen, `LISTEN familyhub_shopping`)

	a, b := connectT(t, url), connectT(t, url)
	txA, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback(ctx)
	// A as the application writes (the notice raised, not notified).
	mustExec(t, txA, `SELECT set_config('familyhub.announce', 'after_commit', true)`)
	first := mustID(t, txA, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'first') RETURNING id`, family, list)
	mustExec(t, txA, `SET CONSTRAINTS ALL IMMEDIATE`) // numbered now: A holds the counter
	mustExec(t, txA, `SET CONSTRAINTS ALL DEFERRED`)

	// B as psql writes, no settings: its COMMIT waits for A's counter row.
	var bPID int
	if err := b.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&bPID); err != nil {
		t.Fatal(err)
	}
	bDone := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, `BEGIN; UPDATE shopping_lists SET name = 'renamed' WHERE id = '`+list+`'; COMMIT`)
		bDone <- err
	}()
	for {
		var waiting bool
		if err := c.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock')`, bPID).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		select {
		case err := <-bDone:
			t.Fatalf("B committed while A held the family's counter: %v", err)
		case <-time.After(time.Millisecond):
		}
	}

	mustExec(t, txA, `SAVEPOINT s`)
	mustID(t, txA, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'undone') RETURNING id`, family, list)
	mustExec(t, txA, `SET CONSTRAINTS ALL IMMEDIATE`) // numbered base+2, then undone
	mustExec(t, txA, `ROLLBACK TO SAVEPOINT s`)
	mustExec(t, txA, `SET CONSTRAINTS ALL DEFERRED`)
	kept := mustID(t, txA, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'kept') RETURNING id`, family, list)
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-bDone; err != nil {
		t.Fatalf("B: %v", err)
	}

	log := readEventLog(t, c, family)[base:] // gapless, the counter at the end
	want := []string{"1 " + first + " insert", "2 " + kept + " insert", "3 " + list + " update"}
	if len(log) != len(want) {
		t.Fatalf("logged %v, want %v (seqs after %d)", log, want, base)
	}
	for i, l := range log {
		if got := fmt.Sprintf("%d %s %s", l.seq-base, l.entity, l.op); got != want[i] {
			t.Errorf("event %d: %s, want %s", i, got, want[i])
		}
		if i > 0 && l.at.Before(log[i-1].at) {
			t.Errorf("seq %d at %v, before seq %d at %v: a family's times follow its seqs", l.seq, l.at, log[i-1].seq, log[i-1].at)
		}
	}
	n, err := listen.WaitForNotification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Seq int64  `json:"seq"`
		ID  string `json:"id"`
		Op  string `json:"op"`
	}
	if err := json.Unmarshal([]byte(n.Payload), &p); err != nil {
		t.Fatalf("%s: %v", n.Payload, err)
	}
	if p.Seq != base+3 || p.ID != list || p.Op != "update" {
		t.Errorf("B's notice %s, want seq %d, the list's update", n.Payload, base+3)
	}
}
