package db

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
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

// announcerApplication is the application_name of the announcer's own
// connection, so a DBA can tell it apart in pg_stat_activity.
const announcerApplication = "familyhub-announcer"

// announceTimeout bounds one attempt to connect or to send a batch.
const announceTimeout = 5 * time.Second

// How long the announcer holds notices before sending them
// (docs/realtime.md, "One announcing connection"). Each announcement is a
// transaction, and PostgreSQL wakes every listening backend of the
// database (one per replica) with a transaction of its own to read it,
// however many NOTIFYs it carries: with two replicas an announcement
// costs three transactions. Under load fewer and larger announcements
// save PostgreSQL that work per write; an idle replica must not wait.
//
// So the least time between the starts of two of a replica's
// announcements grows with the rate at which its transactions commit
// notices, up to announceSpacingMax.
// A commit after a quiet spell (no announcement in the last spacing) is
// announced at once; one that follows an announcement closely waits for
// the rest of the spacing, with whatever else commits meanwhile.
//
// announceSpacingMax bounds the time any notice adds, its wait and its
// own send together: 16 ms of the 50 ms write→delivery p99 goal (issue
// 20), where the rest of the path measured 26-28 ms p99 at 100 writes/s
// (docs/benchmarks.md, seventeenth round). The spacing is therefore at
// most announceSpacingMax less the last send's time (a notice that
// commits just after a batch was taken waits for the spacing, then for
// its own send), and holds the bound while a send takes up to half of it.
// Below that cap the spacing grows with the rate in two steps: in
// proportion up to announceSpacingBusy (0.8 ms at 10 commits/s, 4 ms at
// 50/s, 8 ms from announceBusyGap apart: 100/s per replica, up to 250/s),
// then again in proportion to the rate, reaching the whole cap
// announceFullGap apart (500/s; 9.6 ms at 300/s). The twenty-first round (docs/benchmarks.md) timed
// one cap for all rates: 8 ms halved the median up to 600 writes/s over
// two replicas (p50 7-8 ms instead of 12-16) but at 1,000/s made so many
// announcements that PostgreSQL's core was full (p99 292-376 ms), where
// 16 ms held p99 at 62-300 ms.
const (
	announceSpacingMax  = 16 * time.Millisecond
	announceSpacingBusy = 8 * time.Millisecond
	announceBusyGap     = 10 * time.Millisecond
	announceFullGap     = 2 * time.Millisecond
)

// The spacing follows a running average of the gap between two commits
// in which the newest gap weighs 1/announceGapWeight and counts as at most
// announceQuietGap: one gap of a quiet spell brings the spacing down to a
// few milliseconds, and a burst after it reaches the full spacing within
// four commits.
const (
	announceGapWeight = 2
	announceQuietGap  = 100 * time.Millisecond
)

// announcePace is the announcer's clock keeping: when it last sent and how
// fast commits arrive. Time is passed in, so tests can drive it.
type announcePace struct {
	lastCommit time.Time
	gap        time.Duration // running average of the gap between commits
	haveGap    bool          // two commits seen
	lastSend   time.Time
	sendTook   time.Duration // how long the last send took
}

// commit records that a transaction handed over notices at now.
func (p *announcePace) commit(now time.Time) {
	if !p.lastCommit.IsZero() {
		g := min(max(now.Sub(p.lastCommit), 0), announceQuietGap)
		if !p.haveGap {
			p.gap, p.haveGap = g, true
		} else {
			p.gap += (g - p.gap) / announceGapWeight
		}
	}
	p.lastCommit = now
}

// spacing is the least time between two announcements at the current rate.
func (p *announcePace) spacing() time.Duration {
	most := max(announceSpacingMax-p.sendTook, 0)
	switch {
	case !p.haveGap:
		return 0 // no rate known yet: the first commit goes at once
	case p.gap <= 0:
		return most // commits at one instant
	}
	busy := min(announceSpacingBusy*announceBusyGap/p.gap, announceSpacingBusy)
	return min(max(busy, announceSpacingMax*announceFullGap/p.gap), most)
}

// wait is how long, at now, the announcer waits before taking a batch.
func (p *announcePace) wait(now time.Time) time.Duration {
	return max(p.spacing()-now.Sub(p.lastSend), 0)
}

// sent records that a batch was taken to be sent at now.
func (p *announcePace) sent(now time.Time) { p.lastSend = now }

// sendDone records that the batch taken last was sent (or given up) at now.
func (p *announcePace) sendDone(now time.Time) { p.sendTook = max(now.Sub(p.lastSend), 0) }

