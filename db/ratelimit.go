package db

import (
	"context"
	"net/netip"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Sign-in limits (docs/api.md "Sign-in limits"). They are counted in the
// database (auth_failures), so they hold across replicas, and an attempt
// is counted before its password is checked, under an advisory lock per
// account and per source, so that parallel attempts cannot overtake the
// count: of 100 parallel wrong passwords, at most the limit is verified.
//
// Failures lock an account for one address only: a child's typos on the
// family tablet (or an attacker's guesses) do not lock a parent out of their
// own phone. An address is an IPv4 address or an IPv6 /64 (one household
// or one host's addresses). Beyond that, many failures for one account
// from everywhere lock it everywhere, and failures for many accounts from
// one address lock that address. An owner can unlock a member at once.
const (
	// LoginWindow is how far back failures count (login, CalDAV, PIN, reset).
	LoginWindow = 15 * time.Minute
	// MaxFailuresPerAccountAndAddr failures of one account from one address
	// lock that account from that address.
	MaxFailuresPerAccountAndAddr = 10
	// MaxFailuresPerAccount failures of one account from all addresses
	// lock it everywhere.
	MaxFailuresPerAccount = 50
	// MaxAccountsPerAddr accounts failing from one address lock the address.
	MaxAccountsPerAddr = 20
	// MaxFailuresByEmail is what one client sees: the failures of one
	// account after which it is refused (from that client's address).
	MaxFailuresByEmail = MaxFailuresPerAccountAndAddr

	// MaxPINFailuresPerChildAndDevice wrong PINs for one child on one
	// device lock that child there; MaxPINFailuresPerChild lock the child
	// on every device; MaxPINFailuresPerDevice lock the device.
	MaxPINFailuresPerChildAndDevice = 5
	MaxPINFailuresPerChild          = 20
	MaxPINFailuresPerDevice         = 20

	// SignupWindow and MaxSignupsPerAddr bound sign-up attempts (that got
	// past input validation) from one address, successful or not.
	SignupWindow      = time.Hour
	MaxSignupsPerAddr = 20

	// MaxResetFailuresPerAccount wrong reset codes for one email lock its
	// resets (MaxResetFailuresPerAccountAndAddr from one address).
	MaxResetFailuresPerAccountAndAddr = 5
	MaxResetFailuresPerAccount        = 10

	// authFailureRetention is how long attempts are kept at all.
	authFailureRetention = 24 * time.Hour
)

// limits are the limits of one kind of attempt; 0 is no limit.
type limits struct {
	kind           string
	window         time.Duration
	pair           int // per account and source
	account        int // per account, any source
	source         int // per source, any account
	sourceAccounts int // distinct accounts per source
	err            *familyhub.Error
}

var (
	loginLimits = limits{kind: "login", window: LoginWindow,
		pair: MaxFailuresPerAccountAndAddr, account: MaxFailuresPerAccount, sourceAccounts: MaxAccountsPerAddr,
		err: ErrRateLimited}
	pinLimits = limits{kind: "pin", window: LoginWindow,
		pair: MaxPINFailuresPerChildAndDevice, account: MaxPINFailuresPerChild, source: MaxPINFailuresPerDevice,
		err: familyhub.Errorf(familyhub.ERATELIMITED, "Too many wrong PINs; ask a grown-up, or try again in %d minutes.", int(LoginWindow.Minutes()))}
	signupLimits = limits{kind: "signup", window: SignupWindow, source: MaxSignupsPerAddr,
		err: familyhub.Errorf(familyhub.ERATELIMITED, "Too many sign-ups from your network; try again in an hour.")}
	resetLimits = limits{kind: "reset", window: LoginWindow,
		pair: MaxResetFailuresPerAccountAndAddr, account: MaxResetFailuresPerAccount, sourceAccounts: MaxAccountsPerAddr,
		err: familyhub.Errorf(familyhub.ERATELIMITED, "Too many wrong reset codes; try again in %d minutes.", int(LoginWindow.Minutes()))}
)

// ErrRateLimited refuses a sign-in after too many failures.
var ErrRateLimited = familyhub.Errorf(familyhub.ERATELIMITED, "Too many failed sign-in attempts; try again in %d minutes, or ask an owner of your family to unlock your account.", int(LoginWindow.Minutes()))

// exceeded reports whether counts are at a limit.
func (l limits) exceeded(c dbsqlc.AuthAttemptCountRow) bool {
	over := func(n int32, max int) bool { return max > 0 && int(n) >= max }
	return over(c.Pair, l.pair) || over(c.ByAccount, l.account) || over(c.BySource, l.source) ||
		over(c.SourceAccounts, l.sourceAccounts)
}

// lockedFor reports whether an account is locked from some source (or
// everywhere), from its failures per source.
func (l limits) lockedFor(perSource map[string]int) bool {
	total := 0
	for _, n := range perSource {
		if l.pair > 0 && n >= l.pair {
			return true
		}
		total += n
	}
	return l.account > 0 && total >= l.account
}

// SourceKey is the address attempts are counted under: an IPv4 address as
// is (IPv4-mapped IPv6 too), an IPv6 address as its /64, anything else
// (not an IP address) as given.
func SourceKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		if len(addr) > 64 {
			addr = addr[:64]
		}
		return addr
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func (l limits) count(ctx context.Context, q *dbsqlc.Queries, tx dbsqlc.DBTX, account, source string) (dbsqlc.AuthAttemptCountRow, error) {
	return q.AuthAttemptCount(ctx, tx, dbsqlc.AuthAttemptCountParams{
		Kind: l.kind, Account: account, Source: source, WindowSeconds: l.window.Seconds(),
	})
}

// allowed refuses with l's error when account or source is at a limit,
// without counting an attempt.
func (s *Store) allowed(ctx context.Context, l limits, account, source string) error {
	c, err := l.count(ctx, s.Q, s.Pool, account, source)
	if err != nil {
		return Err(err, "")
	}
	if l.exceeded(c) {
		return l.err
	}
	return nil
}

// reserve counts one attempt for account (may be "") from source, or
// refuses with l's error when a limit is reached. The count and the insert
// run under advisory locks on the account and on the source (always in
// that order, so two attempts never wait for each other in a cycle), so
// concurrent attempts see each other. A TxRetry: a sign-in, sign-up or
// reset is a REST write, and a try PostgreSQL failed counted nothing. It returns the attempt's id: the
// caller forgets it (succeeded) when the attempt turns out right.
func (s *Store) reserve(ctx context.Context, l limits, account, source string) (int64, error) {
	var id int64
	err := s.TxRetry(ctx, func(tx *Tx) error {
		if account != "" {
			if err := s.Q.AuthAttemptLock(ctx, tx, "familyhub:"+l.kind+":account:"+account); err != nil {
				return err
			}
		}
		if err := s.Q.AuthAttemptLock(ctx, tx, "familyhub:"+l.kind+":source:"+source); err != nil {
			return err
		}
		c, err := l.count(ctx, s.Q, tx, account, source)
		if err != nil {
			return err
		}
		if l.exceeded(c) {
			return l.err
		}
		id, err = s.Q.AuthAttemptInsert(ctx, tx, dbsqlc.AuthAttemptInsertParams{Kind: l.kind, Account: account, Source: source})
		return err
	})
	return id, err
}

// succeeded forgets the failures of account from source (the reserved
// attempt among them): a right password forgives earlier typos.
func (s *Store) succeeded(ctx context.Context, l limits, account, source string) error {
	err := s.Q.AuthAttemptSucceeded(ctx, s.Pool, dbsqlc.AuthAttemptSucceededParams{Kind: l.kind, Account: account, Source: source})
	return Err(err, "")
}

// CountSignup counts a sign-up attempt from addr, or refuses it
// (ERATELIMITED) when the address made too many lately.
func (s *Store) CountSignup(ctx context.Context, addr string) error {
	_, err := s.reserve(ctx, signupLimits, "", SourceKey(addr))
	return err
}

// lockouts returns, for each of the accounts (emails and user ids), whether
// it is locked from some address (login) or device (PIN).
func (tx *Tx) lockouts(ctx context.Context, accounts []string) (map[string]bool, error) {
	rows, err := tx.q.AuthFailureStats(ctx, tx, dbsqlc.AuthFailureStatsParams{WindowSeconds: LoginWindow.Seconds(), Accounts: accounts})
	if err != nil {
		return nil, err
	}
	per := map[string]map[string]map[string]int{} // kind → account → source → n
	for _, r := range rows {
		if per[r.Kind] == nil {
			per[r.Kind] = map[string]map[string]int{}
		}
		if per[r.Kind][r.Account] == nil {
			per[r.Kind][r.Account] = map[string]int{}
		}
		per[r.Kind][r.Account][r.Source] = int(r.N)
	}
	out := map[string]bool{}
	for _, l := range []limits{loginLimits, pinLimits} {
		for account, sources := range per[l.kind] {
			if l.lockedFor(sources) {
				out[account] = true
			}
		}
	}
	return out, nil
}
