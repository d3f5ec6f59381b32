package db

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Tx is one transaction on behalf of one caller (the familyhub.Auth the
// context carried when it began). The domain operations are its methods:
// each scopes every query to the caller's family, so another family's row
// is "not found", and writes only inside the transaction, so a refused
// request writes nothing.
//
// Tx embeds pgx.Tx: it is also a dbsqlc.DBTX, for the few low-level
// queries of jobs and tests.
type Tx struct {
	pgx.Tx
	store *Store
	auth  *familyhub.Auth
	q     *dbsqlc.Queries
	// authChanged: the transaction ended or rotated sessions or changed a
	// membership, so the session cache is cleared once it commits
	// (markAuthChanged). Shared by every Tx of one transaction (WithAuth,
	// Savepoint), so that a change made through a copy is not missed.
	authChanged *bool
}

// markAuthChanged notes that this transaction changes what a session
// token stands for: every write to sessions (but its last-seen note) or
// memberships calls it, so that this replica's SessionCache forgets at
// commit, before the response, rather than when the notice comes back.
func (tx *Tx) markAuthChanged() { *tx.authChanged = true }

// Tx runs fn in a transaction and commits when fn returns nil. When ctx
// carries a familyhub.Auth, it is the transaction's caller: it is told to
// PostgreSQL (familyhub.actor_id, familyhub.device_id) so that the event
// triggers record who made each change. On a pool from Open, the
// transaction's events are announced right after its commit rather than
// inside it (announce.go). Errors from fn and from PostgreSQL come back
// translated by Err.
//
// Telling PostgreSQL the caller costs no round trip of its own when the
// values are safe as literals (txSettings.literal): the settings then go
// with BEGIN in one simple-protocol query, as an EXECUTE of a statement
// prepared once per connection. Otherwise they follow BEGIN as a
// parametrised statement, as before.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	return s.tx(ctx, false, fn)
}

// TxTries is how often TxRetry runs a transaction at most.
const TxTries = 3

// TxRetry is Tx, run again from the start when PostgreSQL rolled it back
// for a deadlock or a serialization failure (Retryable), TxTries tries
// at most: writers that lock several rows in their own order (a merging
// add keeping one line and writing another, a member ticking two) can
// meet the other way round, and PostgreSQL fails whichever side checks
// for the cycle first (40P01), which may be a write that did nothing out
// of order (a list delete). Every transaction a REST request opens runs
// in TxRetry (or oneOrTx, which retries alike): the handlers' own, and
// those the Store opens for them (sign-in and sign-up limits, password
// reset, realtime tickets); TestRESTTransactionsRetry names the few Store
// transactions that do not (jobs', the operator's). So do CalDAV, calendar
// imports and feeds, and the notifier's (TestCalDAVAndNotifierTransactionsRetry
// names the notifier's two that do not). fn runs once per try
// and must start afresh each time: whatever it set outside the
// transaction in a failed try is stale. The last try's error comes back,
// through Err: when every try deadlocked, ErrOtherChange (busy).
func (s *Store) TxRetry(ctx context.Context, fn func(tx *Tx) error) error {
	return s.retried(func() error { return s.Tx(ctx, fn) })
}

// retried runs try, a transaction of its own, again while it failed
// Retryable, TxTries tries at most, noting each retry in the Logger.
func (s *Store) retried(try func() error) error {
	var err error
	for n := 0; n == 0 || Retryable(err) && n < TxTries; n++ {
		if n > 0 {
			s.retriedOne(err, n)
		}
		err = try()
	}
	return err
}

// retriedOne logs that a transaction PostgreSQL failed with err is run
// again (try n+1): for a DBA, how often writers meet in a lock cycle.
func (s *Store) retriedOne(err error, n int) {
	if s.Logger == nil {
		return
	}
	var pgErr *pgconn.PgError
	errors.As(err, &pgErr)
	s.Logger.Info("transaction retried", "sqlstate", pgErr.Code, "try", n+1, "detail", pgErr.Detail)
}

// TxGenericPlans is Tx with every statement of the transaction planned
// with its generic plan (plan_cache_mode = force_generic_plan, local to
// the transaction), set with the caller's settings at BEGIN: no statement
// or round trip of its own. For transactions whose statements look rows
// up by key, where PostgreSQL's own choice plans some anew on every call
// for no better plan (the notifier's pass, notify.Service.ProcessFamily).
func (s *Store) TxGenericPlans(ctx context.Context, fn func(tx *Tx) error) error {
	return s.tx(ctx, true, fn)
}

