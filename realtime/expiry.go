package realtime

import "time"

// Session expiry: a connection is closed (CloseSessionEnded, "session
// expired") when its session ends. One timer for the replica, armed for
// the earliest expiry of its joined clients, does it, instead of a timer
// per client: an idle socket's client holds its expiry time and nothing
// else (two allocations, ~170 bytes fewer per socket; issue 20).
//
// When it fires, the hub looks over its joined clients under its lock,
// closes those whose sessions have ended, and arms the timer for the
// earliest expiry left. A client's expiry is therefore kept as precisely
// as by a timer of its own (within the runtime timer's precision). The
// timer may fire early, when the client it was armed for left or its
// expiry moved later (a refresh): that look closes nothing and arms it
// again. A look costs one comparison per joined client, at most once per
// expiry of the replica's earliest session (and per early firing).
type expiryTimer struct {
	timer *time.Timer
	at    time.Time // when it fires; zero: not armed
}

// armExpiryLocked makes sure the expiry timer fires by at. h.mu is held.
func (h *Hub) armExpiryLocked(at time.Time) {
	e := &h.expiry
	if !e.at.IsZero() && !at.Before(e.at) {
		return
	}
	e.at = at
	if e.timer == nil {
		e.timer = time.AfterFunc(time.Until(at), h.expireSessions)
	} else {
		e.timer.Reset(time.Until(at))
	}
}

// setExpiryLocked moves c's session expiry (a refresh moved it to a new
// session; a DBA changed it). h.mu is held.
func (h *Hub) setExpiryLocked(c *Client, at time.Time) {
	c.expires = at
	if !at.IsZero() {
		h.armExpiryLocked(at)
	}
}

// expireSessions closes the joined clients whose sessions have ended and
// arms the timer for the next expiry.
func (h *Hub) expireSessions() {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	var next time.Time
	for _, fam := range h.families {
		for c := range fam.clients {
			switch {
			case c.expires.IsZero():
			case !c.expires.After(now):
				c.expires = time.Time{} // closed for it: not looked at again
				c.Close(CloseSessionEnded, ReasonSessionExpired)
			case next.IsZero() || c.expires.Before(next):
				next = c.expires
			}
		}
	}
	h.expiry.at = time.Time{}
	if !next.IsZero() {
		h.armExpiryLocked(next)
	}
}
