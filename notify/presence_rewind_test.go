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
	e.realClock()
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

// TestPresenceFlushNeverAboveFamilySeq: the family's database went back
// (a restore, a failover) and one replica found it and lowered every
// replica's rows (Rewound, NotifyPresenceRewind), but this replica has not
// found it yet: its socket, sent events the database lost, closes, and its
// flush writes what the socket was sent. The row must not go above the
// family's seq, neither the device's existing row (it only grew) nor a new
// one (a device first written now), so that the new events under the lost
// seqs are pushed. Before, the flush raised the row to the lost seq again
// until this replica's own check found the loss (about 2 s), and a
// notice decided meanwhile took the events for shown.
func TestPresenceFlushNeverAboveFamilySeq(t *testing.T) {
	e := newEnv(t, Config{ListFold: time.Minute})
	e.realClock()
	e.subscribe(e.ben, "phone-b")
	list := e.newList("Weekly")
	ctx := context.Background()
	p := e.s.Presence()
	topic := func() []string { return []string{familyhub.TopicShoppingList + list.String()} }
	other, err := New(db.NewStore(e.pool), slog.New(slog.DiscardHandler), Config{AllowPrivate: true, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}

	start := e.addItems(list)
	phone := p.Track(e.family, e.ben, "phone-b", start, topic)
	tablet := p.Track(e.family, e.ben, "tablet-b", start, topic)
	phoneOther := other.Presence().Track(e.family, e.ben, "phone-b", start, topic)
	last := e.addItems(list, "milk", "eggs", "bread")
	for _, tr := range []*Tracker{phone, tablet, phoneOther} {
		tr.Seen(last)
	}
	phoneOther.Close()
	p.flush(ctx, false) // this replica's phone row, live, at last; the tablet's too
	other.Presence().flush(ctx, false)
	if _, err := e.pool.Exec(ctx, `DELETE FROM notify_device_presence WHERE device_id = 'tablet-b'`); err != nil {
		t.Fatal(err) // the tablet is first written after the loss
	}

	// The database goes back to start; the other replica finds it.
	if _, err := e.pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1 AND seq > $2`, e.family, start); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(ctx, `UPDATE family_event_seq SET seq = $2 WHERE family_id = $1`, e.family, start); err != nil {
		t.Fatal(err)
	}
	other.Presence().Rewound(e.family, start, last)
	other.Presence().flush(ctx, false)

	// This replica has not found it: its sockets close, and it flushes
	// what they were sent.
	phone.Close()
	tablet.Close()
	p.flush(ctx, false)
	for _, dev := range []string{"phone-b", "tablet-b"} {
		rows := e.presenceRows(e.ben, dev)
		if len(rows) == 0 {
			t.Fatalf("%s: no presence row", dev)
		}
		for _, r := range rows {
			if r.seq != start {
				t.Errorf("%s: row %+v after the flush, want seq %d (the family's)", dev, r, start)
			}
		}
	}
	if seq := e.addItems(list, "tea"); seq != start+1 {
		t.Fatalf("the new event took seq %d, want %d", seq, start+1)
	}
	if d := e.decideList(); d != "send" {
		t.Errorf("an event under a seq the phone was sent before the loss: %s, want send", d)
	}
}

// TestPresenceFlushCapsItsOwnOlderRow: no replica has found the loss yet,
// and the device's row of this replica holds a seq the database lost. The
// next write of the device (its socket closed) lowers it to the family's
// seq rather than keeping the greater of the two. Before, a row only grew.
func TestPresenceFlushCapsItsOwnOlderRow(t *testing.T) {
	e := newEnv(t, Config{ListFold: time.Minute})
	list := e.newList("Weekly")
	ctx := context.Background()
	p := e.s.Presence()
	start := e.addItems(list)
	tr := p.Track(e.family, e.ben, "phone-b", start, nil)
	last := e.addItems(list, "milk", "eggs")
	tr.Seen(last)
	p.flush(ctx, false)
	if rows := e.presenceRows(e.ben, "phone-b"); len(rows) != 1 || rows[0].seq != last {
		t.Fatalf("before the loss: rows %+v, want one at seq %d", rows, last)
	}
	if _, err := e.pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1 AND seq > $2`, e.family, start); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(ctx, `UPDATE family_event_seq SET seq = $2 WHERE family_id = $1`, e.family, start); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	p.flush(ctx, false)
	if rows := e.presenceRows(e.ben, "phone-b"); len(rows) != 1 || rows[0].seq != start {
		t.Errorf("after the loss: rows %+v, want one at seq %d (the family's)", rows, start)
	}
}

// TestTrackerRewoundAgainAfterNewEvents: a socket stays open through a
// rewind (7, up to 10) and is then sent new events, 11 and 12: the first
// rewind no longer bears on what it showed. A later note for the family,
// a join that found a device ahead of the database (realtime's
// Hub.Join: shown and upto both the database's seq, 12) or a second real
// rewind (11, up to 12), must not bring the first one's 7 back over the
// new events: the phone showed 12 (or, after the second, 11) and would be
// pushed again what it showed. Before, "the lower holds" took 7 whatever
// the socket had been sent since.
func TestTrackerRewoundAgainAfterNewEvents(t *testing.T) {
	p := newPresence(&Service{})
	family := uuid.New()
	tr := p.Track(family, uuid.New(), "phone", 3, nil)
	tr.Seen(10)
	p.Rewound(family, 7, 10)
	tr.Seen(10) // the resync at 10
	tr.Seen(12)
	p.Rewound(family, 12, 12) // a join ahead of the database
	if got := tr.shown(); got != 12 {
		t.Errorf("shown %d after a join ahead at the socket's seq, want 12", got)
	}
	p.Rewound(family, 11, 12) // the database went back again
	if got := tr.shown(); got != 11 {
		t.Errorf("shown %d after a second rewind, want 11", got)
	}

	// Still inside the first rewind (sent nothing past it): the lower holds.
	tr2 := p.Track(family, uuid.New(), "tablet", 3, nil)
	tr2.Seen(10)
	p.Rewound(family, 7, 10)
	p.Rewound(family, 9, 11)
	tr2.Seen(10) // late, of the lost history
	if got := tr2.shown(); got != 7 {
		t.Errorf("shown %d after two rewinds within the lost seqs, want 7", got)
	}
}

