package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/familyhub/familyhub/db/dbtest"
)

// The one set of end-to-end helpers: the binary built once per package
// run, replicas as processes, signed-in members, sockets, and waiting on a
// condition (never a bare sleep).

// skipInShortMode skips a test that drives a browser, nginx, Radicale or a
// PostgreSQL restart when `go test -short` asks for the quick local loop.
// `make test` and CI never pass -short: there every test runs. Call it
// first in the test, so that a skipped test sets nothing up.
func skipInShortMode(tb testing.TB, what string) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("-short: skipping a test that drives " + what)
	}
}

// browserTest starts a test that drives a browser: skipped with -short,
// and begun only when it cannot run across midnight UTC. The tests make
// their data for "today" and "in 9 days" from the Go clock, and the page
// reckons its days from the browser's: a test begun at 23:59:50 had its
// calendar weeks read from two different todays (TestBrowserCalendarReadAhead
// failed in a CI run started at 23:55). Neither clock is pinned, so a test
// begun within browserDayMargin of midnight waits for the new day.
//
// Its test must be named TestBrowser…: the browser pool starts chromiums
// ahead only before such tests (browserTestAfter), so one named otherwise
// would start its browsers cold and leave spares idle beside other tests.
func browserTest(tb testing.TB) {
	tb.Helper()
	if !strings.HasPrefix(tb.Name(), "TestBrowser") {
		tb.Fatalf("%s drives a browser: name it TestBrowser… (the browser pool starts browsers ahead only for those)", tb.Name())
	}
	skipInShortMode(tb, "a browser")
	dbtest.ClearOfMidnight(tb, browserDayMargin)
}

// browserDayMargin: the longest a browser test takes on a loaded 2-core
// machine, with room.
const browserDayMargin = 3 * time.Minute

// parallelInQuickLoop runs the test alongside the package's other parallel
// tests when `go test -short` asks for the quick local loop: each test has
// its own database and its servers on their own ports, and most of these
// tests wait on timers (reminders coming due, folding windows), so running
// them together keeps the loop under a minute. Without -short (`make test`,
// CI) they stay sequential, so the timing margins they were written with
// hold under the full suite's CPU stress. Only for tests that use no
// t.Setenv, os.Setenv or chdir, read no process-wide metrics or goroutine
// counts, share no package-level mutable state and assert no wall-clock
// latency budget; those stay sequential (and run before the parallel ones).
func parallelInQuickLoop(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Parallel()
	}
}

