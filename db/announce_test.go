package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// announceEnv is an announcing store (a pool from db.Open) on a fresh
// database, and a connection listening on the test's channel.
type announceEnv struct {
	store  *db.Store
	listen *pgx.Conn
	dba    *pgx.Conn // for pg_stat_activity
}

const announceChannel = "familyhub_announce_test"

func newAnnounceEnv(t *testing.T) *announceEnv {
	t.Helper()
	ctx := context.Background()
	url := dbtest.URL(t)
	// Pool settings in the URL reach the announcer's connection (made
	// from the pool's) as nothing PostgreSQL would refuse.
	pool, err := db.Open(ctx, url+"&pool_max_conns=3")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store := db.NewStore(pool)
	t.Cleanup(func() { store.Close(context.Background()) }) // before pool.Close
	conn := func() *pgx.Conn {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	e := &announceEnv{store: store, listen: conn(), dba: conn()}
	if _, err := e.listen.Exec(ctx, "LISTEN "+announceChannel); err != nil {
		t.Fatal(err)
	}
	return e
}

// emit commits a transaction of the store whose one event notice carries
// payload (what the event flush does for a write of the application).
func (e *announceEnv) emit(t *testing.T, payload string) {
	t.Helper()
	err := e.store.Tx(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Exec(context.Background(), "SELECT familyhub_emit($1, $2)", announceChannel, payload)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// next returns the next payload heard on the channel.
func (e *announceEnv) next(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := e.listen.WaitForNotification(ctx)
	if err != nil {
		t.Fatalf("no announcement: %v", err)
	}
	return n.Payload
}

// announcerPIDs returns the backends of announcer connections on the
// test's database.
func (e *announceEnv) announcerPIDs(t *testing.T) []int32 {
	t.Helper()
	rows, err := e.dba.Query(context.Background(), `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'familyhub-announcer' ORDER BY pid`)
	if err != nil {
		t.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	return pids
}

// waitAnnouncerPIDs waits until the announcer backends are what ok says.
func (e *announceEnv) waitAnnouncerPIDs(t *testing.T, what string, ok func([]int32) bool) []int32 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids := e.announcerPIDs(t)
		if ok(pids) {
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("announcer backends %v: want %s", pids, what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, with a deadline
	}
}

// TestAnnouncerConnection: the store announces on one connection of its
// own (familyhub-announcer in pg_stat_activity); a killed announcer
// connection loses nothing that was not in flight, and the next
// announcements go out on a new one; Close closes it, and a transaction
// after Close still announces its events.
func TestAnnouncerConnection(t *testing.T) {
	t.Parallel()
	e := newAnnounceEnv(t)
	if pids := e.announcerPIDs(t); len(pids) != 0 {
		t.Fatalf("announcer connected before anything was announced: %v", pids)
	}
	e.emit(t, "first")
	if p := e.next(t); p != "first" {
		t.Fatalf("heard %q, want first", p)
	}
	pids := e.waitAnnouncerPIDs(t, "one", func(p []int32) bool { return len(p) == 1 })
	old := pids[0]

	// Killed while idle: the next batch finds the connection broken and is
	// sent again on a new one; nothing is lost.
	if _, err := e.dba.Exec(context.Background(), "SELECT pg_terminate_backend($1)", old); err != nil {
		t.Fatal(err)
	}
	e.waitAnnouncerPIDs(t, "none after pg_terminate_backend", func(p []int32) bool { return len(p) == 0 })
	e.emit(t, "after kill")
	if p := e.next(t); p != "after kill" {
		t.Fatalf("heard %q, want the announcement after the kill", p)
	}
	pids = e.waitAnnouncerPIDs(t, "one new", func(p []int32) bool { return len(p) == 1 && p[0] != old })

	// Killed while writers keep committing: at most the batch in flight
	// may be lost (here it is sent again), and every later one arrives.
	const writes = 200
	errs := make(chan error, 1)
	go func() {
		for i := range writes {
			err := e.store.Tx(context.Background(), func(tx *db.Tx) error {
				_, err := tx.Exec(context.Background(), "SELECT familyhub_emit($1, $2)", announceChannel, fmt.Sprint(i))
				return err
			})
			if err != nil {
				errs <- err
				return
			}
			if i == writes/4 {
				if _, err := e.dba.Exec(context.Background(), "SELECT pg_terminate_backend($1)", pids[0]); err != nil {
					errs <- err
					return
				}
			}
		}
		errs <- nil
	}()
	heard := map[string]bool{}
	for !heard[fmt.Sprint(writes-1)] {
		heard[e.next(t)] = true
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	var lost []int
	for i := range writes {
		if !heard[fmt.Sprint(i)] {
			lost = append(lost, i)
		}
	}
	t.Logf("killed mid-stream: %d of %d announcements lost %v", len(lost), writes, lost)
	if len(lost) > 0 && lost[len(lost)-1] > writes/4 {
		t.Fatalf("lost announcements %v: only a batch in flight at the kill (writes up to %d) may be lost", lost, writes/4)
	}
	e.waitAnnouncerPIDs(t, "one new after the second kill", func(p []int32) bool { return len(p) == 1 && p[0] != pids[0] })

	// Close closes the connection; afterwards a transaction announces on
	// its own connection and no announcer connection comes back.
	if err := e.store.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	e.waitAnnouncerPIDs(t, "none after Close", func(p []int32) bool { return len(p) == 0 })
	e.emit(t, "after close")
	if p := e.next(t); p != "after close" {
		t.Fatalf("heard %q, want the announcement after Close", p)
	}
	if pids := e.announcerPIDs(t); len(pids) != 0 {
		t.Fatalf("announcer reconnected after Close: %v", pids)
	}
	if err := e.store.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestAnnouncerCountsDrops: a batch the server refuses (a payload over
// PostgreSQL's 8000-byte NOTIFY limit) is dropped and counted, with its
// notices; the announcer goes on, and what it sends is counted too.
func TestAnnouncerCountsDrops(t *testing.T) {
	t.Parallel()
	e := newAnnounceEnv(t)
	if st := e.store.AnnounceStats(); st != (db.AnnounceStats{}) {
		t.Fatalf("a new store counts %+v", st)
	}
	e.emit(t, "first")
	if p := e.next(t); p != "first" {
		t.Fatalf("heard %q, want first", p)
	}
	waitStats := func(what string, ok func(db.AnnounceStats) bool) db.AnnounceStats {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			st := e.store.AnnounceStats()
			if ok(st) {
				return st
			}
			if time.Now().After(deadline) {
				t.Fatalf("announce stats %+v: want %s", st, what)
			}
			time.Sleep(5 * time.Millisecond) // polling a condition, with a deadline
		}
	}
	// The listener may hear the NOTIFY before the announcer has read the
	// server's answer and counted it.
	waitStats("one sent", func(s db.AnnounceStats) bool { return s.SentNotices == 1 && s.SentBatches == 1 })

	e.emit(t, strings.Repeat("x", 8000))
	st := waitStats("one dropped batch", func(s db.AnnounceStats) bool { return s.DroppedBatches == 1 })
	if st != (db.AnnounceStats{SentNotices: 1, SentBatches: 1, DroppedNotices: 1, DroppedBatches: 1}) {
		t.Fatalf("after a refused batch: %+v", st)
	}

	e.emit(t, "after the drop")
	if p := e.next(t); p != "after the drop" {
		t.Fatalf("heard %q, want the announcement after the drop", p)
	}
	waitStats("two sent, one dropped", func(s db.AnnounceStats) bool {
		return s == db.AnnounceStats{SentNotices: 2, SentBatches: 2, DroppedNotices: 1, DroppedBatches: 1}
	})
}
