package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/familyhub/familyhub/db"
)

// A build older than the database's schema (a rollback to the previous
// image after a newer one migrated, an old replica restarting during a
// rolling deploy) does not start: its queries were written for an older
// schema (docs/operations.md, "Upgrading and rolling back"). It exits
// with status 1 and says why, rather than running but never turning
// ready: an orchestrator shows a replica that keeps exiting (Docker's
// "Restarting", Kubernetes' CrashLoopBackOff) with the reason in its log,
// a rolling update stops there while the replicas already running keep
// serving, and nothing holds connections meanwhile.

// schemaFlags registers --allow-newer-schema.
func (c *Config) schemaFlags(fs *flag.FlagSet) {
	allow := envOr("FAMILYHUB_ALLOW_NEWER_SCHEMA", "0")
	c.AllowNewerSchema, _ = strconv.ParseInt(allow, 10, 64) // checked below, after parsing
	fs.Int64Var(&c.AllowNewerSchema, "allow-newer-schema", c.AllowNewerSchema,
		"start even when a newer build has migrated the database, up to this migration; only when its migrations keep this build working; 0: never (env FAMILYHUB_ALLOW_NEWER_SCHEMA)")
	c.checks = append(c.checks, func() error {
		const must = "FAMILYHUB_ALLOW_NEWER_SCHEMA/--allow-newer-schema must be a migration number >= 0 (0: never), not "
		if _, err := strconv.ParseInt(allow, 10, 64); err != nil {
			return fmt.Errorf(must+"%q", allow)
		}
		if c.AllowNewerSchema < 0 {
			return fmt.Errorf(must+"%d", c.AllowNewerSchema)
		}
		return nil
	})
}

// allowNewerSchema decides about err, the error of migrating: nil when it
// is a *db.SchemaAheadError that allow (FAMILYHUB_ALLOW_NEWER_SCHEMA)
// covers, after a warning; else err, a newer schema's or a gap's with
// what to do.
func allowNewerSchema(err error, allow int64, logger *slog.Logger) error {
	var gap *db.MissingMigrationsError
	if errors.As(err, &gap) {
		const restore = "restore the backup taken before the upgrade (docs/operations.md, \"Upgrading and rolling back\")"
		if len(gap.Unknown) == 0 {
			return fmt.Errorf("%w. This build's queries need every one of its migrations, and FamilyHub applies them in order only, so it does not start. "+
				"Find out how the database lost them (a row deleted from goose_db_version?), or %s", err, restore)
		}
		return fmt.Errorf("%w. This build's queries need the migrations it lacks, and FamilyHub applies migrations in order only, so it does not start "+
			"(FAMILYHUB_ALLOW_NEWER_SCHEMA does not change that). Run the build that migrated the database, or %s",
			err, restore)
	}
	var ahead *db.SchemaAheadError
	if !errors.As(err, &ahead) {
		return err
	}
	if ahead.Database <= allow {
		logger.Warn("running on a database schema newer than this build, as FAMILYHUB_ALLOW_NEWER_SCHEMA allows: replace this build with the newer one soon",
			"database_version", ahead.Database, "build_version", ahead.Build, "allow_newer_schema", allow)
		return nil
	}
	set := ""
	if allow > 0 {
		// A yes (1) or the number of an earlier rollback: it names a
		// migration, so that it never covers more than was checked.
		set = fmt.Sprintf(" (it is %d: a migration number, not a yes)", allow)
	}
	return fmt.Errorf("%w. This build's queries may fail or do the wrong thing on it, so it does not start. "+
		"Run the newer build, or, to go back to this one, restore the backup taken before the upgrade "+
		"(docs/operations.md, \"Upgrading and rolling back\"). Only if the migrations after %d keep this build working "+
		"(the newer release's notes say so) may FAMILYHUB_ALLOW_NEWER_SCHEMA=%d start it anyway%s",
		err, ahead.Build, ahead.Database, set)
}

// allowNewerSchemaEnv is FAMILYHUB_ALLOW_NEWER_SCHEMA for commands without
// the flag (migrate), 0 when unset.
func allowNewerSchemaEnv() (int64, error) {
	v := envOr("FAMILYHUB_ALLOW_NEWER_SCHEMA", "0")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("FAMILYHUB_ALLOW_NEWER_SCHEMA must be a migration number >= 0 (0: never), not %q", v)
	}
	return n, nil
}

// A replica already running when a newer build migrates keeps serving: its
// /readyz stays 200, because that is a rolling deploy's normal middle (the
// rule for migrations keeps the previous release working) and a load
// balancer that took every old replica out at once would leave the first
// new one alone. It says so once in its log, for the replica nobody
// replaced (a forgotten host), which the release after next may break.

// watchSchema asks the database's migration number every Config.SchemaCheck
// (a minute when 0) until ctx ends, and warns once per newer number.
func (m *Main) watchSchema(ctx context.Context, seen int64) {
	every := m.Config.SchemaCheck
	if every <= 0 {
		every = time.Minute
	}
	build := db.NewestMigration()
	seen = max(seen, build)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := db.SchemaVersion(ctx, m.Pool)
		if err != nil || v <= seen {
			continue // an unreachable database is /readyz's to report
		}
		seen = v
		m.Logger.Warn("a newer build has migrated the database while this replica runs: it keeps serving, but would refuse to start again; replace it with the newer version",
			"component", "db.migrate", "database_version", v, "build_version", build)
	}
}
