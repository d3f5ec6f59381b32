package realtime

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// rewind makes the database forget the family's events after seq, as a
// restore from a backup would.
func rewind(t *testing.T, pool *pgxpool.Pool, family uuid.UUID, seq int64) {
	t.Helper()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `DELETE FROM event_log WHERE family_id = $1 AND seq > $2`, family, seq); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE family_event_seq SET seq = $2 WHERE family_id = $1`, family, seq); err != nil {
		t.Fatal(err)
	}
}

// TestJoinAheadOfRewoundDatabase: a client resumes with a since this
// replica delivered but the database no longer has (restored from a
// backup, or failed over to a standby that had not got the last
// transactions): the family's seq is below it, and its next events take
// the lost seqs again. The client must resync from the database's seq and
// get those events; the family's other sockets, past that seq too, are
// sent to reconnect. Before, the join resynced the client from the seq
// the replica had delivered, and the replica dropped the new events under
// the old seqs as delivered: the client never got them.
func TestJoinAheadOfRewoundDatabase(t *testing.T) {
	hub, pool := startHub(t)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	a := joinFamily(t, hub, family)
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) SELECT $1, $2, 'item ' || i FROM generate_series(1, 3) i`, family, list); err != nil {
		t.Fatal(err)
	}
	got := collect(t, a.Client, 3)
	ahead := got[2].Seq

	// The database goes back to before those three events.
	rewound := a.Start
	rewind(t, pool, family, rewound)

	b, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Since: &ahead})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(b.Client)
	if !b.Resync || b.Start != rewound {
		t.Fatalf("join with since %d, database at %d: resync %v from %d, want a resync from %d", ahead, rewound, b.Resync, b.Start, rewound)
	}
	select {
	case <-a.Client.Done():
		if code, _ := a.Client.CloseStatus(); code != CloseRestart {
			t.Errorf("the other socket closed with %d, want %d", code, CloseRestart)
		}
	default:
		t.Errorf("the family's other socket, at seq %d, is still open", ahead)
	}

	// The next event takes the first lost seq again: it reaches the client.
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'again')`, family, list); err != nil {
		t.Fatal(err)
	}
	if w := collect(t, b.Client, 1)[0]; w.Seq != rewound+1 || w.PrevSeq != rewound {
		t.Errorf("after the resync: seq %d prev_seq %d, want seq %d prev_seq %d", w.Seq, w.PrevSeq, rewound+1, rewound)
	}
}

// TestCrossCheckFindsRewoundDatabase: with no join to tell, the seq
// cross-check finds a family whose database seq went below what the
// replica delivered, and sends its sockets to resync (1012, reconnect with
// since). Before, it looked only for a database seq ahead of the replica:
// the sockets stayed open, and the family's next events, under seqs the
// replica had delivered, were dropped as delivered.
func TestCrossCheckFindsRewoundDatabase(t *testing.T) {
	hub, pool := startHub(t)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	a := joinFamily(t, hub, family)
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'milk')`, family, list); err != nil {
		t.Fatal(err)
	}
	collect(t, a.Client, 1)
	rewind(t, pool, family, a.Start)
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Client.Done():
		if code, _ := a.Client.CloseStatus(); code != CloseRestart {
			t.Errorf("closed with %d, want %d", code, CloseRestart)
		}
	default:
		t.Errorf("the socket past the database's seq is still open after the cross-check")
	}
}

// rewindsSeen records what the hub tells OnRewind.
type rewindsSeen struct {
	mu   sync.Mutex
	seen []rewindNote
}

// rewindHub starts a hub that tells told of every rewind it finds, and
// whose cross-check runs only when the test calls it.
func rewindHub(t *testing.T, told *rewindsSeen) (*Hub, *pgxpool.Pool) {
	t.Helper()
	return startHubWith(t, func(l *Listener) {
		l.CrossCheckInterval = time.Hour
		l.Hub.OnRewind = told.add
	})
}

// joinFamily joins a socket of family to hub until the test ends.
func joinFamily(t *testing.T, hub *Hub, family uuid.UUID) *Join {
	t.Helper()
	a, err := hub.Join(context.Background(), JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Leave(a.Client) })
	return a
}

func (r *rewindsSeen) add(family uuid.UUID, shown, upto int64) {
	r.mu.Lock()
	r.seen = append(r.seen, rewindNote{family, shown, upto})
	r.mu.Unlock()
}

