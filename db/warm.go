package db

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Warm connections (docs/operations.md, "Starting").
//
// A connection is cold when it is new: pgx prepares each statement on a
// connection the first time it is used there (its statement cache: a
// Parse and Describe round trip before the statement runs), and the
// PostgreSQL backend behind it loads the tables', types' and functions'
// catalogue entries while it parses. A freshly started replica opens its
// pool's connections on first demand, so its first writes paid for both,
// on every connection: in the seventeenth round (docs/benchmarks.md) the
// first second after a start had a p99 of 150-378 ms where later seconds
// had 10-50 ms.
//
// Warm makes a starting replica open all of its pool's connections and
// prepare, on each, the statements of the requests made most (hotStatements),
// before it listens, so that its first requests find them ready. From then
// on every connection the pool opens (one replaced after its lifetime, or
// after an error) is prepared the same way in AfterConnect, before it is
// handed out. Preparing parses and describes; then warmExec
// (warm_exec.go) runs the statements once in a transaction it rolls back,
// so that the backend has planned them and compiled the triggers'
// functions too, and writes nothing anyone sees.
//
// A statement is prepared under its own text as its name (pgx's
// Conn.Prepare with name == sql): pgx then finds it by the text that
// Query, QueryRow, Exec and SendBatch are given, before its statement
// cache, and sends only Bind and Execute, as for a cached statement.

// warmConnTimeout bounds warming one connection the pool opens after
// the start (AfterConnect): past it the connection is used as it is.
//
// The bound is not a context deadline: pgx closes a connection whose
// context ends mid-statement, and a connection that AfterConnect returns
// closed fails the request that asked the pool for it. A statement can
// wait that long on a lock (a migration rewriting a table holds it while
// it rewrites), so past the bound the statement in flight is cancelled
// (PostgreSQL's cancel request: the connection stays usable) and warming
// stops. TestWarmNewConnectionBlockedOnALock.
const warmConnTimeout = 5 * time.Second

// poolWarm is the warming state of a pool from Open.
type poolWarm struct {
	// on: Warm was called (after migrating: before it, the statements
	// may name tables that do not exist yet), so AfterConnect warms each
	// new connection.
	on     atomic.Bool
	logger atomic.Pointer[slog.Logger]
	// What AfterConnect's warming did since Warm: statements sent,
	// connections whose statements ran (warmExec), connections not fully
	// warmed.
	prepared, executed, failed atomic.Uint64
	// parses counts every statement sent to prepare (TracePrepareEnd).
	parses atomic.Uint64
	// connTimeout bounds AfterConnect's warming (warmConnTimeout; tests
	// shorten it).
	connTimeout atomic.Int64
}

// warmPools are the pools from Open, with their warming state.
var warmPools sync.Map // *pgxpool.Pool → *poolWarm

// afterConnect is a pool's AfterConnect: the uuid type, then, once Warm
// was called, the hot statements. A statement that fails to prepare (a
// schema that is not this build's) is left to be prepared on first use,
// as without warming; only a connection that broke is refused.
func (w *poolWarm) afterConnect(ctx context.Context, c *pgx.Conn) error {
	if err := AfterConnect(ctx, c); err != nil || !w.on.Load() {
		return err
	}
	return w.warmBounded(ctx, c)
}

