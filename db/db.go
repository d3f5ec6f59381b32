// Package db adapts PostgreSQL: the connection pool, the embedded migrations,
// the sqlc-generated queries (package dbsqlc) and the translation of pgx
// errors into familyhub errors. It is the only package that looks at pgx
// errors.
package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the embedded migration files, rooted at their folder.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder exists
	}
	return sub
}

// MigrationsHash returns a hash of every migration's name and content. Test
// templates are keyed by it, so a changed migration gets a fresh template.
func MigrationsHash() (string, error) {
	entries, err := fs.ReadDir(Migrations(), ".")
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		b, err := fs.ReadFile(Migrations(), name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// MigrationLockID is the session advisory lock key (4403513486298975041)
// that serialises migrations: a replica holds it while it migrates, and the
// others wait for it. Any constant works as long as every replica uses the
// same one; this is the first 8 bytes of sha256("familyhub migrations").
// It is exported for what looks from outside: a DBA finding the holder in
// pg_locks (docs/operations.md), a test playing a replica that migrates.
const MigrationLockID = 0x3d1c_6c2f_5a7e_0b41

// SchemaAheadError is Migrate's error when the database holds migrations
// this build does not know: a newer build migrated it (a rollback to the
// previous image, or an old replica restarting during a rolling deploy).
// goose's Up finds nothing to apply then and says nothing, and the build's
// queries, written for an older schema, would run against the newer one.
type SchemaAheadError struct {
	Database int64 // the highest migration applied to the database
	Build    int64 // the highest migration this build embeds
}

func (e *SchemaAheadError) Error() string {
	return fmt.Sprintf("the database schema is at migration %d, newer than this build, which knows migrations up to %d: a newer FamilyHub has migrated it",
		e.Database, e.Build)
}

// Migrate applies every pending migration. It holds a session-level advisory
// lock while it works, so many replicas started at the same moment against
// one database all succeed: one migrates, the others wait for the lock and
// then find nothing to do. When the database is then at a migration newer
// than this build's newest, it returns a *SchemaAheadError (having applied
// nothing): the caller decides whether to run anyway. When the database
// lacks one of this build's migrations below its newest, it returns a
// *MissingMigrationsError (having applied nothing).
func Migrate(ctx context.Context, sqlDB *sql.DB, logger *slog.Logger) error {
	// goose asks for the lock every 5 s by default: replicas started
	// together then wait 5 s per replica ahead of them, though each one
	// after the first holds it only for a moment (nothing left to apply).
	// Ask every second (its shortest period), still for up to 5 minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(MigrationLockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migration locker: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, Migrations(),
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migration provider: %w", err)
	}
	sources := provider.ListSources()
	results, err := provider.Up(ctx)
	if err != nil {
		// goose refuses a database that lacks one of this build's
		// migrations below its newest, in words that name neither the
		// migrations the database has nor what to do; say it plainly.
		if applied, aerr := appliedMigrations(ctx, sqlDB); aerr == nil {
			if gap := findGap(applied, sources); gap != nil {
				return gap
			}
		}
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		logger.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	applied, err := appliedMigrations(ctx, sqlDB)
	if err != nil {
		return err
	}
	current := slices.Max(append(applied, 0))
	if newest := sources[len(sources)-1].Version; current > newest {
		return &SchemaAheadError{Database: current, Build: newest}
	}
	return nil
}

// MissingMigrationsError is Migrate's error when the database lacks some
// of this build's migrations below the newest one it has: a build with
// other migrations migrated it (a newer one, or a hotfix release whose
// migration took a number this build leaves out), or a migration's row
// was deleted by hand. FamilyHub applies migrations in order only, so it
// applies nothing then, whatever FAMILYHUB_ALLOW_NEWER_SCHEMA says: this
// build's queries need the missing migrations.
type MissingMigrationsError struct {
	Missing  []int64 // this build's migrations the database lacks, below Database
	Unknown  []int64 // migrations the database has that this build does not know
	Database int64   // the highest migration applied to the database
	Build    int64   // the highest migration this build embeds
}

func (e *MissingMigrationsError) Error() string {
	if len(e.Unknown) == 0 {
		return fmt.Sprintf("the database schema lacks this build's %s, though it has the later migration %d: it was migrated out of order",
			migrationList(e.Missing), e.Database)
	}
	return fmt.Sprintf("the database schema has %s, which this build (migrations up to %d) does not know, but lacks this build's %s below it: a FamilyHub build with other migrations (a newer one, or a hotfix release's) has migrated it",
		migrationList(e.Unknown), e.Build, migrationList(e.Missing))
}

// migrationList names versions: "migration 39", "migrations 38, 39".
func migrationList(versions []int64) string {
	s := make([]string, len(versions))
	for i, v := range versions {
		s[i] = strconv.FormatInt(v, 10)
	}
	if len(s) == 1 {
		return "migration " + s[0]
	}
	return "migrations " + strings.Join(s, ", ")
}

// findGap returns what goose's Up finds missing in applied (the database's
// migrations) against sources (this build's), with the database's
// migrations this build does not know; nil when nothing is missing.
func findGap(applied []int64, sources []*goose.Source) *MissingMigrationsError {
	known := make(map[int64]bool, len(sources))
	for _, s := range sources {
		known[s.Version] = true
	}
	e := &MissingMigrationsError{Database: slices.Max(append(applied, 0)), Build: sources[len(sources)-1].Version}
	have := make(map[int64]bool, len(applied))
	for _, v := range applied {
		have[v] = true
		if !known[v] && v > 0 { // goose's own row 0 is no migration
			e.Unknown = append(e.Unknown, v)
		}
	}
	for _, s := range sources {
		if !have[s.Version] && s.Version < e.Database {
			e.Missing = append(e.Missing, s.Version)
		}
	}
	if len(e.Missing) == 0 {
		return nil
	}
	slices.Sort(e.Unknown)
	return e
}

// NewestMigration returns the number of the newest migration this build
// embeds.
func NewestMigration() int64 {
	entries, err := fs.ReadDir(Migrations(), ".")
	if err != nil || len(entries) == 0 {
		panic(fmt.Sprintf("embedded migrations: %d, %v", len(entries), err)) // the embed pattern guarantees some
	}
	v, err := goose.NumericComponent(entries[len(entries)-1].Name())
	if err != nil {
		panic(err) // goose refuses such a file at every start: no build ships one
	}
	return v
}

// SchemaVersion returns the highest migration applied to the database at
// pool, without waiting for one in progress (Migrate waits), for a replica
// that watches whether a newer build has migrated meanwhile. It fails when
// the database cannot be asked.
func SchemaVersion(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var v int64
	if err := pool.QueryRow(ctx, "SELECT max(version_id) FROM "+goose.DefaultTablename).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the database's migration version: %w", err)
	}
	return v, nil
}

// appliedMigrations returns the migrations applied to the database (as
// goose counts them: every row of its table) once no migration is in
// progress. goose's Up takes the migration lock only when this build has
// something to apply, so a build with nothing to apply would not wait for
// a newer replica that is migrating, and would read the version from
// before it. The lock is taken shared, so replicas checking at the same
// time do not wait for each other, and for the transaction only, so no
// error or cancellation can leave it held on a pooled connection.
func appliedMigrations(ctx context.Context, sqlDB *sql.DB) ([]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute) // as long as Up waits for the lock
	defer cancel()
	tx, err := sqlDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read the database's migration version: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock_shared($1)", int64(MigrationLockID)); err != nil {
		return nil, fmt.Errorf("wait for the migration in progress: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT version_id FROM "+goose.DefaultTablename+" ORDER BY version_id")
	if err != nil {
		return nil, fmt.Errorf("read the database's migration version: %w", err)
	}
	defer rows.Close()
	var applied []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read the database's migration version: %w", err)
		}
		applied = append(applied, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the database's migration version: %w", err)
	}
	return applied, nil
}

