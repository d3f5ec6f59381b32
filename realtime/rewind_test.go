package realtime

import (
	"context"
	"testing"

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
	a, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(a.Client)
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
	a, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Leave(a.Client)
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
