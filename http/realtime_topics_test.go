package http

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Topic changes on an open socket, and the SSE resync's id, over real
// sockets on loopback (docs/realtime.md, "Client messages").

type testSocket struct {
	t    *testing.T
	conn *websocket.Conn
}

// socket opens /ws?query as c; its first message (hello) is left unread.
func (c *client) socket(t *testing.T, query string) *testSocket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.env.ts.URL, "http")+"/ws?"+query, &websocket.DialOptions{HTTPHeader: c.cookieHeader()})
	if err != nil {
		t.Fatalf("dial /ws: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return &testSocket{t, conn}
}

// next returns the socket's next message.
func (s *testSocket) next() map[string]any {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := s.conn.Read(ctx)
	if err != nil {
		s.t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		s.t.Fatalf("%s: %v", data, err)
	}
	return m
}

// want reads the next message and checks it has the fields of want (numbers
// as float64, as JSON decodes them).
func (s *testSocket) want(what string, want map[string]any) map[string]any {
	s.t.Helper()
	m := s.next()
	for k, v := range want {
		if fmt.Sprint(m[k]) != fmt.Sprint(v) {
			s.t.Fatalf("%s: got %v, want %s %v", what, m, k, v)
		}
	}
	return m
}

func (s *testSocket) send(msg string) {
	s.t.Helper()
	if err := s.conn.Write(context.Background(), websocket.MessageText, []byte(msg)); err != nil {
		s.t.Fatal(err)
	}
}

// untilEvent reads until the event of entity id and returns its seq.
func (s *testSocket) untilEvent(id string) float64 {
	s.t.Helper()
	for {
		if m := s.next(); m["id"] == id {
			return m["seq"].(float64)
		}
	}
}

// TestRealtimeTopicsReplaySkipped: a page opened on an open socket gets
// the events it would have missed. The page reads what it shows over REST
// and sends its topics over the socket; when the read is taken before the
// server reads the topics message (here: the message is sent after the
// read and after a task was committed and dispatched), the socket skipped
// the task (not subscribed yet) and the read does not have it. The topics
// message says the seq the client had applied, and the server sends again
// what it skipped after it of the new topics. Nothing skipped: no replay,
// and the answer moves the client past what it skipped.
func TestRealtimeTopicsReplaySkipped(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Rivera")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)

	page := ana.socket(t, "topics=shopping") // the Shopping page's socket
	hello := page.want("hello", map[string]any{"type": "hello"})
	if fmt.Sprint(hello["features"]) != "[topics]" {
		t.Fatalf("hello %v does not offer the topics message", hello)
	}
	last := hello["seq"].(float64)
	// A socket on everything: once it has an event, the hub has handled
	// it for the page's socket too.
	witness := ana.socket(t, "")
	witness.want("hello", map[string]any{"type": "hello"})

	// To the Tasks page: the read (no tasks yet), then a task is added
	// before the server reads the page's topics.
	var tasks []any
	ana.must(http.StatusOK, "GET", "/api/tasks", nil).decode(t, &tasks)
	if len(tasks) != 0 {
		t.Fatalf("tasks %v, want none", tasks)
	}
	var task struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"}).decode(t, &task)
	seq := witness.untilEvent(task.ID)
	page.send(fmt.Sprintf(`{"type":"topics","topics":["tasks"],"since":%d}`, int64(last)))
	page.want("the answer", map[string]any{"type": "subscribed", "added": "[tasks]", "removed": "[shopping]", "count": 1, "seq": last})
	page.want("the skipped task, sent again", map[string]any{"type": "TASK_UPDATED", "id": task.ID, "seq": seq, "prev_seq": last})
	last = seq

	// Skipped while on Tasks: an item (kind shopping). To the Calendar
	// page: nothing of the calendar was skipped, so nothing is read from
	// the log or sent again, and the answer's seq is past the item.
	var item struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists/"+list.ID+"/items", map[string]any{"name": "milk"}).decode(t, &item)
	itemSeq := witness.untilEvent(item.ID)
	page.send(fmt.Sprintf(`{"type":"topics","topics":["calendar"],"since":%d}`, int64(last)))
	page.want("the answer, moving on", map[string]any{"type": "subscribed", "added": "[calendar]", "removed": "[tasks]", "seq": itemSeq})
	ana.must(http.StatusOK, "PATCH", "/api/family", map[string]any{"time_zone": "Europe/Berlin"})
	page.want("the next event, after the answer's seq", map[string]any{"type": "FAMILY_UPDATED", "prev_seq": itemSeq})

	// Back to Shopping from the position the answer gave (and the family
	// event after it): the item, skipped before that, is not sent again.
	page.send(`{"type":"topics","topics":["shopping"],"since":` + fmt.Sprint(int64(itemSeq)+1) + `}`)
	page.want("back to shopping", map[string]any{"type": "subscribed", "seq": itemSeq + 1})

	// Without since (an older client's way): no seq, no replay, as before.
	page.send(`{"type":"subscribe","topics":["tasks"]}`)
	if m := page.want("a subscribe", map[string]any{"type": "subscribed", "added": "[tasks]"}); m["seq"] != nil {
		t.Fatalf("a subscribe answered %v: seq is for topics messages with since", m)
	}
}

// TestRealtimeSSEResyncHasID: an SSE resync carries the seq the events
// continue from as its id, so that an EventSource reconnecting by itself
// sends that as Last-Event-ID, not the position it was told to leave
// (which would be answered resync again, and re-read everything again).
func TestRealtimeSSEResyncHasID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Rivera")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A position ahead of the family's (a database restored from a backup).
	req, _ := http.NewRequestWithContext(ctx, "GET", env.ts.URL+"/sse", nil)
	req.Header.Set("Last-Event-ID", "999")
	resp, err := ana.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var lines []string
	for sc.Scan() && !strings.Contains(sc.Text(), `"resync"`) {
		lines = append(lines, sc.Text())
	}
	var hello struct{ Seq int64 }
	for _, l := range lines {
		if d, ok := strings.CutPrefix(l, "data: "); ok {
			json.Unmarshal([]byte(d), &hello)
		}
	}
	want := fmt.Sprintf(`data: {"type":"resync","seq":%d}`, hello.Seq)
	if sc.Text() != want || len(lines) == 0 || lines[len(lines)-1] != fmt.Sprintf("id: %d", hello.Seq) {
		t.Fatalf("the stream began %q then %q; want the resync %q after id: %d", lines, sc.Text(), want, hello.Seq)
	}
}

