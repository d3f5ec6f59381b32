package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// Presence: who of the family is online, on which device, looking at what
// (docs/realtime.md). It is ephemeral: not in the event log, no seq. Each
// replica announces, per family, the devices connected to it, through
// PostgreSQL (channel familyhub_presence, asynchronous commit): at most one
// notice per family every presenceCoalesce when something changed, and the
// whole set again every presenceHeartbeat. Every replica merges the sets it
// hears (its own included) and sends the family's sockets that asked for
// presence the merged list when it changes. A replica that dies stops
// renewing its set, which expires after presenceTTL.
const (
	presenceCoalesce  = 250 * time.Millisecond
	presenceHeartbeat = 20 * time.Second
	presenceTTL       = 50 * time.Second
	// presenceActive: a device that ticked (updated) a shopping item this
	// recently is "active" (shopping now).
	presenceActive = 3 * time.Minute
	// presenceGrace: how long a replica keeps what the others announced
	// for a family after its last socket here closed. A device that
	// reopens its only socket (an SSE stream on every page change, a
	// phone's reconnect) then gets the whole list at once, not only
	// itself until the others answer its "ask" (a round trip between
	// replicas: seconds on a loaded server).
	presenceGrace = presenceTTL
	// maxPresenceDevices bounds one replica's announcement for one family
	// (the payload stays far below NOTIFY's 8000 bytes).
	maxPresenceDevices = 32
)

// ChannelPresence carries presence announcements between replicas.
const ChannelPresence = "familyhub_presence"

// PresenceDevice is one online device in a presence message.
type PresenceDevice struct {
	UserID   uuid.UUID `json:"user_id"`
	DeviceID string    `json:"device_id"`
	View     string    `json:"view"`
	Since    time.Time `json:"since"`
	Active   bool      `json:"active"`
}

// presenceNotice is a payload on ChannelPresence: every device of family
// connected to replica, replacing what replica said before. Ask is set on
// a replica's first notice for a family: it has not heard the others yet
// (it drops notices for families with nobody connected), so they announce
// again at once instead of at their next heartbeat.
type presenceNotice struct {
	FamilyID uuid.UUID        `json:"family_id"`
	Replica  uuid.UUID        `json:"replica"`
	Devices  []PresenceDevice `json:"devices"`
	Ask      bool             `json:"ask,omitempty"`
	received time.Time
}

type famPresence struct {
	remote    map[uuid.UUID]presenceNotice // by replica, own included
	ticks     map[string]time.Time         // device id → last shopping item update
	local     bool                         // local devices changed: announce
	dirty     bool                         // merged list may have changed: recompute
	announced time.Time
	last      []byte    // the members message last sent
	gone      time.Time // when its last socket here closed (zero: some are here)
}

type presence struct {
	hub     *Hub
	replica uuid.UUID
	// Guarded by hub.mu.
	fams map[uuid.UUID]*famPresence
	// notify sends NOTIFYs; nil is the store's NotifyAsync (tests replace it).
	notify func(ctx context.Context, channels, payloads []string) error
	// While calls fail (the database is away), announceStep backs off:
	// failures counts the attempts in a row that failed, skip the steps
	// left before the next attempt. Only run's goroutine uses them.
	failures, skip int
}

func newPresence(h *Hub) *presence {
	return &presence{hub: h, replica: uuid.New(), fams: map[uuid.UUID]*famPresence{}}
}

func (p *presence) famLocked(id uuid.UUID) *famPresence {
	fp := p.fams[id]
	if fp == nil {
		fp = &famPresence{remote: map[uuid.UUID]presenceNotice{}, ticks: map[string]time.Time{}}
		p.fams[id] = fp
	}
	return fp
}

// validView reports whether v is a view a device may report ("" is none).
func validView(v string) bool {
	v = strings.ToLower(v)
	switch v {
	case "", familyhub.TopicShopping, familyhub.TopicTasks, familyhub.TopicCalendar, familyhub.TopicRecipes:
		return true
	}
	for _, prefix := range []string{familyhub.TopicShoppingList, "recipe:"} {
		if id, ok := strings.CutPrefix(v, prefix); ok {
			_, err := uuid.Parse(id)
			return err == nil && len(id) == 36
		}
	}
	return false
}

