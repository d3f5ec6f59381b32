package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/pgcluster"
)

// TestWritesInFlightWhenPostgresDies: requests that are inside their
// transaction when PostgreSQL dies answer 503 unavailable with Retry-After
// (clients retry those), never 500.
func TestWritesInFlightWhenPostgresDies(t *testing.T) {
	skipInShortMode(t, "a PostgreSQL crash")
	dir, err := os.MkdirTemp("", "familyhub-pgdown-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx := context.Background()
	pg, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	if err := pg.CreateDatabase(ctx, "familyhub"); err != nil {
		t.Fatal(err)
	}
	url := pg.URL("familyhub")
	r := spawnReplica(t, url, "FAMILYHUB_AUTO_CATEGORISE=false")
	ana := newFamilyAt(t, r.url, "ana@example.org")
	list := ana.newList(t, r.url)

	// Hold the list's row: every item insert waits for it (its foreign key
	// check), inside its transaction.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT 1 FROM shopping_lists WHERE id = $1 FOR UPDATE", list); err != nil {
		t.Fatal(err)
	}
	const n = 6
	type answer struct {
		status int
		body   string
		retry  string
		err    error
	}
	answers := make(chan answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			hc := &http.Client{Jar: ana.hc.Jar, Timeout: 20 * time.Second}
			resp, err := hc.Post(r.url+"/api/shopping/lists/"+list+"/items", "application/json", strings.NewReader(fmt.Sprintf(`{"name":"item %d"}`, i)))
			if err != nil {
				answers <- answer{err: err}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers <- answer{status: resp.StatusCode, body: string(b), retry: resp.Header.Get("Retry-After")}
		})
	}
	// At least one is inside its transaction, waiting; the others wait for
	// it or for a pooled connection. All must answer 503.
	waitUntil(t, "a write waiting on the list's lock", 10*time.Second, func() bool {
		var waiting int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = 'familyhub' AND wait_event_type = 'Lock'`).Scan(&waiting)
		return err == nil && waiting > 0
	})
	pg.Kill()
	wg.Wait()
	close(answers)
	// What this test is about has happened: stop the replica at once. A
	// graceful stop with PostgreSQL gone takes ~7 s (River retrying to give
	// up its leadership); graceful stops are TestFaultGracefulShutdown's.
	r.cmd.Process.Kill()
	<-exitedChan(r.cmd)
	for a := range answers {
		if a.err != nil {
			t.Fatalf("a write in flight got no answer: %v", a.err)
		}
		var body struct{ Error struct{ Code string } }
		if a.status != http.StatusServiceUnavailable || json.Unmarshal([]byte(a.body), &body) != nil || body.Error.Code != "unavailable" || a.retry == "" {
			t.Errorf("write in flight when PostgreSQL died: %d %s (Retry-After %q), want 503 unavailable with Retry-After", a.status, a.body, a.retry)
		}
	}
}
