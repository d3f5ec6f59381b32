// Command familyhub is the FamilyHub server. Subcommands:
//
//	familyhub serve     the API server (migrates on start)
//	familyhub migrate   apply database migrations and exit
//	familyhub dev       serve on a private PostgreSQL under ./.familyhub with a demo family
//	familyhub reset-password EMAIL   set a new password for a locked-out account
//
// Every option is a flag with an environment fallback; `familyhub serve -h`
// lists them, and the README's configuration table explains them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	nethttp "net/http"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // IANA zones for families even on images without /usr/share/zoneinfo

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/http"
	"github.com/familyhub/familyhub/ical"
	"github.com/familyhub/familyhub/llm"
	"github.com/familyhub/familyhub/notify"
	"github.com/familyhub/familyhub/realtime"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if len(os.Args) < 2 {
				os.Exit(2) // no command: usage was printed
			}
			os.Exit(0) // -h
		}
		fmt.Fprintln(os.Stderr, "familyhub:", err)
		os.Exit(1)
	}
}

const usage = `usage: familyhub <command> [flags]

commands:
  serve     run the API server (applies migrations first)
  migrate   apply database migrations and exit
  dev       run on a private PostgreSQL in ./.familyhub with a demo family
  jobs      run one background job now: familyhub jobs run <name> (see docs/jobs.md)
  reset-password EMAIL
            set a new password for an account and end its sessions (prints it)

Run 'familyhub <command> -h' for the flags of a command.`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:])
	case "migrate":
		return runMigrate(ctx, args[1:])
	case "dev":
		return runDev(ctx, args[1:])
	case "jobs":
		return runJobs(ctx, args[1:])
	case "reset-password":
		return runResetPassword(ctx, args[1:]) // cmd/familyhub/account.go
	case "-h", "-help", "--help", "help":
		fmt.Println(usage)
		return nil
	}
	fmt.Fprintln(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// Config is the server's configuration, from flags with environment fallbacks.
type Config struct {
	DatabaseURL       string
	ListenDatabaseURL string
	Addr              string
	AllowedOrigins    []string
	Signup            string
	SecureCookies     bool
	// HSTSMaxAge is http.Config's: Strict-Transport-Security's max-age on
	// answers to requests that are HTTPS to the app; 0, as in a Config
	// built by hand, sends none. The flag's default is a year.
	HSTSMaxAge      time.Duration
	TrustedProxies  []netip.Prefix
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
	DebugAddr       string // cmd/familyhub/debug.go
	// RealtimeMaxPerUser bounds one user's open realtime connections on
	// this replica (realtime.Hub.MaxPerUser); 0, as in a Config built by
	// hand, means no bound. The flag's default is realtime.DefaultMaxPerUser.
	RealtimeMaxPerUser int
	// SessionCacheTTL is how long this replica keeps a found session in
	// memory (db.SessionCache); 0, as in a Config built by hand, keeps
	// none. The flag's default is 30s.
	SessionCacheTTL time.Duration
	// RealtimePing and RealtimeWriteTimeout are http.Config's: no flags,
	// 0 is the built-in heartbeat (25 s) and write bound (10 s); tests set
	// them shorter.
	RealtimePing         time.Duration
	RealtimeWriteTimeout time.Duration
	// AllowNewerSchema lets the replica start on a database a newer build
	// migrated, up to this migration; 0, as in a Config built by hand:
	// never (cmd/familyhub/schema.go).
	AllowNewerSchema int64
	// AllowNewerRiverSchema is AllowNewerSchema for River's tables (the
	// job queue's), in River's migration numbers.
	AllowNewerRiverSchema int64
	// SchemaCheck is how often a running replica asks whether a newer
	// build has migrated the database (cmd/familyhub/schema.go): no flag,
	// 0 is a minute; tests set it shorter.
	SchemaCheck time.Duration

	checks []func() error // flag values validated in Validate, after parsing

	// Feature configuration: one field per feature, with its flags
	// registered by the feature's file.
	Jobs      JobsConfig    // cmd/familyhub/jobs.go
	Assistant llm.Config    // cmd/familyhub/assistant.go
	Calendar  ical.Config   // cmd/familyhub/caldav.go
	Notify    notify.Config // cmd/familyhub/notify.go
}

// flagSet registers the serve flags on fs, with defaults from the environment.
func (c *Config) flagSet(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	fs.StringVar(&c.ListenDatabaseURL, "listen-database-url", os.Getenv("FAMILYHUB_LISTEN_DATABASE_URL"),
		"direct PostgreSQL URL for LISTEN when DATABASE_URL goes through a transaction pooler (env FAMILYHUB_LISTEN_DATABASE_URL)")
	fs.StringVar(&c.Addr, "addr", envOr("FAMILYHUB_ADDR", ":8080"), "listen address (env FAMILYHUB_ADDR)")
	fs.Func("allowed-origins", "comma-separated extra origins allowed for browser writes and WebSockets (env FAMILYHUB_ALLOWED_ORIGINS)",
		func(v string) error { c.AllowedOrigins = splitList(v); return nil })
	c.AllowedOrigins = splitList(os.Getenv("FAMILYHUB_ALLOWED_ORIGINS"))
	fs.StringVar(&c.Signup, "signup", envOr("FAMILYHUB_SIGNUP", http.SignupOpen), "who may sign up: open, invite or closed (env FAMILYHUB_SIGNUP)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", os.Getenv("FAMILYHUB_SECURE_COOKIES") == "true",
		"always set the Secure cookie flag, e.g. when TLS ends at a proxy (env FAMILYHUB_SECURE_COOKIES=true)")
	hsts := envOr("FAMILYHUB_HSTS_MAX_AGE", strconv.Itoa(defaultHSTSMaxAge))
	fs.StringVar(&hsts, "hsts-max-age", hsts,
		"seconds browsers keep to HTTPS for this name after an HTTPS answer (Strict-Transport-Security, no subdomains); 0: not sent (env FAMILYHUB_HSTS_MAX_AGE)")
	proxies := envOr("FAMILYHUB_TRUSTED_PROXIES", "")
	fs.StringVar(&proxies, "trusted-proxies", proxies, "comma-separated CIDRs whose X-Forwarded-For/-Proto/-Host are believed (env FAMILYHUB_TRUSTED_PROXIES)")
	level := envOr("FAMILYHUB_LOG_LEVEL", "info")
	fs.StringVar(&level, "log-level", level, "debug, info, warn or error (env FAMILYHUB_LOG_LEVEL)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long a graceful shutdown may take")
	maxPerUser := envOr("FAMILYHUB_REALTIME_MAX_PER_USER", strconv.Itoa(realtime.DefaultMaxPerUser))
	c.RealtimeMaxPerUser, _ = strconv.Atoi(maxPerUser) // checked below, after parsing
	fs.IntVar(&c.RealtimeMaxPerUser, "realtime-max-per-user", c.RealtimeMaxPerUser,
		"open realtime connections (WebSocket, SSE, waiting long poll) one user may have on this replica; 0: no limit (env FAMILYHUB_REALTIME_MAX_PER_USER)")
	sessionTTL := envOr("FAMILYHUB_SESSION_CACHE_TTL", "30s")
	c.SessionCacheTTL, _ = time.ParseDuration(sessionTTL) // checked below, after parsing
	fs.DurationVar(&c.SessionCacheTTL, "session-cache-ttl", c.SessionCacheTTL,
		"how long this replica keeps a signed-in session in memory instead of asking PostgreSQL on every request, at most 1m; 0: ask every time (env FAMILYHUB_SESSION_CACHE_TTL)")
	c.debugFlags(fs)
	c.schemaFlags(fs)
	c.jobsFlags(fs)
	c.assistantFlags(fs)
	calendarFlags(&c.Calendar, fs)
	c.checks = append(c.checks, notifyFlags(&c.Notify, fs))
	c.checks = append(c.checks, func() error {
		var err error
		if c.TrustedProxies, err = parsePrefixes(proxies); err != nil {
			return err
		}
		n, err := strconv.Atoi(strings.TrimSpace(hsts))
		if err != nil || n < 0 || n > maxHSTSMaxAge {
			return fmt.Errorf("FAMILYHUB_HSTS_MAX_AGE/--hsts-max-age must be a whole number of seconds from 0 (off) to %d (two years), such as %d (a year), not %q",
				maxHSTSMaxAge, defaultHSTSMaxAge, hsts)
		}
		c.HSTSMaxAge = time.Duration(n) * time.Second
		if _, err := strconv.Atoi(maxPerUser); err != nil || c.RealtimeMaxPerUser < 0 {
			return fmt.Errorf("FAMILYHUB_REALTIME_MAX_PER_USER/--realtime-max-per-user must be a whole number >= 0 (0: no limit), not %q", maxPerUser)
		}
		if _, err := time.ParseDuration(sessionTTL); err != nil || c.SessionCacheTTL < 0 || c.SessionCacheTTL > maxSessionCacheTTL {
			return fmt.Errorf("FAMILYHUB_SESSION_CACHE_TTL/--session-cache-ttl must be a duration from 0 to 1m, such as 30s, not %q", sessionTTL)
		}
		return c.LogLevel.UnmarshalText([]byte(level))
	})
}

// Validate checks the configuration before anything starts.
func (c *Config) Validate() error {
	for _, check := range c.checks {
		if err := check(); err != nil {
			return err
		}
	}
	if err := c.Jobs.validate(); err != nil {
		return err
	}
	if err := c.Assistant.Validate("FAMILYHUB_ASSISTANT"); err != nil {
		return err
	}
	if err := c.Calendar.Validate(); err != nil {
		return err
	}
	if err := c.Notify.Validate(); err != nil {
		return err
	}
	switch c.Signup {
	case http.SignupOpen, http.SignupInvite, http.SignupClosed:
	default:
		return fmt.Errorf("FAMILYHUB_SIGNUP/--signup must be open, invite or closed, not %q", c.Signup)
	}
	for _, o := range c.AllowedOrigins {
		if !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			return fmt.Errorf("allowed origin %q must look like https://host[:port]", o)
		}
	}
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL/--database-url is required (or use `familyhub dev` for a private database)")
	}
	if _, err := pgxpool.ParseConfig(c.DatabaseURL); err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range splitList(v) {
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", s, err)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", s, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func newLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func runServe(ctx context.Context, args []string) error {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.flagSet(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	m := NewMain(cfg, newLogger(cfg.LogLevel))
	if err := m.Run(ctx); err != nil {
		m.Close()
		return stoppedWhileStarting(ctx, m.Logger, err)
	}
	<-ctx.Done()
	return m.Close()
}

// stoppedWhileStarting returns err, the error of starting the server, or
// nil when ctx is done: a Ctrl-C or SIGTERM while waiting for PostgreSQL,
// migrating or (dev) seeding the demo family asks the process to stop, and
// nothing is left half done (each migration and the seed is one
// transaction), so it is a clean stop with exit status 0, not a failure.
// An orchestrator stops a replica that is still starting this way.
func stoppedWhileStarting(ctx context.Context, logger *slog.Logger, err error) error {
	if ctx.Err() != nil {
		logger.Info("stopped before the server was ready", "err", err)
		return nil
	}
	return err
}

func runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	url := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("DATABASE_URL/--database-url is required")
	}
	allow, err := allowEnv("FAMILYHUB_ALLOW_NEWER_SCHEMA")
	if err != nil {
		return err
	}
	allowRiver, err := allowEnv("FAMILYHUB_ALLOW_NEWER_RIVER_SCHEMA")
	if err != nil {
		return err
	}
	logger := newLogger(slog.LevelInfo)
	pool, err := db.Open(ctx, *url)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := migrateAll(ctx, pool, logger, allow, allowRiver); err != nil { // application + River (cmd/familyhub/jobs.go)
		return err
	}
	logger.Info("database is up to date")
	return nil
}

