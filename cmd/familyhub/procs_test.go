package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// spawnReplica starts a `familyhub serve` process on a free loopback port,
// with extra environment variables, and waits until it is ready. Unlike
// startReplica it lets the test kill or signal the process itself; the
// cleanup interrupts it (if still running) and waits.
func spawnReplica(tb testing.TB, dbURL string, env ...string) *replica {
	tb.Helper()
	addr := freeAddr(tb)
	cmd := exec.Command(familyhubBinary(tb), "serve", "--addr", addr, "--log-level", "warn", "--shutdown-timeout", "10s")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "FAMILYHUB_TRUSTED_PROXIES=127.0.0.1")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	r := &replica{cmd: cmd, url: "http://" + addr}
	exited := make(chan struct{})
	procExited.Store(cmd, exited)
	go func() { cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	waitReady(tb, r.url, 30*time.Second)
	return r
}

// procExited maps a spawned command to a channel closed when it exits
// (cmd.Wait runs once, in spawnReplica's goroutine).
var procExited sync.Map

func exitedChan(cmd *exec.Cmd) <-chan struct{} {
	ch, _ := procExited.Load(cmd)
	return ch.(chan struct{})
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// readyz returns the status of GET base/readyz, or 0 when it does not answer.
func readyz(base string) int {
	hc := &http.Client{Timeout: 2 * time.Second}
	resp, err := hc.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func waitReady(tb testing.TB, base string, timeout time.Duration) {
	tb.Helper()
	waitUntil(tb, base+" ready", timeout, func() bool { return readyz(base) == http.StatusOK })
}

// waitUntil polls cond every 20 ms until it holds, failing after timeout.
func waitUntil(tb testing.TB, what string, timeout time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metricAt reads one sample from base/metrics: name is the whole series as
// printed, e.g. `familyhub_realtime_connections{transport="ws"}`. A missing
// series reads as 0.
func metricAt(tb testing.TB, base, name string) float64 {
	tb.Helper()
	hc := &http.Client{Timeout: 5 * time.Second}
	resp, err := hc.Get(base + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

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

// account is a signed-up user at a base URL (a replica or nginx).
type account struct {
	member
	base string
}

// signupAt signs up a new family at base.
func signupAt(tb testing.TB, base, email string) account {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body := fmt.Sprintf(`{"email":%q,"password":"correct horse","display_name":"F","family_name":"F"}`, email)
	resp, err := hc.Post(base+"/api/auth/signup", "application/json", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		tb.Fatalf("signup %s: %d %s", email, resp.StatusCode, b)
	}
	var acc struct {
		User   struct{ ID string }
		Family struct{ ID string }
	}
	json.Unmarshal(b, &acc)
	return account{member: member{hc: hc, familyID: acc.Family.ID, userID: acc.User.ID}, base: base}
}

// cookie returns the Cookie header for requests to base.
func (a account) cookie(base string) string {
	var parts []string
	for _, c := range a.hc.Jar.Cookies(mustURL(base)) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// addItem adds a shopping item through base and returns its id (the id the
// event carries).
func (a account) addItem(tb testing.TB, base, list string) string {
	tb.Helper()
	var item struct{ ID string }
	a.call(tb, base, http.StatusCreated, "POST", "/api/shopping/lists/"+list+"/items", map[string]any{"name": "milk"}, &item)
	return item.ID
}

func (a account) newList(tb testing.TB, base string) string {
	tb.Helper()
	var list struct{ ID string }
	a.call(tb, base, http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}, &list)
	return list.ID
}

// dialAt opens a WebSocket at base/ws?query with a's session.
func dialAt(ctx context.Context, base string, a account, query string) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws?"+query,
		&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {a.cookie(base)}}})
}

// resumer is a device that keeps its socket open: when the connection
// ends it reconnects to base with since=<last seq>, as the protocol asks.
// It records every event's seq and checks that prev_seq continues the
// sequence it has seen (no gap, no duplicate).
type resumer struct {
	tb      testing.TB
	base    string
	acct    account
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

func startResumer(tb testing.TB, base string, a account, query string) *resumer {
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
		conn, _, err := dialAt(ctx, r.base, r.acct, q)
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
func familySeq(tb testing.TB, base string, a account) int64 {
	tb.Helper()
	var d struct{ Seq int64 }
	a.call(tb, base, http.StatusOK, "GET", "/api/realtime/events?since=0", nil, &d)
	return d.Seq
}
