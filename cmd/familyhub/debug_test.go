package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestDebugListener: Go's profiles are served on the debug address only,
// never on the public one, and a heap profile can force a collection.
func TestDebugListener(t *testing.T) {
	m := startMain(t, dbtest.EmptyURL(t), func(c *Config) { c.DebugAddr = "127.0.0.1:0" })
	if m.DebugAddr() == "" {
		t.Fatal("no debug address")
	}
	resp, err := http.Get("http://" + m.DebugAddr() + "/debug/pprof/heap?gc=1&debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "heap profile") {
		t.Fatalf("heap profile: %d %.200s", resp.StatusCode, body)
	}
	// The public address answers unknown paths with the app's page.
	resp, err = http.Get(m.URL() + "/debug/pprof/heap?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "heap profile") {
		t.Fatal("the public address serves profiles")
	}

	off := startMain(t, dbtest.EmptyURL(t))
	if off.DebugAddr() != "" {
		t.Fatalf("debug listener on by default: %s", off.DebugAddr())
	}
}
