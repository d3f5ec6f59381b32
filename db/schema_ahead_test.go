package db_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// A database migrated by a newer build: this build's migrations and one of
// a later release, applied as that release's replica would apply it.

const futureVersion = 99999

// TestMigrateRefusesNewerSchema: on a database a newer build migrated,
// Migrate applies nothing and says so with both versions, instead of
// letting this build's queries run against a schema they were not written
// for. Without the check, goose's Up finds nothing to apply and Migrate
// returns nil.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	sqlDB := openSQL(t, dbtest.URL(t))
	// The normal start: an up-to-date database is fine.
	if err := db.Migrate(ctx, sqlDB, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrating an up-to-date database: %v", err)
	}
	migrateFuture(t, sqlDB)
	err := db.Migrate(ctx, sqlDB, slog.New(slog.DiscardHandler))
	checkAhead(t, err)
	var n int
	if err := sqlDB.QueryRowContext(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id = $1`, futureVersion).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the newer build's migration row: %d %v", n, err)
	}
}

// TestMigrateRefusesNewerSchemaAfterWaiting: the rolling deploy's race. An
// old replica starts while a new one holds the migration lock and
// migrates. goose's Up, with nothing to apply for the old build, does not
// wait for the lock; the old replica must still wait for the migration to
// end and then refuse the newer schema, not read the version from before
// it and start.
func TestMigrateRefusesNewerSchemaAfterWaiting(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	holder, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close(context.Background()) })
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(db.MigrationLockID)); err != nil {
		t.Fatal(err)
	}
	sqlDB := openSQL(t, url)
	done := make(chan error, 1)
	go func() { done <- db.Migrate(ctx, sqlDB, slog.New(slog.DiscardHandler)) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := holder.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
			AND query LIKE '%advisory%lock%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("Migrate returned while another replica held the lock: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("Migrate never asked for the migration lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Migrate returned while another replica held the lock: %v", err)
	default:
	}
	migrateFuture(t, openSQL(t, url)) // the new replica, holding the lock
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_unlock($1)", int64(db.MigrationLockID)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		checkAhead(t, err)
	case <-time.After(30 * time.Second): // it asks for the lock every second
		t.Fatal("Migrate did not return after the lock was freed")
	}
}

func openSQL(t *testing.T, url string) *sql.DB {
	t.Helper()
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	return sqlDB
}

// TestMigrateRefusesNewerSchemaWithGap: a database migrated by a build
// whose migrations are not this build's plus some (a hotfix release's: it
// has 1..37 and 40, and this build knows 1..39; here this build's newest
// is left out and 99999 applied). goose's Up refuses it first, with
// "detected 1 missing (out-of-order) migration", which names neither
// what the database has nor what to do; Migrate names both and applies
// nothing. Without the fix Migrate returns goose's error.
func TestMigrateRefusesNewerSchemaWithGap(t *testing.T) {
	ctx := context.Background()
	sqlDB := openSQL(t, dbtest.EmptyURL(t))
	newest := newestMigration(t)
	provider := futureProvider(t, sqlDB, newest)
	if results, err := provider.Up(ctx); err != nil || results[len(results)-1].Source.Version != futureVersion {
		t.Fatalf("the other build's migrations: %v", err)
	}
	err := db.Migrate(ctx, sqlDB, slog.New(slog.DiscardHandler))
	checkGap(t, err, []int64{newest}, []int64{futureVersion})
	for _, want := range []string{"has migration 99999, which this build (migrations up to " + strconv.FormatInt(newest, 10) + ") does not know",
		"lacks this build's migration " + strconv.FormatInt(newest, 10)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	var n int
	if err := sqlDB.QueryRowContext(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id = $1`, newest).Scan(&n); err != nil || n != 0 {
		t.Fatalf("migration %d was applied below the newer one: %d %v", newest, n, err)
	}
}

