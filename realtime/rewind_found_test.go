package realtime

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// addSilently adds n items to the list in one transaction whose notices
// are never sent (raised as notices no one collects, as a process that
// died between its commit and its announcement, or a listener away during
// a failover): only the event log has them.
func addSilently(t *testing.T, pool *pgxpool.Pool, family, list uuid.UUID, n int) {
	t.Helper()
	exec(t, pool, `SET LOCAL familyhub.announce = 'after_commit'`,
		`INSERT INTO shopping_items (family_id, list_id, name) SELECT '`+family.String()+`', '`+list.String()+`', 'item ' || i FROM generate_series(1, `+strconv.Itoa(n)+`) i`)
}

// settled returns once the hub has dispatched every notice sent before
// the call: a witness family's event, notified after them on the same
// connection, has reached its socket. A family's first join then finds
// nothing missed (no catch-up of its own races the test).
func settled(t *testing.T, hub *Hub, pool *pgxpool.Pool) {
	t.Helper()
	w, list := newFamily(t, pool)
	j, err := hub.Join(context.Background(), JoinParams{FamilyID: w, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(j.Client)
	if _, err := pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'witness')`, w, list); err != nil {
		t.Fatal(err)
	}
	collect(t, j.Client, 1)
}

// want checks what the socket got, a resync included (type "resync").
func wantWire(t *testing.T, got, want []wire) {
	t.Helper()
	for i := range got {
		got[i].ID = ""
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the socket got %+v, want %+v", got, want)
	}
}

// toldOf waits until OnRewind was told of the family (it is called after
// the hub's lock is released, as the socket may read its resync), and
// returns what it was told.
func toldOf(t *testing.T, told *rewindsSeen, family uuid.UUID) []rewindNote {
	t.Helper()
	var out []rewindNote
	waitFor(t, "OnRewind to be told", func() bool {
		out = nil
		for _, r := range told.get() {
			if r.family == family {
				out = append(out, r)
			}
		}
		return len(out) > 0
	})
	return out
}

const item = "SHOPPING_ITEM_UPDATED"

// TestCrossCheckFindsRewindOvertakenByWritesAfterFirstJoin: a family's
// first socket joins this replica, which has delivered none of its events
// (the join reads the family's seq only). The database then goes back, and
// new writes take the lost seqs and push the family's seq past what the
// join read before the next cross-check; their notices are lost. The check
// knows the event under the join's seq only by a bound, the database's
// clock at the join's read: the log's event there is later, so it is
// another one. The socket is told in band to read everything again, and
// the events after follow. Before, the check took the log's event for the
// one the join saw, and the socket never got the events under the lost
// seq.
func TestCrossCheckFindsRewindOvertakenByWritesAfterFirstJoin(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told) // the test's own checks only
	ctx := context.Background()
	family, list := newFamily(t, pool)
	addSilently(t, pool, family, list, 2)
	settled(t, hub, pool)
	a := joinFamily(t, hub, family)
	s := a.Start

	// The database loses the event under s; three new ones take s and on.
	rewind(t, pool, family, s-1)
	addSilently(t, pool, family, list, 3)
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if msgs := a.Client.Take(); len(msgs) != 1 || string(msgs[0].Data) != string(resyncMessage(s)) {
		var got []string
		for _, m := range msgs {
			got = append(got, string(m.Data))
		}
		t.Fatalf("after the cross-check the socket was sent %q, want one resync at seq %d", got, s)
	}
	if got, want := toldOf(t, &told, family), []rewindNote{{family, s - 1, s}}; !slices.Equal(got, want) {
		t.Errorf("OnRewind was told %+v, want %+v", got, want)
	}
	// The next check finds the family's seq ahead and reads the log.
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	wantWire(t, collect(t, a.Client, 2), []wire{{s, s + 1, item, ""}, {s + 1, s + 2, item, ""}})
}

// TestDispatchFindsRewindFromReusedSeq: the database went back and a new
// event, notified as usual, takes a seq this replica delivered (or, for a
// family whose first socket just joined, a seq at or below the one the
// join read). The dispatcher finds it with no read: the event is later than
// the one delivered last (or than the join's read of the seq). It steps the
// family back before the event, tells its sockets in band to read
// everything again from there, and delivers the event after that. Before,
// the event was dropped as delivered, and so were the family's next ones up
// to the seq delivered.
func TestDispatchFindsRewindFromReusedSeq(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told) // the dispatcher's finding only
	ctx := context.Background()
	add := func(family, list uuid.UUID, name string) {
		t.Helper()
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, $3)`, family, list, name); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("after delivered events", func(t *testing.T) {
		family, list := newFamily(t, pool)
		settled(t, hub, pool)
		a, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test"})
		if err != nil {
			t.Fatal(err)
		}
		defer hub.Leave(a.Client)
		s := a.Start
		for _, n := range []string{"milk", "eggs", "bread"} {
			add(family, list, n)
		}
		collect(t, a.Client, 3)
		rewind(t, pool, family, s)
		add(family, list, "tea")
		wantWire(t, collect(t, a.Client, 2), []wire{{0, s, "resync", ""}, {s, s + 1, item, ""}})
		if got, want := toldOf(t, &told, family), []rewindNote{{family, s, s + 3}}; !slices.Equal(got, want) {
			t.Errorf("OnRewind was told %+v, want %+v", got, want)
		}
		add(family, list, "rice")
		wantWire(t, collect(t, a.Client, 1), []wire{{s + 1, s + 2, item, ""}})
	})
	t.Run("after a first join", func(t *testing.T) {
		family, list := newFamily(t, pool)
		settled(t, hub, pool)
		a, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test"})
		if err != nil {
			t.Fatal(err)
		}
		defer hub.Leave(a.Client)
		s := a.Start
		rewind(t, pool, family, s-1)
		add(family, list, "tea")
		wantWire(t, collect(t, a.Client, 2), []wire{{0, s - 1, "resync", ""}, {s - 1, s, item, ""}})
		if got, want := toldOf(t, &told, family), []rewindNote{{family, s - 1, s}}; !slices.Equal(got, want) {
			t.Errorf("OnRewind was told %+v, want %+v", got, want)
		}
	})
}