func (s *Store) tx(ctx context.Context, generic bool, fn func(tx *Tx) error) error {
	a := familyhub.AuthFromContext(ctx)
	c, err := s.acquireTx(ctx, a)
	if err != nil {
		return Err(err, "")
	}
	defer c.release()
	conn, set := c.pc.Conn(), c.set
	set.genericPlans = generic
	// pgx runs BeginQuery with Exec and no arguments, that is over the
	// simple protocol, which takes several statements in one query; Commit
	// and Rollback are unchanged. Should the settings fail after BEGIN (say
	// the prepared statement was deallocated behind pgx's back; nothing in
	// FamilyHub does that), this transaction fails, the connection is left
	// in a transaction and the pool closes it on release.
	var opts pgx.TxOptions
	after := set.needed()
	if after {
		if q, ok := set.literal(); ok {
			if _, err := conn.Prepare(ctx, set.name(), set.paramsSQL()); err != nil {
				return Err(err, "")
			}
			opts.BeginQuery, after = "BEGIN; "+q, false
		}
	}
	var tx *Tx
	err = pgx.BeginTxFunc(ctx, conn, opts, func(ptx pgx.Tx) error {
		if after {
			q, args := set.params()
			if _, err := ptx.Exec(ctx, q, args...); err != nil {
				return err
			}
		}
		tx = &Tx{Tx: ptx, store: s, auth: a, q: s.Q, authChanged: new(bool)}
		return fn(tx)
	})
	if tx != nil && *tx.authChanged {
		s.Sessions.Clear() // also after a failed commit: it may have committed
	}
	if err == nil {
		s.announceOwed(c)
	}
	return Err(err, "")
}

// txConn is a pool connection taken for one transaction: the settings
// that tell PostgreSQL its caller, and (on a pool that announces) where
// the notices of its events are collected while it runs.
type txConn struct {
	pc   *pgxpool.Conn
	set  txSettings
	owed *[]announcement // nil: the pool does not announce; else &notices
	// notices are the transaction's event notices (owed), kept here so
	// that collecting them costs no allocation of its own.
	notices []announcement
}

// acquireTx takes a connection for a transaction on behalf of a (nil:
// none) and starts collecting its event notices.
func (s *Store) acquireTx(ctx context.Context, a *familyhub.Auth) (*txConn, error) {
	conn, err := s.Pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	c := &txConn{pc: conn}
	if announces(s.Pool) {
		c.owed = &c.notices
		collectors.Store(conn.Conn().PgConn(), c.owed)
	}
	c.set.announce = c.owed != nil
	if a != nil {
		if a.UserID != uuid.Nil {
			c.set.actor = a.UserID.String()
		}
		c.set.device = a.DeviceID
	}
	return c, nil
}

// release stops collecting and gives the connection back to the pool.
func (c *txConn) release() {
	if c.owed != nil {
		collectors.Delete(c.pc.Conn().PgConn())
	}
	c.pc.Release()
}

// announceOwed hands the notices of c's committed transaction to the
// announcer.
func (s *Store) announceOwed(c *txConn) {
	if c.owed != nil && len(*c.owed) > 0 {
		s.announce(c.pc.Conn(), *c.owed)
	}
}

// txSettings are what a transaction tells PostgreSQL through set_config,
// local to the transaction: the caller (actor, a user id, and device, both
// "" for none) for the event triggers, whether to announce events after
// commit (familyhub.announce, announce.go), and whether to plan with
// generic plans only (plan_cache_mode, txone.go says why).
type txSettings struct {
	actor, device string
	announce      bool
	genericPlans  bool
}

// needed reports whether there is anything to set: a transaction with no
// caller on a pool that does not announce sets nothing.
func (t txSettings) needed() bool {
	return t.announce || t.genericPlans || t.actor != "" || t.device != ""
}

// form numbers the four forms of the settings' statement (with or
// without announce, with or without genericPlans).
func (t txSettings) form() int {
	f := 0
	if t.announce {
		f |= 1
	}
	if t.genericPlans {
		f |= 2
	}
	return f
}

