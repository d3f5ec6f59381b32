package realtime

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/familyhub/familyhub"
)

// MaxClientMessage is the largest client message handled; transports
// answer larger ones with ErrorMessage("too_large", …) and go on.
const MaxClientMessage = 4 << 10

// maxClientTopics bounds the topics one subscribe names.
const maxClientTopics = 64

// clientMessage is what a client may send (docs/realtime.md).
type clientMessage struct {
	Type   string   `json:"type"`
	Topics []string `json:"topics"`
}

// HandleMessage applies one client message and returns the reply. A bad
// message gets an error reply and changes nothing.
func (c *Client) HandleMessage(data []byte) []byte {
	var m clientMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return ErrorMessage("malformed_request", "Messages are JSON objects like {\"type\":\"ping\"}.")
	}
	switch m.Type {
	case "ping":
		return pongMessage
	case "subscribe", "unsubscribe":
		topics, err := ParseTopics(m.Topics)
		if err != nil || len(topics) == 0 {
			return ErrorMessage("invalid", "topics must name 1-64 of shopping, shopping-list:<id>, tasks, calendar, recipes.")
		}
		if m.Type == "subscribe" {
			c.AddTopics(topics)
		} else {
			c.RemoveTopics(topics)
		}
		b, _ := json.Marshal(map[string]any{"type": "subscribed", "topics": nonNil(c.Topics())})
		return b
	}
	return ErrorMessage("unknown_type", "Unknown message type; expected ping, subscribe or unsubscribe.")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ParseTopics checks topic names (at most 64): shopping, shopping-list:<id>,
// tasks, calendar, recipes. Any other is EINVALID on field "topics".
func ParseTopics(topics []string) ([]string, error) {
	if len(topics) > maxClientTopics {
		return nil, familyhub.Invalid("topics", "at most %d topics", maxClientTopics)
	}
	out := make([]string, 0, len(topics))
	for _, tp := range topics {
		tp = strings.TrimSpace(tp)
		if !validTopic(tp) {
			return nil, familyhub.Invalid("topics", "unknown topic %q: use shopping, shopping-list:<id>, tasks, calendar or recipes", tp)
		}
		out = append(out, tp)
	}
	return out, nil
}
