package main

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestProxyThroughNginx runs two `familyhub serve` processes behind nginx
// with the repo's deploy/nginx.conf: the WebSocket upgrade passes (101), a
// REST write through nginx reaches a socket and an SSE stream through nginx,
// and SSE is not buffered by the proxy.
func TestProxyThroughNginx(t *testing.T) {
	skipInShortMode(t, "nginx")
	url := dbtest.URL(t)
	r1, r2 := spawnReplica(t, url), spawnReplica(t, url)
	ng := startNginx(t, r1, r2)
	ana := newFamilyAt(t, ng.url, "ana@example.org")
	list := ana.newList(t, ng.url)

	conn, resp, err := dialAt(context.Background(), ng.url, ana, "device_id=phone", nil)
	if err != nil {
		t.Fatalf("WebSocket through nginx: %v (%v)", err, resp)
	}
	defer conn.CloseNow()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade status %d, want 101", resp.StatusCode)
	}
	ws := startWSClient(t, conn)
	if h := ws.next(5 * time.Second); h["type"] != "hello" || seqOf(h) != 1 {
		t.Fatalf("hello = %v", h)
	}

	// SSE through nginx: read it line by line as it arrives.
	req, _ := http.NewRequest("GET", ng.url+"/sse", nil)
	req.Header.Set("Cookie", ana.cookie(ng.url))
	sseResp, err := http.DefaultClient.Do(req)
	if err != nil || sseResp.StatusCode != http.StatusOK {
		t.Fatalf("sse through nginx: %v %v", err, sseResp)
	}
	defer sseResp.Body.Close()
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(sseResp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	waitLine := func(what string, match func(string) bool) time.Duration {
		t.Helper()
		start := time.Now()
		timeout := time.After(5 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("sse ended before %s", what)
				}
				if match(l) {
					return time.Since(start)
				}
			case <-timeout:
				t.Fatalf("sse: no %s within 5s (buffered by the proxy?)", what)
			}
		}
	}
	// The hello is a few dozen bytes: a buffering proxy would hold it back.
	waitLine("hello", func(l string) bool { return strings.Contains(l, `"type":"hello"`) })

	start := time.Now()
	id := ana.addItem(t, ng.url, list)
	var wsLatency time.Duration
	for {
		m := ws.next(5 * time.Second)
		if m["id"] == id {
			wsLatency = time.Since(start)
			if m["type"] != "SHOPPING_ITEM_UPDATED" || seqOf(m) != 2 {
				t.Fatalf("event = %v", m)
			}
			break
		}
	}
	waitLine("the event", func(l string) bool { return strings.Contains(l, id) })
	sseLatency := time.Since(start)
	if sseLatency > 2*time.Second {
		t.Fatalf("SSE event took %s through nginx: buffered?", sseLatency)
	}
	t.Logf("write to delivery through nginx: WebSocket %s, SSE %s", wsLatency, sseLatency)
}
