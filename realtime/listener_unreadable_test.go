package realtime

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// lines keeps what was logged: message and attributes.
type lines struct {
	mu  sync.Mutex
	got []map[string]any
}

func (l *lines) Enabled(context.Context, slog.Level) bool { return true }
func (l *lines) Handle(_ context.Context, r slog.Record) error {
	m := map[string]any{"msg": r.Message, "level": r.Level}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.Any(); return true })
	l.mu.Lock()
	l.got = append(l.got, m)
	l.mu.Unlock()
	return nil
}
func (l *lines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *lines) WithGroup(string) slog.Handler      { return l }

// TestListenerUnreadableRateLimited: anyone who may connect may NOTIFY the
// listened channels as often as they like. The first notification the
// listener cannot read is logged in full; then at most one line a minute
// says how many were skipped since (also when no more come: the listener's
// ticker writes it); each is counted in a metric. Before, every one was a
// warning of its own. The clock is the test's: nothing sleeps.
func TestListenerUnreadableRateLimited(t *testing.T) {
	store := db.NewStore(nil) // nothing here reaches the database
	log := &lines{}
	logger := slog.New(log)
	metrics := NewMetrics(prometheus.NewRegistry(), store)
	now := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	l := &Listener{Hub: NewHub(store, logger, metrics), Logger: logger, Metrics: metrics, now: func() time.Time { return now }}
	bad := func(n int) {
		t.Helper()
		for i := range n {
			ch := []string{familyhub.ChannelSessions, familyhub.ChannelShopping, familyhub.ChannelDevice, ChannelPresence}[i%4]
			if err := (handler{l}).HandleNotification(context.Background(), &pgconn.Notification{Channel: ch, Payload: "not json"}, nil); err != nil {
				t.Fatalf("HandleNotification returned %v: pgxlisten would mark the listener disconnected", err)
			}
		}
	}
	want := func(stage string, lines int, count any) {
		t.Helper()
		log.mu.Lock()
		defer log.mu.Unlock()
		if len(log.got) != lines {
			t.Fatalf("%s: %d lines logged, want %d: %v", stage, len(log.got), lines, log.got)
		}
		if count != nil {
			if got := log.got[lines-1]["count"]; got != count {
				t.Fatalf("%s: the last line says count %v, want %v: %v", stage, got, count, log.got[lines-1])
			}
		}
	}

	bad(1000)
	want("a thousand at once", 1, nil)
	if log.got[0]["channel"] != familyhub.ChannelSessions || log.got[0]["payload"] != "not json" {
		t.Fatalf("the first line: %v, want its channel and payload", log.got[0])
	}
	now = now.Add(59 * time.Second)
	l.reportUnreadable()
	bad(10)
	want("within the minute", 1, nil)
	now = now.Add(time.Second)
	bad(1)
	want("a minute after the first", 2, int64(1010))
	now = now.Add(30 * time.Second)
	bad(5)
	now = now.Add(30 * time.Second)
	l.reportUnreadable() // no more came: the ticker reports them
	want("the flood stopped", 3, int64(5))
	now = now.Add(time.Hour)
	l.reportUnreadable()
	want("nothing new", 3, nil)
	bad(1) // after a quiet minute, in full again
	want("after a quiet hour", 4, nil)
	if _, ok := log.got[3]["count"]; ok || log.got[3]["payload"] != "not json" {
		t.Fatalf("after a quiet hour: %v, want the notification in full", log.got[3])
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.Unreadable)
	families, err := reg.Gather()
	if err != nil || len(families) != 1 {
		t.Fatal(families, err)
	}
	if n := families[0].GetMetric()[0].GetCounter().GetValue(); n != 1017 {
		t.Fatalf("familyhub_realtime_unreadable_notifications_total = %v, want 1017", n)
	}
}
