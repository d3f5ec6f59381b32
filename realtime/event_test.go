package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestEventMatchesTopics(t *testing.T) {
	t.Parallel()
	list := uuid.New()
	otherList := uuid.New()
	item := Event{Type: "SHOPPING_ITEM_UPDATED", ID: uuid.New(), ListID: &list}
	listEv := Event{Type: "SHOPPING_LIST_UPDATED", ID: list}
	task := Event{Type: "TASK_UPDATED", ID: uuid.New()}
	cal := Event{Type: "CALENDAR_EVENT_UPDATED", ID: uuid.New()}
	recipe := Event{Type: "RECIPE_UPDATED", ID: uuid.New()}
	fam := Event{Type: "FAMILY_UPDATED", ID: uuid.New()}
	cases := []struct {
		ev    Event
		topic string
		want  bool
	}{
		{item, "shopping", true},
		{listEv, "shopping", true},
		{task, "shopping", false},
		{item, "shopping-list:" + list.String(), true},
		{listEv, "shopping-list:" + list.String(), true},
		{item, "shopping-list:" + otherList.String(), false},
		{task, "tasks", true},
		{cal, "calendar", true},
		{recipe, "recipes", true},
		{recipe, "tasks", false},
		// family: the family's own events and nothing else (the Family
		// page), which every other topic gets too.
		{fam, "family", true},
		{item, "family", false},
		{listEv, "family", false},
		{task, "family", false},
		{cal, "family", false},
		{recipe, "family", false},
		{fam, "shopping-list:" + list.String(), true},
		{fam, "tasks", true},
	}
	for _, tc := range cases {
		if got := tc.ev.matches(tc.topic); got != tc.want {
			t.Errorf("%s matches %q = %v, want %v", tc.ev.Type, tc.topic, got, tc.want)
		}
	}
	for topic, want := range map[string]bool{
		"family": true, "shopping": true, "tasks": true, "calendar": true, "recipes": true,
		"shopping-list:" + list.String(): true, "shopping-list:nope": false, "": false, "everything": false,
	} {
		if validTopic(topic) != want {
			t.Errorf("validTopic(%q) = %v", topic, !want)
		}
	}
}

func TestWireMessage(t *testing.T) {
	t.Parallel()
	list, actor := uuid.New(), uuid.New()
	ev := Event{FamilyID: uuid.New(), Seq: 57, Type: "SHOPPING_ITEM_UPDATED", ID: uuid.New(), ListID: &list,
		Op: "insert", Version: 1, At: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), Actor: &actor}
	var m map[string]any
	if err := json.Unmarshal(wireMessage(ev.wireBody(), 56), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"prev_seq": 56.0, "type": "SHOPPING_ITEM_UPDATED", "seq": 57.0, "id": ev.ID.String(),
		"list_id": list.String(), "op": "insert", "version": 1.0, "at": "2026-11-22T08:00:00Z", "actor": actor.String()}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if _, ok := m["family_id"]; ok {
		t.Error("family_id leaked onto the wire")
	}

	payload := `{"family_id":"` + ev.FamilyID.String() + `","seq":57,"type":"TASK_UPDATED","id":"` + ev.ID.String() + `","op":"update","version":4,"at":"2026-11-22T08:00:00.123456+00:00"}`
	parsed, err := parseEvent(payload)
	if err != nil || parsed.Seq != 57 || parsed.FamilyID != ev.FamilyID || parsed.Actor != nil || parsed.Version != 4 {
		t.Fatalf("parseEvent = %+v, %v", parsed, err)
	}
	// Without a version (a delete, a table without one): none on the wire.
	parsed, err = parseEvent(strings.Replace(payload, `"version":4,`, "", 1))
	if err != nil || parsed.Version != 0 || strings.Contains(string(parsed.wireBody()), "version") {
		t.Fatalf("parseEvent without version = %+v, %v; wire %s", parsed, err, parsed.wireBody())
	}
	for _, bad := range []string{"", "{}", `{"seq":1}`, "not json"} {
		if _, err := parseEvent(bad); err == nil {
			t.Errorf("parseEvent(%q) accepted", bad)
		}
	}
}