func (r *rewindsSeen) get() []rewindNote {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// TestCrossCheckFindsRewindOvertakenByWrites: the database went back, and
// new writes took the lost seqs again before the next cross-check, so the
// family's seq is back where this replica delivered: the seqs compare
// equal, but the events under them are not those the socket was sent, and
// the replica dropped the new ones as delivered. The cross-check compares
// the event under the delivered seq (its time and entity) and tells the
// socket in band to read everything again, from where the family is; the
// next event follows it. Closed instead, the socket would resume from its
// since, which the database holds, and skip the new events. Before, the
// cross-check saw nothing: the socket never got them.
func TestCrossCheckFindsRewindOvertakenByWrites(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told) // the test's own checks only
	ctx := context.Background()
	family, list := newFamily(t, pool)
	a := joinFamily(t, hub, family)
	insert := func(names ...string) {
		t.Helper()
		for _, n := range names {
			if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, $3)`, family, list, n); err != nil {
				t.Fatal(err)
			}
		}
	}
	insert("milk", "eggs", "bread")
	// The last one a staged event (memberships, families, users: numbered
	// by the flush at commit), whose notice carries the logged time too.
	if _, err := pool.Exec(ctx, `UPDATE families SET name = 'Rivera-Lopez' WHERE id = $1`, family); err != nil {
		t.Fatal(err)
	}
	delivered := collect(t, a.Client, 4)[3].Seq
	if err := hub.crossCheck(ctx); err != nil { // the marks of what was delivered hold
		t.Fatal(err)
	}
	if msgs := a.Client.Take(); len(msgs) != 0 {
		t.Fatalf("before any rewind the cross-check sent %q", msgs[0].Data)
	}

	// The database goes back to before those events, and four others
	// take their seqs, their notices lost (else the dispatcher finds the
	// first: TestDispatchFindsRewindFromReusedSeq).
	rewind(t, pool, family, a.Start)
	addSilently(t, pool, family, list, 4)
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := a.Client.Take()
	if len(msgs) != 1 || string(msgs[0].Data) != string(resyncMessage(delivered)) {
		var got []string
		for _, m := range msgs {
			got = append(got, string(m.Data))
		}
		t.Fatalf("after the cross-check the socket was sent %q, want one resync at seq %d", got, delivered)
	}
	select {
	case <-a.Client.Done():
		code, reason := a.Client.CloseStatus()
		t.Fatalf("the socket was closed (%d %s): it would resume from its since and skip the new events", code, reason)
	default:
	}
	if got, want := told.get(), []rewindNote{{family, delivered - 1, delivered}}; !slices.Equal(got, want) {
		t.Errorf("OnRewind was told %+v, want %+v", got, want)
	}
	insert("salt")
	if w := collect(t, a.Client, 1)[0]; w.Seq != delivered+1 || w.PrevSeq != delivered {
		t.Errorf("after the resync: seq %d prev_seq %d, want seq %d prev_seq %d", w.Seq, w.PrevSeq, delivered+1, delivered)
	}
	// The family's mark is the log's again: the next check finds nothing.
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if msgs := a.Client.Take(); len(msgs) != 0 {
		t.Errorf("a second cross-check sent %q", msgs[0].Data)
	}
}

// TestCrossCheckLeavesSocketsResyncedFromRewoundDatabase: a cross-check
// looks at the family's delivered seq, then a join finds the database
// behind it, forgets the family and resyncs its own socket from the
// database's seq; then the check's read shows the same loss. The check
// must leave that socket alone: its position comes from the rewound
// database already. Before, the check closed it too (1012), and it
// reconnected for nothing.
func TestCrossCheckLeavesSocketsResyncedFromRewoundDatabase(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	a := joinFamily(t, hub, family)
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) SELECT $1, $2, 'item ' || i FROM generate_series(1, 3) i`, family, list); err != nil {
		t.Fatal(err)
	}
	ahead := collect(t, a.Client, 3)[2].Seq
	rewind(t, pool, family, a.Start)

	var b *Join
	hook := func() {
		if b != nil {
			return
		}
		var err error
		if b, err = hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Since: &ahead}); err != nil {
			t.Fatal(err)
		}
	}
	crossCheckReadHook.Store(&hook)
	defer crossCheckReadHook.Store(nil)
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if b == nil {
		t.Fatal("the cross-check did not read the database")
	}
	defer hub.Leave(b.Client)
	if !b.Resync || b.Start != a.Start {
		t.Fatalf("join with since %d, database at %d: resync %v from %d", ahead, a.Start, b.Resync, b.Start)
	}
	select {
	case <-a.Client.Done(): // closed by the join, which found the loss
	default:
		t.Errorf("the socket at seq %d is still open", ahead)
	}
	select {
	case <-b.Client.Done():
		code, reason := b.Client.CloseStatus()
		t.Errorf("the socket resynced from the database was closed too (%d %s)", code, reason)
	default:
	}
	if got := told.get(); len(got) != 1 || got[0] != (rewindNote{family, a.Start, ahead}) {
		t.Errorf("OnRewind was told %+v, want once {%s %d %d}", got, family, a.Start, ahead)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'again')`, family, list); err != nil {
		t.Fatal(err)
	}
	if w := collect(t, b.Client, 1)[0]; w.Seq != a.Start+1 {
		t.Errorf("after the resync: seq %d, want %d", w.Seq, a.Start+1)
	}
}
