package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	nethttp "net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// parseLog counts the Parse messages the pool's connections send
// PostgreSQL for requests: it reads every message a connection writes
// (its pgproto3 frontend's writer), and a pgx tracer, chained before the
// pool's own, says whether the connection is working for a request. A
// request's database work runs under the request's context, which
// net/http marks with the local address; the replica's background work
// (jobs, presence, the notifier) does not, and is not counted. Every
// statement that is not prepared on the connection is parsed (a Parse
// and Describe round trip before it runs), whether pgx prepares it for
// its statement cache or in a batch's pipeline.
type parseLog struct {
	next    pgx.QueryTracer
	writers sync.Map // *pgproto3.Frontend → *parseWriter

	mu  sync.Mutex
	sql []string // statements parsed for requests, in order
}

func (l *parseLog) buildFrontend(r io.Reader, w io.Writer) *pgproto3.Frontend {
	pw := &parseWriter{w: w, log: l}
	f := pgproto3.NewFrontend(r, pw)
	l.writers.Store(f, pw)
	return f
}

// working notes whether c works for a request from now on.
func (l *parseLog) working(ctx context.Context, c *pgx.Conn) {
	if pw, ok := l.writers.Load(c.PgConn().Frontend()); ok {
		pw.(*parseWriter).request.Store(ctx.Value(nethttp.LocalAddrContextKey) != nil)
	}
}

func (l *parseLog) TraceQueryStart(ctx context.Context, c *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.working(ctx, c)
	return l.next.TraceQueryStart(ctx, c, d)
}

func (l *parseLog) TraceQueryEnd(ctx context.Context, c *pgx.Conn, d pgx.TraceQueryEndData) {
	l.next.TraceQueryEnd(ctx, c, d)
}

func (l *parseLog) TraceBatchStart(ctx context.Context, c *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	l.working(ctx, c)
	return ctx
}

func (l *parseLog) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (l *parseLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (l *parseLog) TracePrepareStart(ctx context.Context, c *pgx.Conn, d pgx.TracePrepareStartData) context.Context {
	l.working(ctx, c)
	if pt, ok := l.next.(pgx.PrepareTracer); ok {
		return pt.TracePrepareStart(ctx, c, d)
	}
	return ctx
}

func (l *parseLog) TracePrepareEnd(ctx context.Context, c *pgx.Conn, d pgx.TracePrepareEndData) {
	if pt, ok := l.next.(pgx.PrepareTracer); ok {
		pt.TracePrepareEnd(ctx, c, d)
	}
}

// since returns the statements parsed for requests after the first n.
func (l *parseLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.sql[n:])
}

func (l *parseLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sql)
}

// parseWriter reads the messages a connection writes and notes the
// query of each Parse written while the connection works for a request.
type parseWriter struct {
	w       io.Writer
	log     *parseLog
	request atomic.Bool
	started bool   // the startup message (which has no type byte) is past
	buf     []byte // the start of a message not written whole yet
}

func (p *parseWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		head := 5 // type byte and length
		if !p.started {
			head = 4 // the startup message: length only
		}
		if len(p.buf) < head {
			break
		}
		n := head - 4 + int(binary.BigEndian.Uint32(p.buf[head-4:]))
		if len(p.buf) < n {
			break
		}
		if p.started && p.buf[0] == 'P' && p.request.Load() {
			// Parse: the statement's name and its query, each NUL-ended.
			body := p.buf[5:n]
			_, rest, _ := bytes.Cut(body, []byte{0})
			query, _, _ := bytes.Cut(rest, []byte{0})
			p.log.mu.Lock()
			p.log.sql = append(p.log.sql, string(query))
			p.log.mu.Unlock()
		}
		p.started = true
		p.buf = p.buf[n:]
	}
	p.buf = slices.Clip(p.buf) // the next append does not write over what was passed on
	return p.w.Write(b)
}

// queryName is a statement's sqlc name (its first line) or its start.
func queryName(sql string) string {
	if name, ok := strings.CutPrefix(sql, "-- name: "); ok {
		return strings.Fields(name)[0]
	}
	return sql[:min(len(sql), 60)]
}

// TestWarmReplicaFirstRequests starts a replica as a deploy does, on a
// database another replica has been serving, and counts what its first
// requests of each hot kind (the session lookup, the shopping list's
// reads, adding and ticking an item, the realtime catch-up) cost besides
// their statements: a replica that says it is ready has opened its
// pool's connections and prepared the statements on each, so they open
// no connection and prepare nothing (db.Warm). Then as many adds at once
// as the pool has connections, twice: no connection is opened for them
// either.
func TestWarmReplicaFirstRequests(t *testing.T) {
	parallelInQuickLoop(t)
	url := dbtest.URL(t)
	old := startMain(t, url)
	ana := newFamily(t, old, "ana@example.org")
	list := ana.newList(t, old.URL())
	item := ana.addItem(t, old.URL(), list)
	old.Close()

	// The new replica, as serve starts it (session cache on), with a
	// tracer chained after the pool's own.
	log := &parseLog{}
	m := NewMain(Config{DatabaseURL: url, Addr: "127.0.0.1:0", Signup: "open", SessionCacheTTL: 30 * time.Second}, testLogger())
	m.PoolConfig = func(c *pgxpool.Config) {
		log.next = c.ConnConfig.Tracer
		c.ConnConfig.Tracer = log
		c.ConnConfig.BuildFrontend = log.buildFrontend
	}
	if err := m.Run(t.Context()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	size := m.Pool.Config().MaxConns
	opened := m.Pool.Stat().NewConnsCount()
	parsed := log.len()

	base := m.URL()
	ana.call(t, base, 200, "GET", "/api/shopping/lists", nil, nil)
	ana.call(t, base, 200, "GET", "/api/shopping/lists/"+list, nil, nil)
	ana.call(t, base, 200, "GET", "/api/shopping/categories", nil, nil)
	ws := dialWS(t, m, ana, "since=1") // catches up from the family's first event
	ws.nextType("hello", 5*time.Second)
	ana.addItem(t, base, list)
	ana.call(t, base, 200, "PATCH", "/api/shopping/items/"+item, map[string]any{"checked": true}, nil)
	ana.call(t, base, 200, "PATCH", "/api/shopping/items/"+item, map[string]any{"quantity": "2"}, nil)
	first := log.since(parsed)
	firstOpened := m.Pool.Stat().NewConnsCount() - opened

	// As many adds at once as the pool has connections, twice over.
	var wg sync.WaitGroup
	for range 2 * size {
		wg.Go(func() { ana.addItem(t, base, list) })
	}
	wg.Wait()
	allOpened := m.Pool.Stat().NewConnsCount() - opened
	t.Logf("pool of %d: connections opened by the first requests %d, by them and %d adds at once %d; statements prepared for requests %d (of them by the first requests %d)",
		size, firstOpened, 2*size, allOpened, len(log.since(parsed)), len(first))
	if allOpened != 0 {
		t.Errorf("the first requests opened %d connections (pool of %d), want 0: the replica was ready with its pool not open", allOpened, size)
	}
	if got := log.since(parsed); len(got) != 0 {
		names := make([]string, len(got))
		for i, s := range got {
			names[i] = queryName(s)
		}
		t.Errorf("the first requests prepared %d statements, want 0 (each is a round trip a warm connection saves): %s", len(got), strings.Join(names, ", "))
	}
	if p := db.Parses(m.Pool); p == 0 {
		t.Errorf("db.Parses = 0: the pool's own tracer was not called")
	}
}