// announcer sends the notices owed by committed transactions. Tx hands
// them over and returns; one goroutine (running only while there is
// something to send) sends everything that accumulated in one
// familyhub_notify_async call, so under load many transactions share one
// announcement. Order within a transaction is kept; across transactions
// of a family the hub reorders by seq.
//
// It sends on a connection of its own (application_name
// familyhub-announcer), opened on first need from the pool's settings,
// so an announcement never queues behind the requests waiting for the
// pool (docs/benchmarks.md: that queue delayed delivery by ~200 ms at
// 1,000 writes/s). Store.Close closes it.
type announcer struct {
	mu      sync.Mutex
	pending []announcement
	running bool          // a sendAnnouncements goroutine owns conn
	done    chan struct{} // closed when that goroutine returns
	pace    announcePace  // how long to hold notices
	closed  bool          // Store.Close was called
	// stop aborts a send in flight when Close runs out of time.
	stop     context.Context
	stopSend context.CancelFunc
	// hurry ends the wait between announcements when Close is called (it
	// ends with stop too).
	hurry     context.Context
	hurryWait context.CancelFunc

	// conn is the announcer's connection (nil until first needed and after
	// it failed). Only the running goroutine uses it, and Close once that
	// goroutine is gone and no other can start.
	conn *pgx.Conn

	// What became of the notices handed over (AnnounceStats).
	sentNotices, sentBatches, droppedNotices, droppedBatches atomic.Uint64

	// Test hooks, nil in production (announce_pace_test.go drives the
	// real loop on a clock of its own): the clock, the wait between
	// announcements (which ends early when hurry ends), and the send.
	now   func() time.Time
	sleep func(hurry context.Context, d time.Duration)
	send  func(stop context.Context, p dbsqlc.NotifyAsyncParams) error
}

func (a *announcer) clock() time.Time {
	if a.now != nil {
		return a.now()
	}
	return time.Now()
}

// pause waits d, or until hurry ends (Close).
func (a *announcer) pause(hurry context.Context, d time.Duration) {
	if a.sleep != nil {
		a.sleep(hurry, d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-hurry.Done():
	}
}

// AnnounceStats counts what the announcer did with the notices of
// committed transactions since the Store was made.
type AnnounceStats struct {
	SentNotices    uint64 // sent as NOTIFYs after commit
	SentBatches    uint64 // announcements sent (a transaction each, and one in every listening backend)
	DroppedNotices uint64 // in batches that could not be sent
	DroppedBatches uint64 // batches that could not be sent (timeout, refused, no connection)
}

// AnnounceStats returns the announcer's counts (for /metrics). A dropped
// batch loses no data: the replicas' seq cross-check delivers its events
// from the log within seconds, only later.
func (s *Store) AnnounceStats() AnnounceStats {
	a := &s.announcer
	return AnnounceStats{
		SentNotices:    a.sentNotices.Load(),
		SentBatches:    a.sentBatches.Load(),
		DroppedNotices: a.droppedNotices.Load(),
		DroppedBatches: a.droppedBatches.Load(),
	}
}

// counted records the fate of a batch of n notices.
func (a *announcer) counted(n int, err error) {
	if err == nil {
		a.sentNotices.Add(uint64(n))
		a.sentBatches.Add(1)
		return
	}
	a.droppedNotices.Add(uint64(n))
	a.droppedBatches.Add(1)
}

// announce queues a committed transaction's notices. A failure to send
// is not the caller's: the data is committed, and the replicas' seq
// cross-check delivers the events from the log within seconds. After
// Close (no goroutine may send any more) it sends them itself, on the
// committing transaction's connection, which it still holds.
func (s *Store) announce(committed *pgx.Conn, owed []announcement) {
	a := &s.announcer
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), announceTimeout)
		defer cancel()
		a.counted(len(owed), s.Q.NotifyAsync(ctx, committed, notifyParams(owed)))
		return
	}
	a.pending = append(a.pending, owed...)
	a.pace.commit(a.clock())
	start := !a.running
	if start {
		a.running = true
		a.done = make(chan struct{})
		if a.stop == nil {
			a.stop, a.stopSend = context.WithCancel(context.Background())
			a.hurry, a.hurryWait = context.WithCancel(a.stop)
		}
	}
	a.mu.Unlock()
	if start {
		go s.sendAnnouncements()
	}
}

