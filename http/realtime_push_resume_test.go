package http

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/familyhub/familyhub/notify"
)

// What a resuming socket counts as shown, for push notifications
// (docs/notifications.md, "Presence: no push for what a device already
// showed"), over real sockets on loopback.

// newResumeEnv is newTestEnv with a pool large enough for queries held by
// a test's lock on event_log, and a notifier whose presence is written
// every 10 ms (as cmd/familyhub runs it).
func newResumeEnv(t *testing.T) *testEnv {
	t.Helper()
	url := dbtest.URL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	pool := dbtest.PoolFor(t, url+sep+"pool_max_conns=16")
	store := db.NewStore(pool)
	svc, err := notify.New(store, slog.New(slog.DiscardHandler), notify.Config{
		AllowPrivate: true, PresenceFlush: 10 * time.Millisecond, PollEvery: time.Hour, CrossCheckEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	svc.SetQueue(noQueue{})
	s := NewServer(store, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{Password: testPasswordParams, Notify: svc})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.Run(ctx, notify.RunOpts{}); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &testEnv{t: t, pool: pool, server: s, ts: ts}
}

// lockEventLog holds event_log in a transaction of its own connection
// until the returned function is called: a socket's catch-up, which
// reads the log, waits.
func lockEventLog(t *testing.T, env *testEnv) (unlock func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, env.pool.Config().ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	if _, err := conn.Exec(ctx, `BEGIN; LOCK TABLE event_log IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.Exec(ctx, `ROLLBACK`); err != nil {
			t.Fatal(err)
		}
	}
}

// devicePresence waits until the row of Ana's device says live (or not),
// and returns its seen_seq.
func devicePresence(t *testing.T, env *testEnv, device string, live bool) int64 {
	t.Helper()
	var seq int64
	waitCond(t, device+" recorded live="+strconv.FormatBool(live), func() bool {
		var isLive bool
		err := env.pool.QueryRow(context.Background(), `SELECT seen_seq, live_until > now() FROM notify_device_presence WHERE device_id = $1`, device).Scan(&seq, &isLive)
		return err == nil && isLive == live
	})
	return seq
}

// sseStream reads an SSE stream's events (their data lines).
type sseStream struct {
	t      *testing.T
	sc     *bufio.Scanner
	cancel context.CancelFunc
}

func (c *client) sse(t *testing.T, query string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.env.ts.URL+"/sse?"+query, nil)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/sse: %d", resp.StatusCode)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &sseStream{t: t, sc: bufio.NewScanner(resp.Body), cancel: cancel}
}

// next returns the next event's data, past ping events (an EventSource's
// onmessage never sees them either; every stream opens with one).
func (s *sseStream) next() string {
	s.t.Helper()
	event := ""
	for s.sc.Scan() {
		line := s.sc.Text()
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			event = name
		} else if data, ok := strings.CutPrefix(line, "data: "); ok && event != "ping" {
			return data
		} else if line == "" {
			event = ""
		}
	}
	s.t.Fatalf("the SSE stream ended: %v", s.sc.Err())
	return ""
}

// pingPong sends a ping and reads its pong: the socket's writer, which
// writes the pong after the batches before it, is done with them.
func (s *testSocket) pingPong() {
	s.t.Helper()
	s.send(`{"type":"ping"}`)
	s.want("pong", map[string]any{"type": "pong"})
}

// TestResumeCatchUpCountsAsShownWhenWritten: a socket resuming from behind
// (its since older than the family's seq) has shown nothing after since
// until its catch-up from the event log is written. Its device's push
// presence starts at since and moves with each event written, on /ws and
// /sse alike. Before, the socket was tracked from its hello's seq, before
// any of the catch-up was written: a device whose socket closed while the
// catch-up was on its way (here the log is locked, as a busy database
// would make it wait) was recorded as having shown events it never got,
// and was not pushed them. A resync (the log no longer holds since) counts
// as shown up to its seq: the client re-reads everything.
func TestResumeCatchUpCountsAsShownWhenWritten(t *testing.T) {
	env := newResumeEnv(t)
	startTestHub(t, env, 0)
	ana, _ := env.signup("ana@example.org", "Ana's")
	var list struct{ ID string }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	since := writeEvents(t, env, list.ID, 1)
	upto := writeEvents(t, env, list.ID, 30)
	q := "since=" + strconv.FormatInt(int64(since), 10) + "&device_id="
	hello := map[string]any{"type": "hello", "seq": upto}

	unlock := lockEventLog(t, env)
	ws := ana.socket(t, q+"phone-ws")
	ws.want("hello", hello)
	sse := ana.sse(t, q+"laptop-sse")
	if m := sse.next(); !strings.Contains(m, `"hello"`) || !strings.Contains(m, `"seq":`+strconv.Itoa(int(upto))) {
		t.Fatalf("SSE: %s, want hello at %v", m, upto)
	}
	for _, device := range []string{"phone-ws", "laptop-sse"} {
		if got := devicePresence(t, env, device, true); got != int64(since) {
			t.Errorf("%s open, its catch-up not written: recorded as sent through seq %d, want its since %v", device, got, since)
		}
	}
	// The WebSocket closes before its catch-up could be read.
	ws.conn.CloseNow()
	if got := devicePresence(t, env, "phone-ws", false); got != int64(since) {
		t.Errorf("phone-ws closed before its catch-up: recorded as sent through seq %d, want %v", got, since)
	}
	unlock()

	// The catch-up written, all of it counts.
	for last := since; last < upto; last++ {
		var m struct{ Seq float64 }
		data := sse.next()
		if err := json.Unmarshal([]byte(data), &m); err != nil || m.Seq != last+1 {
			t.Fatalf("SSE: %s after seq %v", data, last)
		}
	}
	sse.cancel()
	if got := devicePresence(t, env, "laptop-sse", false); got != int64(upto) {
		t.Errorf("laptop-sse closed after its catch-up: recorded as sent through seq %d, want %v", got, upto)
	}
	ws = ana.socket(t, q+"tablet-ws")
	ws.want("hello", hello)
	ws.wantInOrder(since, upto)
	ws.pingPong() // the last batch's writer has counted it
	ws.conn.CloseNow()
	if got := devicePresence(t, env, "tablet-ws", false); got != int64(upto) {
		t.Errorf("tablet-ws closed after its catch-up: recorded as sent through seq %d, want %v", got, upto)
	}

	// The log no longer holds since: a resync, up to where events continue.
	// (Another since than above, whose page the hub keeps for a second.)
	if _, err := env.pool.Exec(context.Background(), `DELETE FROM event_log WHERE seq <= $1::bigint + 5`, int64(since)); err != nil {
		t.Fatal(err)
	}
	ws = ana.socket(t, "since="+strconv.FormatInt(int64(since)+1, 10)+"&device_id=watch-ws")
	ws.want("hello", hello)
	ws.want("resync", map[string]any{"type": "resync", "seq": upto})
	ws.pingPong()
	ws.conn.CloseNow()
	if got := devicePresence(t, env, "watch-ws", false); got != int64(upto) {
		t.Errorf("watch-ws closed after a resync: recorded as sent through seq %d, want %v (what it re-reads)", got, upto)
	}
}
