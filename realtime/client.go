package realtime

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Message is a queued message: Data goes to the client as is. At is the
// event's time (zero for control messages), for the commit-to-delivery
// latency metric; Seq the event's seq (0 for control messages).
type Message struct {
	Data []byte
	At   time.Time
	Seq  int64
}

// Client is one connected device on one transport.
type Client struct {
	FamilyID  uuid.UUID
	UserID    uuid.UUID
	DeviceID  string
	Transport string

	hub       *Hub // nil in unit tests of the protocol
	queue     queue
	ctx       context.Context // cancelled by Close
	cancel    context.CancelFunc
	closeOnce sync.Once
	leaveOnce sync.Once
	closeCode int
	closeMsg  string

	// Guarded by Hub.mu.
	sessionID uuid.UUID
	// role is the role the connection was let in with: a connection
	// whose user's role changes is closed (recheck.go). "": not let in by
	// a session (tests of the hub), never re-checked.
	role string
	// cursor: every family event up to it has been handled for this
	// client (queued, skipped by topic, or read by a page). Written under
	// Hub.mu (moved together with sent and behind under queue.mu too,
	// place); read by pong without Hub.mu.
	cursor atomic.Int64
	// cursorMark names the event under the cursor (its seq, entity and
	// time) when the dispatcher or a page moved the cursor onto it; a
	// pong naming that seq gives its mark too, so that a client that
	// takes the pong's seq as its position keeps a mark to resume with
	// (since_id, since_at). Stale (another seq than the cursor's) after
	// other moves: then the pong names no mark, as before.
	cursorMark atomic.Pointer[seqMark]
	// sent: the seq of the last event queued for the client (or the
	// resume point, or the position its last pong named), the next
	// event's prev_seq. Guarded by queue.mu: a pong sets it under that
	// lock alone, so pings never take the hub's lock (4,000 sockets ping
	// 160 times a second).
	sent int64
	// behind: the live stream outran the client's queue (a burst, or a
	// resume from far back); its next events come from the event log in
	// pages (Hub.page) until it has caught up, then live again.
	behind bool
	// lagging mirrors behind for Next, which must not take the hub's lock
	// on every empty queue, and for pong; it changes under queue.mu.
	lagging atomic.Bool
	// presence is the view the device last reported (see presence.go).
	presence string
	// skipped is, per kind of event (kindOf), the highest seq this client
	// was not sent because of its topics; topicsGen counts the topic
	// changes made by topics messages. See retopic.go.
	skipped   [numKinds]int64
	topicsGen uint32
	// positions: the client sent a topics message with since, so it
	// takes a seq in answers; its pongs say its position (retopic.go).
	positions atomic.Bool
	// rewinds bounds how often topics messages send this client back in
	// the log (retopic.go).
	rewinds rewindBudget

	topics   atomic.Pointer[topicSet] // nil: everything
	onTopics atomic.Pointer[func()]   // see OnTopics

	// expires is when the client's session ends (zero: never, or closed
	// for it already); Hub.mu guards it once joined. The hub's one expiry
	// timer closes it then (expiry.go).
	expires time.Time
}

// topicSet is an immutable set of subscriptions, swapped as a whole so the
// dispatcher reads it without a lock.
type topicSet struct{ topics []string }

func newClient(p JoinParams) *Client {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		FamilyID: p.FamilyID, UserID: p.UserID, DeviceID: p.DeviceID, Transport: p.Transport,
		queue: newQueue(), ctx: ctx, cancel: cancel, sessionID: p.SessionID, role: p.Role,
	}
	c.SetTopics(p.Topics)
	c.expires = p.SessionExpires
	return c
}

// seqMark is the mark of the event under seq (Client.cursorMark).
type seqMark struct {
	seq int64
	Mark
}

// Ready is signalled when messages are waiting (unless OnReady set a
// function: then that is called instead); call Next.
func (c *Client) Ready() <-chan struct{} { return c.queue.ready }

// Take returns the queued messages, oldest first, and empties the queue.
// Transports use Next, which also reads the log when the client is behind.
func (c *Client) Take() []Message { return c.queue.take() }

// setBehind sets behind (Hub.mu held) and its lock-free mirror; where a
// pong may run meanwhile, under queue.mu too (place).
func (c *Client) setBehind(b bool) {
	c.behind = b
	c.lagging.Store(b)
}

// place moves the client (Hub.mu held): cursor, sent and behind change
// together under the queue's lock, so that a pong, which takes only that
// lock, sees all of a move or none of it.
func (c *Client) place(cursor, sent int64, behind bool) {
	c.queue.mu.Lock()
	c.cursor.Store(cursor)
	c.sent = sent
	c.setBehind(behind)
	c.queue.mu.Unlock()
}