// ParseView checks a view a device reports (docs/realtime.md "Presence")
// and returns it in lower case; any other is EINVALID on field "view".
func ParseView(v string) (string, error) {
	if !validView(v) {
		return "", familyhub.Invalid("view", "view must be one of shopping, shopping-list:<id>, tasks, calendar, recipes, recipe:<id>, or empty for none.")
	}
	return strings.ToLower(v), nil
}

// setPresence records the view c's device reports and opts c in to
// presence messages.
func (h *Hub) setPresence(c *Client, view string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fam := h.families[c.FamilyID]
	if fam == nil {
		return
	}
	if _, ok := fam.clients[c]; !ok {
		return
	}
	h.setPresenceLocked(c, view)
}

// setPresenceLocked is setPresence for a client known to be joined. h.mu
// is held.
func (h *Hub) setPresenceLocked(c *Client, view string) {
	first := c.presence == ""
	c.presence = "\x00" + view // non-empty: opted in, even with view ""
	fp := h.presence.famLocked(c.FamilyID)
	fp.local, fp.dirty = true, true
	if first {
		fp.last = nil // send the list to the newcomer too
	}
}

// joinedLocked notes a new socket that did not opt in: it is online
// (view "") for the family's devices that watch presence. h.mu is held.
func (p *presence) joinedLocked(c *Client) {
	if fp := p.fams[c.FamilyID]; fp != nil {
		fp.local, fp.dirty = true, true
	}
}

// leftLocked notes that c's socket is gone. h.mu is held.
func (p *presence) leftLocked(c *Client) {
	if fp := p.fams[c.FamilyID]; fp != nil {
		fp.local, fp.dirty = true, true
	}
}

// noteEventLocked remembers shopping item updates per device, for "active".
func (p *presence) noteEventLocked(_ *family, ev *Event) {
	if ev.Type != familyhub.EventShoppingItemUpdated || ev.Op != "update" || ev.DeviceID == "" {
		return
	}
	fp := p.fams[ev.FamilyID]
	if fp == nil {
		return // nobody here watches this family's presence
	}
	if _, ok := fp.ticks[ev.DeviceID]; !ok && len(fp.ticks) >= maxPresenceDevices*4 {
		return
	}
	fp.ticks[ev.DeviceID] = ev.At
	fp.dirty = true
}

// receive merges another replica's (or this one's) announcement.
func (p *presence) receive(n presenceNotice) {
	h := p.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	fp := p.fams[n.FamilyID]
	if fp == nil {
		if h.families[n.FamilyID] == nil {
			return // nobody here, and not lately: not kept
		}
		fp = p.famLocked(n.FamilyID)
	}
	if n.Replica == p.replica {
		return // our own: local state is newer
	}
	if n.Ask {
		fp.local = true // a replica new to the family: tell it ours at the next step
	}
	n.Ask = false
	n.received = time.Now()
	fp.remote[n.Replica] = n
	fp.dirty = true
}

// localDevicesLocked lists the family's devices connected here.
func (p *presence) localDevicesLocked(id uuid.UUID, fam *family) []PresenceDevice {
	var out []PresenceDevice
	for c := range fam.clients {
		view := strings.TrimPrefix(c.presence, "\x00")
		i := slices.IndexFunc(out, func(d PresenceDevice) bool { return d.UserID == c.UserID && d.DeviceID == c.DeviceID })
		if i >= 0 {
			if view != "" {
				out[i].View = view
			}
			continue
		}
		if len(out) >= maxPresenceDevices {
			break
		}
		out = append(out, PresenceDevice{UserID: c.UserID, DeviceID: c.DeviceID, View: view, Since: time.Now().UTC().Truncate(time.Second)})
	}
	return out
}

// run announces and sends presence until ctx ends.
func (p *presence) run(ctx context.Context) {
	tick := time.NewTicker(presenceCoalesce)
	defer tick.Stop()
	sweep := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		full := time.Since(sweep) > 5*time.Second
		if full {
			sweep = time.Now()
		}
		p.announceStep(ctx, full)
	}
}

