// Package caldavtest runs an independent CalDAV server for tests: Debian's
// Radicale on loopback, with one user ana/secret. deploy/ensure-radicale.sh
// (run by `make test`) installs it.
package caldavtest

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Python is Debian's interpreter, which has the radicale and caldav
// modules; a python3 earlier on PATH (pyenv, venv) may not.
const Python = "/usr/bin/python3"

// User and Password of Radicale's one account.
const (
	User     = "ana"
	Password = "secret"
)

// Radicale is a running Radicale server.
type Radicale struct {
	URL string // e.g. http://127.0.0.1:39123
	tb  testing.TB
}

// StartRadicale starts Radicale with a private storage folder and stops it
// at cleanup. A missing installation fails the test with instructions.
func StartRadicale(tb testing.TB) *Radicale {
	if testing.Short() { // `make test` and CI never pass -short
		tb.Skip("-short: skipping a test that drives Radicale")
	}
	tb.Helper()
	if err := exec.Command(Python, "-c", "import radicale").Run(); err != nil {
		tb.Fatalf("radicale is not installed (%v): run deploy/ensure-radicale.sh (make test does)", err)
	}
	dir := tb.TempDir()
	users := filepath.Join(dir, "users")
	if err := os.WriteFile(users, []byte(User+":"+Password+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(Python, "-m", "radicale", "--config", "", "--server-hosts", addr,
		"--storage-filesystem-folder", filepath.Join(dir, "collections"), "--auth-type", "htpasswd",
		"--auth-htpasswd-filename", users, "--auth-htpasswd-encryption", "plain")
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start radicale: %v (see deploy/ensure-radicale.sh)", err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	r := &Radicale{URL: "http://" + addr, tb: tb}
	for deadline := time.Now().Add(15 * time.Second); ; {
		resp, err := http.Get(r.URL + "/.web/")
		if err == nil {
			resp.Body.Close()
			return r
		}
		if time.Now().After(deadline) {
			tb.Fatalf("radicale did not come up on %s: %s", addr, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Do sends an authenticated request (MKCALENDAR, PUT of an iCalendar body,
// DELETE, ...) to path and fails the test unless it succeeds. Line ends of
// body become CRLF, as iCalendar wants.
func (r *Radicale) Do(method, path, body string) {
	r.tb.Helper()
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	req, _ := http.NewRequest(method, r.URL+path, strings.NewReader(body))
	req.SetBasicAuth(User, Password)
	if body != "" {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.tb.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		r.tb.Fatalf("radicale %s %s: %d %s", method, path, resp.StatusCode, b)
	}
}