// warmBounded warms c (warmConn) within connTimeout, counts what it did
// and logs a warm-up that fell short. It returns an error only when c
// broke meanwhile.
func (w *poolWarm) warmBounded(ctx context.Context, c *pgx.Conn) error {
	var expired atomic.Bool
	cancelled := make(chan struct{})
	timer := time.AfterFunc(time.Duration(w.connTimeout.Load()), func() {
		defer close(cancelled)
		expired.Store(true)
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = c.PgConn().CancelRequest(cctx) // best effort; warmConn stops anyway
	})
	// stop also waits for the cancel request to have been delivered: the
	// backend then takes it while idle between statements, where
	// PostgreSQL ignores a cancel, and not during the ROLLBACK warmExec
	// sends next (a failed rollback makes pgx close the connection under
	// the request waiting for it).
	stop := func() bool {
		if !expired.Load() {
			return false
		}
		<-cancelled
		return true
	}
	n, ran, err := warmConn(ctx, c, stop)
	if !timer.Stop() {
		// The cancel request has reached PostgreSQL before the connection
		// is handed out, so it cannot cancel the request's statement.
		<-cancelled
	}
	w.prepared.Add(uint64(n))
	if ran {
		w.executed.Add(1)
	}
	if err != nil {
		w.failed.Add(1)
		if l := w.logger.Load(); l != nil {
			if SchemaRefused(err) {
				l.Warn(warmSchemaLine, "prepared", n, "err", err)
			} else {
				l.Warn("a database connection was not fully warmed; its first requests prepare what is missing", "prepared", n, "err", err)
			}
		}
	}
	if c.IsClosed() {
		return err
	}
	return nil
}

// WarmResult says what Warm did.
type WarmResult struct {
	Conns    int           // connections held and warmed (the pool's MaxConns when complete)
	Busy     int           // connections held elsewhere all along (River, a request), not waited for
	Opened   int64         // connections the pool opened meanwhile
	Prepared int           // statements sent to PostgreSQL to prepare (0 on an already warm connection)
	Executed int           // connections whose hot statements ran once, rolled back (warmExec; 0 on warm ones)
	Failed   int           // connections whose statements did not all prepare (Err says why)
	Took     time.Duration // how long it took
	Err      error         // why it stopped short (ctx's end, a connection refused), else nil
}

// warmPoll is how often Warm looks whether the connections it still
// waits for are all held elsewhere.
const warmPoll = 5 * time.Millisecond

