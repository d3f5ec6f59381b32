package realtime

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Event is one family event: a "go re-read" notice, never the record.
type Event struct {
	FamilyID uuid.UUID  `json:"family_id"`
	Seq      int64      `json:"seq"`
	Type     string     `json:"type"`
	ID       uuid.UUID  `json:"id"`
	ListID   *uuid.UUID `json:"list_id,omitempty"`
	Op       string     `json:"op"`
	// Version is the version the change gave the record (0: none, omitted;
	// deletes, updates that kept the version, records without one): a
	// client that already shows it need not re-read the record.
	Version  int64      `json:"version,omitempty"`
	At       time.Time  `json:"at"`
	Actor    *uuid.UUID `json:"actor,omitempty"`
	DeviceID string     `json:"device_id,omitempty"`
	// ForUser is the one member whose devices hear the event (an app
	// password's, 00042), nil for the whole family. Not on the wire: the
	// member it is for knows.
	ForUser *uuid.UUID `json:"for_user,omitempty"`
}

// For reports whether the devices of user hear ev: every event of the
// family but another member's own (ForUser).
func (ev *Event) For(user uuid.UUID) bool { return ev.ForUser == nil || *ev.ForUser == user }

// EventsFor returns the events of events that user's devices hear (For),
// in place: what a long poll or a delta answers them.
func EventsFor(events []Event, user uuid.UUID) []Event {
	return slices.DeleteFunc(events, func(ev Event) bool { return !ev.For(user) })
}

// parseEvent decodes a NOTIFY payload.
func parseEvent(payload string) (Event, error) {
	var ev Event
	if !parseEventFast(payload, &ev) {
		j := new(Event) // on the heap in this branch alone
		err := json.Unmarshal([]byte(payload), j)
		ev = *j
		if err != nil {
			return ev, fmt.Errorf("decode event payload: %w", err)
		}
	}
	if ev.FamilyID == uuid.Nil || ev.Seq <= 0 || ev.Type == "" {
		return ev, fmt.Errorf("incomplete event payload %q", payload)
	}
	return ev, nil
}

// parseEventFast decodes payload into ev as json.Unmarshal would, for the
// payloads PostgreSQL writes (one flat object of the Event's own keys, their
// strings plain ASCII without escapes, integer numbers), without its
// reflective walk; it reports false for anything else (another key or key
// spelling, an escape, a nested value, a number json would not put in an
// int64), which json.Unmarshal then decodes or refuses. The UUIDs and the
// time are read by the same methods json.Unmarshal calls.
func parseEventFast(payload string, ev *Event) bool {
	p := payload
	skip := func() {
		for len(p) > 0 && (p[0] == ' ' || p[0] == '\n' || p[0] == '\t' || p[0] == '\r') {
			p = p[1:]
		}
	}
	// str reads a string without escapes or bytes json would change.
	str := func() (string, bool) {
		if len(p) == 0 || p[0] != '"' {
			return "", false
		}
		for i := 1; i < len(p); i++ {
			switch c := p[i]; {
			case c == '"':
				s := p[1:i]
				p = p[i+1:]
				return s, true
			case c < 0x20 || c >= 0x80 || c == '\\':
				return "", false
			}
		}
		return "", false
	}
	skip()
	if len(p) == 0 || p[0] != '{' {
		return false
	}
	p = p[1:]
	skip()
	if len(p) > 0 && p[0] == '}' {
		p = p[1:]
		skip()
		return len(p) == 0
	}
	for {
		skip()
		key, ok := str()
		if !ok {
			return false
		}
		skip()
		if len(p) == 0 || p[0] != ':' {
			return false
		}
		p = p[1:]
		skip()
		if strings.HasPrefix(p, "null") {
			// json leaves a value field as it was and sets a pointer nil.
			p = p[4:]
			switch key {
			case "list_id":
				ev.ListID = nil
			case "actor":
				ev.Actor = nil
			case "for_user":
				ev.ForUser = nil
			case "family_id", "seq", "type", "id", "op", "version", "at", "device_id":
			default:
				return false
			}
		} else if len(p) > 0 && p[0] == '"' {
			start := p
			v, ok := str()
			var err error
			if !ok {
				return false
			}
			switch key {
			case "family_id", "id", "list_id", "actor", "for_user":
				// uuid.Parse is UnmarshalText (json's) for a string.
				var id uuid.UUID
				if id, err = uuid.Parse(v); err != nil {
					return false
				}
				switch key {
				case "family_id":
					ev.FamilyID = id
				case "id":
					ev.ID = id
				case "list_id":
					ev.ListID = new(id)
				case "actor":
					ev.Actor = new(id)
				case "for_user":
					ev.ForUser = new(id)
				}
			case "type":
				ev.Type = v
			case "op":
				ev.Op = v
			case "device_id":
				ev.DeviceID = v
			case "at":
				err = ev.At.UnmarshalJSON([]byte(start[:len(v)+2]))
			default:
				return false
			}
			if err != nil {
				return false
			}
		} else {
			i := 0
			if i < len(p) && p[i] == '-' {
				i++
			}
			digits := i
			for i < len(p) && p[i] >= '0' && p[i] <= '9' {
				i++
			}
			if i == digits || (p[digits] == '0' && i > digits+1) {
				return false // not an integer, or a leading zero
			}
			n, err := strconv.ParseInt(p[:i], 10, 64)
			if err != nil {
				return false
			}
			p = p[i:]
			switch key {
			case "seq":
				ev.Seq = n
			case "version":
				ev.Version = n
			default:
				return false
			}
		}
		skip()
		if len(p) == 0 {
			return false
		}
		switch p[0] {
		case ',':
			p = p[1:]
		case '}':
			p = p[1:]
			skip()
			return len(p) == 0
		default:
			return false
		}
	}
}

