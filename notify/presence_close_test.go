package notify

import (
	"context"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
)

// TestPresenceCloseDuringFlushKeepsLastSeen: a socket's transport counts
// its last message (Seen) and then reports the close (Tracker.Close)
// while a flush is looking at the socket, between its reads of the
// socket's seq and its closed flag. The device must be recorded with the
// last seq it was sent. Before, flush read the seq first: it found the
// socket closed but took the seq from before the last Seen, dropped the
// socket, and the device was recorded one event short (and pushed the
// event it had shown).
func TestPresenceCloseDuringFlushKeepsLastSeen(t *testing.T) {
	e := newEnv(t, Config{ListFold: time.Minute})
	list := e.newList("Weekly")
	p := e.s.Presence()
	flush := func() { p.flush(context.Background(), false) }
	topic := []string{familyhub.TopicShoppingList + list.String()}
	tr := p.Track(e.family, e.ben, "phone-b", e.addItems(list), func() []string { return topic })
	flush()

	last := e.addItems(list, "milk")
	f := func(got *Tracker) {
		if got == tr {
			flushReadHook.Store(nil) // once
			tr.Seen(last)
			tr.Close()
		}
	}
	flushReadHook.Store(&f)
	t.Cleanup(func() { flushReadHook.Store(nil) })
	flush() // the transport's last Seen and Close come in the middle of it
	flush() // a close seen only now is written now
	if row := e.presenceRow(e.ben, "phone-b"); row.seq != last || row.live.After(e.clock.Now()) {
		t.Errorf("closed after being sent seq %d: row seq %d, live until %v (now %v); want seq %d, not live",
			last, row.seq, row.live, e.clock.Now(), last)
	}
}
