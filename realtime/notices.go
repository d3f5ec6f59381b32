package realtime

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// handleSession applies a session notice: revoked sessions and removed
// members are disconnected; a rotated session's sockets move to its successor.
func (h *Hub) handleSession(ctx context.Context, n sessionNotice) {
	switch n.Reason {
	case "rotated":
		if n.ReplacedBy == nil {
			return
		}
		next, err := h.store.SessionAuthenticateByID(ctx, *n.ReplacedBy)
		h.mu.Lock()
		defer h.mu.Unlock()
		for c := range h.sessions[n.SessionID] {
			if err != nil || next == nil { // the successor is gone already (or cannot be checked)
				c.Close(CloseSessionEnded, ReasonSessionEnded)
				h.removeLocked(c)
				continue
			}
			if !h.checkRoleLocked(c, next) {
				continue
			}
			h.moveSessionLocked(c, *n.ReplacedBy)
			h.setExpiryLocked(c, next.ExpiresAt)
		}
	case "revoked":
		h.mu.Lock()
		defer h.mu.Unlock()
		for c := range h.sessions[n.SessionID] {
			c.Close(CloseSessionEnded, ReasonSessionEnded)
			h.removeLocked(c)
		}
	case "removed":
		h.mu.Lock()
		defer h.mu.Unlock()
		if fam := h.families[n.FamilyID]; fam != nil {
			for c := range fam.clients {
				if c.UserID == n.UserID {
					c.Close(CloseSessionEnded, ReasonRemoved)
					h.removeLocked(c)
				}
			}
		}
	case "changed":
		// A membership's role or family changed (the notice names the
		// user, 00033), or something no notice names (a DBA's DELETE, an
		// account gone): re-check whose connections it may concern.
		h.requestRecheck(n.UserID)
	}
}

// handleDevice sends a device-targeted message to that device's clients on
// this replica (the device's other replicas do the same with theirs). When
// the notice names the user, only that user's sockets qualify.
func (h *Hub) handleDevice(n deviceNotice) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fam := h.families[n.FamilyID]
	if fam == nil {
		return
	}
	// The events it follows are not delivered yet (announcements of two
	// transactions crossed, or a catch-up runs): hold it until they are.
	if n.AfterSeq > fam.lastSeq && len(fam.held) < maxHeld {
		fam.held = append(fam.held, n)
		if fam.gapTimer == nil {
			id := n.FamilyID
			fam.gapTimer = time.AfterFunc(gapWait, func() { h.requestCatchUp(id) })
		}
		return
	}
	h.sendDeviceLocked(fam, n)
}

// releaseHeldLocked sends the held device notices whose events are now
// delivered.
func (h *Hub) releaseHeldLocked(fam *family) {
	kept := fam.held[:0]
	for _, n := range fam.held {
		if n.AfterSeq <= fam.lastSeq {
			h.sendDeviceLocked(fam, n)
		} else {
			kept = append(kept, n)
		}
	}
	clear(fam.held[len(kept):])
	fam.held = kept
}

// sendDeviceLocked queues a device notice to its device's sockets.
func (h *Hub) sendDeviceLocked(fam *family, n deviceNotice) {
	for c := range fam.clients {
		if c.DeviceID == n.DeviceID && (n.UserID == uuid.Nil || c.UserID == n.UserID) {
			c.Reply(n.Message)
		}
	}
}
