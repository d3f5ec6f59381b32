package realtime

// A topics message replaces a socket's subscriptions as a whole and, when
// it says which seq the client had applied (since), sends again what the
// socket skipped after it of the topics it adds.
//
// Why: a client that changes pages sends the new page's topics over its
// socket and reads the page over REST. When the REST read's snapshot is
// taken before the server reads the topics message, an event committed in
// between is in neither: the server skipped it for the socket (not yet
// subscribed), and the read was too early. Every event up to the client's
// last applied seq was committed before it changed pages, so before its
// read; what the socket skipped after that seq may be missing from the
// page, and is sent again.
//
// It costs nothing when nothing was skipped: the client remembers, per
// kind of event, the highest seq it skipped, and only when one of the
// added topics' kinds was skipped after since is the socket rewound to
// since; its next events then come from the event log in pages (Hub.page),
// filtered with the new topics, and then live again. Events sent after
// since (in flight when the client sent the message) are sent twice then:
// rare, and harmless to a client, since events are "go re-read" notices.

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/familyhub/familyhub"
)

// Kinds of events, by which topics select them (Event.matches).
// FAMILY_UPDATED matches every topic, so it is never skipped.
const (
	kindShopping = iota
	kindTasks
	kindCalendar
	kindRecipes
	kindOther // no topic selects it: only a socket on everything gets it
	numKinds
)

func kindOf(typ string) int {
	switch {
	case strings.HasPrefix(typ, "SHOPPING_"):
		return kindShopping
	case strings.HasPrefix(typ, "TASK_"):
		return kindTasks
	case strings.HasPrefix(typ, "CALENDAR_"):
		return kindCalendar
	case strings.HasPrefix(typ, "RECIPE_"):
		return kindRecipes
	}
	return kindOther
}

// topicKind is the kind of events topic selects (-1: none but the
// family's own, which are never skipped).
func topicKind(topic string) int {
	switch {
	case topic == familyhub.TopicShopping || strings.HasPrefix(topic, familyhub.TopicShoppingList):
		return kindShopping
	case topic == familyhub.TopicTasks:
		return kindTasks
	case topic == familyhub.TopicCalendar:
		return kindCalendar
	case topic == familyhub.TopicRecipes:
		return kindRecipes
	}
	return -1
}

// skippedAfter reports whether c skipped, after since, an event that the
// added topics select (all: the client now wants everything).
func (c *Client) skippedAfter(since int64, added []string, all bool) bool {
	if all {
		for _, seq := range c.skipped {
			if seq > since {
				return true
			}
		}
		return false
	}
	for _, t := range added {
		if k := topicKind(t); k >= 0 && c.skipped[k] > since {
			return true
		}
	}
	return false
}

// retopic applies a topics message: c's subscriptions become topics (none:
// everything). With since it answers where the socket's events continue
// (subscribedReply.Seq): since itself when events of the added topics were
// skipped after it (they follow, read from the log, with every later event
// of the new topics), else the socket's position, which moves the client
// past the events it skipped, so that its next since is as late as it can
// be. The answer is queued here, under the hub's lock, so that it comes
// exactly between the events before and after the change. A rewind more
// than MaxDelta events back, or past the socket's budget of rewinds
// (rewindBudget), is a resync instead: the client reads everything again.
func (c *Client) retopic(ctx context.Context, topics []string, since *int64) []byte {
	h := c.hub
	if h == nil { // unit tests of the protocol
		added, removed := c.swapTopics(topics)
		return subscribedJSON(added, removed, len(c.Topics()), nil, nil)
	}
	c.awaitRoom(ctx)
	h.mu.Lock()
	before := c.Topics()
	added, removed := c.swapTopics(topics)
	c.topicsGen++ // a page being read with the old topics is read again
	var seq *int64
	resync := false
	if since != nil {
		rewind := c.skippedAfter(*since, added, len(topics) == 0 && len(before) > 0)
		if rewind && (c.cursor.Load()-*since > MaxDelta || !c.rewinds.take(time.Now())) {
			// Too far back, or too often: the client reads everything
			// again instead (a resync), and the log is not read for it.
			rewind, resync = false, true
		}
		if rewind {
			s := *since
			c.place(s, s, true)
			for k := range c.skipped {
				c.skipped[k] = min(c.skipped[k], s)
			}
			h.metrics.CatchUps.Inc()
		} else {
			c.place(c.cursor.Load(), c.cursor.Load(), c.behind)
		}
		seq = new(int64)
		*seq = c.sent
		c.positions.Store(true)
	}
	var mark *seqMark // the mark of the event under seq (not after a resync: re-read anyway)
	if !resync {
		mark = c.cursorMark.Load()
	}
	ok := !resync || c.queue.push(Message{Data: resyncMessage(c.sent)}, true)
	ok = ok && c.queue.push(Message{Data: subscribedJSON(added, removed, len(topics), seq, mark)}, true)
	h.mu.Unlock()
	if !ok {
		c.Close(CloseSlowConsumer, "too slow: reconnect with since")
	}
	if len(added)+len(removed) > 0 {
		if f := c.onTopics.Load(); f != nil {
			(*f)()
		}
	}
	return nil
}