func TestClientMessages(t *testing.T) {
	t.Parallel()
	c := newClient(JoinParams{})
	reply := func(msg string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(c.HandleMessage(context.Background(), []byte(msg)), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if reply(`{"type":"ping"}`)["type"] != "pong" {
		t.Error("ping")
	}
	if r := reply(`{"type":"subscribe","topics":["tasks","calendar"]}`); r["type"] != "subscribed" || len(r["added"].([]any)) != 2 || r["count"] != 2.0 {
		t.Errorf("subscribe: %v", r)
	}
	// Only what changed comes back; an id compares case-insensitively.
	list := uuid.New()
	if r := reply(`{"type":"subscribe","topics":["tasks","shopping-list:` + strings.ToUpper(list.String()) + `"]}`); len(r["added"].([]any)) != 1 || r["count"] != 3.0 {
		t.Errorf("second subscribe: %v", r)
	}
	if !c.wants(&Event{Type: "SHOPPING_ITEM_UPDATED", ListID: &list}) {
		t.Error("an upper-case list id in a topic must match the list's events")
	}
	reply(`{"type":"unsubscribe","topics":["shopping-list:` + list.String() + `"]}`)
	if !c.wants(&Event{Type: "TASK_UPDATED"}) || c.wants(&Event{Type: "RECIPE_UPDATED"}) {
		t.Error("filter after subscribe")
	}
	reply(`{"type":"unsubscribe","topics":["tasks","calendar"]}`)
	if !c.wants(&Event{Type: "RECIPE_UPDATED"}) {
		t.Error("no subscription must mean everything")
	}
	for msg, code := range map[string]string{
		`{"type":"subscribe","topics":[]}`:      "invalid",
		`{"type":"subscribe","topics":["x"]}`:   "invalid",
		`{"type":"ping","extra":1}`:             "malformed_request",
		`{"type":"dance"}`:                      "unknown_type",
		`[]`:                                    "malformed_request",
		`{"type":"subscribe","topics":"tasks"}`: "malformed_request",
		`{"type":"subscribe","topics":[` + strings.Repeat(`"tasks",`, 70) + `"tasks"]}`: "invalid",
	} {
		if r := reply(msg); r["type"] != "error" || r["code"] != code {
			t.Errorf("%s → %v, want error %s", msg, r, code)
		}
	}
}

// FuzzClientMessage: no client message panics, every reply is valid JSON
// with a type, and subscriptions only ever hold valid topics.
func FuzzClientMessage(f *testing.F) {
	for _, s := range []string{`{"type":"ping"}`, `{"type":"subscribe","topics":["shopping"]}`,
		`{"type":"unsubscribe","topics":["shopping-list:7f1e0c1e-3d4f-4f6e-9a59-3f2d6b7c8d90"]}`, `{`, `null`, `{"type":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newClient(JoinParams{})
		var m map[string]any
		if err := json.Unmarshal(c.HandleMessage(context.Background(), data), &m); err != nil || m["type"] == nil {
			t.Fatalf("reply to %q is not a typed JSON message: %v", data, err)
		}
		for _, topic := range c.Topics() {
			if !validTopic(topic) {
				t.Fatalf("invalid topic %q accepted from %q", topic, data)
			}
		}
	})
}

// TestTopicsMessageAllOrNothing: a topics message replaces the socket's
// subscriptions as a whole, or, refused, changes nothing. With subscribe
// then unsubscribe a refused subscribe (too many topics) was followed by
// an unsubscribe that went through: the socket was left on fewer topics
// (with none: everything) than the client believed.
func TestTopicsMessageAllOrNothing(t *testing.T) {
	t.Parallel()
	c := newClient(JoinParams{Topics: []string{"shopping"}})
	reply := func(msg string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(c.HandleMessage(context.Background(), []byte(msg)), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	many := make([]string, MaxTopics+1)
	for i := range many {
		many[i] = `"shopping-list:` + uuid.NewString() + `"`
	}
	for msg, code := range map[string]string{
		`{"type":"topics","topics":[` + strings.Join(many, ",") + `]}`: "too_many_topics",
		`{"type":"topics","topics":["tasks","nonsense"]}`:              "invalid",
		`{"type":"topics","topics":["tasks"],"since":-1}`:              "invalid",
	} {
		if r := reply(msg); r["code"] != code || r["for"] != "topics" {
			t.Errorf("%.60s: %v, want %s for topics", msg, r, code)
		}
		if got := c.Topics(); len(got) != 1 || got[0] != "shopping" {
			t.Fatalf("after a refused topics message the socket has %v, want [shopping]", got)
		}
	}
	// Errors name the message they refuse, so that a client tells a
	// refused presence message from a refused topics message; an unknown
	// type is not echoed, and a message that is no JSON names none.
	for msg, want := range map[string]string{
		`{"type":"presence","view":"nowhere"}`: "invalid presence",
		`{"type":"subscribe","topics":[]}`:     "invalid subscribe",
		`{"type":"nonsense"}`:                  "unknown_type <nil>",
		`{"type":`:                             "malformed_request <nil>",
	} {
		if r := reply(msg); fmt.Sprint(r["code"], " ", r["for"]) != want {
			t.Errorf("%s: %v, want %s", msg, r, want)
		}
	}
	if r := reply(`{"type":"topics","topics":["Tasks","calendar","tasks"]}`); fmt.Sprint(r["added"], r["removed"], r["count"]) != "[tasks calendar] [shopping] 2" || r["seq"] != nil {
		t.Errorf("topics: %v", r)
	}
	if r := reply(`{"type":"topics","topics":[]}`); r["count"] != 0.0 || c.Topics() != nil {
		t.Errorf("topics [] (everything): %v, %v", r, c.Topics())
	}
}

// TestRefusalsNameTheirMessage: a topics message refused as malformed (a
// field of the wrong kind) or as too large names "for", as other refusals
// do; without it the PWA, waiting for the topics answer, kept the page's
// position pending for the rest of the connection, and every later page
// change asked the server to go back to it.
func TestRefusalsNameTheirMessage(t *testing.T) {
	t.Parallel()
	c := newClient(JoinParams{})
	big := `{"type":"topics","topics":["` + strings.Repeat("x", MaxClientMessage) + `"],"since":3}`
	for _, tc := range []struct {
		name, reply, code, forType string
	}{
		{"topics not a list", string(c.HandleMessage(context.Background(), []byte(`{"type":"topics","topics":"tasks","since":3}`))), "malformed_request", "topics"},
		{"an unknown field", string(c.HandleMessage(context.Background(), []byte(`{"type":"ping","extra":1}`))), "malformed_request", "ping"},
		{"not an object", string(c.HandleMessage(context.Background(), []byte(`[]`))), "malformed_request", ""},
		{"not JSON", string(c.HandleMessage(context.Background(), []byte(`{"type":"topics",`))), "malformed_request", ""},
		{"an unknown type", string(c.HandleMessage(context.Background(), []byte(`{"type":"dance","x":1}`))), "malformed_request", ""},
		{"too large", string(TooLargeMessage([]byte(big[:MaxClientMessage+1]))), "too_large", "topics"},
		{"too large, type last", string(TooLargeMessage([]byte(`{"topics":["` + strings.Repeat("x", MaxClientMessage)))), "too_large", ""},
		{"too large, not JSON", string(TooLargeMessage([]byte(strings.Repeat("x", MaxClientMessage+1)))), "too_large", ""},
	} {
		var e map[string]string
		if err := json.Unmarshal([]byte(tc.reply), &e); err != nil {
			t.Fatalf("%s: %s: %v", tc.name, tc.reply, err)
		}
		if e["type"] != "error" || e["code"] != tc.code || e["for"] != tc.forType {
			t.Errorf("%s: %s, want code %s for %q", tc.name, tc.reply, tc.code, tc.forType)
		}
	}
}

// wireBodyReflect is wireBody as json.Marshal writes it (the encoder it
// replaced): the hand-written one must give the same bytes.
func wireBodyReflect(ev *Event) []byte {
	type wire struct {
		Type     string     `json:"type"`
		Seq      int64      `json:"seq"`
		ID       uuid.UUID  `json:"id"`
		ListID   *uuid.UUID `json:"list_id,omitempty"`
		Op       string     `json:"op"`
		Version  int64      `json:"version,omitempty"`
		At       time.Time  `json:"at"`
		Actor    *uuid.UUID `json:"actor,omitempty"`
		DeviceID string     `json:"device_id,omitempty"`
	}
	b, _ := json.Marshal(wire{ev.Type, ev.Seq, ev.ID, ev.ListID, ev.Op, ev.Version, ev.At, ev.Actor, ev.DeviceID})
	return b[1:]
}

func TestWireBodyAsJSONMarshal(t *testing.T) {
	list, actor := uuid.New(), uuid.New()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	base := Event{FamilyID: uuid.New(), Seq: 57, Type: "SHOPPING_ITEM_UPDATED", ID: uuid.New(), Op: "insert",
		At: time.Date(2026, 11, 22, 8, 0, 0, 123456000, time.UTC)}
	var cases []Event
	for _, dev := range []string{"", "phone-1", "a\"b", `back\slash`, "<script>&", "tab\there\n", "Küche 📱", "\u2028", "bad\xffutf8", "\x00\x1f\x7f"} {
		for _, v := range []int64{0, 1, 1 << 40} {
			ev := base
			ev.DeviceID, ev.Version = dev, v
			cases = append(cases, ev)
		}
	}
	withAll := base
	withAll.ListID, withAll.Actor, withAll.Seq, withAll.At = &list, &actor, 1<<62, time.Date(2026, 3, 29, 2, 30, 0, 1, berlin)
	cases = append(cases, withAll, Event{}, Event{Type: "TASK_DELETED", Op: "delete", Seq: 1, At: time.Unix(0, 0)})
	for _, ev := range cases {
		if got, want := ev.wireBody(), wireBodyReflect(&ev); string(got) != string(want) {
			t.Errorf("wireBody\n got %s\nwant %s", got, want)
		}
	}
	// One allocation (json.Marshal made 4 and a copy per field).
	if n := testing.AllocsPerRun(100, func() { withAll.wireBody() }); n > 1 {
		t.Errorf("wireBody allocates %v times, want 1", n)
	}
}

// TestParseEventAsJSONUnmarshal: the hand-written decoder gives what
// json.Unmarshal gives, or leaves the payload to it.
func TestParseEventAsJSONUnmarshal(t *testing.T) {
	fam, id, list, actor := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	full := `{"family_id" : "` + fam.String() + `", "seq" : 57, "type" : "SHOPPING_ITEM_ADDED", "id" : "` + id.String() +
		`", "list_id" : "` + list.String() + `", "op" : "insert", "version" : 1, "at" : "2026-11-22T08:00:00.123456+01:00", "actor" : "` +
		actor.String() + `", "device_id" : "phone-1"}`
	payloads := []string{
		full,
		strings.NewReplacer(" : ", ":", ", ", ",").Replace(full),
		`{"family_id":"` + fam.String() + `","seq":3,"type":"TASK_DELETED","id":"` + id.String() + `","op":"delete","at":"2026-11-22T08:00:00Z"}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T","list_id":null,"actor":null,"at":null,"version":null}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T","device_id":"K\u00fcche"}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T","device_id":"Küche"}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T","device_id":"a\"b"}`,
		`{"Family_ID":"` + fam.String() + `","seq":3,"type":"T"}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T","extra":1}`,
		`{"family_id":"` + fam.String() + `","seq":3.0,"type":"T"}`,
		`{"family_id":"` + fam.String() + `","seq":1e2,"type":"T"}`,
		`{"family_id":"` + fam.String() + `","seq":03,"type":"T"}`,
		`{"family_id":"` + fam.String() + `","seq":-3,"type":"T"}`,
		`{"family_id":"` + fam.String() + `","seq":99999999999999999999,"type":"T"}`,
		`{"family_id":"` + fam.String() + `","seq":"3","type":"T"}`,
		`{"family_id":"not-a-uuid","seq":3,"type":"T"}`,
		`{"family_id":"` + strings.ReplaceAll(fam.String(), "-", "") + `","seq":3,"type":"T"}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T","at":"2026-11-22 08:00:00"}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T","seq":4}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":true}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T"} x`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T",}`,
		`{"family_id":"` + fam.String() + `","seq":3,"type":"T"`,
		`{}`, ``, `[]`, `null`, `{"seq":1}`, ` {"family_id":"` + fam.String() + `","seq":3,"type":"T"} `,
	}
	// And every prefix of the full payload, and it with each byte changed.
	for i := range len(full) {
		payloads = append(payloads, full[:i], full[:i]+"x"+full[i+1:], full[:i]+`"`+full[i+1:], full[:i]+"0"+full[i+1:])
	}
	fast := 0
	for _, p := range payloads {
		var want Event
		wantErr := json.Unmarshal([]byte(p), &want)
		var got Event
		if parseEventFast(p, &got) {
			fast++
			if wantErr != nil {
				t.Errorf("%s: decoded, json.Unmarshal refused it: %v", p, wantErr)
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n got %+v\nwant %+v", p, got, want)
			}
		}
		ev, err := parseEvent(p)
		if (err == nil) != (wantErr == nil && want.FamilyID != uuid.Nil && want.Seq > 0 && want.Type != "") {
			t.Errorf("parseEvent(%s) = %v", p, err)
		} else if err == nil && !reflect.DeepEqual(ev, want) {
			t.Errorf("parseEvent(%s):\n got %+v\nwant %+v", p, ev, want)
		}
	}
	if fast < 10 {
		t.Errorf("only %d payloads decoded by hand", fast)
	}
	// The payload PostgreSQL writes is decoded by hand: the two UUIDs it
	// points to are the allocations left (json.Unmarshal made 11).
	if n := testing.AllocsPerRun(100, func() { parseEvent(full) }); n > 2 {
		t.Errorf("parseEvent allocates %v times, want 2", n)
	}
}