func (s *Store) sendAnnouncements() {
	a := &s.announcer
	for {
		a.mu.Lock()
		stop, hurry := a.stop, a.hurry
		wait := a.pace.wait(a.clock())
		if a.closed {
			wait = 0 // Close waits for this loop: send what is held now
		}
		a.mu.Unlock()
		if wait > 0 {
			a.pause(hurry, wait)
		}
		a.mu.Lock()
		batch := a.pending
		a.pending = nil
		if len(batch) == 0 {
			a.running = false
			close(a.done)
			a.mu.Unlock()
			return
		}
		a.pace.sent(a.clock())
		a.mu.Unlock()
		send := s.sendBatch
		if a.send != nil {
			send = a.send
		}
		err := send(stop, notifyParams(batch))
		a.mu.Lock()
		a.pace.sendDone(a.clock())
		a.mu.Unlock()
		a.counted(len(batch), err)
	}
}

// sendBatch sends one batch: on the announcer's connection; when that
// connection broke (killed, restarted server, idle timeout), once more on a
// fresh one; if that fails too, through the pool. A batch whose attempt
// timed out, or that the server refused, is dropped: the replicas' seq
// cross-check (every 2 s) delivers its events from the log. A batch sent
// twice (the connection broke after the NOTIFY) is harmless: the hub drops
// an event whose seq it has delivered. It returns nil when the batch was
// sent, else why it was dropped.
func (s *Store) sendBatch(stop context.Context, p dbsqlc.NotifyAsyncParams) error {
	a := &s.announcer
	for attempt := 0; attempt < 2; attempt++ {
		if err := stop.Err(); err != nil {
			return err
		}
		if a.conn == nil || a.conn.IsClosed() {
			a.conn = nil
			conn, err := s.connectAnnouncer(stop)
			if err != nil {
				break // the pool may still get through
			}
			a.conn = conn
		}
		ctx, cancel := context.WithTimeout(stop, announceTimeout)
		err := s.Q.NotifyAsync(ctx, a.conn, p)
		cancel()
		switch {
		case err == nil:
			return nil
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || stop.Err() != nil:
			return err
		case !a.conn.IsClosed():
			return err // the server refused the statement: again would not help
		}
		// The connection broke: try again on a fresh one.
	}
	if s.Pool == nil {
		return errors.New("store has no pool")
	}
	if err := stop.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(stop, announceTimeout)
	defer cancel()
	return s.Q.NotifyAsync(ctx, s.Pool, p)
}

// connectAnnouncer opens the announcer's connection with the pool's
// settings (pool_* options are not among them), named for
// pg_stat_activity, and without the pool's notice collector: nothing it
// runs raises event notices.
func (s *Store) connectAnnouncer(ctx context.Context) (*pgx.Conn, error) {
	if s.Pool == nil {
		return nil, errors.New("store has no pool")
	}
	cfg := s.Pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = announcerApplication
	cfg.OnNotice = nil
	ctx, cancel := context.WithTimeout(ctx, announceTimeout)
	defer cancel()
	return pgx.ConnectConfig(ctx, cfg)
}

// Close sends at once the notices held back by the spacing, waits for
// the announcements being sent (at most until ctx ends, then it aborts
// them) and closes the announcer's connection. It does not
// close the pool: call it before closing the pool, so that a test
// database can be dropped and nothing announces on a closed pool. After
// Close, Tx still works and announces its events itself, on its own
// connection, before it returns. Close is safe to call more than once; it
// returns the error of closing the connection.
func (s *Store) Close(ctx context.Context) error {
	a := &s.announcer
	a.mu.Lock()
	a.closed = true
	done, stopSend := a.done, a.stopSend
	if a.hurryWait != nil {
		a.hurryWait() // a loop waiting out the spacing sends at once
	}
	a.mu.Unlock()
	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			stopSend()
			<-done
		}
	}
	if stopSend != nil {
		stopSend()
	}
	a.mu.Lock()
	conn := a.conn
	a.conn = nil
	a.mu.Unlock()
	if conn == nil {
		return nil
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	return conn.Close(cctx)
}

func notifyParams(batch []announcement) dbsqlc.NotifyAsyncParams {
	p := dbsqlc.NotifyAsyncParams{Channels: make([]string, len(batch)), Payloads: make([]string, len(batch))}
	for i, n := range batch {
		p.Channels[i], p.Payloads[i] = n.channel, n.payload
	}
	return p
}

// NotifyAsync sends NOTIFYs (channels[i], payloads[i]) in one transaction
// that does not wait for the disk: for notices that carry no data of
// record (presence, liveness pings). It returns the database's error.
func (s *Store) NotifyAsync(ctx context.Context, channels, payloads []string) error {
	return Err(s.Q.NotifyAsync(ctx, s.Pool, dbsqlc.NotifyAsyncParams{Channels: channels, Payloads: payloads}), "")
}