// announceStep is one step of run: it computes and sends what changed,
// and has the notices of a failed call sent again later. After n attempts
// in a row that failed, the next is 2^(n-1) steps later, at most
// presenceRetryMaxSteps (8 s): while the database is away a replica makes
// one call now and then, not one per presenceBatch families every 250 ms.
// The local sockets still get their members lists every step.
//
// A step with nothing to announce ends the backoff: the notices of the
// failed calls were all sent since, or aged out (a forgotten family's
// "nobody here" after presenceTTL, when the others have expired its
// devices anyway), so the next failure is the first of its own, one
// step from the next attempt. Before, only a successful call reset the
// count, and a single failure after an outage whose notices aged out
// waited out that outage's backoff (up to 8 s) at once.
func (p *presence) announceStep(ctx context.Context, full bool) {
	announce := p.step(full)
	if len(announce) == 0 {
		p.failures, p.skip = 0, 0
		return
	}
	if p.skip > 0 {
		p.skip--
		p.retry(announce) // kept for the next attempt, as if it had failed
		return
	}
	failed := p.send(ctx, announce)
	if len(failed) == 0 {
		p.failures = 0
		return
	}
	p.failures++
	p.skip = min(1<<min(p.failures-1, 16), presenceRetryMaxSteps) - 1
	p.retry(failed)
}

// presenceRetryMaxSteps bounds the steps from one failed attempt to the
// next (8 s): presence comes back within that once the database does.
const presenceRetryMaxSteps = 32

// presenceBatch is the most family notices sent in one call.
const presenceBatch = 100

// presencePayloadMax is PostgreSQL's limit on a NOTIFY payload (it must be
// shorter than 8000 bytes). maxPresenceDevices keeps a notice well below it;
// one over it would fail the whole call, the other families' notices too.
const presencePayloadMax = 8000

// send announces the notices of one step: up to presenceBatch of them in
// one familyhub_notify_async call, each its own NOTIFY (readable, below
// 8000 bytes). A call is a transaction, and PostgreSQL reads it in a
// transaction in every listening backend, however many NOTIFYs it carries;
// one call per family made every heartbeat cost three transactions a family
// with two replicas (docs/realtime.md). It returns the notices of the calls
// that failed (a call fails as a whole: a failed connection or timeout
// loses up to presenceBatch families' notices); after a failed call it
// tries no more in this step (the database is likely away, and each
// attempt may wait out its timeout) and returns the rest as failed too. A
// notice too large for NOTIFY is left out, so it cannot fail the others.
func (p *presence) send(ctx context.Context, announce []presenceNotice) (failed []presenceNotice) {
	notify := p.notify
	if notify == nil {
		notify = p.hub.store.NotifyAsync
	}
	var firstErr error
	for len(announce) > 0 {
		var batch []presenceNotice
		var channels, payloads []string
		for len(announce) > 0 && len(batch) < presenceBatch {
			notice := announce[0]
			announce = announce[1:]
			b, _ := json.Marshal(notice)
			if len(b) >= presencePayloadMax {
				p.hub.logger.Warn("presence announcement too large for NOTIFY, left out", "family_id", notice.FamilyID, "bytes", len(b))
				continue
			}
			batch = append(batch, notice)
			channels, payloads = append(channels, ChannelPresence), append(payloads, string(b))
		}
		if len(batch) == 0 {
			break
		}
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := notify(actx, channels, payloads)
		cancel()
		if err != nil && ctx.Err() == nil {
			firstErr = err
			failed = append(append(failed, batch...), announce...)
			break
		}
	}
	if len(failed) > 0 { // one line an attempt, even while the database is away
		p.hub.logger.Warn("presence announcement failed, again later", "families", len(failed), "first_family_id", failed[0].FamilyID,
			"failures_in_a_row", p.failures+1, "err", firstErr)
	}
	return failed
}

