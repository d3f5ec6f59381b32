package notify

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestPresenceRewoundLowersWhatWasSeen: Ben's phone was sent events the
// family's database then lost (a restore, a failover), and new events take
// their seqs. Told of it (realtime's Hub.OnRewind), presence lowers what
// the phone showed, in its memory and in every replica's row, a late count
// of a batch written as the rewind was found included, so that the new
// events under the old seqs are pushed. Before, the rows kept the old seq
// (they only grow), and the phone was taken for having shown the new
// events: no push.
func TestPresenceRewoundLowersWhatWasSeen(t *testing.T) {
	e := newEnv(t, Config{ListFold: time.Minute})
	e.subscribe(e.ben, "phone-b")
	list := e.newList("Weekly")
	p := e.s.Presence()
	flush := func() { p.flush(context.Background(), false) }
	topic := func() []string { return []string{familyhub.TopicShoppingList + list.String()} }
	other, err := New(db.NewStore(e.pool), slog.New(slog.DiscardHandler), Config{AllowPrivate: true, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}

	start := e.addItems(list)
	tr := p.Track(e.family, e.ben, "phone-b", start, topic)
	trOther := other.Presence().Track(e.family, e.ben, "phone-b", start, topic)
	last := e.addItems(list, "milk", "eggs", "bread")
	tr.Seen(last)
	trOther.Seen(last)
	trOther.Close() // the other replica's socket closed before the loss
	flush()
	other.Presence().flush(context.Background(), false)
	for _, r := range e.presenceRows(e.ben, "phone-b") {
		if r.seq != last {
			t.Fatalf("before the rewind: row %+v, want seq %d", r, last)
		}
	}

	// The database goes back to start; this replica finds it.
	if _, err := e.pool.Exec(context.Background(), `DELETE FROM event_log WHERE family_id = $1 AND seq > $2`, e.family, start); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(context.Background(), `UPDATE family_event_seq SET seq = $2 WHERE family_id = $1`, e.family, start); err != nil {
		t.Fatal(err)
	}
	p.Rewound(e.family, start, last)
	tr.Seen(last) // a batch written as the rewind was found, counted late
	if got := tr.shown(); got != start {
		t.Errorf("the socket's shown seq after the rewind: %d, want %d", got, start)
	}
	tr.Close()
	flush()
	for _, r := range e.presenceRows(e.ben, "phone-b") {
		if r.seq != start {
			t.Errorf("after the rewind: row %+v, want seq %d (the database's)", r, start)
		}
	}
	// A new event under one of the seqs the phone was sent is pushed.
	if seq := e.addItems(list, "tea"); seq != start+1 {
		t.Fatalf("the new event took seq %d, want %d", seq, start+1)
	}
	if d := e.decideList(); d != "send" {
		t.Errorf("an event under a seq the phone was sent before the rewind: %s, want send", d)
	}
}

// TestTrackerAfterRewind: a socket that stays open through a rewind (told
// to resync in band) counts what it is sent after it as before; what it
// was sent up to the rewind counts no more than the rewind left.
func TestTrackerAfterRewind(t *testing.T) {
	p := newPresence(&Service{})
	family := uuid.New()
	tr := p.Track(family, uuid.New(), "phone", 3, nil)
	tr.Seen(10)
	p.Rewound(family, 7, 10)
	tr.Seen(10) // the resync at 10
	if got := tr.shown(); got != 7 {
		t.Errorf("shown %d after the rewind, want 7", got)
	}
	tr.Seen(11)
	if got := tr.shown(); got != 11 {
		t.Errorf("shown %d after a later event, want 11", got)
	}
	p.Rewound(uuid.New(), 0, 11) // another family's: nothing changes
	if got := tr.shown(); got != 11 {
		t.Errorf("shown %d after another family's rewind, want 11", got)
	}
}
