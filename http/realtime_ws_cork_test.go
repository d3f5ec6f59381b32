package http

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"testing"
)

// countingConn records each write that reaches it.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes []string
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, string(p))
	return len(p), nil
}

// TestCorkConnGathersABatch: while held, the frames of a batch reach the
// connection in one write, in order, and over corkMax in as few writes as
// fit; not held, every write goes through at once.
func TestCorkConnGathersABatch(t *testing.T) {
	under := &countingConn{}
	c := &corkConn{Conn: under}
	c.Write([]byte("a"))
	if len(under.writes) != 1 {
		t.Fatalf("not held: %q, want the write at once", under.writes)
	}
	c.hold(false)
	for _, s := range []string{"b", "c", "d"} {
		c.Write([]byte(s))
	}
	if len(under.writes) != 1 {
		t.Fatalf("held: %q reached the connection before release", under.writes)
	}
	if err := c.release(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "bcd"}; strings.Join(under.writes, "|") != strings.Join(want, "|") {
		t.Fatalf("writes %q, want %q", under.writes, want)
	}
	under.writes = nil
	c.hold(false)
	big := bytes.Repeat([]byte("x"), corkMax-10)
	c.Write([]byte("1"))
	c.Write(big)                                  // fits with "1"
	c.Write([]byte("0123456789"))                 // does not: "1"+big go first
	c.Write(bytes.Repeat([]byte("y"), corkMax+1)) // larger than a cork: written through
	c.release()
	if len(under.writes) != 3 || under.writes[0] != "1"+string(big) || under.writes[1] != "0123456789" || len(under.writes[2]) != corkMax+1 {
		t.Fatalf("%d writes of %d, %d, ... bytes", len(under.writes), len(under.writes[0]), len(under.writes[1]))
	}
	c.Write([]byte("z"))
	if len(under.writes) != 4 || c.held != nil {
		t.Fatal("after release, writes go through again")
	}
}