// Warm opens all of pool's connections (its MaxConns, at the same time),
// prepares the hot statements on each and runs them once, rolled back
// (warmExec), then returns them to the pool; from then on every
// connection the pool opens is warmed as it opens. Call it once the
// schema is migrated, before serving. It does not wait for a connection
// held elsewhere (a job's, a catch-up's): once every connection of the
// pool is open and held, by Warm or not, it warms those it holds and says
// how many it did not (Busy). ctx bounds it: a connection not warmed by
// then is left to warm itself on first use, and the result says so (Err).
// It never fails otherwise: a cold connection is slower, not wrong. A pool
// not from Open is warmed now but not later.
func Warm(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) WarmResult {
	start := time.Now()
	opened := pool.Stat().NewConnsCount()
	var w *poolWarm
	if v, ok := warmPools.Load(pool); ok {
		w = v.(*poolWarm)
		w.logger.Store(logger)
		w.on.Store(true)
	}
	n := int(pool.Config().MaxConns)
	conns := make([]*pgxpool.Conn, n)
	prepared := make([]int, n)
	executed := make([]bool, n)
	errs := make([]error, n)
	// Every connection is held until all are acquired, so that the n
	// acquisitions get n different connections. An acquisition that can
	// only be served by a release elsewhere is given up (busy).
	acquireCtx, giveUp := context.WithCancel(ctx)
	defer giveUp()
	var wg sync.WaitGroup
	var pending, got atomic.Int64 // acquisitions not returned; returned with a connection
	pending.Store(int64(n))
	acquiredBefore := pool.Stat().AcquireCount()
	for i := range n {
		wg.Go(func() {
			c, err := pool.Acquire(acquireCtx)
			if err == nil {
				got.Add(1)
			}
			pending.Add(-1)
			if err != nil {
				errs[i] = err
				return
			}
			conns[i] = c
			// A connection opened before Warm (the ping's, migrations')
			// is warmed here; one opened since, by AfterConnect, and
			// Prepare finds each statement prepared, with no round trip.
			prepared[i], executed[i], errs[i] = warmConn(ctx, c.Conn(), nil)
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	// The pool is full with nothing idle or being opened while some of
	// ours wait: those can only be served by a release elsewhere. But a
	// connection the pool has handed to one of ours is "acquired" too
	// while its Acquire still runs (PrepareConn warms it, a ping checks
	// it: under load for a second), so the wait is given up only when
	// every acquisition the pool counted since Warm began has come back
	// to us, and the same on two looks in a row (the pool counts a new
	// connection's acquisition a moment after it stops opening it).
	busy, stalls := false, 0
	tick := time.NewTicker(warmPoll)
	defer tick.Stop()
wait:
	for {
		select {
		case <-done:
			break wait
		case <-tick.C:
			ours := got.Load()
			s := pool.Stat()
			if pending.Load() > 0 && s.AcquireCount()-acquiredBefore <= ours &&
				s.IdleConns() == 0 && s.ConstructingConns() == 0 && s.TotalConns() >= s.MaxConns() {
				stalls++
			} else {
				stalls = 0
			}
			if !busy && stalls >= 2 {
				busy = true
				giveUp()
			}
		}
	}
	r := WarmResult{Opened: pool.Stat().NewConnsCount() - opened}
	var failed []error
	for i, c := range conns {
		if c == nil {
			if busy && ctx.Err() == nil && errors.Is(errs[i], context.Canceled) {
				r.Busy++
				continue
			}
			failed = append(failed, errs[i])
			continue
		}
		r.Conns++
		c.Release()
		r.Prepared += prepared[i]
		if executed[i] {
			r.Executed++
		}
		if errs[i] != nil {
			r.Failed++
			failed = append(failed, errs[i])
		}
	}
	r.Err = errors.Join(failed...)
	if w != nil {
		r.Prepared += int(w.prepared.Swap(0))
		r.Executed += int(w.executed.Swap(0))
		r.Failed += int(w.failed.Swap(0))
	}
	r.Took = time.Since(start)
	return r
}

// warmConn prepares the transaction settings' statements and the hot
// statements on c and returns how many it sent to PostgreSQL (those
// already prepared on c cost nothing; counted on a pool from Open only).
// It goes on past a statement that fails and returns the errors joined.
func warmConn(ctx context.Context, c *pgx.Conn, stop func() bool) (sent int, ran bool, err error) {
	c.PgConn().CustomData()[warmTriedKey] = true
	var errs []error
	ctx = context.WithValue(ctx, warmCountKey{}, &sent)
	stopped := false
	prepare := func(name, sql string) {
		if ctx.Err() != nil || c.IsClosed() || stopped {
			return
		}
		if stop != nil && stop() {
			stopped = true
			errs = append(errs, errWarmTimeout)
			return
		}
		if _, err := c.Prepare(ctx, name, sql); err != nil {
			errs = append(errs, err)
		}
	}
	for form, f := range settingsForms {
		if form&1 == 0 {
			continue // the forms without announce: a pool from Open announces
		}
		prepare(f.name, f.sql) // Store.Tx's EXECUTE of its settings at BEGIN
		prepare(f.sql, f.sql)  // txOne's pipeline and Store.Tx's other form
	}
	for _, sql := range hotStatements() {
		prepare(sql, sql)
	}
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	if len(errs) == 0 && !c.IsClosed() {
		// Then run them once, rolled back (warm_exec.go).
		if ran, err = warmExec(ctx, c, stop); err != nil {
			errs = append(errs, err)
		}
	}
	return sent, ran, errors.Join(errs...)
}

var errWarmTimeout = errors.New("db: warming the connection took too long")

// warmSchemaLine is the warning for a connection whose statements the
// database refused for its schema (SchemaRefused): not "its first requests
// prepare what is missing", which is right for a warm-up cut short (its
// time, a cancel) but not here, where the requests that use those
// statements fail the same way, however often they prepare them.
const warmSchemaLine = "a database connection's statements did not all prepare: the database's schema is not this build's " +
	"(a newer build migrated it, FAMILYHUB_ALLOW_NEWER_SCHEMA), and the requests that use them fail the same way until this build is replaced by that one"

// SchemaRefused reports whether err (a warm-up's, errors joined) holds a
// statement that PostgreSQL refused for what the schema has: SQLSTATE
// class 42 (a table, column, function or type missing or not as the
// statement names it). A database migrated by a newer build with
// FAMILYHUB_ALLOW_NEWER_SCHEMA that dropped or changed something this
// build uses; or a database without FamilyHub's schema.
func SchemaRefused(err error) bool {
	switch e := err.(type) {
	case *pgconn.PgError:
		return strings.HasPrefix(e.Code, "42")
	case interface{ Unwrap() []error }:
		return slices.ContainsFunc(e.Unwrap(), SchemaRefused)
	case interface{ Unwrap() error }:
		return SchemaRefused(e.Unwrap())
	}
	return false
}

// warmCountKey marks warmConn's context: TracePrepareEnd counts there
// the statements it sent.
type warmCountKey struct{}

// TracePrepareStart is the pool's pgx.PrepareTracer: pgx calls it only
// when a statement is prepared (once per statement and connection), so
// it costs the statements' execution nothing.
func (w *poolWarm) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	return ctx
}

// TracePrepareEnd counts the statements sent to PostgreSQL to prepare.
func (w *poolWarm) TracePrepareEnd(ctx context.Context, _ *pgx.Conn, data pgx.TracePrepareEndData) {
	if data.AlreadyPrepared {
		return
	}
	w.parses.Add(1)
	if n, ok := ctx.Value(warmCountKey{}).(*int); ok {
		*n++
	}
}

// Parses returns how many statements pool's connections sent PostgreSQL
// to prepare (Parse and Describe) since Open: on first use of each
// statement on each connection, or when warmed. 0 for a pool not from
// Open.
func Parses(pool *pgxpool.Pool) uint64 {
	if v, ok := warmPools.Load(pool); ok {
		return v.(*poolWarm).parses.Load()
	}
	return 0
}

// hotStatements are the texts of the statements the requests made most
// run (TestWarmReplicaFirstRequests fails when one of its requests
// prepares a statement the replica did not warm): the session lookup, the
// shopping list's reads, the one-statement writes (an item's add, tick
// and edit, a task's completion: txone.go) and the realtime socket's
// hello and catch-up. Each text is taken from its dbsqlc method, run on a
// DBTX that only notes it, so the list follows the queries as sqlc writes
// them.
var hotStatements = sync.OnceValue(func() []string {
	q, ctx := dbsqlc.New(), context.Background()
	var r sqlRecorder
	id := uuid.Nil
	for _, run := range []func(){
		func() { q.SessionAuthenticate(ctx, &r, nil) },
		func() { q.ShoppingListList(ctx, &r, id) },
		func() { q.ShoppingListGet(ctx, &r, dbsqlc.ShoppingListGetParams{}) },
		func() { q.ShoppingItemListByList(ctx, &r, dbsqlc.ShoppingItemListByListParams{}) },
		func() { q.ShoppingCategoryList(ctx, &r, id) },
		func() { q.ShoppingItemAddOne(ctx, &r, dbsqlc.ShoppingItemAddOneParams{}) },
		func() { q.ShoppingItemTick(ctx, &r, dbsqlc.ShoppingItemTickParams{}) },
		func() { q.ShoppingItemEdit(ctx, &r, dbsqlc.ShoppingItemEditParams{}) },
		func() { q.TaskCompleteOne(ctx, &r, dbsqlc.TaskCompleteOneParams{}) },
		func() { q.EventLogListSince(ctx, &r, dbsqlc.EventLogListSinceParams{}) },
		func() { q.FamilySeqGet(ctx, &r, id) },
		func() { q.FamilySeqGetMember(ctx, &r, dbsqlc.FamilySeqGetMemberParams{}) },
	} {
		run()
	}
	return r.sql
})

// sqlRecorder is a dbsqlc.DBTX that notes each statement's text and runs
// nothing.
type sqlRecorder struct{ sql []string }

var errRecorded = errors.New("db: statement recorded, not run")

func (r *sqlRecorder) Exec(_ context.Context, sql string, _ ...any) (pgconn.CommandTag, error) {
	r.sql = append(r.sql, sql)
	return pgconn.CommandTag{}, errRecorded
}

func (r *sqlRecorder) Query(_ context.Context, sql string, _ ...any) (pgx.Rows, error) {
	r.sql = append(r.sql, sql)
	return nil, errRecorded
}

func (r *sqlRecorder) QueryRow(_ context.Context, sql string, _ ...any) pgx.Row {
	r.sql = append(r.sql, sql)
	return errRow{errRecorded}
}

// TraceQueryStart and TraceQueryEnd make poolWarm a pgx.QueryTracer, the
// type of ConnConfig.Tracer. A statement that succeeded costs them
// nothing (no allocation); one that failed because its prepared form no
// longer fits marks its connection (markStale).
func (w *poolWarm) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (w *poolWarm) TraceQueryEnd(_ context.Context, c *pgx.Conn, data pgx.TraceQueryEndData) {
	if data.Err != nil {
		markStale(c, data.Err)
	}
}

// TraceBatchStart, TraceBatchQuery and TraceBatchEnd make poolWarm a
// pgx.BatchTracer, so that a batch's statement (txOne's pipeline) that
// failed marks its connection too.
func (w *poolWarm) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (w *poolWarm) TraceBatchQuery(_ context.Context, c *pgx.Conn, data pgx.TraceBatchQueryData) {
	if data.Err != nil {
		markStale(c, data.Err)
	}
}

func (w *poolWarm) TraceBatchEnd(_ context.Context, c *pgx.Conn, data pgx.TraceBatchEndData) {
	if data.Err != nil {
		markStale(c, data.Err)
	}
}

// Stale statements. A warmed statement is one pgx prepared explicitly
// (Prepare with its text as name), and pgx never drops those by itself:
// its statement cache drops a statement that failed, so that the next use
// prepares it anew, but an explicit one stays. Once a column a statement
// returns changes type (a newer replica's migration, in a rolling
// upgrade) PostgreSQL refuses to run it ("cached plan must not change
// result type", 0A000), and would refuse on that connection until it
// closed (MaxConnLifetime); one deallocated behind pgx's back (DISCARD
// ALL, DEALLOCATE) is missing (26000) just as long.
// TestWarmStatementsSurviveASchemaChange.
//
// So such an error marks its connection, and before the pool hands the
// connection out again (prepareConn) its prepared statements are all
// deallocated, pgx's caches with them: the connection is then as one
// never warmed, whose statements pgx prepares on first use. 0A000 is
// also PostgreSQL's code for other features it lacks; deallocating
// after one of those costs a round trip and some Parses, nothing more.
const staleKey = "familyhub.db.stale"

// markStale marks c when err says a prepared statement no longer fits.
// pgx calls its tracer on the goroutine using c, and prepareConn runs
// with c out of the pool, so c's CustomData needs no lock.
func markStale(c *pgx.Conn, err error) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "0A000" || pgErr.Code == "26000") {
		c.PgConn().CustomData()[staleKey] = true
	}
}

// prepareConn is the pool's PrepareConn: a connection never warmed since
// Warm is warmed, and a connection marked stale has its prepared
// statements deallocated before it is handed out (one round trip); when
// either breaks it, the pool closes it and hands out another.
func (w *poolWarm) prepareConn(ctx context.Context, c *pgx.Conn) (bool, error) {
	data := c.PgConn().CustomData()
	if _, tried := data[warmTriedKey]; !tried && w.on.Load() {
		// A connection that was busy elsewhere all through Warm (or open
		// before it and not acquired by it) is warmed the first time it is
		// handed out, once, as AfterConnect warms a new one. Not with the
		// acquirer's context: Warm gives up its waiting acquisitions by
		// cancelling theirs, and pgx would close the connection mid-statement.
		if err := w.warmBounded(context.WithoutCancel(ctx), c); err != nil || c.IsClosed() {
			return false, nil
		}
	}
	if _, stale := data[staleKey]; !stale {
		return true, nil
	}
	delete(data, staleKey)
	if err := c.DeallocateAll(ctx); err != nil {
		if l := w.logger.Load(); l != nil {
			l.Warn("a database connection's stale statements were not deallocated; it is closed", "err", err)
		}
		return false, nil
	}
	return true, nil
}
