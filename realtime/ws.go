package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

const (
	// maxClientMessage is the largest client message handled; larger ones
	// are answered with an error and skipped, the connection lives on.
	maxClientMessage = 4 << 10
	// hardReadLimit is where the connection itself is closed (1009).
	hardReadLimit = 64 << 10
)

// handleWS serves GET /ws. Credentials and Origin are checked before the
// upgrade: no credentials is a plain 401, a foreign Origin a 403.
func (t *Transports) handleWS(w http.ResponseWriter, r *http.Request) {
	p := t.admit(w, r, "ws")
	if p == nil {
		return
	}
	j, err := t.Hub.Join(r.Context(), *p)
	if err != nil {
		t.HTTP.Error(w, r, err)
		return
	}
	c := j.Client
	defer t.Hub.Leave(c)
	// The server's ReadTimeout set a deadline on the connection, and it
	// survives the hijack: clear it, or every socket dies after a minute.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // Origin was checked by admit, with the same rule as the REST API
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		return // Accept wrote the HTTP error
	}
	defer conn.CloseNow()
	conn.SetReadLimit(hardReadLimit)

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		defer cancel() // the reader ends when the peer goes away
		t.wsRead(ctx, conn, c)
	}()

	for _, m := range j.Messages(p.Since) {
		if err := t.wsWrite(ctx, conn, m.data); err != nil {
			return
		}
	}
	ping := time.NewTicker(t.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-c.Ready():
			for _, m := range c.Take() {
				if err := t.wsWrite(ctx, conn, m.data); err != nil {
					return
				}
				t.Metrics.observeDelivery(m)
			}
		case <-ping.C:
			pctx, pcancel := context.WithTimeout(ctx, t.WriteTimeout)
			err := conn.Ping(pctx)
			pcancel()
			if err != nil {
				return // a peer that does not answer is gone; CloseNow frees it
			}
		case <-c.Done():
			code, reason := c.CloseStatus()
			conn.Close(websocket.StatusCode(code), reason)
			return
		case <-ctx.Done():
			return
		}
	}
}

func (t *Transports) wsWrite(ctx context.Context, conn *websocket.Conn, data []byte) error {
	wctx, cancel := context.WithTimeout(ctx, t.WriteTimeout)
	defer cancel()
	return conn.Write(wctx, websocket.MessageText, data)
}

// clientMessage is what a client may send.
type clientMessage struct {
	Type   string   `json:"type"`
	Topics []string `json:"topics"`
}

// wsRead handles client messages until the connection ends. A bad message
// gets an error reply and is otherwise ignored.
func (t *Transports) wsRead(ctx context.Context, conn *websocket.Conn, c *Client) {
	buf := make([]byte, maxClientMessage+1)
	for {
		typ, rd, err := conn.Reader(ctx)
		if err != nil {
			return
		}
		n, err := io.ReadFull(rd, buf)
		if err == nil { // filled the buffer: over the limit
			if _, err := io.Copy(io.Discard, rd); err != nil {
				return
			}
			c.Reply(errorMessage("too_large", "Messages are limited to 4 KiB."))
			continue
		} else if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return
		}
		if typ != websocket.MessageText {
			c.Reply(errorMessage("malformed_request", "Send JSON text messages."))
			continue
		}
		c.Reply(handleClientMessage(c, buf[:n]))
	}
}

// handleClientMessage applies one client message and returns the reply.
func handleClientMessage(c *Client, data []byte) []byte {
	var m clientMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return errorMessage("malformed_request", "Messages are JSON objects like {\"type\":\"ping\"}.")
	}
	switch m.Type {
	case "ping":
		return pongMessage
	case "subscribe", "unsubscribe":
		topics, err := parseTopics(m.Topics)
		if err != nil || len(topics) == 0 {
			return errorMessage("invalid", "topics must name 1-64 of shopping, shopping-list:<id>, tasks, calendar, recipes.")
		}
		if m.Type == "subscribe" {
			c.AddTopics(topics)
		} else {
			c.RemoveTopics(topics)
		}
		b, _ := json.Marshal(map[string]any{"type": "subscribed", "topics": nonNil(c.Topics())})
		return b
	}
	return errorMessage("unknown_type", "Unknown message type; expected ping, subscribe or unsubscribe.")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
