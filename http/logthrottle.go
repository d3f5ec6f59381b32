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
// their time are dropped, and if none is, all are (a few lines too many,
// never memory without bound). The zero value is ready to use.
type logThrottle[K comparable] struct {
	mu   sync.Mutex
	seen map[K]logThrottleSeen
}

type logThrottleSeen struct {
	at    time.Time // last logged
	quiet int       // lines not logged since
}

// note records an occurrence for key at now and reports whether to log
// it, and how many occurrences for key went unlogged before this one.
func (l *logThrottle[K]) note(key K, now time.Time) (logIt bool, quiet int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.seen[key]; ok {
		if now.Sub(e.at) < logThrottleEvery {
			e.quiet++
			l.seen[key] = e
			return false, 0
		}
		quiet = e.quiet
	} else if len(l.seen) >= logThrottleMax {
		for k, e := range l.seen {
			if now.Sub(e.at) >= logThrottleEvery {
				delete(l.seen, k)
			}
		}
		if len(l.seen) >= logThrottleMax {
			clear(l.seen)
		}
	}
	if l.seen == nil {
		l.seen = make(map[K]logThrottleSeen)
	}
	l.seen[key] = logThrottleSeen{at: now}
	return true, quiet
}

// unloggedSince is the unlogged_since attribute of a line note let
// through: how many were left out before it, none when there were none.
func unloggedSince(quiet int) []any {
	if quiet == 0 {
		return nil
	}
	return []any{"unlogged_since", quiet}
}