// waitUntil polls cond every 10 ms until it holds, failing after timeout.
func waitUntil(tb testing.TB, what string, timeout time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The binary.

var buildOnce struct {
	sync.Once
	path string
	err  error
}

// familyhubBinary builds this command once per test run and returns its path.
func familyhubBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "familyhub-test-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "familyhub")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		tb.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// Replicas as processes.

// replica is a `familyhub serve` process.
type replica struct {
	cmd *exec.Cmd
	url string
}

// spawnReplica starts a `familyhub serve` process on a free loopback port,
// with extra environment variables, and waits until it is ready. The test
// may kill or signal the process itself; the cleanup interrupts it (if
// still running) and waits.
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

// rssBytes returns the process's resident set size.
func (r *replica) rssBytes(tb testing.TB) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", r.cmd.Process.Pid))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	tb.Fatal("no VmRSS")
	return 0
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

// Members.

// member is a signed-in user with a cookie jar (valid on every replica
// and behind nginx: the cookie is per host).
type member struct {
	hc       *http.Client
	familyID string
	userID   string
}

// signupAt signs up at base with a JSON body and returns the member.
func signupAt(tb testing.TB, base, body string) member {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	mb := member{hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var acc struct {
		User   struct{ ID string }
		Family struct{ ID string }
	}
	mb.call(tb, base, http.StatusCreated, "POST", "/api/auth/signup", json.RawMessage(body), &acc)
	mb.familyID, mb.userID = acc.Family.ID, acc.User.ID
	return mb
}

// newFamilyAt signs up email with a new family at base.
func newFamilyAt(tb testing.TB, base, email string) member {
	return signupAt(tb, base, fmt.Sprintf(`{"email":%q,"password":"correct horse","display_name":"X","family_name":"F"}`, email))
}

// newFamily signs up email with a new family on the in-process server m.
func newFamily(tb testing.TB, m *Main, email string) member { return newFamilyAt(tb, m.URL(), email) }

// join signs up a second member of owner's family on replica m.
func join(tb testing.TB, m *Main, owner member, email string) member {
	tb.Helper()
	var inv struct{ Code string }
	owner.call(tb, m.URL(), http.StatusCreated, "POST", "/api/family/invites", nil, &inv)
	return signupAt(tb, m.URL(), fmt.Sprintf(`{"email":%q,"password":"correct horse","display_name":"Y","invite_code":%q}`, email, inv.Code))
}

// call sends a JSON request as mb to base and decodes the response into out
// (when non-nil), failing unless the status is want (any 2xx when want is 0).
func (mb member) call(tb testing.TB, base string, want int, method, path string, body any, out any) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := mb.hc.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want && (want != 0 || resp.StatusCode >= 300) {
		tb.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			tb.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// restAs calls the REST API as mb on server s, wanting any 2xx, and
// returns the answer as a map (nil for an empty or non-object body).
func restAs(tb testing.TB, mb member, s *Main, method, path string, body any) map[string]any {
	tb.Helper()
	var raw json.RawMessage
	mb.call(tb, s.URL(), 0, method, path, body, &raw)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		json.Unmarshal(raw, &out)
	}
	return out
}

// cookie returns the Cookie header of mb's session for requests to base.
func (mb member) cookie(base string) string {
	u, _ := url.Parse(base)
	var parts []string
	for _, c := range mb.hc.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// addItem adds a shopping item through base and returns its id (the id the
// event carries).
func (mb member) addItem(tb testing.TB, base, list string) string {
	tb.Helper()
	var item struct{ ID string }
	mb.call(tb, base, http.StatusCreated, "POST", "/api/shopping/lists/"+list+"/items", map[string]any{"name": "milk"}, &item)
	return item.ID
}

func (mb member) newList(tb testing.TB, base string) string {
	tb.Helper()
	var list struct{ ID string }
	mb.call(tb, base, http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "L"}, &list)
	return list.ID
}

// Sockets.

// dialAt opens a WebSocket at base/ws?query with mb's session (none when
// mb has no client) and the extra headers.
func dialAt(ctx context.Context, base string, mb member, query string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	if hdr == nil {
		hdr = http.Header{}
	}
	if mb.hc != nil {
		hdr.Set("Cookie", mb.cookie(base))
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws?"+query, &websocket.DialOptions{HTTPHeader: hdr})
}

// wsClient is a device's socket, read on its own goroutine.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
	msgs chan map[string]any
	err  chan error
}

// dialWS opens a socket on the in-process server s as mb.
func dialWS(tb testing.TB, s *Main, mb member, query string) *wsClient {
	tb.Helper()
	c, resp, err := dialAt(context.Background(), s.URL(), mb, query, nil)
	if err != nil {
		tb.Fatalf("dial: %v (%v)", err, resp)
	}
	return startWSClient(tb, c)
}

func startWSClient(tb testing.TB, c *websocket.Conn) *wsClient {
	w := &wsClient{t: tb, conn: c, msgs: make(chan map[string]any, 100000), err: make(chan error, 1)}
	c.SetReadLimit(1 << 20)
	go func() {
		for {
			_, b, err := c.Read(context.Background())
			if err != nil {
				w.err <- err
				close(w.msgs)
				return
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				w.err <- err
				close(w.msgs)
				return
			}
			w.msgs <- m
		}
	}()
	tb.Cleanup(func() { c.CloseNow() })
	return w
}

// next returns the next message, failing after timeout.
func (w *wsClient) next(timeout time.Duration) map[string]any {
	w.t.Helper()
	select {
	case m, ok := <-w.msgs:
		if !ok {
			w.t.Fatalf("socket closed: %v", <-w.err)
		}
		return m
	case <-time.After(timeout):
		w.t.Fatalf("no message within %s", timeout)
		return nil
	}
}

// nextType skips to the next message of type typ.
func (w *wsClient) nextType(typ string, timeout time.Duration) map[string]any {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := w.next(time.Until(deadline))
		if m["type"] == typ {
			return m
		}
	}
}

func (w *wsClient) send(v string) {
	w.t.Helper()
	if err := w.conn.Write(context.Background(), websocket.MessageText, []byte(v)); err != nil {
		w.t.Fatal(err)
	}
}

// closeStatus waits for the socket to be closed and returns the code.
func (w *wsClient) closeStatus(timeout time.Duration) websocket.StatusCode {
	w.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case _, ok := <-w.msgs:
			if !ok {
				return websocket.CloseStatus(<-w.err)
			}
		case <-deadline:
			w.t.Fatalf("socket not closed within %s", timeout)
		}
	}
}

func seqOf(m map[string]any) int64 { f, _ := m["seq"].(float64); return int64(f) }
