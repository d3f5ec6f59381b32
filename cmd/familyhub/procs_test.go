package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Helpers for the proxy and fault tests: real `familyhub serve` processes
// (the binary bench_test.go builds once), nginx with the repo's
// deploy/nginx.conf, and a client that reconnects and resumes with since.

// nginxProc is nginx running the repo's deploy/nginx.conf under a private
// prefix, in front of the given replicas.
type nginxProc struct {
	cmd    *exec.Cmd
	url    string
	prefix string
}

func nginxBinary(tb testing.TB) string {
	tb.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	tb.Fatal("nginx not found: run ./deploy/ensure-nginx.sh (make test does)")
	return ""
}

// startNginx runs nginx with deploy/nginx.conf (symlinked into a private
// prefix, next to a generated familyhub-upstream.conf listing upstreams and
// a familyhub-listen.conf with a free loopback port).
func startNginx(tb testing.TB, upstreams ...*replica) *nginxProc {
	skipInShortMode(tb, "nginx")
	tb.Helper()
	bin := nginxBinary(tb)
	conf, err := filepath.Abs("../../deploy/nginx.conf")
	if err != nil {
		tb.Fatal(err)
	}
	prefix := tb.TempDir()
	addr := freeAddr(tb)
	var up strings.Builder
	up.WriteString("upstream familyhub {\n")
	for _, r := range upstreams {
		fmt.Fprintf(&up, "    server %s max_fails=1 fail_timeout=5s;\n", strings.TrimPrefix(r.url, "http://"))
	}
	up.WriteString("    keepalive 32;\n}\n")
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.Symlink(conf, filepath.Join(prefix, "nginx.conf")))
	must(os.WriteFile(filepath.Join(prefix, "familyhub-upstream.conf"), []byte(up.String()), 0o644))
	must(os.WriteFile(filepath.Join(prefix, "familyhub-listen.conf"), []byte("listen "+addr+";\n"), 0o644))
	args := []string{"-p", prefix + "/", "-c", filepath.Join(prefix, "nginx.conf"), "-e", "stderr", "-g", "daemon off;"}
	if out, err := exec.Command(bin, append(args, "-t", "-q")...).CombinedOutput(); err != nil {
		tb.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, args...)
	// Its log (connection refused while a replica is down, ...) is shown
	// only when the test fails.
	logPath := filepath.Join(prefix, "nginx.log")
	logFile, err := os.Create(logPath)
	must(err)
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	must(cmd.Start())
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM) // fast shutdown; SIGQUIT would wait for open sockets
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		logFile.Close()
		if tb.Failed() {
			if b, err := os.ReadFile(logPath); err == nil && len(b) > 0 {
				tb.Logf("nginx log:\n%s", b)
			}
		}
	})
	n := &nginxProc{cmd: cmd, url: "http://" + addr, prefix: prefix}
	waitUntil(tb, "nginx listening", 10*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return n
}

// resumer is a device that keeps its socket open: when the connection
// ends it reconnects to base with since=<last seq>, as the protocol asks.
// It records every event's seq and checks that prev_seq continues the
// sequence it has seen (no gap, no duplicate).
type resumer struct {
	tb      testing.TB
	base    string
	acct    member
	query   string
	mu      sync.Mutex
	last    int64
	seen    map[string]bool // event ids
	errs    []string
	closes  []websocket.StatusCode
	connect int // successful connections
	cancel  context.CancelFunc
	done    chan struct{}
}

func startResumer(tb testing.TB, base string, a member, query string) *resumer {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &resumer{tb: tb, base: base, acct: a, query: query, seen: map[string]bool{}, cancel: cancel, done: make(chan struct{})}
	go r.run(ctx)
	tb.Cleanup(r.stop)
	waitUntil(tb, "resumer connected", 10*time.Second, func() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.connect > 0 })
	return r
}

func (r *resumer) stop() {
	r.cancel()
	<-r.done
}

func (r *resumer) run(ctx context.Context) {
	defer close(r.done)
	for ctx.Err() == nil {
		r.mu.Lock()
		q := r.query
		if r.connect > 0 {
			q += fmt.Sprintf("&since=%d", r.last)
		}
		r.mu.Unlock()
		conn, _, err := dialAt(ctx, r.base, r.acct, q, nil)
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		conn.SetReadLimit(1 << 20)
		r.mu.Lock()
		r.connect++
		r.mu.Unlock()
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				r.mu.Lock()
				r.closes = append(r.closes, websocket.CloseStatus(err))
				r.mu.Unlock()
				break
			}
			r.handle(b)
		}
		conn.CloseNow()
	}
}

func (r *resumer) handle(b []byte) {
	var m struct {
		Type    string `json:"type"`
		Seq     int64  `json:"seq"`
		PrevSeq *int64 `json:"prev_seq"`
		ID      string `json:"id"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		r.fail("bad message %s", b)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case m.Type == "hello":
		if r.connect == 1 && r.last == 0 {
			r.last = m.Seq
		}
	case m.Type == "resync":
		r.errs = append(r.errs, "told to resync")
	case m.PrevSeq != nil:
		if *m.PrevSeq != r.last || m.Seq != r.last+1 {
			r.errs = append(r.errs, fmt.Sprintf("event seq %d prev_seq %d after seq %d", m.Seq, *m.PrevSeq, r.last))
		}
		r.last = m.Seq
		r.seen[m.ID] = true
	}
}

func (r *resumer) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *resumer) lastSeq() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// saw reports whether an event about id arrived (the resumer may still be
// receiving: background jobs add events after the test's writes).
func (r *resumer) saw(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[id]
}

func (r *resumer) connects() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.connect
}

// check fails the test if the resumer saw a gap, a duplicate or a resync.
func (r *resumer) check(tb testing.TB, name string) {
	tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) > 0 {
		tb.Errorf("%s: %s", name, strings.Join(r.errs, "; "))
	}
}

// familySeq returns the family's current seq from /api/realtime/events.
func familySeq(tb testing.TB, base string, a member) int64 {
	tb.Helper()
	var d struct{ Seq int64 }
	a.call(tb, base, http.StatusOK, "GET", "/api/realtime/events?since=0", nil, &d)
	return d.Seq
}