// settingsForms are each form's statement name and text with parameters,
// made once: every transaction sends one of them, and building them per
// transaction cost three to five allocations (docs/benchmarks-history-4.md,
// fifteenth round).
var settingsForms = func() (forms [4]struct{ name, sql string }) {
	for f := range forms {
		t := txSettings{announce: f&1 != 0, genericPlans: f&2 != 0}
		n := "familyhub_tx_settings"
		if t.announce {
			n += "_announce"
		}
		if t.genericPlans {
			n += "_generic"
		}
		forms[f].name, forms[f].sql = n, t.sql("$1", "$2")
	}
	return forms
}()

// name is the name of the settings' statement prepared on a connection
// (one per form).
func (t txSettings) name() string { return settingsForms[t.form()].name }

// sql is the one statement of the settings, with actor and device given
// as SQL expressions (parameters or literals).
func (t txSettings) sql(actor, device string) string {
	q := "SELECT set_config('familyhub.actor_id', " + actor + ", true), set_config('familyhub.device_id', " + device + ", true)"
	if t.announce {
		q += ", set_config('familyhub.announce', 'after_commit', true)"
	}
	if t.genericPlans {
		q += ", set_config('plan_cache_mode', 'force_generic_plan', true)"
	}
	return q
}

// paramsSQL is the settings' statement with the values as parameters $1
// and $2 (settingsForms).
func (t txSettings) paramsSQL() string { return settingsForms[t.form()].sql }

// params returns the settings' statement with the values as parameters:
// right for any value, at the cost of a round trip of its own.
func (t txSettings) params() (string, []any) {
	return t.paramsSQL(), []any{t.actor, t.device}
}

// literal returns an EXECUTE of the settings' prepared statement (name)
// with the values inlined as string literals, or false when a value is
// not provably safe as one. A user id is a uuid's text; a device id that
// the HTTP layer let through matches the same pattern
// (http.ValidDeviceID), CalDAV's is "caldav". The check is made here, on
// the value itself, not trusted to callers.
//
// Why EXECUTE rather than the SELECT with literals: PostgreSQL would parse
// and plan that SELECT anew in every transaction, which costs its backend
// more CPU than the round trip saves (docs/benchmarks.md); the prepared
// statement is planned once per connection (pgx prepares a name once).
func (t txSettings) literal() (string, bool) {
	if !literalSafe(t.actor) || !literalSafe(t.device) {
		return "", false
	}
	return "EXECUTE " + t.name() + "('" + t.actor + "', '" + t.device + "')", true
}

// literalSafe reports whether s can stand between single quotes in SQL
// as it is: at most 64 bytes of A-Z a-z 0-9 . _ : - (no quote, no
// backslash, nothing that an encoding or standard_conforming_strings
// could turn into one). "" is safe.
func literalSafe(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// Auth returns the transaction's caller, or nil when it has none.
func (tx *Tx) Auth() *familyhub.Auth { return tx.auth }

// caller returns the caller, or EUNAUTHORIZED when the transaction has
// none: every family-scoped operation needs one.
func (tx *Tx) caller() (*familyhub.Auth, error) { return callerOf(tx.auth) }

// callerOf returns a, or EUNAUTHORIZED when a is not a family's caller.
func callerOf(a *familyhub.Auth) (*familyhub.Auth, error) {
	if a == nil || a.FamilyID == uuid.Nil {
		return nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in first.")
	}
	return a, nil
}

// family returns the caller's family id (uuid.Nil with an error when there
// is no caller).
func (tx *Tx) family() (uuid.UUID, error) {
	a, err := tx.caller()
	if err != nil {
		return uuid.Nil, err
	}
	return a.FamilyID, nil
}

// user returns the calling person's id, or nil for the system.
func (tx *Tx) user() *uuid.UUID { return userOf(tx.auth) }

// userOf returns a's user id, or nil when a is no user (nil, the system).
func userOf(a *familyhub.Auth) *uuid.UUID {
	if a == nil || a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

// WithAuth returns the transaction acting for another caller (the same
// transaction): for seeding and for jobs that act for several families.
func (tx *Tx) WithAuth(a *familyhub.Auth) *Tx {
	return &Tx{Tx: tx.Tx, store: tx.store, auth: a, q: tx.q, authChanged: tx.authChanged}
}