// Main is the running server: pool, HTTP listener and server. Tests run it
// in-process on 127.0.0.1:0.
type Main struct {
	Config Config
	Logger *slog.Logger

	Pool       *pgxpool.Pool
	Store      *db.Store
	HTTP       *http.Server
	Hub        *realtime.Hub
	Listener   *realtime.Listener
	Registry   *prometheus.Registry
	httpServer *nethttp.Server
	listener   net.Listener
	serveDone  chan struct{}

	debugServer *nethttp.Server // cmd/familyhub/debug.go
	debugAddr   string

	cancelBackground context.CancelFunc
	background       sync.WaitGroup

	// BeforeServe, when set, runs in Run once everything is up but before
	// the server listens: until it returns, nothing (not /readyz either)
	// answers. Its error is Run's. `familyhub dev` seeds its demo family
	// here, so a ready server has one.
	BeforeServe func(ctx context.Context) error

	// PoolConfig, when set, adjusts the pool's configuration before it
	// connects (db.Open's configure): tests count with a tracer.
	PoolConfig func(*pgxpool.Config)

	// Feature state: one field per feature, defined in the feature's file.
	jobs   *jobsState      // cmd/familyhub/jobs.go
	notify *notify.Service // cmd/familyhub/notify.go
}

// The session cache's bounds: a session is asked for again at least every
// minute (its last-seen note is due every five), and a replica keeps at
// most 10,000 (about 2 MB).
const (
	maxSessionCacheTTL = time.Minute
	sessionCacheSize   = 10000
)

