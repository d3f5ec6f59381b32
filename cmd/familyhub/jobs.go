package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/jobs"
)

// JobsConfig configures background jobs (docs/jobs.md lists every option).
type JobsConfig struct {
	jobs.Config
	// Extra registers jobs besides the built-in ones (tests use it).
	Extra []func(*jobs.Engine) error

	err error // an invalid environment value, reported before jobs start
}

type jobsState struct {
	engine *jobs.Engine
	// riverSchema is River's migration in the database when a newer
	// build's and allowed (FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA), else 0.
	riverSchema int
}

// jobsFlags registers the jobs' flags on fs, with defaults from the
// environment. A malformed environment value is reported by startJobs
// (and by `familyhub jobs run`), naming the variable.
func (c *Config) jobsFlags(fs *flag.FlagSet) { c.Jobs.flags(fs) }

func (j *JobsConfig) flags(fs *flag.FlagSet) {
	d := jobs.DefaultConfig()
	intVar := func(p *int, name, env string, def int, usage string) {
		*p = def
		if v := os.Getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				j.err = errors.Join(j.err, fmt.Errorf("%s: %q is not a number", env, v))
			}
			*p = n
		}
		fs.IntVar(p, name, *p, usage+" (env "+env+")")
	}
	durVar := func(p *time.Duration, name, env string, def time.Duration, usage string) {
		*p = def
		if v := os.Getenv(env); v != "" {
			dur, err := time.ParseDuration(v)
			if err != nil {
				j.err = errors.Join(j.err, fmt.Errorf("%s: %q is not a duration such as 168h or 15m", env, v))
			}
			*p = dur
		}
		fs.DurationVar(p, name, *p, usage+" (env "+env+")")
	}
	strVar := func(p *string, name, env, usage string) {
		fs.StringVar(p, name, os.Getenv(env), usage+" (env "+env+")")
	}
	intVar(&j.DailyTasksHour, "daily-tasks-hour", "FAMILYHUB_DAILY_TASKS_HOUR", 0,
		"local hour (0-23) from which each family's recurring tasks get that day's instance")
	intVar(&j.CatchUpDays, "daily-tasks-catch-up-days", "FAMILYHUB_DAILY_TASKS_CATCH_UP_DAYS", d.CatchUpDays,
		"how many missed days the daily task generator makes up after downtime")
	durVar(&j.EventRetention, "event-retention", "FAMILYHUB_EVENT_RETENTION", d.EventRetention,
		"how long the event log keeps events for clients to catch up")
	durVar(&j.SessionRetention, "session-retention", "FAMILYHUB_SESSION_RETENTION", d.SessionRetention,
		"how long expired or revoked sessions are kept before they are deleted")
	intVar(&j.Workers, "job-workers", "FAMILYHUB_JOB_WORKERS", d.Workers, "how many jobs this replica works at once")
	durVar(&j.JobTimeout, "job-timeout", "FAMILYHUB_JOB_TIMEOUT", d.JobTimeout, "how long one job may run")
	durVar(&j.PollEvery, "job-poll-every", "FAMILYHUB_JOB_POLL_EVERY", d.PollEvery,
		"how often this replica looks for jobs to work (at least 10ms; longer costs fewer idle statements, jobs start later)")
	durVar(&j.RescueAfter, "job-rescue-after", "FAMILYHUB_JOB_RESCUE_AFTER", d.RescueAfter,
		"when a job still running counts as lost with its replica and is retried elsewhere (more than --job-timeout)")
	auto := envOr("FAMILYHUB_AUTO_CATEGORISE", "true")
	if b, err := strconv.ParseBool(auto); err != nil && auto != "off" && auto != "on" {
		j.err = errors.Join(j.err, fmt.Errorf("FAMILYHUB_AUTO_CATEGORISE: %q is not true or false", auto))
	} else {
		j.NoAutoCategorise = auto == "off" || (err == nil && !b)
	}
	fs.BoolFunc("auto-categorise", "file shopping items added without a category (default true; env FAMILYHUB_AUTO_CATEGORISE)", func(v string) error {
		b, err := strconv.ParseBool(v)
		j.NoAutoCategorise = !b
		return err
	})
	strVar(&j.Classifier.URL, "classifier-url", "FAMILYHUB_CLASSIFIER_URL",
		"OpenAI-compatible API base URL for the optional shopping classifier, e.g. https://api.openai.com/v1")
	strVar(&j.Classifier.Model, "classifier-model", "FAMILYHUB_CLASSIFIER_MODEL", "model for the shopping classifier")
	strVar(&j.Classifier.Key, "classifier-key", "FAMILYHUB_CLASSIFIER_KEY", "API key for the shopping classifier (prefer the environment)")
}

func (j *JobsConfig) validate() error {
	if j.err != nil {
		return j.err
	}
	return j.Config.Validate()
}