// TestPresenceJoinAheadRewritesNoDevice: a client reconnects with a since
// past the family's seq, which realtime's Hub.Join tells as a rewind to
// the family's seq (shown = upto): it cannot tell a made-up number from a
// device that saw events the database lost. The family's devices here,
// live or closed, showed nothing past that seq: none of their rows is
// written again, and what they showed stays. Before, every device of the
// family on the replica was written again at the next flush, for every
// such join: one client could have them all written at will.
func TestPresenceJoinAheadRewritesNoDevice(t *testing.T) {
	e := newEnv(t, Config{ListFold: time.Minute})
	list := e.newList("Weekly")
	p := e.s.Presence()
	flush := func() { p.flush(context.Background(), false) }
	start := e.addItems(list)
	laptop := p.Track(e.family, e.ana, "laptop-a", start, nil)
	phone := p.Track(e.family, e.ben, "phone-b", start, nil)
	tablet := p.Track(e.family, e.ben, "tablet-b", start, nil)
	last := e.addItems(list, "milk", "eggs")
	laptop.Seen(last)
	phone.Seen(last - 1)
	tablet.Seen(last)
	tablet.Close()
	flush()
	before := map[string]presenceRow{}
	for _, d := range []struct {
		user   uuid.UUID
		device string
	}{{e.ana, "laptop-a"}, {e.ben, "phone-b"}, {e.ben, "tablet-b"}} {
		before[d.device] = e.presenceRow(d.user, d.device)
	}

	p.Rewound(e.family, last, last) // a join ahead of the database, at its seq
	flush()
	for device, was := range before {
		user := e.ben
		if device == "laptop-a" {
			user = e.ana
		}
		if now := e.presenceRow(user, device); now.version != was.version || now.seq != was.seq || !now.live.Equal(was.live) {
			t.Errorf("%s: row %+v after the join's note, was %+v: written again", device, now, was)
		}
	}
	if got := phone.shown(); got != last-1 {
		t.Errorf("the phone's shown seq %d, want %d", got, last-1)
	}
}

// TestPresenceJoinAheadNoteBelowNewEvents: the database went back from
// last to start while Ben's phone, which was sent both lost events, was
// offline (its row, of another replica, says last). Ana's laptop joins
// here after the loss and is shown a new event, which takes the lost seq
// start+1; meanwhile a device reconnects with a since past the database
// and its join tells of the loss at the seq it read, start (realtime's
// Hub.Join). The phone's row comes down to start, so the new event under
// start+1 is pushed to it; the laptop's row says it showed start+1. Had
// the note named what the replica had delivered by then (start+1), as it
// did for a while, the phone would count the new event as shown.
func TestPresenceJoinAheadNoteBelowNewEvents(t *testing.T) {
	e := newEnv(t, Config{ListFold: time.Minute})
	e.realClock()
	e.subscribe(e.ben, "phone-b")
	list := e.newList("Weekly")
	p := e.s.Presence()
	flush := func() { p.flush(context.Background(), false) }
	other, err := New(db.NewStore(e.pool), slog.New(slog.DiscardHandler), Config{AllowPrivate: true, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	start := e.addItems(list)
	phone := other.Presence().Track(e.family, e.ben, "phone-b", start, nil)
	last := e.addItems(list, "milk", "eggs")
	phone.Seen(last)
	phone.Close()
	other.Presence().flush(context.Background(), false)

	if _, err := e.pool.Exec(context.Background(), `DELETE FROM event_log WHERE family_id = $1 AND seq > $2`, e.family, start); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(context.Background(), `UPDATE family_event_seq SET seq = $2 WHERE family_id = $1`, e.family, start); err != nil {
		t.Fatal(err)
	}
	laptop := p.Track(e.family, e.ana, "laptop-a", start, nil)
	if seq := e.addItems(list, "tea"); seq != start+1 {
		t.Fatalf("the new event took seq %d, want %d", seq, start+1)
	}
	laptop.Seen(start + 1)
	p.Rewound(e.family, start, start) // the join's note: the seq it read
	flush()
	if got := e.presenceRow(e.ben, "phone-b").seq; got != start {
		t.Errorf("the offline phone's row says seq %d after the note, want %d: the new event under %d counts as shown to it", got, start, start+1)
	}
	if got := e.presenceRow(e.ana, "laptop-a").seq; got != start+1 {
		t.Errorf("the laptop's row says seq %d, want %d (it was shown the new event)", got, start+1)
	}
	if d := e.decideList(); d != "send" {
		t.Errorf("the new event under a seq the phone was sent before the loss: %s, want send", d)
	}
}
