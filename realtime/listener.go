package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// ChannelPing carries the listener's proofs of life: each replica sends
// its own token from the pool and expects it back on its listening
// connection (docs/realtime.md).
const ChannelPing = "familyhub_ping"

// Listener holds this replica's one LISTEN connection (pgxlisten), separate
// from the pool, and hands every notification to the hub. After each
// (re)connect, once every channel is listened to, it asks the hub to catch
// up from the event log, so nothing committed while it was away is lost.
//
// A silent connection is a dead one: every PingInterval the replica sends
// a NOTIFY addressed to itself (from the pool) and expects it back on the
// listening connection. Unanswered for StaleAfter, the listener is not
// ready (/readyz red); for DeadAfter, the connection is dropped and made
// anew. TCP keepalives and TCP_USER_TIMEOUT catch a dead peer below that.
// Every CrossCheckInterval the hub compares its families' seqs with the
// database, so a family whose notification never came is caught up.
type Listener struct {
	// ConnString is DATABASE_URL or FAMILYHUB_LISTEN_DATABASE_URL: a direct
	// connection (a transaction pooler cannot hold a LISTEN).
	ConnString string
	Hub        *Hub
	Logger     *slog.Logger
	Metrics    *Metrics
	// MinBackoff and MaxBackoff bound the reconnect delay (doubling, with
	// jitter). Defaults 100ms and 10s.
	MinBackoff, MaxBackoff time.Duration
	// PingInterval, StaleAfter, DeadAfter: see above. Defaults 1s, 3s, 5s.
	PingInterval, StaleAfter, DeadAfter time.Duration
	// CrossCheckInterval: see above. Default 2s.
	CrossCheckInterval time.Duration
	// OnEvent, when set, is given each event's family, channel and seq as its
	// notification arrives, so another part of the process need not LISTEN
	// to the same channels on a connection of its own (cmd/familyhub: the
	// notifications service's wake-ups). It runs on the listening
	// goroutine: it must not block.
	OnEvent func(familyID uuid.UUID, channel string, seq int64)
	// OnConnect, when set, is called after each (re)connect once every
	// channel is listened to, beside the hub's catch-up: OnEvent missed
	// whatever was notified while the listener was away. It must not block.
	OnConnect func()
	// OnServerChanged, when set, is called after a reconnect to a
	// database server that is not the one the listener was connected to
	// before, or may not be: its start time differs (a restart, a restore
	// from a backup, a failover to a standby), or could not be read. Such
	// a server may have lost what was committed shortly before, for
	// every family at once (notify's push presence puts back its live
	// devices' rows: notify.Presence.DatabaseChanged). Not on the first
	// connect, nor on a reconnect to the same server (a network blip). It
	// must not block.
	OnServerChanged func()

	// serverQuery names the server the listener is connected to (one
	// text); serverIdentity is its answer on the last complete connect,
	// reached the one the connection being made read ("" if it could not
	// be read). Tests replace the query.
	serverQuery             string
	serverIdentity, reached string

	// now is the clock of the unreadable-notification warnings (tests
	// replace it); time.Now when nil.
	now        func() time.Time
	unreadable unreadableLog

	token     string
	connected atomic.Bool
	pingSent  atomic.Int64 // unix nanos of the oldest unanswered ping, 0: none
	heard     atomic.Int64 // unix nanos of the last proof of life: the connect or a ping come back
	listened  atomic.Int32 // channels listened to on the current connection
	attempts  int          // consecutive connects without a healthy connection
	everUp    bool
}

func (l *Listener) channels() []string {
	return append(append([]string{}, familyhub.EventChannels...), familyhub.ChannelSessions, familyhub.ChannelDevice, ChannelPresence, ChannelPing)
}

// Connected reports whether the listener is connected, listening to every
// channel, and has recently proved that notifications reach it (the
// /readyz check).
func (l *Listener) Connected() bool {
	if !l.connected.Load() {
		return false
	}
	sent := l.pingSent.Load()
	return sent == 0 || time.Since(time.Unix(0, sent)) < l.StaleAfter
}

