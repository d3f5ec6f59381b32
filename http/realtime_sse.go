package http

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/familyhub/familyhub/realtime"
)

// handleSSE serves GET /sse: the same messages as /ws, as Server-Sent
// Events. Events carry "id: <seq>" so the browser's automatic reconnect
// resumes with Last-Event-ID; topics come from ?topics=a,b and the
// family presence view from ?view= since the stream has no upstream
// messages (a client reopens the stream to change them). Like a
// WebSocket, the stream reports what it sent the device to notify's push
// presence (pushTrack), so the device is pushed nothing it showed live.
func (s *Server) handleSSE(w http.ResponseWriter, r *http.Request) {
	p := s.admit(w, r, "sse")
	if p == nil {
		return
	}
	j, err := s.rt.hub.Join(r.Context(), *p)
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	c := j.Client
	defer s.rt.hub.Leave(c)

	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // the server's ReadTimeout must not end the stream
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	w.WriteHeader(http.StatusOK)

	deadline := func() error { return rc.SetWriteDeadline(time.Now().Add(s.rt.writeTimeout)) }
	write := func(format string, args ...any) error {
		if err := deadline(); err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return err
		}
		return rc.Flush()
	}
	// The ping event rides on the replica's write watchdog tick, not on a
	// ticker of the stream's own (realtime_sse_tick.go). Its bytes are
	// made once, here: a ping writes them and allocates nothing.
	beat := &sseBeat{ping: make(chan struct{}, 1)}
	s.rt.watchdog.addSSE(beat)
	defer s.rt.watchdog.removeSSE(beat)
	// One ping at once, with the retry and before the hello: the client
	// learns the interval and that this server sends ping events from the
	// stream's first bytes, and times its silence from there. A stream a
	// proxy holds from the start is found within 2.5 intervals, not only
	// once a tick's ping (one interval on) did or did not come; and a
	// hello without a ping before it comes from a replica of an older
	// version (realtime-transports.js). The ticks' pings start an interval
	// after this one.
	if write("retry: 1000\n\n%s", beat.event) != nil {
		return
	}
	send := func(m realtime.Message) error {
		if m.Seq > 0 {
			return write("id: %d\ndata: %s\n\n", m.Seq, m.Data)
		}
		if seq, ok := m.ResyncSeq(); ok {
			// Where the events continue: an EventSource reconnecting by
			// itself must not resend the position it was told to leave.
			return write("id: %d\ndata: %s\n\n", seq, m.Data)
		}
		return write("data: %s\n\n", m.Data)
	}
	for _, m := range j.Messages() {
		if send(m) != nil {
			return
		}
	}
	seen := s.pushTrack(c, j.From) // what this device was sent, for notify (http/push.go)
	// Once this loop wrote its last message and counted it: a close the
	// server asks for (c.Done) may come between a write and its Seen.
	defer seen.Close()
	for {
		select {
		case <-c.Ready():
			for {
				msgs, err := c.Next(r.Context())
				if err != nil || len(msgs) == 0 {
					if err != nil {
						return // the log could not be read: the browser reconnects with Last-Event-ID
					}
					break
				}
				for _, m := range msgs {
					if send(m) != nil {
						return
					}
					if f := sseSentHook.Load(); f != nil {
						(*f)(c)
					}
					s.rt.metrics.ObserveDelivery(m)
					seen.Seen(shownSeq(m))
				}
			}
		case <-beat.ping:
			if deadline() != nil {
				return
			}
			if _, err := w.Write(beat.event); err != nil || rc.Flush() != nil {
				return
			}
		case <-c.Done():
			code, reason := c.CloseStatus()
			_ = write("event: close\ndata: {\"type\":\"close\",\"code\":%d,\"reason\":%q}\n\n", code, reason)
			return
		case <-r.Context().Done():
			return
		}
	}
}

// sseSentHook, set by tests only, runs on a stream's goroutine after each
// queued message was written, before it is counted.
var sseSentHook atomic.Pointer[func(c *realtime.Client)]
