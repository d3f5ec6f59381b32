package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

func testLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startMain runs the whole server in-process on a free loopback port;
// configure, when given, adjusts its configuration first.
func startMain(t *testing.T, url string, configure ...func(*Config)) *Main {
	t.Helper()
	// The session cache as serve sets it up by default: the tests run
	// what production runs.
	cfg := Config{DatabaseURL: url, Addr: "127.0.0.1:0", Signup: "open", SessionCacheTTL: 30 * time.Second}
	for _, f := range configure {
		f(&cfg)
	}
	m := NewMain(cfg, testLogger())
	if err := m.Run(t.Context()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestReplicasStartTogether starts N replicas at the same instant on one
// empty database: the advisory lock lets one migrate while the others wait,
// and all of them become ready.
func TestReplicasStartTogether(t *testing.T) {
	skipInShortMode(t, "five replica processes starting at once")
	for _, n := range []int{2, 5} {
		t.Run(fmt.Sprintf("%d replicas", n), func(t *testing.T) {
			url := dbtest.EmptyURL(t)
			mains := make([]*Main, n)
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				mains[i] = NewMain(Config{DatabaseURL: url, Addr: "127.0.0.1:0", Signup: "open"}, testLogger())
				t.Cleanup(func() { mains[i].Close() })
				wg.Go(func() {
					<-start
					errs[i] = mains[i].Run(t.Context())
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("replica %d: %v", i, err)
				}
				// Ready once the database answers and the listener is connected.
				waitUntil(t, fmt.Sprintf("replica %d ready", i), 30*time.Second, func() bool { return get(t, mains[i].URL()+"/readyz") == http.StatusOK })
			}
			// They share one database: an account made on one signs in on another.
			signup := `{"email":"r@example.org","password":"correct horse","display_name":"R","family_name":"F"}`
			if code := post(t, mains[0].URL()+"/api/auth/signup", signup); code != http.StatusCreated {
				t.Fatalf("signup = %d", code)
			}
			login := `{"email":"r@example.org","password":"correct horse"}`
			if code := post(t, mains[n-1].URL()+"/api/auth/login", login); code != http.StatusOK {
				t.Fatalf("login on another replica = %d", code)
			}
			var applied int
			if err := mains[0].Pool.QueryRow(context.Background(),
				"SELECT count(*) FROM goose_db_version WHERE version_id > 0").Scan(&applied); err != nil {
				t.Fatal(err)
			}
			if applied == 0 {
				t.Fatal("no migration recorded")
			}
		})
	}
}

func post(t *testing.T, url, body string) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestHealthzAndGracefulClose(t *testing.T) {
	parallelInQuickLoop(t)
	m := startMain(t, dbtest.EmptyURL(t))
	if code := get(t, m.URL()+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d", code)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(m.URL() + "/healthz"); err == nil {
		t.Fatal("server still answers after Close")
	}
}

func TestConfigValidation(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: nil, want: "DATABASE_URL"},
		{args: []string{"-database-url", "postgres://x/y", "-signup", "sometimes"}, want: "open, invite or closed"},
		{args: []string{"-database-url", "postgres://x/y", "-allowed-origins", "app.example.org"}, want: "https://host"},
		{args: []string{"-database-url", "postgres://x/y", "-trusted-proxies", "10.0.0.0/99"}, want: "trusted proxy"},
		{args: []string{"-database-url", "postgres://x/y", "-log-level", "loud"}, want: "loud"},
		{args: []string{"-database-url", "postgres://x/y"}, env: map[string]string{"FAMILYHUB_SIGNUP": "nobody"}, want: "nobody"},
		{args: []string{"-database-url", "postgres://x/y"}, env: map[string]string{"FAMILYHUB_NOTIFY_LEADER_RETRY": "soon"}, want: "FAMILYHUB_NOTIFY_LEADER_RETRY"},
		{args: []string{"-database-url", "postgres://x/y"}, env: map[string]string{"FAMILYHUB_NOTIFY_LEADER_RETRY": "-5s"}, want: "FAMILYHUB_NOTIFY_LEADER_RETRY"},
		{args: []string{"-database-url", "postgres://x/y", "-notify-coalesce", "2m"}, want: "FAMILYHUB_NOTIFY_COALESCE"},
		{args: []string{"-database-url", "postgres://x/y"}, env: map[string]string{"FAMILYHUB_NOTIFY_COALESCE": "3"}, want: "FAMILYHUB_NOTIFY_COALESCE"},
		{args: []string{"-database-url", "postgres://x/y"}, env: map[string]string{"FAMILYHUB_REALTIME_MAX_PER_USER": "lots"}, want: "FAMILYHUB_REALTIME_MAX_PER_USER"},
		{args: []string{"-database-url", "postgres://x/y", "-realtime-max-per-user", "-1"}, want: "FAMILYHUB_REALTIME_MAX_PER_USER"},
		{args: []string{"-database-url", "postgres://x/y"}, env: map[string]string{"FAMILYHUB_ALLOW_NEWER_SCHEMA": "yes"}, want: "FAMILYHUB_ALLOW_NEWER_SCHEMA"},
		{args: []string{"-database-url", "postgres://x/y", "-allow-newer-schema", "-1"}, want: "FAMILYHUB_ALLOW_NEWER_SCHEMA"},
		{args: []string{"-database-url", "postgres://x/y"}, env: map[string]string{"FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA": "yes"}, want: "FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA"},
		{args: []string{"-database-url", "postgres://x/y", "-allow-newer-river-schema", "-1"}, want: "FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA"},
		{args: []string{"-database-url", "postgres://x/y", "-hsts-max-age", "-1"}, want: "FAMILYHUB_HSTS_MAX_AGE"},
		{args: []string{"-database-url", "postgres://x/y"}, env: map[string]string{"FAMILYHUB_HSTS_MAX_AGE": "1y"}, want: "FAMILYHUB_HSTS_MAX_AGE"},
		{args: []string{"-database-url", "postgres://x/y"}, env: map[string]string{"FAMILYHUB_HSTS_MAX_AGE": "31536000000"}, want: "FAMILYHUB_HSTS_MAX_AGE"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Setenv("DATABASE_URL", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			err := run(t.Context(), append([]string{"serve"}, tc.args...))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestHSTSMaxAgeSetting: Strict-Transport-Security's max-age is a year
// unless FAMILYHUB_HSTS_MAX_AGE or --hsts-max-age (seconds, the flag
// winning) says otherwise; 0 turns it off.
func TestHSTSMaxAgeSetting(t *testing.T) {
	for _, c := range []struct {
		env  string
		args []string
		want time.Duration
	}{
		{"", nil, 365 * 24 * time.Hour},
		{"0", nil, 0},
		{"600", nil, 10 * time.Minute},
		{"600", []string{"-hsts-max-age", "0"}, 0},
		{"", []string{"-hsts-max-age", "63072000"}, 2 * 365 * 24 * time.Hour},
	} {
		t.Setenv("FAMILYHUB_HSTS_MAX_AGE", c.env)
		var cfg Config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		cfg.flagSet(fs)
		if err := fs.Parse(append([]string{"-database-url", "postgres://x/y"}, c.args...)); err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("FAMILYHUB_HSTS_MAX_AGE=%q %v: %v", c.env, c.args, err)
		}
		if cfg.HSTSMaxAge != c.want {
			t.Errorf("FAMILYHUB_HSTS_MAX_AGE=%q %v: max-age %s; want %s", c.env, c.args, cfg.HSTSMaxAge, c.want)
		}
	}
}

// TestFlagHelp: -h names each flag's value by its type, never by a
// backquoted word of the help text (flag.UnquoteUsage's convention), and no
// help text is empty.
func TestFlagHelp(t *testing.T) {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.flagSet(fs)
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if strings.Contains(name, " ") || usage == "" {
			t.Errorf("-%s shows as -%s %s: %q", f.Name, f.Name, name, usage)
		}
	})
}

func TestRedactURL(t *testing.T) {
	got := redactURL("postgres://fh:s3cret@db:5432/familyhub?sslmode=disable")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "db:5432/familyhub") {
		t.Fatalf("redactURL = %q", got)
	}
}