// startJobs migrates River's tables (under an advisory lock, so replicas
// starting together all come up), starts the job runner and gives the HTTP
// server its queue; bg ends at Close.
func (m *Main) startJobs(ctx, bg context.Context) error {
	if err := m.Config.Jobs.validate(); err != nil {
		return err
	}
	logger := m.Logger.With("component", "jobs.migrate")
	var riverSchema int
	if err := jobs.Migrate(ctx, m.Pool, logger); err != nil {
		if err := allowNewerRiverSchema(err, m.Config.AllowNewerRiverSchema, logger); err != nil {
			return err // cmd/familyhub/schema.go
		}
		var ahead *jobs.SchemaAheadError
		if errors.As(err, &ahead) {
			riverSchema = ahead.Database
		}
	}
	e, err := m.newJobsEngine(m.Store)
	if err != nil {
		return err
	}
	if err := e.Start(bg); err != nil {
		return err
	}
	m.jobs = &jobsState{engine: e, riverSchema: riverSchema}
	m.Store.SetJobQueue(e)
	return nil
}

func (m *Main) newJobsEngine(store *db.Store) (_ *jobs.Engine, err error) {
	cfg := m.Config.Jobs.Config
	cfg.Calendar = m.Config.Calendar
	if cfg.Notifier, err = m.newNotifier(store); err != nil { // cmd/familyhub/notify.go
		return nil, err
	}
	e, err := jobs.New(store, m.Logger.With("component", "jobs"), cfg)
	if err != nil {
		return nil, err
	}
	for _, register := range m.Config.Jobs.Extra {
		if err := register(e); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// stopJobs stops the job runner, waiting for running jobs within ctx; jobs
// still running then are cancelled and, if stuck, rescued by another replica.
func (m *Main) stopJobs(ctx context.Context) {
	if m.jobs == nil {
		return
	}
	if err := m.jobs.engine.Stop(ctx); err != nil {
		m.Logger.Warn("jobs did not stop in time", "err", err)
	}
	m.jobs = nil
}

const jobsUsage = `usage: familyhub jobs run <name> [flags]

Runs one job now, in this process, against DATABASE_URL (or --database-url).
Safe while servers run: running a job twice at once does the work once.

jobs:
`

// runJobs implements `familyhub jobs run <name> [flags]`.
func runJobs(ctx context.Context, args []string) error {
	m := NewMain(Config{}, newLogger(levelFromEnv()))
	env := flag.NewFlagSet("env", flag.ContinueOnError) // notifications read the environment only
	calendarFlags(&m.Config.Calendar, env)
	if err := notifyFlags(&m.Config.Notify, env)(); err != nil {
		return err
	}
	store := db.NewStore(nil) // the pool comes once the flags are parsed
	e, err := m.newJobsEngine(store)
	if err != nil {
		return err
	}
	printUsage := func() {
		fmt.Fprint(os.Stderr, jobsUsage)
		e.Usage(os.Stderr)
		fmt.Fprintln(os.Stderr, "\nRun 'familyhub jobs run <name> -h' for a job's flags; docs/jobs.md explains each.")
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage()
		return flag.ErrHelp
	}
	if args[0] != "run" {
		printUsage()
		return fmt.Errorf("unknown jobs command %q (want: run)", args[0])
	}
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		printUsage()
		return errors.New("jobs run: which job? Name one of: " + strings.Join(e.Names(), ", "))
	}
	name := args[1]
	fs := flag.NewFlagSet("familyhub jobs run "+name, flag.ContinueOnError)
	url := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	var cfg JobsConfig
	cfg.flags(fs)
	calendarFlags(&cfg.Calendar, fs)
	cfg.Notifier = m.notify // configured from the environment (FAMILYHUB_PUSH_*)
	cmd, err := e.Command(name, fs)
	if err != nil {
		printUsage()
		return err
	}
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if err := cmd.Validate(); err != nil {
		return err
	}
	if err := e.SetConfig(cfg.Config); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("DATABASE_URL/--database-url is required")
	}
	pool, err := db.Open(ctx, *url)
	if err != nil {
		return err
	}
	defer pool.Close()
	store.Pool = pool
	defer closeStore(store) // before the pool: the job's last announcements go out
	return cmd.Run(ctx)
}

// levelFromEnv is FAMILYHUB_LOG_LEVEL for commands without a --log-level.
func levelFromEnv() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(envOr("FAMILYHUB_LOG_LEVEL", "info")))
	return l
}

// migrateAll applies the application's migrations, then River's (what
// `familyhub migrate` runs; serve does the same in Run and startJobs). A
// schema newer than this build is an error unless allow (the
// application's) or allowRiver (River's) covers it (allowNewerSchema,
// allowNewerRiverSchema).
func migrateAll(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger, allow, allowRiver int64) error {
	if err := db.MigratePool(ctx, pool, logger); err != nil {
		if err := allowNewerSchema(err, allow, logger); err != nil {
			return err
		}
	}
	if err := jobs.Migrate(ctx, pool, logger); err != nil {
		return allowNewerRiverSchema(err, allowRiver, logger)
	}
	return nil
}