// Next returns what is to be written to the client now, oldest first:
// its queued messages, or, when it fell behind the live stream (a burst
// larger than its queue, or a resume from far back), the next page of its
// events from the event log. Nil means nothing is waiting. It may read the
// database; an error means the page could not be read (try again later).
func (c *Client) Next(ctx context.Context) ([]Message, error) {
	if msgs := c.queue.take(); len(msgs) > 0 || c.hub == nil || !c.lagging.Load() {
		return msgs, nil
	}
	return c.hub.page(ctx, c)
}

// NextLive is Next without the event log: the queued messages, or behind
// when the queue is empty and the client reads on from the log (then call
// Next, which may wait on the database, on a goroutine of the
// connection's own: a transport's shared writers never wait on it).
func (c *Client) NextLive() (msgs []Message, behind bool) {
	if msgs := c.queue.take(); len(msgs) > 0 || c.hub == nil || !c.lagging.Load() {
		return msgs, false
	}
	return nil, true
}

// Done is closed when the server wants the connection closed; CloseStatus
// says why.
func (c *Client) Done() <-chan struct{} { return c.ctx.Done() }

// Context is cancelled when the server wants the connection closed.
func (c *Client) Context() context.Context { return c.ctx }

// OnReady sets a function called (without locks held) after each message
// is queued; transports without a writer goroutine use it to start one.
// Set it before the client can receive messages, or kick it once after.
func (c *Client) OnReady(f func()) {
	c.queue.mu.Lock()
	c.queue.onReady = f
	c.queue.mu.Unlock()
}

// CloseStatus returns the close code and reason once Done is closed.
func (c *Client) CloseStatus() (int, string) { return c.closeCode, c.closeMsg }

// Close asks the transport to close the connection with code and reason.
// Only the first call counts.
func (c *Client) Close(code int, reason string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeMsg = code, reason
		c.cancel()
	})
}

// release frees what keeps a departed client reachable: its queue's
// messages and the context's AfterFunc hooks. (The session expiry keeps
// nothing: the hub's one timer looks only at joined clients.)
func (c *Client) release() {
	c.queue.mu.Lock()
	c.queue.onReady = nil
	c.queue.msgs = nil
	c.queue.spare = nil
	c.queue.bytes = 0
	c.queue.mu.Unlock()
	c.cancel()
}

// queue is a client's bounded outgoing queue, bounded in messages and in
// bytes. While empty it holds at most its spare slice (below). Events are refused beyond QueueMessages/QueueBytes (the client
// then reads the log in pages instead); control messages (pongs, replies,
// device messages, presence) have the same amount again on top, so a
// healthy client in the middle of a burst still gets its pong, while one
// that sends without reading is cut off.
//
// spare is the slice of a batch the transport wrote (Written): the next
// message is queued into it instead of a new slice. While a socket gets
// events, its queue and its transport pass two slices back and forth and
// allocate none; a slice of more than spareMessages goes when the
// transport's writer stops (Idle), so an idle socket keeps at most
// spareMessages' worth.
type queue struct {
	mu      sync.Mutex
	msgs    []Message
	spare   []Message
	bytes   int
	ready   chan struct{} // capacity 1: "there is something"
	drained chan struct{} // capacity 1: "the transport took what was queued"
	onReady func()
}

func newQueue() queue {
	return queue{ready: make(chan struct{}, 1), drained: make(chan struct{}, 1)}
}

func (q *queue) push(m Message, control bool) bool {
	q.mu.Lock()
	ok := q.pushLocked(m, control)
	onReady := q.onReady
	q.mu.Unlock()
	if ok {
		q.signal(onReady)
	}
	return ok
}

// pushLocked queues m (q.mu held) unless the queue is full; the caller
// signals (q.signal) once it has unlocked.
func (q *queue) pushLocked(m Message, control bool) bool {
	maxMsgs, maxBytes := QueueMessages, QueueBytes
	if control {
		maxMsgs, maxBytes = 2*QueueMessages, 2*QueueBytes
	}
	if len(q.msgs) >= maxMsgs || q.bytes+len(m.Data) > maxBytes {
		return false
	}
	if q.msgs == nil {
		q.msgs, q.spare = q.spare, nil
	}
	q.msgs = append(q.msgs, m)
	q.bytes += len(m.Data)
	return true
}

// spareMessages bounds the slice an idle socket's queue keeps for reuse
// (queue.spare): the common batch of one or two messages. spareBurst
// bounds it while the socket's writer runs: the batches of a burst
// (1,000 sockets with ten events at once, issue 20: a new slice grown
// two or three times per batch of more than two), not a backlog's.
const (
	spareMessages = 2
	spareBurst    = 32
)