// Heard reports whether notifications are known to reach this replica:
// Connected, and the connect or a ping's return happened within
// PingInterval+StaleAfter. It is stricter than Connected, which counts
// only pings that were sent: while the pool cannot send them (PostgreSQL
// unreachable from it), Connected stays true however long nothing was
// heard. The session cache is used only while Heard (db.SessionCache).
func (l *Listener) Heard() bool {
	if !l.Connected() { // also orders the reads of the durations after defaults
		return false
	}
	return time.Since(time.Unix(0, l.heard.Load())) < l.PingInterval+l.StaleAfter
}

func (l *Listener) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&l.MinBackoff, 100*time.Millisecond)
	set(&l.MaxBackoff, 10*time.Second)
	set(&l.PingInterval, time.Second)
	set(&l.StaleAfter, 3*time.Second)
	set(&l.DeadAfter, 5*time.Second)
	set(&l.CrossCheckInterval, 2*time.Second)
	if l.now == nil {
		l.now = time.Now
	}
	if l.serverQuery == "" {
		// As epoch seconds: a timestamptz read as text carries the
		// session's TimeZone, which a DBA may change between two connects.
		l.serverQuery = "SELECT extract(epoch FROM pg_postmaster_start_time())::text"
	}
	l.token = uuid.NewString()
}

// Run listens until ctx ends.
func (l *Listener) Run(ctx context.Context) error {
	l.defaults()
	pl := &pgxlisten.Listener{
		Connect:  l.connect,
		LogError: l.logError,
		// pgxlisten's own delay is fixed (and one minute when zero); the
		// backoff with jitter happens in connect instead.
		ReconnectDelay: time.Millisecond,
	}
	for _, ch := range l.channels() { // all registered before Listen: pgxlisten's map is unlocked
		pl.Handle(ch, handler{l})
	}
	defer l.connected.Store(false)
	for {
		connCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- pl.Listen(connCtx) }()
		err := l.watch(ctx, done)
		cancel()
		if err == nil { // the connection was declared dead: make a new one
			<-done
			l.attempts = max(l.attempts, 1)
			continue
		}
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
}

// watch pings the listening connection and cross-checks seqs until Listen
// returns (its error) or the connection is dead (nil).
func (l *Listener) watch(ctx context.Context, done <-chan error) error {
	ping := time.NewTicker(l.PingInterval)
	defer ping.Stop()
	lastCheck := time.Now()
	for {
		select {
		case err := <-done:
			return err
		case <-ping.C:
		}
		l.reportUnreadable()
		if !l.connected.Load() {
			continue
		}
		if sent := l.pingSent.Load(); sent != 0 && time.Since(time.Unix(0, sent)) > l.DeadAfter {
			l.Logger.Warn("listening connection gave no sign of life; reconnecting", "silent_for", time.Since(time.Unix(0, sent)).Round(time.Millisecond))
			l.connected.Store(false)
			return nil
		}
		// Noted as outstanding before it is sent: noted after, a ping
		// answered at once would be noted again and wait for the next.
		at := time.Now().UnixNano()
		first := l.pingSent.CompareAndSwap(0, at)
		pctx, cancel := context.WithTimeout(ctx, l.PingInterval)
		err := l.Hub.store.NotifyAsync(pctx, []string{ChannelPing}, []string{l.token})
		cancel()
		if err != nil && first {
			l.pingSent.CompareAndSwap(at, 0) // not sent: nothing to wait for
		}
		if time.Since(lastCheck) >= l.CrossCheckInterval {
			lastCheck = time.Now()
			cctx, cancel := context.WithTimeout(ctx, l.CrossCheckInterval)
			if err := l.Hub.crossCheck(cctx); err != nil && ctx.Err() == nil {
				l.Logger.Warn("seq cross-check failed", "err", err)
			}
			cancel()
		}
	}
}

