package db

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Announcing events after commit (migration 00013_realtime_speed.sql).
//
// PostgreSQL holds a global lock from a notifying transaction's pre-commit
// until its commit record is on disk, so transactions that NOTIFY cannot
// share a WAL flush. The application's transactions (Store.Tx) therefore
// ask the event flush for NOTICEs instead (familyhub.announce =
// 'after_commit') and, once COMMIT succeeded, send them as NOTIFYs in a
// tiny transaction that does not wait for the disk. Writers that are not
// the application still notify inside their transaction. A notice lost to
// a crash in between is found by the replicas' seq cross-check.

// noticeAnnounce is the SQLSTATE of an event notice (familyhub_emit).
const noticeAnnounce = "FH001"

// announcement is one NOTIFY owed after commit.
type announcement struct{ channel, payload string }

// collectors maps a connection inside Store.Tx to the notices of its
// transaction. Notices are delivered on the goroutine that uses the
// connection, so each slice has one writer.
var collectors sync.Map // *pgconn.PgConn → *[]announcement

// announcingPools are the pools whose connections collect notices (Open).
var announcingPools sync.Map // *pgxpool.Pool → struct{}

func onNotice(pc *pgconn.PgConn, n *pgconn.Notice) {
	if n.Code != noticeAnnounce {
		return
	}
	if v, ok := collectors.Load(pc); ok {
		b := v.(*[]announcement)
		*b = append(*b, announcement{channel: n.Detail, payload: n.Message})
	}
}

// ConfigureAnnounce makes a pool's connections collect event notices, so
// that Store.Tx on it announces events after commit. Open calls it; call
// it for a pool made elsewhere, then MarkAnnouncing with the pool.
func ConfigureAnnounce(cfg *pgxpool.Config) { cfg.ConnConfig.OnNotice = onNotice }

// MarkAnnouncing records that pool was made with ConfigureAnnounce.
func MarkAnnouncing(pool *pgxpool.Pool) { announcingPools.Store(pool, struct{}{}) }

func announces(pool *pgxpool.Pool) bool {
	_, ok := announcingPools.Load(pool)
	return ok
}

// announcer sends the notices owed by committed transactions. Tx hands
// them over and returns; one goroutine (running only while there is
// something to send) sends everything that accumulated in one
// familyhub_notify_async call, so under load many transactions share one
// announcement. Order within a transaction is kept; across transactions
// of a family the hub reorders by seq.
type announcer struct {
	mu      sync.Mutex
	pending []announcement
	running bool
}

// announce queues a committed transaction's notices. A failure to send
// is not the caller's: the data is committed, and the replicas' seq
// cross-check delivers the events from the log within seconds.
func (s *Store) announce(owed []announcement) {
	a := &s.announcer
	a.mu.Lock()
	a.pending = append(a.pending, owed...)
	start := !a.running
	a.running = true
	a.mu.Unlock()
	if start {
		go s.sendAnnouncements()
	}
}

func (s *Store) sendAnnouncements() {
	a := &s.announcer
	for {
		a.mu.Lock()
		batch := a.pending
		a.pending = nil
		if len(batch) == 0 {
			a.running = false
			a.mu.Unlock()
			return
		}
		a.mu.Unlock()
		p := dbsqlc.NotifyAsyncParams{Channels: make([]string, len(batch)), Payloads: make([]string, len(batch))}
		for i, n := range batch {
			p.Channels[i], p.Payloads[i] = n.channel, n.payload
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.Q.NotifyAsync(ctx, s.Pool, p)
		cancel()
	}
}

// NotifyAsync sends NOTIFYs (channels[i], payloads[i]) in one transaction
// that does not wait for the disk: for notices that carry no data of
// record (presence, liveness pings). It returns the database's error.
func (s *Store) NotifyAsync(ctx context.Context, channels, payloads []string) error {
	return Err(s.Q.NotifyAsync(ctx, s.Pool, dbsqlc.NotifyAsyncParams{Channels: channels, Payloads: payloads}), "")
}
