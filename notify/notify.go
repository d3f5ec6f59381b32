// Package notify tells family members what they would otherwise miss: task
// reminders, calendar reminders, a morning digest and "Ben added 5 items to
// Weekly", over Web Push (RFC 8030/8291/8292, through webpush-go) and ntfy,
// in English or German, each notice once, and never to a member whose
// device already saw the change live. See docs/notifications.md.
//
// Notices are rows (notify_notices, unique per member and key) derived from
// the event log (Service.ProcessFamily, woken by the events' notifications) and from the clock
// (Service.Scan, a periodic job), and sent by a River job per notice
// (Service.Deliver). Package jobs runs the jobs; package http serves the
// endpoints and feeds Presence from its realtime transports.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/SherClockHolmes/webpush-go"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/ical"
)

// Config configures notifications. The zero value of each field means its
// default (DefaultConfig).
type Config struct {
	// AllowPrivate lets push endpoints and ntfy URLs be loopback, private
	// or link-local addresses, and plain http (tests, a LAN). Off, a member
	// cannot make the server send requests into its own network.
	AllowPrivate bool
	// Subject is the VAPID "sub" claim: mailto:<address> or an https URL
	// where push services can reach the operator. Apple's push service
	// refuses "localhost" addresses: set a real one in production.
	Subject string
	// PublicURL is where members open the app (https://family.example),
	// for the click URL of ntfy notices. Empty: the origin a member last
	// saved their settings from.
	PublicURL string
	// SecretKey is FAMILYHUB_SECRET_KEY: ntfy tokens are stored sealed
	// under it. Without it, tokens are refused.
	SecretKey string
	// Timeout bounds one request to a push service or ntfy. Default 10s.
	Timeout time.Duration
	// ListFold is how long a list's changes are gathered into one notice.
	// Default 5 minutes.
	ListFold time.Duration
	// Horizon is how far ahead reminders are scheduled; Grace how late a
	// missed one still goes out. Defaults 1 hour each.
	Horizon, Grace time.Duration
	// ScanEvery is how often the schedule is scanned (notify-scan).
	// Default 10 minutes; must be shorter than Horizon.
	ScanEvery time.Duration
	// PollEvery is how often the event cursor is checked without a
	// notification (a safety net for lost ones). Default 30s.
	PollEvery time.Duration
	// CrossCheckEvery is how often the leader looks for families whose
	// wake-up did not come (an announcement dropped after commit, a crash
	// between commit and announcement): one behind at two checks in a row,
	// neither woken nor waiting for its window or a retry in between, is
	// processed then (watch.go). Default 5s, so a lost wake-up costs at
	// most 10 s, not PollEvery.
	CrossCheckEvery time.Duration
	// LeaderRetry is how often a replica that does not derive notices from
	// events asks to take over from the one that does (watch.go): at most
	// this long without a leader after one stops. Default 5s; at most 1m.
	LeaderRetry time.Duration
	// Coalesce: a family's new events are processed at once, then at most
	// once per Coalesce; what arrives meanwhile is processed in one pass
	// when the window ends. Default 10s (a family busy writing costs
	// PostgreSQL one pass per 10 s instead of one per 2 s: a quarter of its
	// CPU at 600 writes/s over 1,000 families, docs/benchmarks.md); a
	// failed pass's retry waits for the window too. Negative: every
	// wake-up at once (and no passGap between the leader's passes, watch.go);
	// at most 1m.
	Coalesce time.Duration
	// PresenceFlush is how often devices' presence is looked over for
	// sockets opened, closed or resubscribed (a subscription change also
	// asks at once); PresenceTTL how long a device counts as live without a
	// refresh (every PresenceTTL/3 while a socket is open). Defaults 1s, 90s.
	PresenceFlush, PresenceTTL time.Duration
	// Retention is how long decided notices are kept, and (at most 24h,
	// at least 2*PresenceTTL) closed devices' presence rows after their
	// last write (prunePresence). Default 30 days.
	Retention time.Duration
	// SettingsLockWait bounds how long a settings change waits for a lock
	// (lock_timeout): the family's cursor while a pass or the schedule's
	// scan of the family holds it, a row another request holds. Past it
	// the change is refused with a conflict the member can retry
	// (UpdateSettings). Default 3s.
	SettingsLockWait time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// DefaultSubject is the VAPID subject when none is configured.
const DefaultSubject = "mailto:familyhub@localhost"

// DefaultConfig returns the defaults every zero field of Config gets.
func DefaultConfig() Config {
	return Config{
		Subject: DefaultSubject, Timeout: 10 * time.Second, ListFold: 5 * time.Minute,
		Horizon: time.Hour, Grace: time.Hour, ScanEvery: 10 * time.Minute, PollEvery: 30 * time.Second, CrossCheckEvery: 5 * time.Second, LeaderRetry: 5 * time.Second, Coalesce: 10 * time.Second,
		PresenceFlush: time.Second, PresenceTTL: 90 * time.Second, Retention: 30 * 24 * time.Hour, SettingsLockWait: 3 * time.Second, Now: time.Now,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	set := func(p *time.Duration, def time.Duration) {
		if *p == 0 {
			*p = def
		}
	}
	if c.Subject == "" {
		c.Subject = d.Subject
	}
	set(&c.Timeout, d.Timeout)
	set(&c.ListFold, d.ListFold)
	set(&c.Horizon, d.Horizon)
	set(&c.Grace, d.Grace)
	set(&c.ScanEvery, d.ScanEvery)
	set(&c.PollEvery, d.PollEvery)
	set(&c.CrossCheckEvery, d.CrossCheckEvery)
	set(&c.LeaderRetry, d.LeaderRetry)
	// Negative (no window) stays negative: 0 would become the default
	// when a defaulted Config is defaulted again (New(…, s.Config())).
	set(&c.Coalesce, d.Coalesce)
	set(&c.PresenceFlush, d.PresenceFlush)
	set(&c.PresenceTTL, d.PresenceTTL)
	set(&c.Retention, d.Retention)
	set(&c.SettingsLockWait, d.SettingsLockWait)
	if c.Now == nil {
		c.Now = d.Now
	}
	return c
}

// Validate reports the first invalid setting, naming its variable.
func (c Config) Validate() error {
	c = c.withDefaults()
	if !strings.HasPrefix(c.Subject, "mailto:") && !strings.HasPrefix(c.Subject, "https://") {
		return fmt.Errorf("FAMILYHUB_PUSH_SUBJECT must be mailto:<address> or an https:// URL, not %q", c.Subject)
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("FAMILYHUB_PUBLIC_URL must look like https://family.example.org, not %q", c.PublicURL)
		}
		// Browsers send a name with letters beyond ASCII in its punycode
		// form (Host: xn--mller-kva.example): a Unicode public URL would
		// never match it, and every signed-in request would answer 403.
		for _, r := range u.Host {
			if r >= 0x80 {
				return fmt.Errorf("FAMILYHUB_PUBLIC_URL %q: write the name in its punycode form (xn--…), as browsers send it", c.PublicURL)
			}
		}
	}
	if _, err := ical.DeriveSecretKey(c.SecretKey); err != nil {
		return err
	}
	switch {
	case c.Timeout < 0 || c.Timeout > 5*time.Minute:
		return fmt.Errorf("FAMILYHUB_PUSH_TIMEOUT must be between 0 and 5m, not %s", c.Timeout)
	case c.ListFold < 0 || c.ListFold > 24*time.Hour:
		return fmt.Errorf("FAMILYHUB_NOTIFY_LIST_FOLD must be between 0 and 24h, not %s", c.ListFold)
	case c.LeaderRetry < 0 || c.LeaderRetry > time.Minute:
		// Negative would ask for the lock in a busy loop; longer leaves
		// notices from events waiting that long after a leader stops.
		return fmt.Errorf("FAMILYHUB_NOTIFY_LEADER_RETRY must be between 0 and 1m, not %s", c.LeaderRetry)
	case c.Coalesce > time.Minute:
		// Each family's notices from events wait up to this long.
		return fmt.Errorf("FAMILYHUB_NOTIFY_COALESCE must be at most 1m (negative: no coalescing), not %s", c.Coalesce)
	case c.CrossCheckEvery < 0 || c.PollEvery < 0:
		return fmt.Errorf("the event path's checks (every %s and %s) cannot be negative", c.CrossCheckEvery, c.PollEvery)
	case c.ScanEvery >= c.Horizon:
		return fmt.Errorf("the notification scan (every %s) must run more often than its horizon (%s)", c.ScanEvery, c.Horizon)
	}
	return nil
}

// Queue enqueues the sending of a notice inside the transaction that made
// it, to run at at. Package jobs implements it (over River).
type Queue interface {
	NotifyDeliverTx(ctx context.Context, tx pgx.Tx, noticeID uuid.UUID, at time.Time) error
}

// Service is the notifications of one replica.
type Service struct {
	store  *db.Store
	logger *slog.Logger
	cfg    Config
	client *http.Client // outbound, with the address guard

	mu    sync.Mutex
	queue Queue
	vapid vapidKeys // loaded once

	presence *Presence
	wake     chan wakeUp                      // families with new events (ProcessFamily)
	sweep    chan struct{}                    // a sweep is owed (Sweep; also a Wake that found wake full)
	leading  atomic.Bool                      // this replica derives notices from events (watch.go)
	passes   atomic.Int64                     // families processed by the event path (tests)
	passTxs  atomic.Int64                     // transactions of passes over several families (pass.go; tests)
	checks   atomic.Int64                     // cross-checks made (tests)
	lost     atomic.Int64                     // families the cross-check found behind without a wake-up (tests)
	late     atomic.Int64                     // wake-ups for events a pass had already read (watch; tests)
	scans    atomic.Int64                     // looks at every pending family by the event path (tests)
	onLead   func(context.Context, *pgx.Conn) // tests: runs on the leader's connection as it takes the lead
	busy     atomic.Int64                     // families a pass left, their cursor held by another transaction (watch.go; tests)
	onBusy   func(uuid.UUID, time.Duration)   // tests: a family left so, and the wait before the next look at it
	onNotice func(key string)                 // tests: runs before each notice is written
}

type vapidKeys struct{ public, private string }

// New returns the notification service over store; it fails when cfg is
// invalid. Nothing runs until Run; SetQueue must be called before notices
// can be made.
func New(store *db.Store, logger *slog.Logger, cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	s := &Service{store: store, logger: logger, cfg: cfg, wake: make(chan wakeUp, 1024), sweep: make(chan struct{}, 1)}
	s.client = newClient(cfg.Timeout, cfg.AllowPrivate)
	s.presence = newPresence(s)
	return s, nil
}

// Config returns the configuration with defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// SetQueue gives the service its job queue. Call it before Run.
func (s *Service) SetQueue(q Queue) {
	s.mu.Lock()
	s.queue = q
	s.mu.Unlock()
}

func (s *Service) enqueue(ctx context.Context, tx *db.Tx, id uuid.UUID, at time.Time) error {
	s.mu.Lock()
	q := s.queue
	s.mu.Unlock()
	if q == nil {
		return errors.New("notify: no job queue (SetQueue)")
	}
	return q.NotifyDeliverTx(ctx, tx.Tx, id, at)
}

// Presence returns the recorder the realtime transports report to.
func (s *Service) Presence() *Presence { return s.presence }

// Run makes sure the VAPID key exists, then until ctx ends writes device
// presence and turns new events into notices, on this replica while it
// leads (opts, watch.go). It returns when ctx ends.
func (s *Service) Run(ctx context.Context, opts RunOpts) {
	if _, err := s.VAPIDPublicKey(ctx); err != nil && ctx.Err() == nil {
		s.logger.Error("VAPID key not available yet; retried on first use", "err", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { s.presence.run(ctx) })
	wg.Go(func() { s.watch(ctx, opts) })
	wg.Wait()
}

// VAPIDPublicKey returns the server's VAPID public key (base64url of the
// uncompressed P-256 point), making the key pair on first use.
func (s *Service) VAPIDPublicKey(ctx context.Context) (string, error) {
	k, err := s.vapidKeys(ctx)
	return k.public, err
}

func (s *Service) vapidKeys(ctx context.Context) (vapidKeys, error) {
	s.mu.Lock()
	k := s.vapid
	s.mu.Unlock()
	if k.public != "" {
		return k, nil
	}
	pub, priv, err := s.store.PushVAPIDKeys(ctx, func() (string, string, error) {
		priv, pub, err := webpush.GenerateVAPIDKeys()
		return pub, priv, err
	})
	if err != nil {
		return k, err
	}
	k = vapidKeys{public: pub, private: priv}
	s.mu.Lock()
	s.vapid = k
	s.mu.Unlock()
	return k, nil
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// system returns ctx acting for a family as the system (no person).
func system(ctx context.Context, family uuid.UUID) context.Context {
	return familyhub.NewContextWithAuth(ctx, familyhub.SystemAuth(family))
}

// RetryError asks for the job to be tried again after After (a push
// service's Retry-After, or backoff).
type RetryError struct {
	After time.Duration
	Err   error
}

func (e *RetryError) Error() string { return fmt.Sprintf("retry in %s: %v", e.After, e.Err) }
func (e *RetryError) Unwrap() error { return e.Err }

// DeferError says a notice waits (quiet hours) until Until: not a failure.
type DeferError struct{ Until time.Time }

func (e *DeferError) Error() string { return "deferred until " + e.Until.Format(time.RFC3339) }