// retry has the notices of failed calls sent again at the next step: a
// family still here announces its current devices (with "ask" again if the
// failed notice asked), a family nobody here has any more its "nobody
// here" while the replica keeps it (presenceGrace, as long as the others
// would keep its devices anyway).
func (p *presence) retry(failed []presenceNotice) {
	if len(failed) == 0 {
		return
	}
	p.hub.mu.Lock()
	defer p.hub.mu.Unlock()
	for _, n := range failed {
		if fp := p.fams[n.FamilyID]; fp != nil {
			fp.local = true
			if n.Ask {
				fp.announced = time.Time{}
			}
		}
	}
}

// step computes what to announce and sends changed member lists to local
// sockets that asked for presence; full also expires old state.
func (p *presence) step(full bool) []presenceNotice {
	h := p.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	var announce []presenceNotice
	for id, fp := range p.fams {
		fam := h.families[id]
		if fam == nil {
			// Nobody here any more: say so (again after a failed call),
			// keep hearing the others for presenceGrace, then forget the
			// family.
			if fp.gone.IsZero() {
				fp.gone = now
				fp.last, fp.dirty = nil, true // a socket back gets the list anew
			}
			if now.Sub(fp.gone) > presenceGrace {
				delete(p.fams, id) // the others have expired its devices by now
				continue
			}
			if fp.local {
				fp.local = false
				announce = append(announce, presenceNotice{FamilyID: id, Replica: p.replica, Devices: []PresenceDevice{}})
			}
			continue
		}
		back := !fp.gone.IsZero() // expire what aged while nobody was here
		fp.gone = time.Time{}
		if full || back {
			for r, n := range fp.remote {
				if now.Sub(n.received) > presenceTTL {
					delete(fp.remote, r)
					fp.dirty = true
				}
			}
			for d, at := range fp.ticks {
				if now.Sub(at) > presenceActive {
					delete(fp.ticks, d)
					fp.dirty = true
				}
			}
		}
		devices := p.localDevicesLocked(id, fam)
		if own, ok := fp.remote[p.replica]; ok {
			devices = keepSince(devices, own.Devices)
		}
		if fp.local || now.Sub(fp.announced) > presenceHeartbeat {
			first := fp.announced.IsZero()
			fp.local = false
			fp.announced = now
			announce = append(announce, presenceNotice{FamilyID: id, Replica: p.replica, Devices: devices, Ask: first})
		}
		fp.remote[p.replica] = presenceNotice{FamilyID: id, Replica: p.replica, Devices: devices, received: now}
		if !fp.dirty {
			continue
		}
		fp.dirty = false
		msg := p.membersMessage(fp, now)
		if bytes.Equal(msg, fp.last) {
			continue
		}
		fp.last = msg
		for c := range fam.clients {
			if c.presence != "" {
				c.queue.push(Message{Data: msg}, true) // a full queue skips one; the next change or heartbeat repairs it
			}
		}
	}
	return announce
}

// keepSince carries each device's first-seen time over from the previous
// announcement, so "since" says how long it has been on its view.
func keepSince(now, before []PresenceDevice) []PresenceDevice {
	for i := range now {
		for _, b := range before {
			if b.UserID == now[i].UserID && b.DeviceID == now[i].DeviceID && b.View == now[i].View {
				now[i].Since = b.Since
			}
		}
	}
	return now
}

func (p *presence) membersMessage(fp *famPresence, now time.Time) []byte {
	members := []PresenceDevice{}
	for _, n := range fp.remote {
		for _, d := range n.Devices {
			if at, ok := fp.ticks[d.DeviceID]; ok && d.DeviceID != "" && now.Sub(at) <= presenceActive {
				d.Active = true
			}
			members = append(members, d)
		}
	}
	slices.SortFunc(members, func(a, b PresenceDevice) int {
		if c := strings.Compare(a.UserID.String(), b.UserID.String()); c != 0 {
			return c
		}
		return strings.Compare(a.DeviceID, b.DeviceID)
	})
	b, _ := json.Marshal(struct {
		Type    string           `json:"type"`
		Members []PresenceDevice `json:"members"`
	}{"presence", members})
	return b
}