// MigratePool is Migrate over a pgx pool.
func MigratePool(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	return Migrate(ctx, sqlDB, logger)
}

// ConnConfig parses DATABASE_URL for a connection of its own (a LISTEN
// connection) named application: as a pool's URL, so that pool settings
// (pool_max_conns, …) are taken out rather than sent to the server as
// run-time parameters, which it refuses (a listener then never connects).
func ConnConfig(url, application string) (*pgx.ConnConfig, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg := pcfg.ConnConfig
	cfg.RuntimeParams["application_name"] = application
	return cfg, nil
}

// IdleConnConfig is ConnConfig for a long-lived connection that is idle
// most of the time (the realtime listener's, the notify leader's): TCP
// keepalives at both ends (5 s idle, 2 s interval, 3 probes), so the
// server notices a vanished replica and the replica a vanished server
// within about 11 s even when no data flows; and a connect timeout of
// 10 s unless the URL sets connect_timeout. control, if not nil, is the
// dialer's Control, for a socket option of the caller's own
// (realtime's TCP_USER_TIMEOUT). It fails as ConnConfig does.
func IdleConnConfig(url, application string, control func(network, address string, c syscall.RawConn) error) (*pgx.ConnConfig, error) {
	cfg, err := ConnConfig(url, application)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["tcp_keepalives_idle"] = "5"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "2"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	d := &net.Dialer{
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 5 * time.Second, Interval: 2 * time.Second, Count: 3},
		Control:         control,
	}
	cfg.DialFunc = d.DialContext
	return cfg, nil
}

