package db

import (
	"sync"
	"time"

	"github.com/familyhub/familyhub"
)

// SessionCache keeps, for a short while, what SessionAuthenticate found for
// a session token, so that most requests of a signed-in device cost
// PostgreSQL no query of their own (docs/benchmarks-history-3.md, seventh round).
//
// It is right only while it hears of every change that could end or alter
// a session: each transaction of this process that revokes or rotates
// sessions or changes a membership clears it after its commit
// (Tx.markAuthChanged), and every notice on familyhub.ChannelSessions,
// from any replica or a DBA's psql, clears it too (the realtime listener
// calls Clear). Notices can be lost only while the listening connection
// is down, so the cache is used only while live() says the listener heard
// back from PostgreSQL within a few seconds (realtime.Listener.Heard: a
// ping came back, not merely none is outstanding), and it is cleared on
// every reconnect. A change made elsewhere is seen here within the
// notice's delivery (milliseconds) and, should the listening connection
// silently die, within that limit (a few seconds), as for the open sockets
// the same notices close.
//
// Only found sessions are kept (an unknown token always asks PostgreSQL),
// each for at most ttl and never past its expiry, at most size of them.
type SessionCache struct {
	live func() bool
	ttl  time.Duration
	size int

	mu      sync.Mutex
	gen     uint64 // bumped by Clear: a lookup begun before it is not kept
	entries map[string]sessionEntry
	// sweepAt: no entry ends before it (zero: unknown), so a full cache
	// is not searched for ended entries before then.
	sweepAt time.Time
}

type sessionEntry struct {
	auth  familyhub.Auth
	until time.Time
}

// NewSessionCache returns a cache whose entries last ttl (at most), used
// only while live returns true.
func NewSessionCache(live func() bool, ttl time.Duration, size int) *SessionCache {
	return &SessionCache{live: live, ttl: ttl, size: size, entries: make(map[string]sessionEntry)}
}

// get returns a copy of the caller kept for key, or nil, and the
// generation to hand to put after asking PostgreSQL. A nil cache keeps
// nothing.
func (c *SessionCache) get(key string, now time.Time) (*familyhub.Auth, uint64) {
	if c == nil || !c.live() {
		return nil, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, c.gen
	}
	if !now.Before(e.until) {
		delete(c.entries, key)
		return nil, c.gen
	}
	a := e.auth
	return &a, c.gen
}

// put keeps a, found by a lookup that began at generation gen, unless the
// cache was cleared since (a change may have crossed the lookup).
func (c *SessionCache) put(key string, a *familyhub.Auth, gen uint64, now time.Time) {
	if c == nil || !c.live() {
		return
	}
	until := now.Add(c.ttl)
	if a.ExpiresAt.Before(until) {
		until = a.ExpiresAt
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= c.size {
		// Full: ended entries make room. They are searched for only once
		// one can have ended, not on every miss: with more live sessions
		// than the cache holds, every miss would walk all of them under
		// the lock (0.5 ms for 10,000, BenchmarkSessionCacheFull).
		if now.Before(c.sweepAt) {
			return
		}
		var next time.Time
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			} else if next.IsZero() || e.until.Before(next) {
				next = e.until
			}
		}
		c.sweepAt = next
		if len(c.entries) >= c.size {
			return
		}
	}
	c.entries[key] = sessionEntry{auth: *a, until: until}
	if until.Before(c.sweepAt) {
		c.sweepAt = until
	}
}

// Clear forgets every kept session. Safe on a nil cache.
func (c *SessionCache) Clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}
