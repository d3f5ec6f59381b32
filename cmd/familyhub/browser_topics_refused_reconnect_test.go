package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestBrowserTopicsRefusedReconnect: after the server refused a topics
// message (65 topics: too_many_topics, "for": "topics"), the socket
// reconnects asking for the topics the server had accepted. The client
// kept the refused ones as its own, and the reconnect named all 65 in the
// /ws URL again.
func TestBrowserTopicsRefusedReconnect(t *testing.T) {
	browserTest(t)
	_, _, listID, b := oneDevice(t)
	before := eval[string](b, `window.familyhub.rt.conn.confirmed.join()`)
	topics := []string{fmt.Sprintf("%q", "shopping-list:"+listID)}
	for len(topics) < 65 {
		topics = append(topics, fmt.Sprintf("%q", "shopping-list:"+uuid.NewString()))
	}
	n := eval[int](b, `window.__sockets.at(-1).__messages.length`)
	eval[bool](b, `(window.familyhub.rt.setTopics([`+strings.Join(topics, ",")+`]), true)`)
	b.waitJS("the refusal", fmt.Sprintf(`window.__sockets.at(-1).__messages.slice(%d).some((m) => m.includes('too_many_topics') && m.includes('"for":"topics"'))`, n), 5*time.Second)

	sockets := eval[int](b, `window.__sockets.length`)
	eval[bool](b, `(window.__sockets.at(-1).close(3000), true)`)
	b.waitJS("a new socket", fmt.Sprintf(`window.__sockets.length > %d`, sockets), 15*time.Second)
	u, err := url.Parse(eval[string](b, `window.__sockets.at(-1).url`))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Query().Get("topics"); got != before {
		t.Fatalf("the reconnect asks for topics %.80q…, want %q (what the server had accepted)", got, before)
	}
	b.waitLive()
}
