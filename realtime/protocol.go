package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// MaxClientMessage is the largest client message handled; transports
// answer larger ones with ErrorMessage("too_large", …) and go on.
const MaxClientMessage = 4 << 10

// MaxTopics bounds the subscriptions of one socket in all (and so the
// topics one subscribe message may name): a client can make the server
// hold only so much, however many subscribe messages it sends. No family
// outgrows it: "shopping" covers all of a family's lists, and the PWA
// holds one topic per page (docs/realtime.md, Topics).
const MaxTopics = 64

// clientMessage is what a client may send (docs/realtime.md).
type clientMessage struct {
	Type   string   `json:"type"`
	Topics []string `json:"topics"`
	View   *string  `json:"view"`
	// Since is, on a topics message, the seq of the last event the
	// client applied (its position when it started reading what the new
	// topics show): see retopic.go.
	Since *int64 `json:"since"`
}

// subscribedReply answers subscribe/unsubscribe with what changed only (an
// echo of every topic made each reply as large as the socket's whole
// subscription: quadratic memory for a client sending many).
type subscribedReply struct {
	Type    string   `json:"type"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Count   int      `json:"count"` // subscriptions now; 0: everything
	// Seq answers a topics message that had since: where the socket's
	// events continue (the next one's prev_seq), to be taken as the last
	// seq seen; lower than the client's when events it skipped are sent
	// again (retopic.go).
	Seq *int64 `json:"seq,omitempty"`
	// SinceID and SinceAt, with Seq, are the mark of the event under it
	// when the socket's position is one the hub moved it to (cursorMark),
	// as a pong's: the client resumes from Seq with them.
	SinceID *uuid.UUID `json:"since_id,omitempty"`
	SinceAt *time.Time `json:"since_at,omitempty"`
}

// HandleMessage applies one client message and returns the reply (nil when
// the message needs none, or when it queued the reply itself: a topics
// message's answer is ordered with the events). A bad message gets an
// error reply and changes nothing. ctx is the connection's: a topics
// message waits for room in the client's queue, as Answer does.
func (c *Client) HandleMessage(ctx context.Context, data []byte) []byte {
	var m clientMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		// A JSON object with a wrong field still named its type (the
		// decoder goes on past such a field): say which message it was,
		// or a client waiting for a topics answer waits for ever.
		return refusal(m.Type, "malformed_request", "Messages are JSON objects like {\"type\":\"ping\"}.")
	}
	reply := c.handle(ctx, m)
	if messageTypes[m.Type] && bytes.Contains(reply, []byte(`"type":"error"`)) {
		// Say which message was refused: a client with a topics message
		// and a presence message in flight tells their answers apart.
		var e map[string]string
		if json.Unmarshal(reply, &e) == nil {
			e["for"] = m.Type
			reply, _ = json.Marshal(e)
		}
	}
	return reply
}

// TooLargeMessage is the answer to a client message over
// MaxClientMessage, of which start is the beginning: it names the
// message's type ("for") when start shows it (a JSON object whose "type"
// comes before the bulk, as clients write it), so that a client knows
// which of its messages was refused.
func TooLargeMessage(start []byte) []byte {
	return refusal(typeOf(start), "too_large", "Messages are limited to 4 KiB.")
}

// refusal is ErrorMessage naming the refused message's type when it is one
// there is.
func refusal(typ, code, msg string) []byte {
	if !messageTypes[typ] {
		return ErrorMessage(code, msg)
	}
	b, _ := json.Marshal(map[string]string{"type": "error", "code": code, "message": msg, "for": typ})
	return b
}

// typeOf returns the "type" of the JSON object data begins with, read
// token by token up to that member ("" when data is no object or is cut
// off before it).
func typeOf(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		if k == "type" {
			v, _ := dec.Token()
			s, _ := v.(string)
			return s
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}

// messageTypes are the client messages there are (an error names the one
// it refuses; an unknown type is not echoed).
var messageTypes = map[string]bool{"ping": true, "topics": true, "subscribe": true, "unsubscribe": true, "presence": true}

// handle applies a decoded client message (HandleMessage).
func (c *Client) handle(ctx context.Context, m clientMessage) []byte {
	switch m.Type {
	case "ping":
		return c.pong(ctx)
	case "subscribe", "unsubscribe":
		topics, err := ParseTopics(m.Topics)
		if err != nil || len(topics) == 0 {
			return ErrorMessage("invalid", "topics must name 1-64 of family, shopping, shopping-list:<id>, tasks, calendar, recipes.")
		}
		add := m.Type == "subscribe"
		changed, ok := c.changeTopics(add, topics)
		if !ok {
			return ErrorMessage("too_many_topics", "A connection may subscribe to at most 64 topics; unsubscribe from some first.")
		}
		r := subscribedReply{Type: "subscribed", Added: []string{}, Removed: []string{}, Count: len(c.Topics())}
		if add {
			r.Added = nonNil(changed)
		} else {
			r.Removed = nonNil(changed)
		}
		b, _ := json.Marshal(r)
		return b
	case "topics":
		// The whole set at once, all or nothing: a subscribe refused for
		// too many topics followed by an unsubscribe that went through
		// left a client believing it had topics it did not.
		if len(m.Topics) > MaxTopics {
			return ErrorMessage("too_many_topics", "A connection may subscribe to at most 64 topics.")
		}
		topics, err := ParseTopics(m.Topics)
		if err != nil || (m.Since != nil && *m.Since < 0) {
			return ErrorMessage("invalid", "topics must name up to 64 of family, shopping, shopping-list:<id>, tasks, calendar, recipes; since must be a seq (>= 0).")
		}
		return c.retopic(ctx, dedupe(topics), m.Since)
	case "presence":
		if m.View == nil || !validView(*m.View) {
			return ErrorMessage("invalid", "view must be one of shopping, shopping-list:<id>, tasks, calendar, recipes, recipe:<id>, or \"\" for none.")
		}
		if c.hub != nil {
			c.hub.setPresence(c, strings.ToLower(*m.View))
		}
		return nil
	}
	return ErrorMessage("unknown_type", "Unknown message type; expected ping, topics, subscribe, unsubscribe or presence.")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ParseTopics checks topic names (at most MaxTopics): family, shopping,
// shopping-list:<id>, tasks, calendar, recipes, compared case-insensitively
// (returned in lower case, as the events spell ids). Any other is EINVALID
// on field "topics".
func ParseTopics(topics []string) ([]string, error) {
	if len(topics) > MaxTopics {
		return nil, familyhub.Invalid("topics", "at most %d topics", MaxTopics)
	}
	out := make([]string, 0, len(topics))
	for _, tp := range topics {
		tp = strings.ToLower(strings.TrimSpace(tp))
		if !validTopic(tp) {
			return nil, familyhub.Invalid("topics", "unknown topic %q: use family, shopping, shopping-list:<id>, tasks, calendar or recipes", tp)
		}
		out = append(out, tp)
	}
	return out, nil
}
