package realtime

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub/db"
)

// Metrics are the realtime system's Prometheus metrics, registered on a
// registry of the caller's (one per server, so tests can run several).
type Metrics struct {
	Connections       *prometheus.GaugeVec
	Delivered         prometheus.Counter
	ListenerReconnect prometheus.Counter
	Unreadable        prometheus.Counter
	CatchUps          prometheus.Counter
	SlowDisconnects   prometheus.Counter
	Refused           prometheus.Counter
	// Pongs and Unanswered are the WebSocket heartbeat's (http package):
	// answers to the server's pings, and sockets ended because a ping
	// went unanswered for the write timeout (a peer gone without a FIN).
	Pongs           prometheus.Counter
	Unanswered      prometheus.Counter
	DeliveryLatency prometheus.Histogram
}

// NewMetrics registers the realtime metrics on reg, with a gauge of
// PostgreSQL's NOTIFY queue usage read through store at scrape time.
func NewMetrics(reg prometheus.Registerer, store *db.Store) *Metrics {
	m := &Metrics{
		Connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "familyhub_realtime_connections", Help: "Open realtime connections by transport (ws, sse, poll).",
		}, []string{"transport"}),
		Delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "familyhub_realtime_events_delivered_total", Help: "Events written to client connections.",
		}),
		ListenerReconnect: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "familyhub_realtime_listener_reconnects_total", Help: "Times the LISTEN connection was re-established.",
		}),
		Unreadable: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "familyhub_realtime_unreadable_notifications_total", Help: "Notifications on the listened channels that could not be read and were skipped.",
		}),
		CatchUps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "familyhub_realtime_catchup_replays_total", Help: "Catch-ups from the event log (gaps, reconnects, client resumes).",
		}),
		SlowDisconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "familyhub_realtime_slow_consumer_disconnects_total", Help: "Connections closed because their queue was full.",
		}),
		Refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "familyhub_realtime_connections_refused_total", Help: "Connections refused because their user had the most allowed open on this replica.",
		}),
		Pongs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "familyhub_realtime_pongs_total", Help: "WebSocket pongs received: answers to the server's heartbeat pings.",
		}),
		Unanswered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "familyhub_realtime_heartbeat_timeouts_total", Help: "WebSocket connections ended because a heartbeat ping went unanswered for the write timeout.",
		}),
		DeliveryLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "familyhub_realtime_delivery_latency_seconds",
			Help:    "From the change in PostgreSQL (event time) to the write to the client connection.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5},
		}),
	}
	queue := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "familyhub_notify_queue_usage_ratio",
		Help: "pg_notification_queue_usage(): fraction of PostgreSQL's NOTIFY queue in use (trouble near 1).",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		v, err := store.Q.NotificationQueueUsage(ctx, store.Pool)
		if err != nil {
			return -1
		}
		return v
	})
	reg.MustRegister(m.Connections, m.Delivered, m.ListenerReconnect, m.Unreadable, m.CatchUps, m.SlowDisconnects, m.Refused, m.Pongs, m.Unanswered, m.DeliveryLatency, queue)
	// The announcer (db/announce.go) counts in atomics: db knows nothing
	// of Prometheus, so these read them at scrape time.
	announced := func(name, help string, read func(db.AnnounceStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(read(store.AnnounceStats())) })
	}
	reg.MustRegister(
		announced("familyhub_announce_notices_sent_total",
			"Event notices of committed transactions sent as NOTIFYs by the announcer.",
			func(s db.AnnounceStats) uint64 { return s.SentNotices }),
		announced("familyhub_announce_batches_sent_total",
			"Announcements the announcer sent: a transaction each, and one in every listening backend that reads it.",
			func(s db.AnnounceStats) uint64 { return s.SentBatches }),
		announced("familyhub_announce_notices_dropped_total",
			"Event notices in batches the announcer could not send (the seq cross-check delivers them from the log, later).",
			func(s db.AnnounceStats) uint64 { return s.DroppedNotices }),
		announced("familyhub_announce_batches_dropped_total",
			"Batches of event notices the announcer could not send (timeout, refused, no connection).",
			func(s db.AnnounceStats) uint64 { return s.DroppedBatches }),
	)
	return m
}

// ObserveDelivery records one message written to a connection (events
// only: control messages have no time).
func (m *Metrics) ObserveDelivery(msg Message) {
	if msg.At.IsZero() {
		return
	}
	m.Delivered.Inc()
	m.DeliveryLatency.Observe(time.Since(msg.At).Seconds())
}
