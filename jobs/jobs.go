package jobs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/ical"
	"github.com/familyhub/familyhub/llm"
	"github.com/familyhub/familyhub/notify"
)

// Config configures the jobs. The zero value of each field means its
// default (see DefaultConfig and docs/jobs.md).
type Config struct {
	// DailyTasksHour is the local hour (0-23) of each family's time zone from
	// which that day's task instances are made. Default 0: just after local
	// midnight (within DailyTasksEvery).
	DailyTasksHour int
	// CatchUpDays bounds how many missed days the daily generator makes up
	// after downtime. Default 7.
	CatchUpDays int
	// EventRetention is how long event_log rows are kept. Default 7 days.
	EventRetention time.Duration
	// SessionRetention is how long expired or revoked sessions are kept
	// (for audit) before they are deleted. Default 30 days.
	SessionRetention time.Duration
	// NoAutoCategorise turns the auto-categoriser off: no job on writes
	// (CategoriseItemsTx does nothing) and no periodic sweep. `familyhub
	// jobs run categorise` still works.
	NoAutoCategorise bool
	// Classifier is the optional external shopping classifier.
	Classifier llm.Config
	// Calendar is how calendar subscriptions are reached and their
	// passwords opened (FAMILYHUB_SECRET_KEY, private addresses).
	Calendar ical.Config
	// Notifier sends notifications: with one, notify-deliver and
	// notify-scan are registered (jobs/notify.go).
	Notifier *notify.Service
	// Workers is how many jobs one replica works at once. Default 4.
	Workers int
	// JobTimeout cancels a job's context after this long. Default 5 minutes.
	JobTimeout time.Duration
	// PollEvery is how often each replica looks for jobs to work. River's
	// clients poll rather than LISTEN (riverDriver): a job waits at most
	// about this long (plus 10 % jitter) before a replica takes it.
	// Default 200 ms; 10 ms to 1 minute (a reminder or a category must not
	// wait longer for a typo in the setting).
	PollEvery time.Duration
	// RescueAfter is when a job still "running" counts as lost with its
	// replica and is retried elsewhere. Must exceed JobTimeout. Default 15
	// minutes.
	RescueAfter time.Duration

	// Schedules of the periodic jobs (defaults: daily-tasks every 15
	// minutes, the categoriser's sweep every minute, prune-events daily).
	DailyTasksEvery time.Duration
	SweepEvery      time.Duration
	PruneEvery      time.Duration
	// CalDAVImportEvery is how often due calendar subscriptions are synced
	// (default 15 minutes; each subscription backs off on its own failures).
	CalDAVImportEvery time.Duration
	// SweepWindow is how far back the sweep looks for unfiled items.
	// Default 1 hour.
	SweepWindow time.Duration

	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// DefaultConfig returns the defaults every zero field of Config gets.
func DefaultConfig() Config {
	return Config{
		CatchUpDays:       7,
		EventRetention:    7 * 24 * time.Hour,
		SessionRetention:  30 * 24 * time.Hour,
		Workers:           4,
		JobTimeout:        5 * time.Minute,
		PollEvery:         200 * time.Millisecond,
		RescueAfter:       15 * time.Minute,
		DailyTasksEvery:   15 * time.Minute,
		SweepEvery:        time.Minute,
		PruneEvery:        24 * time.Hour,
		CalDAVImportEvery: 15 * time.Minute,
		SweepWindow:       time.Hour,
		Now:               time.Now,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.CatchUpDays = orDefault(c.CatchUpDays, d.CatchUpDays)
	c.EventRetention = orDefault(c.EventRetention, d.EventRetention)
	c.SessionRetention = orDefault(c.SessionRetention, d.SessionRetention)
	c.Workers = orDefault(c.Workers, d.Workers)
	c.JobTimeout = orDefault(c.JobTimeout, d.JobTimeout)
	c.PollEvery = orDefault(c.PollEvery, d.PollEvery)
	c.RescueAfter = orDefault(c.RescueAfter, d.RescueAfter)
	c.DailyTasksEvery = orDefault(c.DailyTasksEvery, d.DailyTasksEvery)
	c.SweepEvery = orDefault(c.SweepEvery, d.SweepEvery)
	c.PruneEvery = orDefault(c.PruneEvery, d.PruneEvery)
	c.CalDAVImportEvery = orDefault(c.CalDAVImportEvery, d.CalDAVImportEvery)
	c.SweepWindow = orDefault(c.SweepWindow, d.SweepWindow)
	if c.Now == nil {
		c.Now = d.Now
	}
	return c
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Validate reports the first invalid setting, naming it.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.DailyTasksHour < 0 || c.DailyTasksHour > 23:
		return fmt.Errorf("daily tasks hour must be 0 to 23, not %d", c.DailyTasksHour)
	case c.CatchUpDays < 0 || c.CatchUpDays > 366:
		return fmt.Errorf("catch-up days must be 0 to 366, not %d", c.CatchUpDays)
	case c.EventRetention < time.Hour:
		return fmt.Errorf("event retention must be at least 1h, not %s", c.EventRetention)
	case c.Workers < 1:
		return fmt.Errorf("job workers must be at least 1, not %d", c.Workers)
	case c.PollEvery < 10*time.Millisecond || c.PollEvery > time.Minute:
		return fmt.Errorf("job poll interval must be 10ms to 1m, not %s", c.PollEvery)
	case c.RescueAfter <= c.JobTimeout:
		return fmt.Errorf("job rescue-after (%s) must be longer than the job timeout (%s)", c.RescueAfter, c.JobTimeout)
	}
	if err := c.Calendar.Validate(); err != nil {
		return err
	}
	return c.Classifier.Validate("FAMILYHUB_CLASSIFIER")
}

// Job describes one named job. T is its arguments (stored as JSON in
// river_job.args); T's Kind() is the job's name, e.g. "daily-tasks".
type Job[T river.JobArgs] struct {
	// Run does the work. It must be safe to run twice, and concurrently
	// (retries, a hand run while the schedule runs it): jobs lock the rows
	// they work on or rely on unique constraints. An error makes River
	// retry it with backoff.
	Run func(ctx context.Context, args T) error
	// Every, when set, runs the job on that interval (with zero-value args)
	// on the elected leader replica, and once when a replica becomes leader.
	Every time.Duration
	// Flags, when set, registers the flags of `familyhub jobs run <name>`
	// that fill args; check (may be nil) validates them after parsing.
	Flags func(fs *flag.FlagSet, args *T) (check func() error)
	// Usage is a one-line description for `familyhub jobs run -h`.
	Usage string
}

// entry is a registered job, with its type erased.
type entry struct {
	name     string
	usage    string
	every    time.Duration
	addTo    func(*river.Workers)
	periodic func() *river.PeriodicJob
	command  func(fs *flag.FlagSet) *Command
}

// Engine runs FamilyHub's jobs on River. Register jobs, then Start; or use
// RunNow from the command line without starting anything.
type Engine struct {
	store      *db.Store
	logger     *slog.Logger
	cfg        Config
	classifier *llm.Client // nil without one

	mu         sync.Mutex
	entries    map[string]*entry
	client     *river.Client[pgx.Tx]
	insertOnly *river.Client[pgx.Tx] // jobs/notify.go
}

// New returns an engine with the built-in jobs (daily-tasks, categorise,
// prune-events) registered. It fails when cfg is invalid.
func New(store *db.Store, logger *slog.Logger, cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{store: store, logger: logger, cfg: cfg.withDefaults(), entries: map[string]*entry{}}
	e.classifier = llm.New(e.cfg.Classifier, classifierTimeout)
	sweepEvery := e.cfg.SweepEvery
	if e.cfg.NoAutoCategorise {
		sweepEvery = 0
	}
	for _, err := range []error{
		Register(e, Job[DailyTasksArgs]{Run: e.runDailyTasks, Every: e.cfg.DailyTasksEvery, Flags: dailyTasksFlags,
			Usage: "make recurring tasks' instances (--date YYYY-MM-DD: that day only; default: catch up to today)"}),
		Register(e, Job[CategoriseArgs]{Run: e.runCategorise, Every: sweepEvery, Flags: categoriseFlags,
			Usage: "file unfiled shopping items into categories (--list ID: that list; default: every list with recent unfiled items)"}),
		Register(e, Job[PruneEventsArgs]{Run: e.runPruneEvents, Every: e.cfg.PruneEvery,
			Usage: "delete old event_log rows, expired tickets and classifier claims, old login failures and sessions"}),
		Register(e, Job[CalDAVImportArgs]{Run: e.runCalDAVImport, Every: e.cfg.CalDAVImportEvery, Flags: calDAVImportFlags,
			Usage: "sync the external calendars families subscribed to (--subscription ID: that one only, now)"}),
		e.registerNotify(),
	} {
		if err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Register adds a job to e. Call it before Start. It fails when a job of
// that name exists or the engine already started. See docs/jobs.md, "Adding
// a job".
func Register[T river.JobArgs](e *Engine, job Job[T]) error {
	var zero T
	name := zero.Kind()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.client != nil {
		return fmt.Errorf("job %q registered after the engine started", name)
	}
	if _, ok := e.entries[name]; ok {
		return fmt.Errorf("job %q registered twice", name)
	}
	if job.Run == nil {
		return fmt.Errorf("job %q has no Run", name)
	}
	ent := &entry{name: name, usage: job.Usage, every: job.Every}
	ent.addTo = func(w *river.Workers) { river.AddWorker(w, &worker[T]{e: e, run: job.Run}) }
	if job.Every > 0 {
		every := job.Every
		ent.periodic = func() *river.PeriodicJob {
			return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
				var args T
				// One per period even if leadership changes hands within it.
				return args, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
			}, &river.PeriodicJobOpts{ID: name, RunOnStart: true})
		}
	}
	ent.command = func(fs *flag.FlagSet) *Command {
		var args T
		c := &Command{name: name, fs: fs}
		if job.Flags != nil && fs != nil {
			c.check = job.Flags(fs, &args)
		}
		c.run = func(ctx context.Context) error { return job.Run(ctx, args) }
		return c
	}
	e.entries[name] = ent
	return nil
}

// worker adapts a Job to River, logging each attempt with the job's name.
type worker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	e   *Engine
	run func(context.Context, T) error
}