// eventFromLog converts an event_log row.
func eventFromLog(r dbsqlc.EventLog) Event {
	ev := Event{FamilyID: r.FamilyID, Seq: r.Seq, Type: r.Type, ID: r.EntityID, ListID: r.ListID, Op: r.Op, At: r.At, Actor: r.ActorID,
		ForUser: r.ForUserID}
	if r.DeviceID != nil {
		ev.DeviceID = *r.DeviceID
	}
	if r.Version != nil {
		ev.Version = *r.Version
	}
	return ev
}

// validTopic reports whether t is a topic clients may name.
func validTopic(t string) bool {
	switch t {
	case familyhub.TopicFamily, familyhub.TopicShopping, familyhub.TopicTasks, familyhub.TopicCalendar, familyhub.TopicRecipes:
		return true
	}
	if id, ok := strings.CutPrefix(t, familyhub.TopicShoppingList); ok {
		_, err := uuid.Parse(id)
		return err == nil && len(id) == 36
	}
	return false
}

// matches reports whether ev belongs to topic. Family events (members,
// settings) belong to every topic: every view shows members. TopicFamily
// is those alone.
func (ev *Event) matches(topic string) bool {
	switch {
	case ev.Type == familyhub.EventFamilyUpdated:
		return true
	case topic == familyhub.TopicShopping:
		return strings.HasPrefix(ev.Type, "SHOPPING_")
	case topic == familyhub.TopicTasks:
		return strings.HasPrefix(ev.Type, "TASK_")
	case topic == familyhub.TopicCalendar:
		return strings.HasPrefix(ev.Type, "CALENDAR_")
	case topic == familyhub.TopicRecipes:
		return strings.HasPrefix(ev.Type, "RECIPE_")
	case strings.HasPrefix(topic, familyhub.TopicShoppingList):
		list := strings.TrimPrefix(topic, familyhub.TopicShoppingList)
		if ev.Type == familyhub.EventShoppingListUpdated {
			return ev.ID.String() == list
		}
		return ev.ListID != nil && ev.ListID.String() == list
	}
	return false
}

// wireBody is the event as clients see it, without the opening brace and
// the per-socket "prev_seq", so that it is encoded once per event and shared
// by every socket:
//
//	{"prev_seq":56,"type":"SHOPPING_ITEM_UPDATED","seq":57,"id":"…","list_id":"…","op":"insert","version":1,"at":"…","actor":"…"}
//
// prev_seq is the seq of the previous event this socket was sent (or the
// seq it resumed from): with topic subscriptions a socket skips events of
// other topics, and prev_seq lets it still tell a skipped event from a lost
// one. Without subscriptions prev_seq is always seq-1.
//
// It is written by hand, not by json.Marshal: the same bytes (the wire test
// compares them) at one allocation instead of a reflective walk, a buffer
// and a copy per field (docs/benchmarks-history-3.md, thirteenth round, Go side).
func (ev *Event) wireBody() []byte {
	b := make([]byte, 0, 256)
	b = append(b, `"type":`...)
	b = appendJSONString(b, ev.Type)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `,"id":`...)
	b = appendJSONUUID(b, ev.ID)
	if ev.ListID != nil {
		b = append(b, `,"list_id":`...)
		b = appendJSONUUID(b, *ev.ListID)
	}
	b = append(b, `,"op":`...)
	b = appendJSONString(b, ev.Op)
	if ev.Version != 0 {
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, ev.Version, 10)
	}
	b = append(b, `,"at":`...)
	// As time.Time's MarshalJSON writes it for years 0-9999 (beyond, it
	// failed, and json.Marshal with it).
	b = append(b, '"')
	b = ev.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if ev.Actor != nil {
		b = append(b, `,"actor":`...)
		b = appendJSONUUID(b, *ev.Actor)
	}
	if ev.DeviceID != "" {
		b = append(b, `,"device_id":`...)
		b = appendJSONString(b, ev.DeviceID)
	}
	return append(b, '}')
}