// TestCatchUpAfterReconnectFindsRewind: the listener's connection is lost
// (a failover), the database lost the family's last events, and new ones
// took their seqs while the listener was away: their notices are lost too.
// Back, the listener has the hub read the log after what it delivered; the
// read starts at the last delivered event, which is another one now. The
// hub steps the family back before it, tells the socket in band to read
// everything again, and delivers the events from there. Before, the
// catch-up delivered only the events past the delivered seq, moved the
// family's mark to them, and neither it nor any later cross-check found the
// loss: the socket never got the events under the lost seqs.
func TestCatchUpAfterReconnectFindsRewind(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told) // the catch-up's finding only
	ctx := context.Background()
	family, list := newFamily(t, pool)
	settled(t, hub, pool)
	a := joinFamily(t, hub, family)
	s := a.Start
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) SELECT $1, $2, 'item ' || i FROM generate_series(1, 2) i`, family, list); err != nil {
		t.Fatal(err)
	}
	d := collect(t, a.Client, 2)[1].Seq

	rewind(t, pool, family, s)
	addSilently(t, pool, family, list, 3) // s+1 .. s+3: d and d+1 reused
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'familyhub-listener' AND datname = current_database()`); err != nil {
		t.Fatal(err)
	}
	wantWire(t, collect(t, a.Client, 3), []wire{{0, d - 1, "resync", ""}, {d - 1, d, item, ""}, {d, d + 1, item, ""}})
	if got, want := toldOf(t, &told, family), []rewindNote{{family, d - 1, d}}; !slices.Equal(got, want) {
		t.Errorf("OnRewind was told %+v, want %+v", got, want)
	}
}

// TestCrossCheckLeavesFamilyTheDispatcherResynced: a cross-check looks at
// the family's delivered seq, then the dispatcher finds the loss (a new
// event under a delivered seq), steps the family back and resyncs its
// socket; then the check's read shows the database below what it looked
// at. The check must leave the family alone: the dispatcher acted on this
// loss already. Before the family's count of rewinds, the check closed
// the resynced socket (1012) and told OnRewind a second time.
func TestCrossCheckLeavesFamilyTheDispatcherResynced(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	settled(t, hub, pool)
	a := joinFamily(t, hub, family)
	s := a.Start
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) SELECT $1, $2, 'item ' || i FROM generate_series(1, 3) i`, family, list); err != nil {
		t.Fatal(err)
	}
	collect(t, a.Client, 3)
	rewind(t, pool, family, s)

	hooked := false
	hook := func() {
		if hooked {
			return
		}
		hooked = true
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'tea')`, family, list); err != nil {
			t.Fatal(err)
		}
		wantWire(t, collect(t, a.Client, 2), []wire{{0, s, "resync", ""}, {s, s + 1, item, ""}})
	}
	crossCheckReadHook.Store(&hook)
	defer crossCheckReadHook.Store(nil)
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if !hooked {
		t.Fatal("the cross-check did not read the database")
	}
	select {
	case <-a.Client.Done():
		code, reason := a.Client.CloseStatus()
		t.Fatalf("the socket the dispatcher resynced was closed (%d %s)", code, reason)
	default:
	}
	if msgs := a.Client.Take(); len(msgs) != 0 {
		t.Errorf("the cross-check sent %q", msgs[0].Data)
	}
	if got, want := toldOf(t, &told, family), []rewindNote{{family, s, s + 3}}; !slices.Equal(got, want) {
		t.Errorf("OnRewind was told %+v, want once %+v", got, want)
	}
}