// Written tells the client that the transport wrote msgs, a batch Next
// returned, and holds them no longer: their slice is reused for the next
// messages unless it is large. A transport that calls Written calls Idle
// when its writer stops.
func (c *Client) Written(msgs []Message) {
	if cap(msgs) == 0 || cap(msgs) > spareBurst {
		return
	}
	clear(msgs) // drop the data: the slice alone is kept
	q := &c.queue
	q.mu.Lock()
	if cap(msgs) > cap(q.spare) {
		q.spare = msgs[:0]
	}
	q.mu.Unlock()
}

// Idle tells the client that its transport's writer stopped (it lingered
// with nothing to write): a burst's slice kept by Written goes, so that
// an idle socket holds at most spareMessages' worth.
func (c *Client) Idle() {
	q := &c.queue
	q.mu.Lock()
	if cap(q.spare) > spareMessages {
		q.spare = nil
	}
	q.mu.Unlock()
}

// signal says that messages are waiting: to the transport's onReady when
// it set one (a WebSocket's writer), else on the ready channel. Not both:
// a socket's transport that set onReady does not read the channel, and
// the send on it (a look at each socket's channel, full since its first
// event, per socket per event) was a fifth of the dispatcher's time in
// fan-out (issue 20, docs/benchmarks.md).
func (q *queue) signal(onReady func()) {
	if onReady != nil {
		onReady()
		return
	}
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// kick signals the transport without queueing anything (a page is waiting).
func (q *queue) kick() {
	q.mu.Lock()
	onReady := q.onReady
	q.mu.Unlock()
	q.signal(onReady)
}

func (q *queue) take() []Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	msgs := q.msgs
	q.msgs = nil
	q.bytes = 0
	if len(msgs) > 0 {
		select {
		case q.drained <- struct{}{}:
		default:
		}
	}
	return msgs
}

// Answer queues the reply to a message the client itself sent (a pong, a
// subscription change, an error). While the client's queue is full it
// waits for the transport to drain it: the transport's reader stops
// reading, TCP pushes back on the sender, and a client that sends a burst
// of pings is slowed down, not cut off. One that never reads is ended by
// its transport's write timeout, which ends ctx.
func (c *Client) Answer(ctx context.Context, b []byte) {
	for !c.queue.push(Message{Data: b}, true) {
		select {
		case <-c.queue.drained:
		case <-ctx.Done():
			return
		case <-c.ctx.Done():
			return
		}
	}
}

// Reply queues a control message (a device message, presence) for the
// client; a client whose queue is full even for those is too slow and is
// closed. Replies to the client's own messages use Answer.
func (c *Client) Reply(b []byte) {
	if !c.queue.push(Message{Data: b}, true) {
		c.Close(CloseSlowConsumer, "too slow: reconnect with since")
	}
}

// SetTopics replaces the client's subscriptions; none means everything.
func (c *Client) SetTopics(topics []string) {
	if len(topics) == 0 {
		c.topics.Store(nil)
		return
	}
	c.topics.Store(&topicSet{topics: dedupe(topics)})
}

func dedupe(topics []string) []string {
	out := make([]string, 0, len(topics))
	for _, t := range topics {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// changeTopics adds or removes subscriptions and returns what actually
// changed. Adding beyond MaxTopics changes nothing and reports false.
// Removing the last one means the client gets everything again.
func (c *Client) changeTopics(add bool, topics []string) (changed []string, ok bool) {
	// Only the client's reader goroutine changes topics: load, copy, store.
	var cur []string
	if ts := c.topics.Load(); ts != nil {
		cur = ts.topics
	}
	next := slices.Clone(cur)
	for _, t := range dedupe(topics) {
		i := slices.Index(next, t)
		switch {
		case add && i < 0:
			next = append(next, t)
			changed = append(changed, t)
		case !add && i >= 0:
			next = slices.Delete(next, i, i+1)
			changed = append(changed, t)
		}
	}
	if len(next) > MaxTopics {
		return nil, false
	}
	if len(changed) > 0 {
		c.SetTopics(next)
		if f := c.onTopics.Load(); f != nil {
			(*f)()
		}
	}
	return changed, true
}

// OnTopics sets a function called after the client's own subscribe or
// unsubscribe message changed its subscriptions (notify's presence writes
// them down). It must not block: it runs on the client's reader.
func (c *Client) OnTopics(f func()) { c.onTopics.Store(&f) }

// Topics returns the current subscriptions (nil: everything).
func (c *Client) Topics() []string {
	if ts := c.topics.Load(); ts != nil {
		return slices.Clone(ts.topics)
	}
	return nil
}

func (c *Client) wants(ev *Event) bool {
	ts := c.topics.Load()
	if ts == nil {
		return true
	}
	for _, t := range ts.topics {
		if ev.matches(t) {
			return true
		}
	}
	return false
}