func (l *Listener) connect(ctx context.Context) (*pgx.Conn, error) {
	l.connected.Store(false)
	l.listened.Store(0)
	if l.attempts > 0 {
		backoff := min(l.MinBackoff<<min(l.attempts-1, 16), l.MaxBackoff)
		delay := backoff/2 + rand.N(backoff/2+1) // jitter: replicas do not reconnect in lockstep
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
	}
	l.attempts++
	// A peer that vanished without a FIN: the kernel gives up on unacked
	// data after TCP_USER_TIMEOUT and on an idle connection after the
	// keepalive probes; the server does the same from its side.
	cfg, err := db.IdleConnConfig(l.ConnString, "familyhub-listener", setUserTimeout(10*time.Second))
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	l.readServer(ctx, conn)
	return conn, nil
}

func (l *Listener) logError(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	l.connected.Store(false)
	l.Logger.Warn("listener", "err", err, "attempt", l.attempts)
}

type handler struct{ l *Listener }

// HandleNotification parses and hands off; it never blocks. A notification
// it cannot read is counted, logged (at most once a minute) and skipped,
// not returned: pgxlisten would hand the error to logError, which marks
// the listener disconnected although its connection is fine (and anyone
// who may connect may NOTIFY).
func (h handler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	if err := h.handle(n); err != nil {
		h.l.skipUnreadable(n, err)
	}
	return nil
}

// unreadableEvery is how often, at most, the listener warns of
// notifications it cannot read.
const unreadableEvery = time.Minute

// unreadableLog bounds the warnings for unreadable notifications: any role
// that may connect to the database may NOTIFY on familyhub_* channels, as
// often as it likes, and one line each would fill the log. The first is
// logged in full (channel, payload, error: what to look for); after that at
// most one line per unreadableEvery says how many were skipped since, with
// the latest as an example. Every one is counted in
// familyhub_realtime_unreadable_notifications_total.
type unreadableLog struct {
	mu      sync.Mutex
	last    time.Time // when a line was last written; zero: never
	skipped int       // skipped since that line, not yet reported
	example []any     // the latest of them: channel, payload, err
}

// skipUnreadable counts n, which could not be read (err), and logs it, or
// a summary with it, unless a line was written less than unreadableEvery
// ago.
func (l *Listener) skipUnreadable(n *pgconn.Notification, err error) {
	l.Metrics.Unreadable.Inc()
	payload := n.Payload
	if len(payload) > 200 {
		payload = payload[:200]
	}
	example := []any{"channel", n.Channel, "payload", payload, "err", err}
	u := &l.unreadable
	u.mu.Lock()
	defer u.mu.Unlock()
	now := l.now()
	switch {
	case u.last.IsZero() || (u.skipped == 0 && now.Sub(u.last) >= unreadableEvery):
		u.last = now
		l.Logger.Warn("skipped a notification that cannot be read", example...)
	case now.Sub(u.last) >= unreadableEvery:
		l.logUnreadable(now, u.skipped+1, example)
	default:
		u.skipped++
		u.example = example
	}
}

// reportUnreadable writes the summary of the notifications skipped since
// the last line once unreadableEvery has passed, also when no more come
// (the listener's ticker calls it).
func (l *Listener) reportUnreadable() {
	u := &l.unreadable
	u.mu.Lock()
	defer u.mu.Unlock()
	if now := l.now(); u.skipped > 0 && now.Sub(u.last) >= unreadableEvery {
		l.logUnreadable(now, u.skipped, u.example)
	}
}

// logUnreadable writes the summary line; u.mu is held.
func (l *Listener) logUnreadable(now time.Time, skipped int, example []any) {
	u := &l.unreadable
	l.Logger.Warn("skipped notifications that cannot be read", append([]any{"count", skipped,
		"since", u.last.UTC().Format(time.RFC3339), "latest_channel"}, example[1:]...)...)
	u.last, u.skipped, u.example = now, 0, nil
}

