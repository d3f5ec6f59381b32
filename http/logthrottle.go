package http

import (
	"sync"
	"time"
)

// How often a logThrottle lets one key's line through, and how many keys
// it remembers for that.
const (
	logThrottleEvery = 10 * time.Minute
	logThrottleMax   = 1024
)

// logThrottle rate-limits a log line that a client can make the server
// write as often as it sends a request: one line per key per
// logThrottleEvery, with how many were left out before it
// (unlogged_since). The caller picks the key (refuseOldCookie the member,
// deviceKeyError the address). At logThrottleMax keys the entries past
// their time are dropped; if none is, a new key shares one overflow entry
// with every other key not in the table (one line per logThrottleEvery for
// all of them, marked over_limit, the count of the others in its
// unlogged_since), while the keys in the table keep theirs. So neither
// memory nor lines grow without bound, even when one client sends from
// more than logThrottleMax addresses. The zero value is ready to use.
type logThrottle[K comparable] struct {
	mu   sync.Mutex
	seen map[K]logThrottleSeen
	over logThrottleSeen // the keys past logThrottleMax
}

type logThrottleSeen struct {
	at    time.Time // last logged
	quiet int       // lines not logged since
}

// let reports whether e lets a line through at now, and records it.
func (e *logThrottleSeen) let(now time.Time) (logIt bool, quiet int) {
	if !e.at.IsZero() && now.Sub(e.at) < logThrottleEvery {
		e.quiet++
		return false, 0
	}
	quiet = e.quiet
	*e = logThrottleSeen{at: now}
	return true, quiet
}

// note records an occurrence for key at now and reports whether to log
// it, and the attributes to add to the line: unlogged_since, how many
// occurrences went unlogged before this one, when some did, and
// over_limit=true when key had to share the overflow entry.
func (l *logThrottle[K]) note(key K, now time.Time) (logIt bool, attrs []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = make(map[K]logThrottleSeen)
	}
	e, ok := l.seen[key]
	if !ok && len(l.seen) >= logThrottleMax {
		for k, e := range l.seen {
			if now.Sub(e.at) >= logThrottleEvery {
				delete(l.seen, k)
			}
		}
		if len(l.seen) >= logThrottleMax {
			logIt, quiet := l.over.let(now)
			if !logIt {
				return false, nil
			}
			return true, append(unloggedSince(quiet), "over_limit", true)
		}
	}
	logIt, quiet := e.let(now)
	l.seen[key] = e
	if !logIt {
		return false, nil
	}
	return true, unloggedSince(quiet)
}

// unloggedSince is the unlogged_since attribute of a line note let
// through: how many were left out before it, none when there were none.
func unloggedSince(quiet int) []any {
	if quiet == 0 {
		return nil
	}
	return []any{"unlogged_since", quiet}
}
