package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// testPasswordParams keep argon2 cheap in tests; production uses the defaults.
var testPasswordParams = db.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

type testEnv struct {
	t      testing.TB
	pool   *pgxpool.Pool
	server *Server
	ts     *httptest.Server
}

// oneDay keeps a test off a midnight in UTC (a new family's zone) and in
// Berlin (the zone the tests set): the handlers read the wall clock at
// each request ("today", "tomorrow", today's chores), and a test that ran
// across a midnight saw two days.
func oneDay(t testing.TB) {
	t.Helper()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.ClearOfMidnight(t, 2*time.Minute, time.UTC, berlin)
}

// newTestEnv serves a Server on its own fresh database over loopback.
func newTestEnv(t testing.TB, cfg Config) *testEnv {
	t.Helper()
	pool := dbtest.Pool(t)
	if cfg.Password == (db.PasswordParams{}) {
		cfg.Password = testPasswordParams
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	s := NewServer(db.NewStore(pool), logger, cfg)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &testEnv{t: t, pool: pool, server: s, ts: ts}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// count returns the number of rows in table.
func (e *testEnv) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		e.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// client is a browser-like client with a cookie jar, or a native one when
// token is set.
type client struct {
	env    *testEnv
	hc     *http.Client
	token  string
	header http.Header
}

func (e *testEnv) newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{env: e, hc: &http.Client{Jar: jar}, header: http.Header{}}
}

type response struct {
	*http.Response
	body []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorBody returns the {"error":{...}} of the response.
func (r response) errorBody(t testing.TB) errorJSON {
	t.Helper()
	var b errorBody
	r.decode(t, &b)
	if b.Error.Code == "" {
		t.Fatalf("no error code in %s", r.body)
	}
	return b.Error
}

// do sends body (marshalled to JSON unless it is a string or []byte) and
// returns the response with its body read.
func (c *client) do(method, path string, body any) response {
	c.env.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.env.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.env.ts.URL+path, rd)
	if err != nil {
		c.env.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.env.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.env.t.Fatal(err)
	}
	return response{resp, b}
}

// must is do that fails the test unless the status is want.
func (c *client) must(want int, method, path string, body any) response {
	c.env.t.Helper()
	r := c.do(method, path, body)
	if r.StatusCode != want {
		c.env.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.StatusCode, want, r.body)
	}
	return r
}

// signup creates a family with a new user and returns a signed-in client.
func (e *testEnv) signup(email, family string) (*client, accountResponse) {
	e.t.Helper()
	c := e.newClient()
	var acc accountResponse
	c.must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{
		"email": email, "password": "correct horse", "display_name": strings.Split(email, "@")[0], "family_name": family,
	}).decode(e.t, &acc)
	return c, acc
}