func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	logger := w.e.logger.With("job", job.Kind, "job_id", job.ID, "attempt", job.Attempt)
	start := time.Now()
	logger.Debug("job started")
	ctx = context.WithValue(withLogger(ctx, logger), jobRowKey{}, job.JobRow)
	if err := w.run(ctx, job.Args); err != nil {
		if _, ok := errors.AsType[*river.JobSnoozeError](err); ok {
			return err // waits on purpose (jobs/notify.go)
		}
		logger.Warn("job failed; River retries it with backoff", "err", err, "duration", time.Since(start), "max_attempts", job.MaxAttempts)
		return err
	}
	logger.Debug("job done", "duration", time.Since(start))
	return nil
}

type loggerKey struct{}

type jobRowKey struct{}

// JobRow returns River's row of the running job (id, attempt, ...), or nil
// when the job runs from the command line.
func JobRow(ctx context.Context) *rivertype.JobRow {
	row, _ := ctx.Value(jobRowKey{}).(*rivertype.JobRow)
	return row
}

func withLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the logger of the running job (scoped with its name, id
// and attempt), for jobs to log what they did.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// Names returns the registered jobs' names, sorted.
func (e *Engine) Names() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.namesLocked()
}

func (e *Engine) namesLocked() []string {
	names := make([]string, 0, len(e.entries))
	for n := range e.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Usage writes one line per job.
func (e *Engine) Usage(w io.Writer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range e.namesLocked() {
		fmt.Fprintf(w, "  %-14s %s\n", n, e.entries[n].usage)
	}
}

// ErrUnknownJob is returned by Command for a name no job has.
var ErrUnknownJob = errors.New("unknown job")

// Command is one job to run now, in this process, without River.
type Command struct {
	e     *Engine
	name  string
	fs    *flag.FlagSet
	check func() error
	run   func(ctx context.Context) error
}

// Command prepares running the named job once, in this process, without
// River (nothing needs to be started): it registers the job's flags on fs
// (which may be nil: no flags). Parse fs, then call Validate and Run. Jobs
// are safe to run concurrently with the schedule and with each other:
// running one twice at once does the work once.
func (e *Engine) Command(name string, fs *flag.FlagSet) (*Command, error) {
	e.mu.Lock()
	ent, ok := e.entries[name]
	e.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownJob, name, strings.Join(e.Names(), ", "))
	}
	c := ent.command(fs)
	c.e = e
	return c, nil
}

