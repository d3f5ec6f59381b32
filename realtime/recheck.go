package realtime

// Re-checking open connections against what PostgreSQL says of their
// sessions now. A connection is let in once, at its upgrade, with its
// session's family and role; most changes after that arrive as notices that
// name what to close (a revoked session, a removed member). The re-check
// covers the rest, with one query for all the sessions concerned:
//
//   - a membership's role or family changed (its notice names the user,
//     00033): the user's connections are re-checked; a new role closes
//     them with CloseRoleChanged, so the client reconnects and is let in
//     (topics and all) under the new role; another family closes them
//     with CloseSessionEnded;
//   - a notice that names nobody ({"reason":"changed"}: a DBA's DELETE
//     or TRUNCATE of sessions, an account gone) and a listener reconnect
//     (the notices sent while it was away are lost): every connection;
//   - a connection admitted while a notice was on its way (its caller
//     may have come from the session cache just before the notice
//     cleared it, AuthGen): that connection's user;
//   - every RecheckEvery, every connection: what no notice announced (a
//     DBA's change with the triggers disabled) still takes effect.

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// CloseRoleChanged closes the connections of a member whose role changed:
// reconnect (the new role applies; re-read what the role allows).
const CloseRoleChanged = 4003

// Close reasons the PWA tells apart (docs/realtime.md).
const (
	ReasonSessionEnded   = "session ended"
	ReasonSessionExpired = "session expired"
	ReasonRemoved        = "removed from the family"
	ReasonRoleChanged    = "role changed: reconnect"
)

// DefaultRecheckEvery is the default of Hub.RecheckEvery.
const DefaultRecheckEvery = time.Minute

// recheckState is the hub's pending re-checks (Hub.recheckMu).
type recheckState struct {
	all   bool
	users map[uuid.UUID]struct{}
}

// AuthGen returns a number that changes whenever a notice about sessions
// arrives (or the listener reconnects). A transport reads it before it
// authenticates a connection and passes it in JoinParams.AuthGen: a
// connection let in across a change is re-checked.
func (h *Hub) AuthGen() uint64 { return h.authGen.Load() }

// authChanged is called by the listener after it forgot the kept sessions
// for a notice on familyhub.ChannelSessions (or a reconnect).
func (h *Hub) authChanged() { h.authGen.Add(1) }

// requestRecheck schedules a re-check of user's connections (uuid.Nil:
// every connection). It never blocks.
func (h *Hub) requestRecheck(user uuid.UUID) {
	h.recheckMu.Lock()
	if user == uuid.Nil {
		h.recheck.all = true
	} else {
		if h.recheck.users == nil {
			h.recheck.users = map[uuid.UUID]struct{}{}
		}
		h.recheck.users[user] = struct{}{}
	}
	h.recheckMu.Unlock()
	h.wakeRecheck()
}

func (h *Hub) wakeRecheck() {
	select {
	case h.recheckWake <- struct{}{}:
	default:
	}
}

// runRecheck runs the re-checks, off the dispatcher (a query must not
// stall fan-out), until ctx ends.
func (h *Hub) runRecheck(ctx context.Context) {
	every := h.RecheckEvery
	if every == 0 {
		every = DefaultRecheckEvery
	}
	var periodic <-chan time.Time // nil (never) when every < 0
	if every > 0 {
		tick := time.NewTicker(every)
		defer tick.Stop()
		periodic = tick.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-periodic:
			h.requestRecheck(uuid.Nil)
		case <-h.recheckWake:
		}
		h.recheckMu.Lock()
		st := h.recheck
		h.recheck = recheckState{}
		h.recheckMu.Unlock()
		if !st.all && len(st.users) == 0 {
			continue
		}
		if err := h.recheckClients(ctx, st); err != nil && ctx.Err() == nil {
			h.logger.Warn("could not re-check open connections; trying again", "err", err)
			h.recheckMu.Lock()
			h.recheck.all = h.recheck.all || st.all
			for u := range st.users {
				if h.recheck.users == nil {
					h.recheck.users = map[uuid.UUID]struct{}{}
				}
				h.recheck.users[u] = struct{}{}
			}
			h.recheckMu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			h.wakeRecheck()
		}
	}
}

// recheckClients re-checks the connections st names and closes those
// their session no longer allows.
func (h *Hub) recheckClients(ctx context.Context, st recheckState) error {
	h.mu.Lock()
	var ids []uuid.UUID
	for id, cs := range h.sessions {
		for c := range cs {
			if _, ok := st.users[c.UserID]; c.role != "" && (st.all || ok) {
				ids = append(ids, id)
				break
			}
		}
	}
	h.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	now := time.Now()
	rows, err := h.store.Q.SessionCheckMany(ctx, h.store.Pool, ids)
	if err != nil {
		return db.Err(err, "")
	}
	found := make(map[uuid.UUID]int, len(rows))
	for i, r := range rows {
		found[r.SessionID] = i
	}
	var rotated []sessionNotice
	closed := 0
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		i, ok := found[id]
		for c := range h.sessions[id] {
			if _, mine := st.users[c.UserID]; c.role == "" || !st.all && !mine {
				continue // not let in by a session's role (JoinParams.Role), or not concerned
			}
			switch {
			case !ok:
				c.Close(CloseSessionEnded, ReasonSessionEnded)
			case !rows[i].Live && rows[i].ReplacedBy != nil:
				// Refreshed: its notice moves the connection to the new
				// session (or closes it); when that notice was lost, this
				// one does.
				rotated = append(rotated, sessionNotice{SessionID: id, Reason: "rotated", ReplacedBy: rows[i].ReplacedBy})
				continue
			case !rows[i].Live:
				c.Close(CloseSessionEnded, ReasonSessionEnded)
			case rows[i].FamilyID == nil || *rows[i].FamilyID != c.FamilyID || rows[i].UserID != c.UserID:
				c.Close(CloseSessionEnded, ReasonRemoved)
			case c.role != "" && rows[i].Role != nil && *rows[i].Role != c.role:
				c.Close(CloseRoleChanged, ReasonRoleChanged)
			default:
				// Its expiry moved (a DBA's UPDATE): by more than the
				// clocks' and the query's jitter.
				if end := db.LocalEnd(now, rows[i].LeftMs); end.Sub(c.expires).Abs() > time.Second {
					h.setExpiryLocked(c, end)
				}
				continue
			}
			h.removeLocked(c)
			closed++
		}
	}
	if closed > 0 {
		// Something changed that no notice announced (or one this
		// replica missed): what it keeps of sessions may be wrong too.
		h.store.Sessions.Clear()
	}
	for _, n := range rotated {
		h.notify(n)
	}
	return nil
}

// checkRoleLocked closes c when the session it moves to (a refresh) speaks for
// another role or family than it was let in with, and reports whether c
// stays; Hub.mu is held.
func (h *Hub) checkRoleLocked(c *Client, next *familyhub.Auth) bool {
	switch {
	case next.FamilyID != c.FamilyID || next.UserID != c.UserID:
		c.Close(CloseSessionEnded, ReasonRemoved)
	case c.role != "" && next.Role != c.role:
		c.Close(CloseRoleChanged, ReasonRoleChanged)
	default:
		return true
	}
	h.removeLocked(c)
	return false
}
