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
	"github.com/familyhub/familyhub/jobs"
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

// schemaFlags registers --allow-newer-schema and --allow-newer-river-schema.
func (c *Config) schemaFlags(fs *flag.FlagSet) {
	c.allowFlag(fs, &c.AllowNewerSchema, "allow-newer-schema", "FAMILYHUB_ALLOW_NEWER_SCHEMA",
		"start even when a newer build has migrated the database, up to this migration; only when its migrations keep this build working; 0: never")
	c.allowFlag(fs, &c.AllowNewerRiverSchema, "allow-newer-river-schema", "FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA",
		"start even when a newer build has migrated the job queue's tables (River's), up to this River migration; only when its migrations keep this build working; 0: never")
}

// allowFlag registers one of the two settings: a migration number >= 0.
func (c *Config) allowFlag(fs *flag.FlagSet, p *int64, name, env, usage string) {
	allow := envOr(env, "0")
	*p, _ = strconv.ParseInt(allow, 10, 64) // checked below, after parsing
	fs.Int64Var(p, name, *p, usage+" (env "+env+")")
	c.checks = append(c.checks, func() error {
		must := env + "/--" + name + " must be a migration number >= 0 (0: never), not "
		if _, err := strconv.ParseInt(allow, 10, 64); err != nil {
			return fmt.Errorf(must+"%q", allow)
		}
		if *p < 0 {
			return fmt.Errorf(must+"%d", *p)
		}
		return nil
	})
}

// The advice both refusals end with.
const restoreAdvice = "restore the backup taken before the upgrade (docs/operations.md, \"Upgrading and rolling back\")"

// allowNewerSchema decides about err, the error of migrating: nil when it
// is a *db.SchemaAheadError that allow (FAMILYHUB_ALLOW_NEWER_SCHEMA)
// covers, after a warning; else err, a newer schema's or a gap's with
// what to do.
func allowNewerSchema(err error, allow int64, logger *slog.Logger) error {
	var gap *db.MissingMigrationsError
	if errors.As(err, &gap) {
		if len(gap.Unknown) == 0 {
			return fmt.Errorf("%w. This build's queries need every one of its migrations, and FamilyHub applies them in order only, so it does not start. "+
				"Find out how the database lost them (a row deleted from goose_db_version?), or %s", err, restoreAdvice)
		}
		return fmt.Errorf("%w. This build's queries need the migrations it lacks, and FamilyHub applies migrations in order only, so it does not start "+
			"(FAMILYHUB_ALLOW_NEWER_SCHEMA does not change that). Run the build that migrated the database, or %s",
			err, restoreAdvice)
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
	return fmt.Errorf("%w. This build's queries may fail or do the wrong thing on it, so it does not start. "+
		"Run the newer build, or, to go back to this one, %s. Only if the migrations after %d keep this build working "+
		"(the newer release's notes say so) may FAMILYHUB_ALLOW_NEWER_SCHEMA=%d start it anyway%s",
		err, restoreAdvice, ahead.Build, ahead.Database, notAYes(allow))
}

// allowNewerRiverSchema is allowNewerSchema for the error of River's
// migrations (jobs.Migrate) and allow, FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA:
// a setting of its own, because River numbers its migrations on its own.
// One number for both would be a yes for the other's (38 would cover any
// River migration up to 38), which the settings are made not to be.
func allowNewerRiverSchema(err error, allow int64, logger *slog.Logger) error {
	var ahead *jobs.SchemaAheadError
	if !errors.As(err, &ahead) {
		return err
	}
	if len(ahead.Missing) > 0 {
		return fmt.Errorf("%w. River applies its migrations in order only, so this build does not start "+
			"(FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA does not change that). Run the newer build, or, to go back to this one, %s",
			err, restoreAdvice)
	}
	if int64(ahead.Database) <= allow {
		logger.Warn("running on a job queue schema (River's) newer than this build, as FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA allows: replace this build with the newer one soon",
			"river_database_version", ahead.Database, "river_build_version", ahead.Build, "allow_newer_river_schema", allow)
		return nil
	}
	return fmt.Errorf("%w. This build's job queue may fail or do the wrong thing on it, so it does not start. "+
		"Run the newer build, or, to go back to this one, %s. Only if the River migrations after %d keep this build working "+
		"(the newer release's notes say so) may FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA=%d start it anyway%s",
		err, restoreAdvice, ahead.Build, ahead.Database, notAYes(allow))
}

// notAYes says what a setting too low for the database is: a yes (1) or
// the number of an earlier rollback. It names a migration, so that it
// never covers more than was checked.
func notAYes(allow int64) string {
	if allow > 0 {
		return fmt.Sprintf(" (it is %d: a migration number, not a yes)", allow)
	}
	return ""
}

// allowEnv is env (FAMILYHUB_ALLOW_NEWER_SCHEMA or
// FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA) for commands without the flags
// (migrate), 0 when unset.
func allowEnv(env string) (int64, error) {
	v := envOr(env, "0")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s must be a migration number >= 0 (0: never), not %q", env, v)
	}
	return n, nil
}

// A replica already running when a newer build migrates keeps serving: its
// /readyz stays 200, because that is a rolling deploy's normal middle (the
// rule for migrations keeps the previous release working) and a load
// balancer that took every old replica out at once would leave the first
// new one alone. It says so once in its log, for the replica nobody
// replaced (a forgotten host), which the release after next may break.

// watchSchema asks the database's migration number, and River's, every
// Config.SchemaCheck (a minute when 0) until ctx ends, and warns once per
// newer number. seen and riverSeen are the numbers found at the start when
// newer than the build's and allowed.
func (m *Main) watchSchema(ctx context.Context, seen int64, riverSeen int) {
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
		// An unreachable database is /readyz's to report.
		if v, err := db.SchemaVersion(ctx, m.Pool); err == nil && v > seen {
			seen = v
			m.Logger.Warn("a newer build has migrated the database while this replica runs: it keeps serving, but would refuse to start again; replace it with the newer version",
				"component", "db.migrate", "database_version", v, "build_version", build)
		}
		if v, b, err := jobs.SchemaVersions(ctx, m.Pool); err == nil && v > max(riverSeen, b) {
			riverSeen = v
			m.Logger.Warn("a newer build has migrated the job queue's tables (River's) while this replica runs: it keeps serving, but would refuse to start again; replace it with the newer version",
				"component", "jobs.migrate", "river_database_version", v, "river_build_version", b)
		}
	}
}