// Rewinds a socket may make: a burst of rewindBurst, then one a second.
// Each reads the log once (a page of up to 500 events, Hub.page); a page
// change is one. Past them a topics message answers with a resync.
const (
	rewindBurst = 5
	rewindEvery = time.Second
)

// rewindBudget is a token bucket of rewinds (the hub's lock guards it).
type rewindBudget struct {
	used int       // tokens taken, less those earned back
	at   time.Time // when used was last brought up to date
}

// take reports whether a rewind may happen at now, and takes it.
func (b *rewindBudget) take(now time.Time) bool {
	if b.at.IsZero() {
		b.at = now
	}
	if earned := int(now.Sub(b.at) / rewindEvery); earned > 0 {
		b.used = max(0, b.used-earned)
		b.at = b.at.Add(time.Duration(earned) * rewindEvery)
	}
	if b.used >= rewindBurst {
		return false
	}
	b.used++
	return true
}

// swapTopics makes topics c's subscriptions and returns what changed.
func (c *Client) swapTopics(topics []string) (added, removed []string) {
	before := c.Topics()
	for _, t := range topics {
		if !contains(before, t) {
			added = append(added, t)
		}
	}
	for _, t := range before {
		if !contains(topics, t) {
			removed = append(removed, t)
		}
	}
	c.SetTopics(topics)
	return added, removed
}

func contains(s []string, t string) bool {
	for _, x := range s {
		if x == t {
			return true
		}
	}
	return false
}

func subscribedJSON(added, removed []string, count int, seq *int64, m *seqMark) []byte {
	r := subscribedReply{Type: "subscribed", Added: nonNil(added), Removed: nonNil(removed), Count: count, Seq: seq}
	if seq != nil && m != nil && m.seq == *seq {
		r.SinceID, r.SinceAt = &m.ID, &m.At
	}
	b, _ := json.Marshal(r)
	return b
}

// awaitRoom waits until c's queue has room for events again (as Answer
// does for a reply): a client that sends topics messages faster than it
// reads the answers is slowed down, not cut off.
func (c *Client) awaitRoom(ctx context.Context) {
	for {
		c.queue.mu.Lock()
		full := len(c.queue.msgs) >= QueueMessages || c.queue.bytes >= QueueBytes
		c.queue.mu.Unlock()
		if !full {
			return
		}
		select {
		case <-c.queue.drained:
		case <-ctx.Done():
			return
		case <-c.ctx.Done():
			return
		}
	}
}

// pongAt is the pong naming the position seq, with the mark of the event
// under it (since_id and since_at, as the event said its id and at) when
// m names that seq: the client resumes with them as with an event's, and
// a database that went back is still caught. Before, a pong moved the
// client's seq past its last event, and the mark it kept was that
// event's, under another seq: it resumed with since alone until its
// next event.
func pongAt(seq int64, m *seqMark) []byte {
	b := []byte(`{"type":"pong","seq":`)
	b = strconv.AppendInt(b, seq, 10)
	if m != nil && m.seq == seq {
		b = append(b, `,"since_id":"`...)
		b = append(b, m.ID.String()...)
		b = append(b, `","since_at":"`...)
		b = m.At.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	return append(b, '}')
}

// pong answers a ping. A client that takes positions (it sent a topics
// message with since) is told its position too, {"type":"pong","seq":N}:
// the socket's events continue from N, past the events it skipped. The
// client's since, its last applied seq, lags behind them on a socket with
// topics (nothing is sent for a skipped event), and a page change replays
// what was skipped of the new page after it: with the PWA's ping every
// 25 s, only what was skipped in the last seconds. Queued under the hub's
// lock, as a topics answer, to come exactly between the events.
//
// Not while the socket reads its events from the log (behind): a page
// being read goes to the client before the queue, so a pong queued now
// would come after events past the position it names, and the client,
// taking it, would go back and see a gap at the next event. The client
// is moving anyway; its next pong names its position.
//
// It takes the socket's queue lock, not the hub's: the dispatcher queues
// an event and moves sent and the cursor under that lock at once, and
// moves the cursor alone past an event it skips (nothing queued for it),
// so the cursor read here has every event up to it queued before the pong
// and none after it; every other move of the socket holds that lock too
// (place) or runs on this goroutine (retopic).
func (c *Client) pong(ctx context.Context) []byte {
	if c.hub == nil || !c.positions.Load() {
		return pongMessage
	}
	c.awaitRoom(ctx)
	q := &c.queue
	q.mu.Lock()
	if c.lagging.Load() {
		q.mu.Unlock()
		return pongMessage
	}
	c.sent = c.cursor.Load()
	ok := q.pushLocked(Message{Data: pongAt(c.sent, c.cursorMark.Load())}, true)
	onReady := q.onReady
	q.mu.Unlock()
	if !ok {
		c.Close(CloseSlowConsumer, "too slow: reconnect with since")
		return nil
	}
	q.signal(onReady)
	return nil
}