func (h handler) handle(n *pgconn.Notification) error {
	switch n.Channel {
	case ChannelPing:
		if n.Payload == h.l.token {
			h.l.heard.Store(time.Now().UnixNano())
			h.l.pingSent.Store(0)
		}
		return nil
	case familyhub.ChannelSessions:
		// Whatever the notice says, a kept session may no longer be what
		// PostgreSQL would answer: forget them all (db.SessionCache).
		h.l.Hub.store.Sessions.Clear()
		h.l.Hub.authChanged() // after Clear: see Hub.AuthGen
		var sn sessionNotice
		if err := json.Unmarshal([]byte(n.Payload), &sn); err != nil {
			return err
		}
		h.l.Hub.notify(sn)
		return nil
	case familyhub.ChannelDevice:
		var dn deviceNotice
		if err := json.Unmarshal([]byte(n.Payload), &dn); err != nil {
			return err
		}
		if dn.DeviceID == "" || len(dn.Message) == 0 || dn.Message[0] != '{' {
			return fmt.Errorf("device notice without device_id or message object: %s", n.Payload)
		}
		h.l.Hub.notify(dn)
		return nil
	case ChannelPresence:
		var pn presenceNotice
		if err := json.Unmarshal([]byte(n.Payload), &pn); err != nil {
			return err
		}
		h.l.Hub.notify(pn)
		return nil
	}
	ev, err := parseEvent(n.Payload)
	if err != nil {
		return err
	}
	// Only when it is written: its arguments (a UUID, a seq) are boxed on
	// the heap before slog looks at the level, on every event.
	if h.l.Logger.Enabled(context.Background(), slog.LevelDebug) {
		h.l.Logger.Debug("event", "channel", n.Channel, "family_id", ev.FamilyID, "seq", ev.Seq, "type", ev.Type)
	}
	h.l.Hub.notify(ev)
	if h.l.OnEvent != nil {
		h.l.OnEvent(ev.FamilyID, n.Channel, ev.Seq)
	}
	return nil
}

// HandleBacklog runs after each channel's LISTEN; after the last one the
// connection is complete and the hub catches up.
func (h handler) HandleBacklog(ctx context.Context, _ string, conn *pgx.Conn) error {
	l := h.l
	if int(l.listened.Add(1)) == len(l.channels()) {
		changed := l.serverChanged()
		if l.everUp {
			l.Metrics.ListenerReconnect.Inc()
			l.Logger.Info("listener reconnected; catching up from the event log")
		}
		if changed && l.OnServerChanged != nil {
			l.OnServerChanged()
		}
		l.everUp = true
		l.attempts = 0
		l.pingSent.Store(0)
		l.heard.Store(time.Now().UnixNano())
		// Notices sent while the listener was away are lost: the sessions
		// kept before are not known to be right any more.
		l.Hub.store.Sessions.Clear()
		l.Hub.authChanged()
		l.connected.Store(true)
		l.Hub.requestResync()
		// So are the notices that would have closed connections: re-check
		// them all against PostgreSQL (recheck.go).
		l.Hub.requestRecheck(uuid.Nil)
		if l.OnConnect != nil {
			l.OnConnect()
		}
	}
	return nil
}

// readServer reads which server a new connection reached, before its
// LISTENs (so the backend's last statement in pg_stat_activity stays a
// LISTEN for DBAs). One round trip per connect, on the listening goroutine.
func (l *Listener) readServer(ctx context.Context, conn *pgx.Conn) {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := conn.QueryRow(qctx, l.serverQuery).Scan(&l.reached); err != nil {
		l.reached = ""
		if ctx.Err() == nil {
			l.Logger.Warn("could not read which database server the listener reached; taken as another", "err", err)
		}
	}
}

// serverChanged reports whether the server the completed connection
// reached is not known to be the one of the connection before (never on
// the first connect).
func (l *Listener) serverChanged() bool {
	before := l.serverIdentity
	l.serverIdentity = l.reached
	if !l.everUp || before != "" && before == l.serverIdentity {
		return false
	}
	l.Logger.Warn("the listener reconnected to a database server that started since, or another one (a restart, a restore, a failover)",
		"server_started", l.serverIdentity, "before", before)
	return true
}
