package db_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
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

// poolSQL gives migration tests the two things they ask of a pool: run a
// statement and get its error, count rows (failing the test on an error).
type poolSQL struct {
	t    *testing.T
	pool *pgxpool.Pool
}

func (p poolSQL) exec(sql string, args ...any) error {
	_, err := p.pool.Exec(context.Background(), sql, args...)
	return err
}

// must runs sql and fails the test if it errs.
func (p poolSQL) must(sql string, args ...any) {
	p.t.Helper()
	if err := p.exec(sql, args...); err != nil {
		p.t.Fatalf("%s: %v", sql, err)
	}
}

func (p poolSQL) count(sql string, args ...any) (n int) {
	p.t.Helper()
	if err := p.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		p.t.Fatal(err)
	}
	return n
}
