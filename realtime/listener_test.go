package realtime

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestListenerHooks: OnEvent is given each event's family and channel,
// OnConnect is called on the first connect and again after the listening
// backend is terminated and the listener is back (what the notifications
// service's wake-ups and sweeps hang on).
func TestListenerHooks(t *testing.T) {
	url := dbtest.URL(t)
	pool := dbtest.PoolFor(t, url)
	store := db.NewStore(pool)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	metrics := NewMetrics(prometheus.NewRegistry(), store)
	hub := NewHub(store, logger, metrics)
	type seen struct {
		family  uuid.UUID
		channel string
	}
	var mu sync.Mutex
	var events []seen
	var connects atomic.Int32
	l := &Listener{ConnString: url, Hub: hub, Logger: logger, Metrics: metrics,
		OnEvent: func(family uuid.UUID, channel string, _ int64) {
			mu.Lock()
			events = append(events, seen{family, channel})
			mu.Unlock()
		},
		OnConnect: func() { connects.Add(1) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { hub.Run(ctx); done <- struct{}{} }()
	go func() { l.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	waitFor(t, "the listener to connect", func() bool { return l.Connected() && connects.Load() >= 1 })

	family, list := newFamily(t, pool)
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'milk')`, family, list); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "OnEvent for the item", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range events {
			if e.family == family && e.channel == familyhub.ChannelShopping {
				return true
			}
		}
		return false
	})

	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'familyhub-listener' AND datname = current_database()`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "OnConnect after the reconnect", func() bool { return l.Connected() && connects.Load() >= 2 })
}

// TestListenerHeardNeedsPings: Heard, what the session cache hangs on, turns
// false when no ping has come back for PingInterval+StaleAfter, also when
// the pool cannot send them (PostgreSQL out of its reach) and Connected,
// counting only pings sent, stays true. A listening connection that died
// silently meanwhile would lose notices unseen.
func TestListenerHeardNeedsPings(t *testing.T) {
	url := dbtest.URL(t)
	dbtest.PoolFor(t, url) // the migrated database
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := db.NewStore(pool)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	metrics := NewMetrics(prometheus.NewRegistry(), store)
	hub := NewHub(store, logger, metrics)
	l := &Listener{ConnString: url, Hub: hub, Logger: logger, Metrics: metrics,
		PingInterval: 50 * time.Millisecond, StaleAfter: 150 * time.Millisecond, DeadAfter: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { hub.Run(ctx); done <- struct{}{} }()
	go func() { l.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	waitFor(t, "the listener to connect", l.Heard)
	first := l.heard.Load()
	waitFor(t, "a ping to come back", func() bool { return l.heard.Load() != first && l.Heard() })

	pool.Close() // pings cannot be sent; the listening connection stays
	waitFor(t, "Heard to turn false", func() bool { return !l.Heard() })
	if !l.Connected() {
		t.Fatal("Connected turned false too: the test no longer shows the difference")
	}
}

// TestListenerBadNotice: a notification the listener cannot read (anyone
// who may connect may NOTIFY any channel) is logged and skipped; the
// listener stays connected and its pings go on. Before, the handler's
// error marked it disconnected on a healthy connection, and since pings
// are not sent while disconnected, nothing ever marked it connected again:
// /readyz red and the session cache unused until the connection broke.
func TestListenerBadNotice(t *testing.T) {
	url := dbtest.URL(t)
	pool := dbtest.PoolFor(t, url)
	store := db.NewStore(pool)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	metrics := NewMetrics(prometheus.NewRegistry(), store)
	hub := NewHub(store, logger, metrics)
	var families sync.Map
	l := &Listener{ConnString: url, Hub: hub, Logger: logger, Metrics: metrics,
		OnEvent: func(family uuid.UUID, _ string, _ int64) { families.Store(family, true) }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { hub.Run(ctx); done <- struct{}{} }()
	go func() { l.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	waitFor(t, "the listener to connect", l.Heard)

	for _, ch := range []string{familyhub.ChannelSessions, familyhub.ChannelShopping, familyhub.ChannelDevice, ChannelPresence} {
		if _, err := pool.Exec(ctx, `SELECT pg_notify($1, 'not json')`, ch); err != nil {
			t.Fatal(err)
		}
	}
	// Handled in order: once this event is seen, so were the bad ones.
	family, list := newFamily(t, pool)
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'milk')`, family, list); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the event after the bad notices", func() bool { _, ok := families.Load(family); return ok })
	if !l.Connected() {
		t.Fatal("a bad notice marked a healthy listener disconnected")
	}
	sent := l.heard.Load()
	waitFor(t, "a ping to come back after the bad notices", func() bool { return l.heard.Load() != sent && l.Heard() })
}
