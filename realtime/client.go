package realtime

import (
	"context"
	"sync"
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

	queue     queue
	ctx       context.Context // cancelled by Close
	cancel    context.CancelFunc
	closeOnce sync.Once
	leaveOnce sync.Once
	closeCode int
	closeMsg  string

	// Guarded by Hub.mu.
	sessionID uuid.UUID
	prevSeq   int64 // seq of the last event queued (or the resume point)

	mu      sync.Mutex // guards topics and expiry
	topics  map[string]struct{}
	expiry  *time.Timer
	expires time.Time
}

func newClient(p JoinParams) *Client {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		FamilyID: p.FamilyID, UserID: p.UserID, DeviceID: p.DeviceID, Transport: p.Transport,
		queue: newQueue(), ctx: ctx, cancel: cancel, sessionID: p.SessionID,
	}
	c.SetTopics(p.Topics)
	if !p.SessionExpires.IsZero() {
		c.setExpiry(p.SessionExpires)
	}
	return c
}

// Ready is signalled when messages are waiting; Take them.
func (c *Client) Ready() <-chan struct{} { return c.queue.ready }

// Take returns the waiting messages, oldest first, and empties the queue.
func (c *Client) Take() []Message { return c.queue.take() }

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
		c.mu.Lock()
		if c.expiry != nil {
			c.expiry.Stop()
		}
		c.mu.Unlock()
	})
}

// release frees what keeps a departed client reachable: the session
// expiry timer (up to weeks away) and the context's AfterFunc hooks.
// Without it every closed connection would stay in memory until its
// session expired.
func (c *Client) release() {
	c.mu.Lock()
	if c.expiry != nil {
		c.expiry.Stop()
		c.expiry = nil
	}
	c.mu.Unlock()
	c.queue.mu.Lock()
	c.queue.onReady = nil
	c.queue.msgs = nil
	c.queue.mu.Unlock()
	c.cancel()
}

// enqueue queues m without blocking and reports whether there was room.
func (c *Client) enqueue(m Message) bool { return c.queue.push(m) }

// queue is a client's bounded outgoing queue. It holds no memory while
// empty (an idle socket costs nothing here) and grows up to QueueSize
// messages, so a burst such as a recipe's twenty items does not disconnect
// a client that reads, while one that stops reading is cut off.
type queue struct {
	mu      sync.Mutex
	msgs    []Message
	ready   chan struct{} // capacity 1: "there is something"
	onReady func()
}

func newQueue() queue { return queue{ready: make(chan struct{}, 1)} }

func (q *queue) push(m Message) bool {
	q.mu.Lock()
	if len(q.msgs) >= QueueSize {
		q.mu.Unlock()
		return false
	}
	q.msgs = append(q.msgs, m)
	onReady := q.onReady
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	if onReady != nil {
		onReady()
	}
	return true
}

func (q *queue) take() []Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	msgs := q.msgs
	q.msgs = nil
	return msgs
}

// Reply queues a control message (pong, error) for the client; a client
// whose queue is full is too slow and is closed.
func (c *Client) Reply(b []byte) {
	if !c.enqueue(Message{Data: b}) {
		c.Close(CloseSlowConsumer, "too slow: reconnect with since")
	}
}

// SetTopics replaces the client's subscriptions; none means everything.
func (c *Client) SetTopics(topics []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(topics) == 0 {
		c.topics = nil
		return
	}
	c.topics = make(map[string]struct{}, len(topics))
	for _, t := range topics {
		c.topics[t] = struct{}{}
	}
}

// AddTopics and RemoveTopics change subscriptions incrementally.
func (c *Client) AddTopics(topics []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.topics == nil {
		c.topics = map[string]struct{}{}
	}
	for _, t := range topics {
		c.topics[t] = struct{}{}
	}
}

// RemoveTopics removes subscriptions; removing the last one means the
// client gets everything again.
func (c *Client) RemoveTopics(topics []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range topics {
		delete(c.topics, t)
	}
	if len(c.topics) == 0 {
		c.topics = nil
	}
}

// Topics returns the current subscriptions (nil: everything).
func (c *Client) Topics() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.topics == nil {
		return nil
	}
	out := make([]string, 0, len(c.topics))
	for t := range c.topics {
		out = append(out, t)
	}
	return out
}

func (c *Client) wants(ev *Event) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.topics == nil {
		return true
	}
	for t := range c.topics {
		if ev.matches(t) {
			return true
		}
	}
	return false
}

// setExpiry closes the client when its session expires.
func (c *Client) setExpiry(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.expiry != nil {
		c.expiry.Stop()
	}
	c.expires = at
	c.expiry = time.AfterFunc(time.Until(at), func() { c.Close(CloseSessionEnded, "session expired") })
}