// Validate checks the parsed flags, naming the offending one.
func (c *Command) Validate() error {
	if c.fs != nil && c.fs.NArg() > 0 {
		return fmt.Errorf("job %s: unexpected argument %q", c.name, c.fs.Arg(0))
	}
	if c.check != nil {
		if err := c.check(); err != nil {
			return fmt.Errorf("job %s: %w", c.name, err)
		}
	}
	return nil
}

// Run validates the flags and runs the job, logging its start and end
// with its name.
func (c *Command) Run(ctx context.Context) error {
	if err := c.Validate(); err != nil {
		return err
	}
	logger := c.e.logger.With("job", c.name)
	start := time.Now()
	logger.Info("job started", "by", "command line")
	if err := c.run(withLogger(ctx, logger)); err != nil {
		logger.Error("job failed", "err", err, "duration", time.Since(start))
		return fmt.Errorf("job %s: %w", c.name, err)
	}
	logger.Info("job done", "duration", time.Since(start))
	return nil
}

// SetConfig replaces the configuration (e.g. after parsing command-line
// flags). Call it before Start or before running a Command.
func (e *Engine) SetConfig(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cfg = cfg.withDefaults()
	e.classifier = llm.New(e.cfg.Classifier, classifierTimeout)
	return nil
}

// Start starts working jobs on this replica: every replica works jobs,
// the elected leader also enqueues the periodic ones and rescues jobs of
// replicas that died. River's tables must exist (Migrate). It returns
// once the client runs; bg ending stops it (Stop does so gracefully).
func (e *Engine) Start(bg context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.client != nil {
		return errors.New("jobs engine started twice")
	}
	workers := river.NewWorkers()
	var periodic []*river.PeriodicJob
	for _, ent := range e.entries {
		ent.addTo(workers)
		if ent.periodic != nil {
			periodic = append(periodic, ent.periodic())
		}
	}
	client, err := river.NewClient(e.riverDriver(), &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: e.cfg.Workers}},
		Workers: workers,
		// No LISTEN (riverDriver): the client looks for jobs every
		// PollEvery, and its elector for a leader every 5 s.
		PollOnly:             true,
		FetchPollInterval:    e.cfg.PollEvery,
		FetchCooldown:        min(river.FetchCooldownDefault, e.cfg.PollEvery),
		PeriodicJobs:         periodic,
		JobTimeout:           e.cfg.JobTimeout,
		RescueStuckJobsAfter: e.cfg.RescueAfter,
		MaxAttempts:          10,
		Logger:               e.logger.With("subsystem", "river"), // e.logger already says component=jobs
	})
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	if err := client.Start(bg); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	e.client = client
	e.logger.Info("jobs started", "client_id", client.ID(), "jobs", e.namesLocked(), "workers", e.cfg.Workers)
	return nil
}

