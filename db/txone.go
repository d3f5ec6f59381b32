package db

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// One-statement transactions.
//
// The writes the PWA makes most (add an item, tick it) are one statement
// each. In a Store.Tx such a write costs the replica three round trips to
// PostgreSQL and PostgreSQL three commands: BEGIN with the settings, the
// statement, COMMIT. PostgreSQL runs the extended-protocol messages up to
// a Sync as one implicit transaction: committed at the Sync when all of
// them succeeded, rolled back when one failed. txOne sends the settings and
// the statement that way, as one pipeline with one Sync (a pgx batch): one
// round trip and one transaction, with the same triggers, the same events
// and the same announcement after commit as Store.Tx.
//
// The statement is planned with its generic plan (plan_cache_mode, local
// to the transaction). These statements carry switches as parameters
// (auto-categorisation on or off, a client id or none, an If-Match or
// none), and PostgreSQL's plan cache compares the generic plan with plans
// made for the values at hand, which fold such a switch away and so look
// cheaper: with auto-categorisation off, it planned ShoppingItemAddOne
// anew on every execution, 1.2 ms of planning per add, about as much as
// the rest of the add's work (docs/benchmarks-history-3.md, ninth round). The generic plan is the same index
// lookups whatever the values.
//
// Only operations written for it use it, through oneOrTx
// (Store.ShoppingItemAdd, Store.ShoppingItemUpdate, Store.TaskComplete):
// each is a single statement that writes nothing when it cannot do its
// work, so that falling back to the operation's Store.Tx form, which then
// tells why, repeats nothing. One read uses it too, for the generic plan
// alone: Store.EventLogListSince.

// EventLogListSince is the event log's catch-up read (dbsqlc's
// EventLogListSince: a family's events after a seq, oldest first, at most
// MaxEvents) with its generic plan, in one round trip. PostgreSQL's own
// choice planned it anew on every execution: for a seq past the
// statistics' histogram, the tail a catch-up reads, the plan made for the
// values expects one row and looks cheaper than the generic one, which is
// the same primary-key range scan in seq order and never worse
// (docs/realtime.md, "Plans"). A pool's statement outside Store.Tx, it
// gets the setting as one-statement writes do.
func (s *Store) EventLogListSince(ctx context.Context, p dbsqlc.EventLogListSinceParams) ([]dbsqlc.EventLog, error) {
	var rows []dbsqlc.EventLog
	err := s.txOne(ctx, func(q dbsqlc.DBTX) (err error) {
		rows, err = s.Q.EventLogListSince(ctx, q, p)
		return err
	})
	return rows, err
}

// errOneStatement is a programming error: a one-statement transaction
// was asked for something other than one QueryRow or Query.
var errOneStatement = errors.New("db: a one-statement transaction takes exactly one QueryRow or Query")

// txOne runs fn, which sends one statement through q.QueryRow (or, for a
// read, q.Query), as a transaction of its own on behalf of ctx's caller,
// in one round trip.
// fn's error comes back as it is (not through Err): the caller decides
// what a missing row or a failed statement means.
func (s *Store) txOne(ctx context.Context, fn func(q dbsqlc.DBTX) error) error {
	c, err := s.acquireTx(ctx, familyhub.AuthFromContext(ctx))
	if err != nil {
		return err
	}
	defer c.release()
	set := c.set
	set.genericPlans = true
	if err := fn(&oneStatement{conn: c.pc.Conn(), set: set}); err != nil {
		return err
	}
	s.announceOwed(c)
	return nil
}

// oneOrTx is how an operation uses txOne: it runs one, the operation as
// a single statement, as a transaction of its own. When that statement
// matched no row, or lost a race with a concurrent delete (a foreign key
// violation), it wrote nothing, and full, the operation's ordinary form,
// runs in a Store.Tx and gives the answer (not found, forbidden, stale, a
// replay) or does the work. Either runs again, as TxRetry does, when
// PostgreSQL failed it for a deadlock or a serialization failure: the
// statement and full start afresh on each try. Errors come back through Err, about
// what.
func oneOrTx[T any](s *Store, ctx context.Context, what string, one func(q dbsqlc.DBTX) (T, error), full func(tx *Tx) (T, error)) (T, error) {
	var v T
	err := s.retried(func() error {
		return s.txOne(ctx, func(q dbsqlc.DBTX) (err error) {
			v, err = one(q)
			return err
		})
	})
	if err == nil || !(isNoRows(err) || isForeignKeyViolation(err)) {
		return v, Err(err, what)
	}
	return txValue(s, ctx, full)
}

// txValue runs fn in a Store.TxRetry and returns what it returned.
func txValue[T any](s *Store, ctx context.Context, fn func(tx *Tx) (T, error)) (T, error) {
	var v T
	err := s.TxRetry(ctx, func(tx *Tx) (err error) {
		v, err = fn(tx)
		return err
	})
	return v, err
}

// oneStatement is the dbsqlc.DBTX of txOne: its QueryRow (or Query) sends
// the transaction's settings and the statement in one pipeline. It takes
// one statement, and no Exec (an operation's one statement returns what
// it wrote, so that no re-read is needed).
type oneStatement struct {
	conn *pgx.Conn
	set  txSettings
	sent bool
}

func (o *oneStatement) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, errOneStatement
}

// Query is for a read (EventLogListSince): the rows end the pipeline.
func (o *oneStatement) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if o.sent {
		return nil, errOneStatement
	}
	br, settings := o.send(ctx, sql, args)
	if settings {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, err
		}
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &oneRows{Rows: rows, br: br}, nil
}

func (o *oneStatement) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if o.sent {
		return errRow{errOneStatement}
	}
	br, settings := o.send(ctx, sql, args)
	return &oneRow{br: br, settings: settings}
}

// send sends the settings (when there are any, settings) and the
// statement as one pipeline.
func (o *oneStatement) send(ctx context.Context, sql string, args []any) (br pgx.BatchResults, settings bool) {
	o.sent = true
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, 2)} // the settings and the statement
	settings = o.set.needed()
	if settings {
		q, a := o.set.params()
		b.Queue(q, a...)
	}
	b.Queue(sql, args...)
	return o.conn.SendBatch(ctx, b), settings
}

// oneRows are the statement's rows. The pipeline's end (the implicit
// transaction's commit) is read when Next reaches the end of the rows, or
// at Close; Err tells either's error.
type oneRows struct {
	pgx.Rows
	br     pgx.BatchResults
	closed bool
	err    error
}

func (r *oneRows) Next() bool {
	if r.closed {
		return false
	}
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *oneRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	r.err = r.Rows.Err()
	if cerr := r.br.Close(); r.err == nil {
		r.err = cerr
	}
}

func (r *oneRows) Err() error {
	if !r.closed {
		return r.Rows.Err()
	}
	return r.err
}

// oneRow is the statement's row. Scan reads it and then the pipeline's
// end: the commit happens at the Sync, so a failed commit (a deferred
// trigger's error) is Scan's error too.
type oneRow struct {
	br       pgx.BatchResults
	settings bool
}

func (r *oneRow) Scan(dest ...any) error {
	var err error
	if r.settings {
		_, err = r.br.Exec()
	}
	if err == nil {
		err = r.br.QueryRow().Scan(dest...)
	}
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// errRow is a pgx.Row that fails.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