// appendJSONString appends s as json.Marshal writes it: as is when it is
// plain printable ASCII without a character json escapes (the event types,
// ops and device ids clients make), else through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONUUID appends id as a quoted JSON string, as json.Marshal does.
func appendJSONUUID(b []byte, id uuid.UUID) []byte {
	var buf [38]byte
	buf[0], buf[37] = '"', '"'
	hex.Encode(buf[1:9], id[0:4])
	buf[9] = '-'
	hex.Encode(buf[10:14], id[4:6])
	buf[14] = '-'
	hex.Encode(buf[15:19], id[6:8])
	buf[19] = '-'
	hex.Encode(buf[20:24], id[8:10])
	buf[24] = '-'
	hex.Encode(buf[25:37], id[10:16])
	return append(b, buf[:]...)
}

// WireEvents returns events as clients receive them, each with prev_seq,
// starting after since: the body of the delta and long-poll answers.
func WireEvents(events []Event, since int64) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(events))
	prev := since
	for i := range events {
		out = append(out, wireMessage(events[i].wireBody(), prev))
		prev = events[i].Seq
	}
	return out
}

// wireMessage returns the full JSON message for a socket whose previous
// event was prev.
func wireMessage(body []byte, prev int64) []byte {
	out := make([]byte, 0, len(body)+24)
	out = append(out, `{"prev_seq":`...)
	out = strconv.AppendInt(out, prev, 10)
	out = append(out, ',')
	return append(out, body...)
}

// Control messages of the protocol (docs/realtime.md).
//
// hello names the protocol's features a client may not find in an older
// server: "topics", the topics message (docs/realtime.md).
func helloMessage(seq int64) []byte {
	return []byte(`{"type":"hello","seq":` + strconv.FormatInt(seq, 10) + `,"features":["topics"]}`)
}

// resyncMessage tells a client to re-fetch everything; seq is where the
// events that follow on the socket continue from (the first one's
// prev_seq), so a client resumes from there next time instead of from the
// position the log no longer holds, which would be answered resync again.
func resyncMessage(seq int64) []byte {
	return []byte(`{"type":"resync","seq":` + strconv.FormatInt(seq, 10) + `}`)
}

var resyncPrefix = []byte(`{"type":"resync","seq":`)

// ResyncSeq returns the seq a resync message names (where the events that
// follow continue) and whether m is one. The SSE transport gives it as
// the message's id: an EventSource that reconnects by itself then resumes
// from there, not from its old Last-Event-ID, which would be answered
// resync again.
func (m Message) ResyncSeq() (int64, bool) {
	rest, ok := bytes.CutPrefix(m.Data, resyncPrefix)
	if !ok || m.Seq != 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(bytes.TrimSuffix(rest, []byte("}"))), 10, 64)
	return n, err == nil
}

var pongMessage = []byte(`{"type":"pong"}`)

// ErrorMessage is the protocol's error message, for a client message that
// could not be handled.
func ErrorMessage(code, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"type": "error", "code": code, "message": msg})
	return b
}

// sessionNotice is a payload on ChannelSessions.
type sessionNotice struct {
	SessionID  uuid.UUID  `json:"session_id"`
	UserID     uuid.UUID  `json:"user_id"`
	FamilyID   uuid.UUID  `json:"family_id"`
	Reason     string     `json:"reason"` // revoked, rotated, removed, changed (00028: nothing to close)
	ReplacedBy *uuid.UUID `json:"replaced_by"`
}

// deviceNotice is a payload on ChannelDevice: Message goes, as is, to the
// sockets of that device only.
type deviceNotice struct {
	FamilyID uuid.UUID `json:"family_id"`
	DeviceID string    `json:"device_id"`
	UserID   uuid.UUID `json:"user_id"` // when set, only this user's sockets of the device
	// AfterSeq is the family's seq when the notice was committed: it is
	// delivered after the events up to it (an answer after the changes it
	// reports).
	AfterSeq int64           `json:"after_seq"`
	Message  json.RawMessage `json:"message"`
}