// TestJoinAheadTellsPushPresence: a device resumes with a since above the
// family's seq in the database (it was sent events the database lost), on
// a replica that delivered none of them (no socket of the family here, or
// none past the database's seq). Push presence is told, so that the rows
// of the family's devices (written by any replica before the loss) come
// down to the database's seq, and new events under the lost seqs are
// pushed. Before, only a replica that had delivered past the database's
// seq told it, and with no socket of the family open anywhere during the
// loss, none had.
func TestJoinAheadTellsPushPresence(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	addSilently(t, pool, family, list, 3)
	var cur int64
	if err := pool.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, family).Scan(&cur); err != nil {
		t.Fatal(err)
	}
	rewind(t, pool, family, cur-2)
	j, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Since: &cur})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(j.Client)
	if !j.Resync || j.Start != cur-2 {
		t.Fatalf("join with since %d, database at %d: resync %v from %d", cur, cur-2, j.Resync, j.Start)
	}
	if got, want := told.get(), []rewindNote{{family, cur - 2, cur - 2}}; !slices.Equal(got, want) {
		t.Errorf("OnRewind was told %+v, want %+v", got, want)
	}
}

// TestCrossCheckResyncKeepsMarkOfLaterEvent: the database went back and a
// new event took the seq this replica delivered last (L), its notice lost.
// A cross-check looks at L; before its read, the family's next event (L+1)
// is notified and delivered. The check then finds another event under L
// and resyncs the socket. The family's mark must stay that of L+1, the
// event it delivered last: the log's event under L is not at lastSeq. Before,
// the check took the event under L for the mark of L+1, and the next check
// found the log's event under L+1 "another one": a second resync of a
// socket that had missed nothing, and OnRewind told that the devices were
// not shown L+1 (pushed again).
func TestCrossCheckResyncKeepsMarkOfLaterEvent(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told) // the test's own checks only
	ctx := context.Background()
	family, list := newFamily(t, pool)
	settled(t, hub, pool)
	a := joinFamily(t, hub, family)
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) SELECT $1, $2, 'item ' || i FROM generate_series(1, 3) i`, family, list); err != nil {
		t.Fatal(err)
	}
	l := collect(t, a.Client, 3)[2].Seq

	// The database loses the event under L; a new one takes L, unnotified.
	rewind(t, pool, family, l-1)
	addSilently(t, pool, family, list, 1)

	hooked := false
	hook := func() {
		if hooked {
			return
		}
		hooked = true
		if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'tea')`, family, list); err != nil {
			t.Fatal(err)
		}
		wantWire(t, collect(t, a.Client, 1), []wire{{l, l + 1, item, ""}})
	}
	crossCheckReadHook.Store(&hook)
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	crossCheckReadHook.Store(nil)
	if !hooked {
		t.Fatal("the cross-check did not read the database")
	}
	wantWire(t, collect(t, a.Client, 1), []wire{{0, l + 1, "resync", ""}})
	want := []rewindNote{{family, l - 1, l + 1}}
	if got := toldOf(t, &told, family); !slices.Equal(got, want) {
		t.Fatalf("OnRewind was told %+v, want %+v", got, want)
	}

	// Nothing more went back: the next check finds nothing.
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if msgs := a.Client.Take(); len(msgs) != 0 {
		t.Errorf("the second cross-check sent %q", msgs[0].Data)
	}
	if got := toldOf(t, &told, family); !slices.Equal(got, want) {
		t.Errorf("OnRewind was told %+v, want once %+v", got, want)
	}
}
