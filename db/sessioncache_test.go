package db

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// TestSessionCacheBounds: an entry lasts its ttl but never past its
// session's expiry; a lookup that a Clear crossed is not kept; a full
// cache makes room only from expired entries; a nil cache keeps nothing.
func TestSessionCacheBounds(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	c := NewSessionCache(func() bool { return true }, time.Minute, 2)
	long := &familyhub.Auth{SessionID: uuid.New(), ExpiresAt: now.Add(time.Hour)}
	short := &familyhub.Auth{SessionID: uuid.New(), ExpiresAt: now.Add(10 * time.Second)}

	_, gen := c.get("long", now)
	c.put("long", long, gen, now)
	_, gen = c.get("short", now)
	c.put("short", short, gen, now)
	if a, _ := c.get("long", now.Add(59*time.Second)); a == nil || a.SessionID != long.SessionID {
		t.Fatalf("within the ttl: %v", a)
	}
	if a, _ := c.get("long", now.Add(time.Minute)); a != nil {
		t.Fatal("kept past the ttl")
	}
	if a, _ := c.get("short", now.Add(10*time.Second)); a != nil {
		t.Fatal("kept past the session's expiry")
	}

	// A copy is handed out: the caller's changes (DeviceID) stay its own.
	_, gen = c.get("long", now)
	c.put("long", long, gen, now)
	a, _ := c.get("long", now)
	a.DeviceID = "phone"
	if b, _ := c.get("long", now); b.DeviceID != "" {
		t.Fatal("cached caller shared with a request")
	}

	// A change crossed the lookup: not kept.
	_, gen = c.get("other", now)
	c.Clear()
	c.put("other", long, gen, now)
	if a, _ := c.get("other", now); a != nil {
		t.Fatal("kept a lookup begun before a Clear")
	}

	// Full: expired entries make room, live ones are not pushed out.
	_, gen = c.get("x", now)
	c.put("a", long, gen, now)
	c.put("b", long, gen, now)
	c.put("c", long, gen, now)
	if a, _ := c.get("c", now); a != nil {
		t.Fatal("kept beyond the size")
	}
	later := now.Add(2 * time.Minute)
	_, gen = c.get("c", later)
	c.put("c", &familyhub.Auth{ExpiresAt: later.Add(time.Hour)}, gen, later)
	if a, _ := c.get("c", later); a == nil {
		t.Fatal("expired entries did not make room")
	}

	// A full cache looks for ended entries once one can have ended, also
	// one kept after the last look.
	c = NewSessionCache(func() bool { return true }, time.Minute, 2)
	keep := func(key string, a *familyhub.Auth, at time.Time) bool {
		_, gen := c.get(key, at)
		c.put(key, a, gen, at)
		got, _ := c.get(key, at)
		return got != nil
	}
	if !keep("a", long, now) || !keep("b", long, now) || keep("x", long, now) {
		t.Fatal("size 2 not kept to")
	}
	c.Clear()
	if !keep("s", short, now) || !keep("a", long, now) {
		t.Fatal("not kept after a clear")
	}
	if !keep("x", long, now.Add(10*time.Second)) {
		t.Fatal("the ended short session did not make room")
	}

	var none *SessionCache
	_, gen = none.get("k", now)
	none.put("k", long, gen, now)
	none.Clear()
	if a, _ := none.get("k", now); a != nil {
		t.Fatal("a nil cache kept something")
	}
}

// BenchmarkSessionCacheFull: a lookup that misses a cache full of live
// sessions (more signed-in devices within the ttl than the cache holds)
// costs no walk through the whole cache.
func BenchmarkSessionCacheFull(b *testing.B) {
	now := time.Now()
	c := NewSessionCache(func() bool { return true }, time.Minute, 10000)
	a := &familyhub.Auth{SessionID: uuid.New(), ExpiresAt: now.Add(time.Hour)}
	for i := range 10000 {
		c.put(strconv.Itoa(i), a, 0, now)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		key := "miss" + strconv.Itoa(i)
		_, gen := c.get(key, now)
		c.put(key, a, gen, now)
	}
}
