package main

import (
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/familyhub/familyhub/jobs"
)

// TestFaultNewerSchema: a replica whose build is older than the database's
// schema (a rollback after a newer build migrated, an old replica
// restarting during a rolling deploy) exits with status 1 and a log line
// naming both versions and what to do, instead of serving queries written
// for an older schema; FAMILYHUB_ALLOW_NEWER_SCHEMA at the database's
// version (not below it) starts it anyway, with a warning. Without the
// check the replica starts and turns ready on the newer schema.
func TestFaultNewerSchema(t *testing.T) {
	url := dbtest.URL(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	// What a newer build's migration 99999 leaves: its change and goose's row.
	if _, err := conn.Exec(t.Context(), `CREATE TABLE familyhub_future (id bigint PRIMARY KEY);
		INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	newest := newestMigration(t)

	for _, env := range [][]string{nil, {"FAMILYHUB_ALLOW_NEWER_SCHEMA=99998"}} {
		p := spawnStarting(t, url, env...)
		select {
		case <-p.exited:
		case <-time.After(30 * time.Second):
			t.Fatalf("%v: the replica did not exit on a newer schema; its log:\n%s", env, p.stderr())
		}
		log := p.stderr()
		if code := p.cmd.ProcessState.ExitCode(); code != 1 {
			t.Errorf("%v: exit code %d, want 1", env, code)
		}
		for _, want := range []string{
			"the database schema is at migration 99999",
			"knows migrations up to " + strconv.FormatInt(newest, 10),
			"Run the newer build",
			"restore the backup taken before the upgrade",
			"FAMILYHUB_ALLOW_NEWER_SCHEMA=99999",
		} {
			if !strings.Contains(log, want) {
				t.Errorf("%v: the log does not say %q", env, want)
			}
		}
		if env != nil && !strings.Contains(log, "(it is 99998: a migration number, not a yes)") {
			t.Errorf("%v: the log does not say what the setting is", env)
		}
		if t.Failed() {
			t.Fatalf("its log:\n%s", log)
		}
	}

	p := spawnStarting(t, url, "FAMILYHUB_ALLOW_NEWER_SCHEMA=99999")
	waitReady(t, "http://"+p.addr, 30*time.Second)
	if log := p.stderr(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "database_version=99999") ||
		!strings.Contains(log, "build_version="+strconv.FormatInt(newest, 10)) {
		t.Errorf("no warning names both versions; its log:\n%s", log)
	}
}

// TestFaultNewerSchemaWhileRunning: a replica already serving when a newer
// build migrates keeps serving (its /readyz stays 200: a rolling deploy
// takes the old replicas out one at a time, not all at once) and says so
// once per newer migration in its log, the application's and River's.
func TestFaultNewerSchemaWhileRunning(t *testing.T) {
	parallelInQuickLoop(t)
	url := dbtest.URL(t)
	var log dbtest.LogBuffer
	m := NewMain(Config{DatabaseURL: url, Addr: "127.0.0.1:0", Signup: "open", SchemaCheck: 20 * time.Millisecond},
		slog.New(slog.NewTextHandler(&log, nil)))
	if err := m.Run(t.Context()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	waitReady(t, m.URL(), 10*time.Second)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	newest := strconv.FormatInt(newestMigration(t), 10)
	for _, v := range []string{"99999", "100000"} {
		if _, err := conn.Exec(t.Context(), `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, v); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "a warning about migration "+v, 10*time.Second, func() bool {
			return strings.Contains(log.String(), "database_version="+v+" build_version="+newest)
		})
	}
	// River's tables, migrated by a newer build's River, likewise.
	_, riverBuild, err := jobs.SchemaVersions(t.Context(), m.Pool)
	if err != nil {
		t.Fatal(err)
	}
	river := strconv.Itoa(riverBuild + 1)
	if _, err := conn.Exec(t.Context(), `INSERT INTO river_migration (line, version) VALUES ('main', $1)`, riverBuild+1); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a warning about River migration "+river, 10*time.Second, func() bool {
		return strings.Contains(log.String(), "river_database_version="+river+" river_build_version="+strconv.Itoa(riverBuild))
	})
	if n := strings.Count(log.String(), "database_version=99999"); n != 1 {
		t.Errorf("migration 99999 was reported %d times, want once; the log:\n%s", n, log.String())
	}
	if !strings.Contains(log.String(), "level=WARN msg=\"a newer build has migrated the database while this replica runs") {
		t.Errorf("no warning says what happened; the log:\n%s", log.String())
	}
	if code := readyz(m.URL()); code != http.StatusOK {
		t.Errorf("/readyz = %d on a newer schema, want 200: the old replicas serve until replaced", code)
	}
}

