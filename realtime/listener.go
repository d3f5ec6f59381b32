package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// Listener holds this replica's one LISTEN connection (pgxlisten), separate
// from the pool, and hands every notification to the hub. After each
// (re)connect, once every channel is listened to, it asks the hub to catch
// up from the event log, so nothing committed while it was away is lost.
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

	connected atomic.Bool
	listened  atomic.Int32 // channels listened to on the current connection
	attempts  int          // consecutive connects without a healthy connection
	everUp    bool
}

func (l *Listener) channels() []string {
	return append(append([]string{}, familyhub.EventChannels...), familyhub.ChannelSessions, familyhub.ChannelDevice)
}

// Connected reports whether the listener is connected and listening to
// every channel (the /readyz check).
func (l *Listener) Connected() bool { return l.connected.Load() }

// Run listens until ctx ends.
func (l *Listener) Run(ctx context.Context) error {
	if l.MinBackoff == 0 {
		l.MinBackoff = 100 * time.Millisecond
	}
	if l.MaxBackoff == 0 {
		l.MaxBackoff = 10 * time.Second
	}
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
	err := pl.Listen(ctx)
	l.connected.Store(false)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
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
	cfg, err := pgx.ParseConfig(l.ConnString)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = "familyhub-listener"
	return pgx.ConnectConfig(ctx, cfg)
}

func (l *Listener) logError(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	l.connected.Store(false)
	l.Logger.Warn("listener", "err", err, "attempt", l.attempts)
}

type handler struct{ l *Listener }

// HandleNotification parses and hands off; it never blocks.
func (h handler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	switch n.Channel {
	case familyhub.ChannelSessions:
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
	}
	ev, err := parseEvent(n.Payload)
	if err != nil {
		return err
	}
	h.l.Logger.Debug("event", "channel", n.Channel, "family_id", ev.FamilyID, "seq", ev.Seq, "type", ev.Type)
	h.l.Hub.notify(ev)
	return nil
}

// HandleBacklog runs after each channel's LISTEN; after the last one the
// connection is complete and the hub catches up.
func (h handler) HandleBacklog(_ context.Context, _ string, _ *pgx.Conn) error {
	l := h.l
	if int(l.listened.Add(1)) == len(l.channels()) {
		if l.everUp {
			l.Metrics.ListenerReconnect.Inc()
			l.Logger.Info("listener reconnected; catching up from the event log")
		}
		l.everUp = true
		l.attempts = 0
		l.connected.Store(true)
		l.Hub.requestResync()
	}
	return nil
}
