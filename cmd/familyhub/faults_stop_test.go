package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// Stopping a replica: gracefully when it serves, cleanly while it starts.

// TestFaultGracefulShutdown: SIGTERM closes sockets with 1012, lets an
// in-flight request (a long poll) finish with a complete answer, and the
// process exits within a bounded time.
func TestFaultGracefulShutdown(t *testing.T) {
	url := dbtest.URL(t)
	r := spawnReplica(t, url)
	ana := newFamilyAt(t, r.url, "ana@example.org")
	var sockets []*wsClient
	for i := range 3 {
		conn, _, err := dialAt(context.Background(), r.url, ana, fmt.Sprintf("device_id=d%d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		ws := startWSClient(t, conn)
		ws.nextType("hello", 5*time.Second)
		sockets = append(sockets, ws)
	}
	type result struct {
		status int
		body   []byte
		err    error
	}
	polled := make(chan result, 1)
	go func() {
		resp, err := ana.hc.Get(r.url + "/api/realtime/poll?since=0&timeout=20")
		if err != nil {
			polled <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		polled <- result{status: resp.StatusCode, body: b, err: err}
	}()
	waitUntil(t, "the long poll is waiting", 5*time.Second, func() bool {
		return metricAt(t, r.url, `familyhub_realtime_connections{transport="poll"}`) == 1
	})

	start := time.Now()
	r.cmd.Process.Signal(syscall.SIGTERM)
	for i, ws := range sockets {
		if code := ws.closeStatus(5 * time.Second); code != websocket.StatusServiceRestart {
			t.Fatalf("socket %d closed with %d, want 1012", i, code)
		}
	}
	select {
	case res := <-polled:
		var body struct{ Seq *int64 }
		if res.err != nil || res.status != http.StatusOK || json.Unmarshal(res.body, &body) != nil || body.Seq == nil {
			t.Fatalf("in-flight long poll: %d %s %v", res.status, res.body, res.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the in-flight long poll did not finish")
	}
	select {
	case <-exitedChan(r.cmd):
	case <-time.After(10 * time.Second):
		t.Fatal("the process did not exit within 10s of SIGTERM")
	}
	if code := r.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	t.Logf("SIGTERM to exit: %s", time.Since(start))
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(r.url, "http://"), time.Second); err == nil {
		t.Fatal("still accepting connections after exit")
	}
}

// TestFaultStopWhileStarting: SIGTERM to a replica that is still starting
// (waiting for PostgreSQL, or for another replica's migrations) is a clean
// stop, exit status 0 and no error logged: an orchestrator that scales down
// or rolls back a deploy stops replicas that never became ready.
func TestFaultStopWhileStarting(t *testing.T) {
	t.Run("connecting", func(t *testing.T) {
		parallelInQuickLoop(t)
		// Nothing listens there: the replica retries with backoff.
		p := spawnStarting(t, "postgres://postgres@"+freeAddr(t)+"/familyhub")
		waitUntil(t, "the replica to wait for the database", 30*time.Second, func() bool {
			return strings.Contains(p.stderr(), "waiting for the database")
		})
		p.stop(t)
	})
	t.Run("migrating", func(t *testing.T) {
		parallelInQuickLoop(t)
		url := dbtest.EmptyURL(t)
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
		// Another replica migrating holds the migration lock.
		if _, err := conn.Exec(t.Context(), "SELECT pg_advisory_lock($1)", int64(db.MigrationLockID)); err != nil {
			t.Fatal(err)
		}
		p := spawnStarting(t, url)
		waitUntil(t, "the replica to wait for the migration lock", 30*time.Second, func() bool {
			var n int
			if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = 'familyhub'
				AND query LIKE '%pg_try_advisory_lock%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n > 0
		})
		p.stop(t)
	})
	t.Run("waiting for another replica's migration", func(t *testing.T) {
		parallelInQuickLoop(t)
		// Nothing to apply, but a newer replica may be migrating: the
		// replica waits for it before it compares the versions.
		url := dbtest.URL(t)
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
		if _, err := conn.Exec(t.Context(), "SELECT pg_advisory_lock($1)", int64(db.MigrationLockID)); err != nil {
			t.Fatal(err)
		}
		p := spawnStarting(t, url)
		waitUntil(t, "the replica to wait for the migration in progress", 30*time.Second, func() bool {
			var n int
			if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = 'familyhub'
				AND query LIKE '%pg_advisory_xact_lock_shared%' AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n > 0
		})
		p.stop(t)
	})
}

// startingProc is a `familyhub serve` process that is not (yet) ready,
// with its log.
type startingProc struct {
	cmd    *exec.Cmd
	addr   string // where it will listen once ready
	exited chan struct{}
	mu     sync.Mutex
	log    strings.Builder
}

func (p *startingProc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.Write(b)
}

func (p *startingProc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// spawnStarting starts `familyhub serve` on dbURL, with env added to its
// environment, without waiting for it to be ready; the cleanup kills it if
// it still runs.
func spawnStarting(tb testing.TB, dbURL string, env ...string) *startingProc {
	tb.Helper()
	p := &startingProc{addr: freeAddr(tb), exited: make(chan struct{})}
	p.cmd = exec.Command(familyhubBinary(tb), "serve", "--addr", p.addr, "--log-level", "info")
	p.cmd.Env = append(append(os.Environ(), "DATABASE_URL="+dbURL), env...)
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	tb.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// stop sends SIGTERM and checks that the process exits at once with
// status 0, saying why it stopped and logging no error.
func (p *startingProc) stop(tb testing.TB) {
	tb.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		tb.Fatal("the process did not exit within 10s of SIGTERM")
	}
	log := p.stderr()
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		tb.Errorf("exit code %d after SIGTERM while starting, want 0", code)
	}
	if strings.Contains(log, "level=ERROR") || strings.Contains(log, "familyhub: ") {
		tb.Errorf("an error was logged")
	}
	if !strings.Contains(log, "stopped before the server was ready") {
		tb.Errorf("no line says why it stopped")
	}
	if tb.Failed() {
		tb.Logf("its log:\n%s", log)
	}
}