// Strict-Transport-Security's max-age, in seconds: a year by default (the
// usual choice, and what HSTS checkers ask for); more than two years is
// refused as a likely typo (milliseconds for seconds).
const (
	defaultHSTSMaxAge = 365 * 24 * 60 * 60
	maxHSTSMaxAge     = 2 * defaultHSTSMaxAge
)

// NewMain returns a Main for cfg; nothing starts until Run.
func NewMain(cfg Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger}
}

// Run connects to the database (waiting for it to come up), migrates and
// starts serving. It returns once the server accepts connections.
func (m *Main) Run(ctx context.Context) error {
	var err error
	if m.Pool, err = openWithRetry(ctx, m.Config.DatabaseURL, m.Logger, m.PoolConfig); err != nil {
		return err
	}
	var schema int64 // the database's migration when a newer build's, allowed
	if err := db.MigratePool(ctx, m.Pool, m.Logger.With("component", "db.migrate")); err != nil {
		if err := allowNewerSchema(err, m.Config.AllowNewerSchema, m.Logger.With("component", "db.migrate")); err != nil {
			return err // cmd/familyhub/schema.go
		}
		var ahead *db.SchemaAheadError
		if errors.As(err, &ahead) {
			schema = ahead.Database
		}
	}
	m.Store = db.NewStore(m.Pool)
	m.Store.Logger = m.Logger.With("component", "db")
	if _, err := m.newNotifier(m.Store); err != nil {
		return err
	}
	m.HTTP = http.NewServer(m.Store, m.Logger.With("component", "http"), http.Config{
		AllowedOrigins: m.Config.AllowedOrigins,
		PublicURL:      m.Config.Notify.PublicURL,
		Signup:         m.Config.Signup,
		SecureCookies:  m.Config.SecureCookies,
		HSTSMaxAge:     m.Config.HSTSMaxAge,
		TrustedProxies: m.Config.TrustedProxies,
		Assistant:      m.Config.Assistant,
		Calendar:       m.Config.Calendar,
		Notify:         m.notify,

		RealtimePing:         m.Config.RealtimePing,
		RealtimeWriteTimeout: m.Config.RealtimeWriteTimeout,
	})

	// Realtime: one LISTEN connection, the hub, the transports, /metrics.
	m.Registry = prometheus.NewRegistry()
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := realtime.NewMetrics(m.Registry, m.Store)
	m.Hub = realtime.NewHub(m.Store, m.Logger.With("component", "realtime.hub"), metrics)
	m.Hub.MaxPerUser = m.Config.RealtimeMaxPerUser
	listenURL := m.Config.ListenDatabaseURL
	if listenURL == "" {
		listenURL = m.Config.DatabaseURL
	}
	m.Listener = &realtime.Listener{ConnString: listenURL, Hub: m.Hub, Metrics: metrics, Logger: m.Logger.With("component", "realtime.listener")}
	if m.Config.SessionCacheTTL > 0 {
		// Kept right by the listener's session notices (db.SessionCache).
		m.Store.Sessions = db.NewSessionCache(m.Listener.Heard, m.Config.SessionCacheTTL, sessionCacheSize)
	}
	m.HTTP.MountRealtime(m.Hub, metrics)
	m.HTTP.AddReadyCheck("listener", func(context.Context) error {
		if !m.Listener.Connected() {
			return errors.New("not listening to PostgreSQL notifications")
		}
		return nil
	})
	m.HTTP.Router().Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancelBackground = cancel
	if err := m.startJobs(ctx, bg); err != nil {
		return err
	}
	m.startNotify(bg, listenURL)
	riverSchema := m.jobs.riverSchema // read here: stopJobs clears m.jobs
	m.background.Go(func() { m.watchSchema(bg, schema, riverSchema) })
	m.background.Go(func() { m.Hub.Run(bg) })
	m.background.Go(func() {
		if err := m.Listener.Run(bg); err != nil {
			m.Logger.Error("listener stopped", "err", err)
		}
	})
	// Last before serving: River's notifier has taken its connection out
	// of the pool (riverpgxv5 hijacks one), so the pool opens and warms
	// all the connections it will serve with.
	m.warm(ctx)
	if m.BeforeServe != nil {
		if err := m.BeforeServe(ctx); err != nil {
			return err
		}
	}
	if m.listener, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.httpServer = &nethttp.Server{
		Handler:           m.HTTP,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	if err := m.startDebug(); err != nil {
		return err
	}
	m.serveDone = make(chan struct{})
	go func() {
		defer close(m.serveDone)
		if err := m.httpServer.Serve(m.listener); err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
			m.Logger.Error("http server stopped", "err", err)
		}
	}()
	m.Logger.Info("serving", "addr", m.Addr(), "signup", m.Config.Signup)
	return nil
}