// riverDriver is River's pgx driver on the store's pool, with River's
// notifications off. PostgreSQL wakes every listening backend of the
// database, in a transaction of its own, for every notifying transaction
// on any channel: a River client that LISTENs (its notifier, a pool
// connection of each replica) doubled the backends every announcement of
// an event wakes (docs/benchmarks.md, nineteenth round). So every client
// polls (PollOnly), and since no replica listens, River's NOTIFY
// river_insert in the transaction that inserts a job would reach no one:
// it would only hold PostgreSQL's notify lock until that commit is flushed
// and wake the realtime listeners. SupportsListenNotify false leaves it
// out. River's leader still NOTIFYs when it resigns (rare, and heard by a
// previous release's replicas during a rolling deploy).
func (e *Engine) riverDriver() riverdriver.Driver[pgx.Tx] {
	return quietDriver{riverpgxv5.New(e.store.Pool)}
}

// quietDriver is a River driver that sends no notifications.
type quietDriver struct{ riverdriver.Driver[pgx.Tx] }

// SupportsListenNotify tells River not to NOTIFY (riverDriver).
func (quietDriver) SupportsListenNotify() bool { return false }

// Stop stops working jobs: no new ones are fetched and running ones may
// finish until ctx ends; then they are cancelled (and, if they still do not
// return, left to the rescuer of another replica). It returns ctx's error
// when jobs had to be cancelled.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	client := e.client
	e.mu.Unlock()
	if client == nil {
		return nil
	}
	err := client.Stop(ctx)
	if err != nil {
		hard, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err2 := client.StopAndCancel(hard); err2 != nil {
			e.logger.Warn("jobs still running at shutdown; another replica will retry them", "err", err2)
		}
	}
	return err
}

// Client returns the River client (nil before Start), for tests and for
// inserting jobs of a registered kind: client.InsertTx(ctx, tx, args, nil).
func (e *Engine) Client() *river.Client[pgx.Tx] {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.client
}

// CategoriseItemsTx enqueues the categorisation of items in the caller's
// transaction: the job exists only if tx commits, and runs right after. It
// implements db.JobQueue. Before Start it fails; with NoAutoCategorise
// it does nothing.
func (e *Engine) CategoriseItemsTx(ctx context.Context, tx pgx.Tx, familyID uuid.UUID, itemIDs []uuid.UUID) error {
	client := e.Client()
	if client == nil {
		return errors.New("jobs engine not started")
	}
	if len(itemIDs) == 0 || e.cfg.NoAutoCategorise {
		return nil
	}
	_, err := client.InsertTx(ctx, tx, CategoriseArgs{FamilyID: &familyID, ItemIDs: itemIDs}, &river.InsertOpts{MaxAttempts: 5})
	return err
}

var _ db.JobQueue = (*Engine)(nil)

// AutoCategorise says whether auto-categorisation is on and an external
// classifier configured; it implements db.JobQueue, so an insert files in
// its own transaction what needs no model.
func (e *Engine) AutoCategorise() (on, classifier bool) {
	return !e.cfg.NoAutoCategorise, e.classifier != nil
}
