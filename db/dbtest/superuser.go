package dbtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
)

// SuperuserConn connects to dbURL's database (one from URL) as
// TEST_DATABASE_URL's role, pgrun's superuser, and closes the connection
// at cleanup. Tests use it for what only a superuser may do on their own
// connection, such as SET deadlock_timeout; it fails the test when that
// role is no superuser.
func SuperuserConn(tb testing.TB, dbURL string) *pgx.Conn {
	tb.Helper()
	cfg, err := pgx.ParseConfig(ServerURL(tb))
	if err != nil {
		tb.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	dbCfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		tb.Fatalf("parse url: %v", err)
	}
	cfg.Database = dbCfg.Database
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("connect as TEST_DATABASE_URL's role to %s: %v", cfg.Database, err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	if err := db.AfterConnect(ctx, conn); err != nil {
		tb.Fatal(err)
	}
	var super bool
	if err := conn.QueryRow(ctx, "SELECT current_setting('is_superuser') = 'on'").Scan(&super); err != nil {
		tb.Fatal(err)
	}
	if !super {
		tb.Fatalf("TEST_DATABASE_URL's role %q is no superuser: it may not SET deadlock_timeout; "+
			"run the test under `go run ./cmd/pgrun`, or point TEST_DATABASE_URL at a superuser", cfg.User)
	}
	return conn
}
