// Package dbtest gives each test its own migrated PostgreSQL database: a
// template is migrated once per migration hash and cloned per test (about
// 25 ms), so tests run in parallel and see only their own data. The server
// comes from TEST_DATABASE_URL, which `make test` sets by running the suite
// under cmd/pgrun.
package dbtest

import (
	"context"
	"database/sql"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"

	"github.com/familyhub/familyhub/db"
)

// ServerURL returns TEST_DATABASE_URL, failing the test with instructions
// when it is not set. It never skips: a test that silently does not run
// hides a broken setup.
func ServerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		tb.Fatal("TEST_DATABASE_URL is not set. Run the suite with `make test`, or " +
			"`go run ./cmd/pgrun -- go test ./...`, which starts a throwaway PostgreSQL, " +
			"or point TEST_DATABASE_URL at a server where the user may create databases.")
	}
	return u
}

// URL creates a fresh migrated database for this test and returns its URL.
// The database is dropped when the test passes and kept (its URL logged)
// when it fails.
func URL(tb testing.TB) string {
	tb.Helper()
	conf := config(tb)
	return pgtestdb.Custom(tb, conf, migrator{}).URL()
}

// EmptyURL creates a fresh database with no migrations applied (to test
// migrating itself) and returns its URL.
func EmptyURL(tb testing.TB) string {
	tb.Helper()
	return pgtestdb.Custom(tb, config(tb), pgtestdb.NoopMigrator{}).URL()
}

// Pool returns a pool on a fresh migrated database, closed at cleanup.
func Pool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	return PoolFor(tb, URL(tb))
}

func config(tb testing.TB) pgtestdb.Config {
	tb.Helper()
	u, err := url.Parse(ServerURL(tb))
	if err != nil {
		tb.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	password, _ := u.User.Password()
	opts := u.Query()
	if opts.Get("sslmode") == "" {
		opts.Set("sslmode", "disable")
	}
	return pgtestdb.Config{
		DriverName:                "pgx",
		Host:                      u.Hostname(),
		Port:                      u.Port(),
		User:                      u.User.Username(),
		Password:                  password,
		Database:                  strings.TrimPrefix(u.Path, "/"),
		Options:                   opts.Encode(),
		ForceTerminateConnections: true,
	}
}

// migrator builds the template with the application's own migrations.
type migrator struct{}

func (migrator) Hash() (string, error) { return db.MigrationsHash() }

func (migrator) Migrate(ctx context.Context, sqlDB *sql.DB, _ pgtestdb.Config) error {
	return db.Migrate(ctx, sqlDB, slog.New(slog.DiscardHandler))
}

// PoolFor returns a pool on url (a database from URL), closed at cleanup.
func PoolFor(tb testing.TB, url string) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		tb.Fatalf("parse url: %v", err)
	}
	cfg.AfterConnect = db.AfterConnect // as the application's pool
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open pool: %v", err)
	}
	tb.Cleanup(pool.Close)
	return pool
}