// TestMigrateRefusesMissingMigration: a database that lacks one of this
// build's migrations below its newest, and has none this build does not
// know (a row deleted from goose_db_version by hand): goose's error again,
// named plainly.
func TestMigrateRefusesMissingMigration(t *testing.T) {
	ctx := context.Background()
	sqlDB := openSQL(t, dbtest.URL(t))
	gap := newestMigration(t) - 1
	if _, err := sqlDB.ExecContext(ctx, `DELETE FROM goose_db_version WHERE version_id = $1`, gap); err != nil {
		t.Fatal(err)
	}
	err := db.Migrate(ctx, sqlDB, slog.New(slog.DiscardHandler))
	checkGap(t, err, []int64{gap}, nil)
	if want := "lacks this build's migration " + strconv.FormatInt(gap, 10) + ", though it has the later migration " +
		strconv.FormatInt(gap+1, 10); !strings.Contains(err.Error(), want) {
		t.Errorf("the error does not say %q: %v", want, err)
	}
}

// checkGap fails unless err is a *db.MissingMigrationsError with these
// missing and unknown migrations.
func checkGap(t *testing.T, err error, missing, unknown []int64) {
	t.Helper()
	var gap *db.MissingMigrationsError
	if !errors.As(err, &gap) {
		t.Fatalf("Migrate on a database with a gap: %v, want a *db.MissingMigrationsError", err)
	}
	if !slices.Equal(gap.Missing, missing) || !slices.Equal(gap.Unknown, unknown) || gap.Build != newestMigration(t) {
		t.Fatalf("MissingMigrationsError%+v, want Missing %v, Unknown %v, Build %d", *gap, missing, unknown, newestMigration(t))
	}
}

// migrateFuture applies this build's migrations and one more, 99999, as a
// newer build would.
func migrateFuture(t *testing.T, sqlDB *sql.DB) {
	t.Helper()
	results, err := futureProvider(t, sqlDB, 0).Up(context.Background())
	if err != nil || len(results) != 1 || results[0].Source.Version != futureVersion {
		t.Fatalf("the newer build's migration: %v %v", results, err)
	}
}

// futureProvider is a goose provider of another build's migrations: this
// build's but skip (none when 0), and 99999.
func futureProvider(t *testing.T, sqlDB *sql.DB, skip int64) *goose.Provider {
	t.Helper()
	fsys := fstest.MapFS{}
	entries, err := fs.ReadDir(db.Migrations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if v, err := goose.NumericComponent(e.Name()); err != nil || v == skip {
			continue
		}
		b, err := fs.ReadFile(db.Migrations(), e.Name())
		if err != nil {
			t.Fatal(err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: b}
	}
	fsys[strconv.Itoa(futureVersion)+"_future.sql"] = &fstest.MapFile{Data: []byte(`-- +goose Up
CREATE TABLE familyhub_future (id bigint PRIMARY KEY);
-- +goose Down
DROP TABLE familyhub_future;
`)}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return provider
}

// checkAhead fails unless err is a *db.SchemaAheadError naming the future
// migration and this build's newest.
func checkAhead(t *testing.T, err error) {
	t.Helper()
	var ahead *db.SchemaAheadError
	if !errors.As(err, &ahead) {
		t.Fatalf("Migrate on a newer schema: %v, want a *db.SchemaAheadError", err)
	}
	if ahead.Database != futureVersion || ahead.Build != newestMigration(t) {
		t.Fatalf("SchemaAheadError{Database: %d, Build: %d}, want %d and %d", ahead.Database, ahead.Build, futureVersion, newestMigration(t))
	}
	for _, v := range []string{strconv.Itoa(futureVersion), strconv.FormatInt(newestMigration(t), 10)} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("the error does not name version %s: %v", v, err)
		}
	}
}

// newestMigration is the version of the last embedded migration file.
func newestMigration(t *testing.T) int64 {
	t.Helper()
	entries, err := fs.ReadDir(db.Migrations(), ".")
	if err != nil || len(entries) == 0 {
		t.Fatalf("embedded migrations: %d %v", len(entries), err)
	}
	name := entries[len(entries)-1].Name()
	v, err := strconv.ParseInt(name[:strings.IndexByte(name, '_')], 10, 64)
	if err != nil {
		t.Fatalf("migration %s: %v", name, err)
	}
	return v
}
