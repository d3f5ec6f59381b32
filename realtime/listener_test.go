package realtime

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
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
		OnEvent: func(family uuid.UUID, channel string) {
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