// newestMigration is the version of the last migration this build embeds.
func newestMigration(tb testing.TB) int64 {
	tb.Helper()
	entries, err := fs.ReadDir(db.Migrations(), ".")
	if err != nil || len(entries) == 0 {
		tb.Fatalf("embedded migrations: %d %v", len(entries), err)
	}
	name := entries[len(entries)-1].Name()
	v, err := strconv.ParseInt(name[:strings.IndexByte(name, '_')], 10, 64)
	if err != nil {
		tb.Fatalf("migration %s: %v", name, err)
	}
	return v
}

// TestFaultNewerSchemaWithGap: a database a build with other migrations
// migrated (a hotfix release's: it has 99999, unknown here, but not this
// build's newest) meets goose's "missing (out-of-order) migration" error
// first. The replica still exits with status 1, and its line names both
// migrations and what to do; FAMILYHUB_ALLOW_NEWER_SCHEMA does not start
// it, since this build's queries need the migration it lacks. Without
// the fix the line is goose's alone.
func TestFaultNewerSchemaWithGap(t *testing.T) {
	url := dbtest.URL(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	newest := strconv.FormatInt(newestMigration(t), 10)
	if _, err := conn.Exec(t.Context(), `DELETE FROM goose_db_version WHERE version_id = `+newest+`;
		INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	for _, env := range [][]string{nil, {"FAMILYHUB_ALLOW_NEWER_SCHEMA=99999"}} {
		p := spawnStarting(t, url, env...)
		waitExit(t, p, env, []string{
			"the database schema has migration 99999, which this build (migrations up to " + newest + ") does not know",
			"lacks this build's migration " + newest + " below it",
			"(FAMILYHUB_ALLOW_NEWER_SCHEMA does not change that)",
			"Run the build that migrated the database",
			"restore the backup taken before the upgrade",
		})
	}
}

// TestFaultNewerRiverSchema: River's tables migrated by a newer build's
// River (a row ('main', N) in river_migration, as rivermigrate records
// it, with N beyond what this build's River knows). The replica exits
// with status 1 and a line naming both River migrations and what to do,
// as for the application's schema. Its own setting,
// FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA, at N starts it with a warning;
// FAMILYHUB_ALLOW_NEWER_SCHEMA, which counts the application's
// migrations, does not. Without the check the replica starts and turns
// ready on the newer tables.
func TestFaultNewerRiverSchema(t *testing.T) {
	url := dbtest.URL(t)
	pool := dbtest.PoolFor(t, url)
	if err := jobs.Migrate(t.Context(), pool, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	all := migrator.AllVersions()
	build := strconv.Itoa(all[len(all)-1].Version)
	future := strconv.Itoa(all[len(all)-1].Version + 1)
	if _, err := pool.Exec(t.Context(), `CREATE TABLE river_future (id bigint PRIMARY KEY);
		INSERT INTO river_migration (line, version) VALUES ('main', `+future+`)`); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"the job queue's schema (River's tables) is at River migration " + future,
		"which knows River migrations up to " + build,
		"Run the newer build",
		"restore the backup taken before the upgrade",
		"FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA=" + future + " start it anyway",
	}
	for _, env := range [][]string{nil, {"FAMILYHUB_ALLOW_NEWER_SCHEMA=99999"}, {"FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA=" + build}} {
		p := spawnStarting(t, url, env...)
		w := want
		if strings.HasPrefix(strings.Join(env, ""), "FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA") {
			w = append(w, "(it is "+build+": a migration number, not a yes)")
		}
		waitExit(t, p, env, w)
	}

	p := spawnStarting(t, url, "FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA="+future)
	waitReady(t, "http://"+p.addr, 30*time.Second)
	if log := p.stderr(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "river_database_version="+future) ||
		!strings.Contains(log, "river_build_version="+build) {
		t.Errorf("no warning names both River versions; its log:\n%s", log)
	}
}

// waitExit waits for p, started with env, to exit with status 1 and a log
// saying each of want.
func waitExit(t *testing.T, p *startingProc, env []string, want []string) {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("%v: the replica did not exit; its log:\n%s", env, p.stderr())
	}
	log := p.stderr()
	if code := p.cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("%v: exit code %d, want 1", env, code)
	}
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Errorf("%v: the log does not say %q", env, w)
		}
	}
	if t.Failed() {
		t.Fatalf("its log:\n%s", log)
	}
}