// TestRealtimePongPosition: once a socket sent topics with since, its
// pongs say its position, past the events it skipped, so that the next
// page change's since is late and little is sent again. Other sockets'
// pongs are as before.
func TestRealtimePongPosition(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Rivera")
	page := ana.socket(t, "topics=tasks")
	last := page.want("hello", map[string]any{"type": "hello"})["seq"].(float64)
	witness := ana.socket(t, "")
	witness.want("hello", map[string]any{"type": "hello"})
	page.send(`{"type":"ping"}`)
	if m := page.want("a pong", map[string]any{"type": "pong"}); m["seq"] != nil {
		t.Fatalf("%v: a socket that sent no topics message takes no position", m)
	}
	page.send(fmt.Sprintf(`{"type":"topics","topics":["calendar"],"since":%d}`, int64(last)))
	page.want("the answer", map[string]any{"type": "subscribed", "seq": last})

	// A task is skipped; the pong moves the client past it.
	var task struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/tasks", map[string]any{"title": "Take out the trash"}).decode(t, &task)
	seq := witness.untilEvent(task.ID)
	// The hub fans the task out to the family's sockets one after the
	// other: the witness may have it before the dispatcher reached the
	// page's socket, and a pong then rightly names the position before
	// the task. Ping until the pong names it (the sec7 helper saw "seq 0"
	// under load; a pong past it, or neither, is wrong).
	for deadline := time.Now().Add(10 * time.Second); ; {
		page.send(`{"type":"ping"}`)
		m := page.want("the pong", map[string]any{"type": "pong"})
		if m["seq"] == seq {
			break
		}
		if m["seq"] != last || time.Now().After(deadline) {
			t.Fatalf("the pong: got %v, want seq %v (or %v before the task reached the socket)", m, seq, last)
		}
	}
	ana.must(http.StatusOK, "PATCH", "/api/family", map[string]any{"time_zone": "Europe/Berlin"})
	page.want("the next event", map[string]any{"type": "FAMILY_UPDATED", "prev_seq": seq})
	// From the pong's seq, the task is not sent again when the page
	// changes to the tasks.
	page.send(fmt.Sprintf(`{"type":"topics","topics":["tasks"],"since":%d}`, int64(seq)+1))
	page.want("to the tasks", map[string]any{"type": "subscribed", "seq": seq + 1})
}
