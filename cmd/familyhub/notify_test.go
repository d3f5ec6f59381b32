package main

import (
	"context"
	"flag"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestNotifyWokenByRealtimeListener: in serve, the notifications service
// takes its wake-ups from the realtime listener instead of listening to the
// event channels itself. With the safety-net sweep an hour away, a
// shopping item and a task are still processed within seconds; the
// service's own connection (familyhub-notify) listens to nothing; and an
// event committed while the realtime listener was down is processed once
// it is back (the sweep after its reconnect).
func TestNotifyWokenByRealtimeListener(t *testing.T) {
	parallelInQuickLoop(t)
	dbURL := dbtest.URL(t)
	// The two listening connections log in as a role of their own, so the
	// test can keep the realtime listener from coming back while it writes.
	admin := dbtest.PoolFor(t, dbtest.ServerURL(t))
	role := "fh_listen_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	exec := func(sql string) {
		t.Helper()
		if _, err := admin.Exec(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec("CREATE ROLE " + role + " LOGIN PASSWORD 'listen'")
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+role) }) // after the server stops
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "listen")
	m := startMain(t, dbURL, func(c *Config) {
		c.ListenDatabaseURL = u.String()
		// Only wake-ups and the reconnect's sweep remain: neither the sweep
		// nor the cross-check for lost wake-ups runs within the test.
		c.Notify.PollEvery, c.Notify.CrossCheckEvery = time.Hour, time.Hour
		// A family is processed at most once per Coalesce (default 10 s,
		// which left the task's pass a few ms inside the 10 s wait below).
		c.Notify.Coalesce = 2 * time.Second
	})
	ana := newFamily(t, m, "ana@example.org")
	waitUntil(t, "the listener connected and the service leading", 10*time.Second, func() bool {
		return m.Listener.Connected() && m.notify.Leading()
	})
	ctx := t.Context()
	// processed waits until the notifications service's cursor reached the
	// family's latest event (only ProcessFamily moves it).
	latest := func() int64 {
		t.Helper()
		var seq int64
		if err := m.Pool.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, ana.familyID).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		return seq
	}
	cursor := func() int64 {
		t.Helper()
		var seq int64
		if err := m.Pool.QueryRow(ctx, `SELECT seq FROM notify_cursors WHERE family_id = $1`, ana.familyID).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		return seq
	}
	processed := func(what string) {
		t.Helper()
		seq, start := latest(), time.Now()
		// Within the 2 s coalescing window of the previous pass, after the
		// realtime listener's reconnect (its backoff reaches 10 s when it
		// was kept out for seconds under load), and a margin: far below
		// the hour of PollEvery.
		waitUntil(t, what+" processed", 30*time.Second, func() bool { return cursor() >= seq })
		t.Logf("%s processed after %s", what, time.Since(start).Round(time.Millisecond))
	}

	list := ana.newList(t, m.URL())
	ana.addItem(t, m.URL(), list)
	processed("a shopping item")
	ana.call(t, m.URL(), http.StatusCreated, "POST", "/api/tasks",
		map[string]any{"title": "Call grandma", "due_at": due(30 * time.Minute), "assignee_id": ana.userID}, nil)
	processed("a task")

	// What each listening connection last ran (pg_listening_channels() is
	// per session): the realtime listener LISTENs, the service's own
	// connection only asked for the leader lock.
	var notifyQuery, listenerQuery string
	if err := admin.QueryRow(ctx, `SELECT
		(SELECT query FROM pg_stat_activity WHERE application_name = 'familyhub-notify' AND usename = $1),
		(SELECT query FROM pg_stat_activity WHERE application_name = 'familyhub-listener' AND usename = $1)`, role).
		Scan(&notifyQuery, &listenerQuery); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notifyQuery, "pg_try_advisory_lock") || !strings.HasPrefix(strings.ToLower(listenerQuery), "listen") {
		t.Errorf("familyhub-notify last ran %q (want the leader lock, no LISTEN); familyhub-listener %q (want a LISTEN)", notifyQuery, listenerQuery)
	}

	// The realtime listener's connection dies and cannot come back; an item
	// added meanwhile wakes nobody.
	exec("ALTER ROLE " + role + " NOLOGIN")
	exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'familyhub-listener' AND usename = '" + role + "'")
	waitUntil(t, "the listening backend gone", 10*time.Second, func() bool {
		var n int
		err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'familyhub-listener' AND usename = $1`, role).Scan(&n)
		return err == nil && n == 0
	})
	ana.addItem(t, m.URL(), list)
	if seq := latest(); cursor() >= seq {
		t.Fatal("the item added while the listener was down was processed at once: nothing should have woken the service")
	}
	exec("ALTER ROLE " + role + " LOGIN")
	processed("an item added while the listener was down")
	if !m.notify.Leading() {
		t.Error("the service stopped leading: its own connection should not have been touched")
	}
}

// TestNotifyFlagsFromEnv: the event path's timings come from the
// environment, and a flag overrides it.
func TestNotifyFlagsFromEnv(t *testing.T) {
	t.Setenv("FAMILYHUB_NOTIFY_LEADER_RETRY", "250ms")
	t.Setenv("FAMILYHUB_NOTIFY_COALESCE", "-1s")
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.flagSet(fs)
	if err := fs.Parse([]string{"-notify-coalesce", "500ms"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Notify.LeaderRetry != 250*time.Millisecond || cfg.Notify.Coalesce != 500*time.Millisecond {
		t.Errorf("leader retry %s, coalesce %s; want 250ms and 500ms", cfg.Notify.LeaderRetry, cfg.Notify.Coalesce)
	}
	t.Setenv("FAMILYHUB_NOTIFY_LEADER_RETRY", "")
	cfg = Config{}
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.flagSet(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if cfg.Notify.LeaderRetry != 5*time.Second || cfg.Notify.Coalesce != -time.Second {
		t.Errorf("leader retry %s, coalesce %s; want the default 5s and -1s", cfg.Notify.LeaderRetry, cfg.Notify.Coalesce)
	}
}

// TestJobPollEveryFromEnv: how often a replica looks for jobs (River
// polls, docs/jobs.md) comes from FAMILYHUB_JOB_POLL_EVERY, a flag
// overrides it, and a value below 10ms is refused naming the setting.
func TestJobPollEveryFromEnv(t *testing.T) {
	parse := func(args ...string) Config {
		t.Helper()
		var cfg Config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		cfg.flagSet(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	t.Setenv("FAMILYHUB_JOB_POLL_EVERY", "")
	if cfg := parse(); cfg.Jobs.PollEvery != 200*time.Millisecond {
		t.Errorf("no setting: poll every %s, want the default 200ms", cfg.Jobs.PollEvery)
	}
	t.Setenv("FAMILYHUB_JOB_POLL_EVERY", "1s")
	if cfg := parse(); cfg.Jobs.PollEvery != time.Second {
		t.Errorf("FAMILYHUB_JOB_POLL_EVERY=1s: poll every %s", cfg.Jobs.PollEvery)
	}
	if cfg := parse("-job-poll-every", "500ms"); cfg.Jobs.PollEvery != 500*time.Millisecond {
		t.Errorf("FAMILYHUB_JOB_POLL_EVERY=1s -job-poll-every 500ms: poll every %s", cfg.Jobs.PollEvery)
	}
	t.Setenv("FAMILYHUB_JOB_POLL_EVERY", "5ms")
	if cfg := parse(); cfg.Jobs.validate() == nil || !strings.Contains(cfg.Jobs.validate().Error(), "poll") {
		t.Errorf("FAMILYHUB_JOB_POLL_EVERY=5ms: validate %v, want it refused", cfg.Jobs.validate())
	}
	t.Setenv("FAMILYHUB_JOB_POLL_EVERY", "2m")
	if cfg := parse(); cfg.Jobs.validate() == nil || !strings.Contains(cfg.Jobs.validate().Error(), "poll") {
		t.Errorf("FAMILYHUB_JOB_POLL_EVERY=2m: validate %v, want it refused", cfg.Jobs.validate())
	}
}