// AfterConnect prepares each new pooled connection: the uuid type
// (RegisterUUID). Pools made elsewhere (tests) set it too.
func AfterConnect(_ context.Context, c *pgx.Conn) error {
	RegisterUUID(c.TypeMap())
	return nil
}

// Open connects a pool to url and checks that the server answers. It does
// not migrate. configure, when given, adjusts the pool's configuration
// last (tests add a tracer; one set already, Open's, is theirs to chain).
// Call Warm once migrated to have its connections opened and prepared.
func Open(ctx context.Context, url string, configure ...func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "familyhub"
	// The pool's size is pgxpool's default, the larger of 4 and the number
	// of CPUs, unless pool_max_conns is in the URL. Measured on two cores
	// (docs/benchmarks.md): PostgreSQL's CPU is the limit, and more
	// connections only move the queue from the pool into PostgreSQL, where
	// it costs more: at 600 writes/s the write→delivery p99 was 47-92 ms
	// with 4 connections per replica, 91-116 ms with 8 and 187-191 ms with
	// 16 (the default until then), with the same throughput at saturation.
	ConfigureAnnounce(cfg)
	// Warm opens every connection at the same moment, so without jitter
	// they all reach MaxConnLifetime (pgxpool's default: an hour) together
	// and are replaced together, each warmed again (AfterConnect) while
	// requests wait. A fifth of the lifetime spreads them out; a
	// pool_max_conn_lifetime_jitter in the URL wins.
	if cfg.MaxConnLifetimeJitter == 0 {
		cfg.MaxConnLifetimeJitter = cfg.MaxConnLifetime / 5
	}
	w := &poolWarm{}
	w.connTimeout.Store(int64(warmConnTimeout))
	cfg.AfterConnect = w.afterConnect // the uuid type; after Warm, the hot statements
	cfg.ConnConfig.Tracer = w         // counts statements prepared (Parses), marks stale ones
	cfg.PrepareConn = w.prepareConn   // deallocates a connection's stale statements
	for _, f := range configure {
		f(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	MarkAnnouncing(pool)
	warmPools.Store(pool, w)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return pool, nil
}
