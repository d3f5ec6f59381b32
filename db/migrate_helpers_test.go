package db_test

import (
	"database/sql"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/familyhub/familyhub/db"
)

// migrations returns a goose provider of the embedded migrations on the
// database at url, for tests that migrate up and down step by step.
func migrations(t *testing.T, url string) *goose.Provider {
	t.Helper()
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, db.Migrations(), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return provider
}
