package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// riverMigrationLockID is the advisory lock that serialises River's
// migrations (rivermigrate takes none): the first 8 bytes of
// sha256("familyhub river migrations").
const riverMigrationLockID = 0x5b2e_91c4_07d3_6a18

// SchemaAheadError is Migrate's error when River's tables hold migrations
// the River this build is made with does not know: a newer FamilyHub,
// made with a newer River, migrated them. rivermigrate says nothing then:
// it applies the migrations it knows and are missing, whatever the
// database has beyond them, and River's queries, written for the older
// tables, would run against the newer ones.
type SchemaAheadError struct {
	Database int // the highest River migration applied to the database
	Build    int // the highest River migration this build's River knows
	// Missing are this build's River migrations the database lacks, below
	// Database: the newer River's migrations did not follow this one's.
	// This build never applies them there, and never starts on it.
	Missing []int
}

func (e *SchemaAheadError) Error() string {
	s := fmt.Sprintf("the job queue's schema (River's tables) is at River migration %d, newer than this build's River, which knows River migrations up to %d: a newer FamilyHub, with a newer River, has migrated it",
		e.Database, e.Build)
	if len(e.Missing) > 0 {
		v := make([]string, len(e.Missing))
		for i, m := range e.Missing {
			v[i] = strconv.Itoa(m)
		}
		what := "migration"
		if len(v) > 1 {
			what += "s"
		}
		s += fmt.Sprintf(", and it lacks this build's River %s %s below it", what, strings.Join(v, ", "))
	}
	return s
}

// Migrate creates or upgrades River's tables. It holds a session advisory
// lock meanwhile, so replicas starting together take turns: one migrates,
// the others then find nothing to do. When River's tables hold a migration
// newer than this build's River knows, it applies nothing and returns a
// *SchemaAheadError: the caller decides whether to run anyway.
func Migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(riverMigrationLockID)); err != nil {
		conn.Conn().Close(context.Background()) // never return a connection that may hold the lock
		return fmt.Errorf("river migrations: lock: %w", err)
	}
	defer func() {
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(riverMigrationLockID)); uerr != nil {
			conn.Conn().Close(context.Background())
		}
	}()
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	// Under the lock: a replica migrating River's tables holds it, so this
	// reads what it left, not what it found.
	applied, err := riverMigrations(ctx, conn.Conn())
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if ahead := riverAhead(applied, migrator.AllVersions()); ahead != nil {
		return ahead
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		logger.Info("river migration applied", "version", v.Version, "name", v.Name, "duration", v.Duration)
	}
	return nil
}

// SchemaVersions returns the highest River migration applied to the
// database at pool (0 when none) and the highest this build's River
// knows, without waiting for a migration in progress (Migrate waits), for
// a replica that watches whether a newer build has migrated River's tables
// meanwhile. It fails when the database cannot be asked.
func SchemaVersions(ctx context.Context, pool *pgxpool.Pool) (database, build int, err error) {
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, 0, err
	}
	all := migrator.AllVersions()
	applied, err := riverMigrations(ctx, pool)
	if err != nil {
		return 0, 0, err
	}
	return slices.Max(append(applied, 0)), all[len(all)-1].Version, nil
}

// querier is what riverMigrations asks of a pool or a connection.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// riverMigrations returns the River migrations (of its main line, the
// only one FamilyHub uses) applied to the database, as rivermigrate
// records them: a row ('main', version) in river_migration. A database
// without that table, or with River's table from before its migration 5
// (which added the column line), has none this build's River does not
// know, and gets nil.
func riverMigrations(ctx context.Context, conn querier) ([]int, error) {
	var lines bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_attribute
		WHERE attrelid = to_regclass('river_migration') AND attname = 'line' AND NOT attisdropped)`).Scan(&lines); err != nil {
		return nil, fmt.Errorf("read River's migrations: %w", err)
	}
	if !lines {
		return nil, nil
	}
	rows, err := conn.Query(ctx, `SELECT version::int FROM river_migration WHERE line = 'main' ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read River's migrations: %w", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("read River's migrations: %w", err)
	}
	return applied, nil
}

// riverAhead returns a *SchemaAheadError when applied holds a migration
// newer than known's newest; nil otherwise.
func riverAhead(applied []int, known []rivermigrate.Migration) *SchemaAheadError {
	if len(applied) == 0 || len(known) == 0 {
		return nil
	}
	build := known[len(known)-1].Version // AllVersions sorts them
	database := slices.Max(applied)
	if database <= build {
		return nil
	}
	e := &SchemaAheadError{Database: database, Build: build}
	for _, m := range known {
		if !slices.Contains(applied, m.Version) {
			e.Missing = append(e.Missing, m.Version)
		}
	}
	return e
}