// Addr returns the address the server listens on (useful with port 0).
func (m *Main) Addr() string {
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// URL returns http://<addr> for the running server.
func (m *Main) URL() string {
	addr := m.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Close shuts down gracefully, within ShutdownTimeout: stop accepting and
// let in-flight requests finish while every realtime client is told to
// reconnect elsewhere (close 1012; http.Server.Shutdown does not wait for
// hijacked WebSockets, the hub does), then stop the listener and the hub,
// then the store's announcer, then close the pool. It is safe to call more
// than once.
func (m *Main) Close() error {
	timeout := m.Config.ShutdownTimeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var errs []error
	if m.httpServer != nil {
		var wg sync.WaitGroup
		wg.Go(func() { errs = append(errs, m.httpServer.Shutdown(ctx)) })
		if m.Hub != nil {
			if err := m.Hub.Shutdown(ctx); err != nil {
				m.Logger.Warn("realtime clients did not all close in time", "err", err)
			}
		}
		wg.Wait()
		<-m.serveDone
		m.httpServer = nil
	}
	if m.debugServer != nil {
		m.debugServer.Close()
		m.debugServer = nil
	}
	m.stopJobs(ctx)
	if m.cancelBackground != nil {
		m.cancelBackground()
		m.background.Wait()
	}
	if m.Store != nil {
		// The announcer's connection (db/announce.go), after its last send:
		// nothing writes any more.
		if err := m.Store.Close(ctx); err != nil {
			m.Logger.Warn("closing the announcer's connection", "err", err)
		}
	}
	if m.Pool != nil {
		m.Pool.Close()
	}
	return errors.Join(errs...)
}

// closeStore closes a command's store before its pool: it waits up to 10 s
// for its last announcements to go out (db.Store.Close).
func closeStore(store *db.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = store.Close(ctx)
}

// openWithRetry opens the pool, waiting with backoff while the database is
// not reachable yet (replicas often start before PostgreSQL in a compose
// file). It gives up when ctx ends.
func openWithRetry(ctx context.Context, url string, logger *slog.Logger, configure func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	delay := 250 * time.Millisecond
	var opts []func(*pgxpool.Config)
	if configure != nil {
		opts = append(opts, configure)
	}
	for attempt := 1; ; attempt++ {
		pool, err := db.Open(ctx, url, opts...)
		if err == nil {
			return pool, nil
		}
		if attempt == 1 || attempt%10 == 0 {
			logger.Warn("waiting for the database", "attempt", attempt, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("database not reachable: %w", err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// warmTimeout bounds the warm-up of the pool's connections at start
// (db.Warm): a replica whose database is slow to answer starts cold
// rather than late.
const warmTimeout = 10 * time.Second

// warm opens the pool's connections, prepares the hot statements on each
// and runs them once, rolled back (db.Warm), once the schema is migrated and before the server
// listens, so that a replica that answers is warm (docs/operations.md).
// It logs what it did; it never fails the start.
func (m *Main) warm(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, warmTimeout)
	defer cancel()
	logger := m.Logger.With("component", "db.warm")
	r := db.Warm(ctx, m.Pool, logger)
	attrs := []any{"conns", r.Conns, "busy", r.Busy, "opened", r.Opened, "prepared", r.Prepared, "executed", r.Executed, "failed", r.Failed, "took", r.Took}
	if r.Err != nil {
		logger.Warn(warmWarning(r), append(attrs, "err", r.Err)...)
		return
	}
	logger.Info("database connections warmed", attrs...)
}

// warmWarning is warm's line for a warm-up that fell short: "the rest
// warm on first use" is right when it ran out of time or a connection
// broke, not when the database refused statements for its schema (one a
// newer build migrated, run with FAMILYHUB_ALLOW_NEWER_SCHEMA): the
// requests that use them fail the same way (db.SchemaRefused).
func warmWarning(r db.WarmResult) string {
	if db.SchemaRefused(r.Err) {
		return "database connections warmed, but statements of this build did not prepare on the database's schema " +
			"(a newer build migrated it, FAMILYHUB_ALLOW_NEWER_SCHEMA): the requests that use them fail the same way until this build is replaced by that one"
	}
	return "database connections not all warmed; the rest warm on first use"
}
