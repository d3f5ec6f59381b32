package realtime

import (
	"context"
	"testing"
	"time"
)

// TestHubBehindClientFollowsALaggingDispatcher: Ben resumes from the
// start of the family's log while this replica's dispatcher is far behind
// it (it heard none of the last 2*PageSize+10 events: the hub has no
// listener). His pages stop at the dispatcher's seq; then the dispatcher
// catches up from the log in its batches, and Ben is handed every event
// of the family exactly once, in seq order, without a resync: a page that
// stops at the dispatcher neither stalls a client behind nor repeats or
// skips an event.
func TestHubBehindClientFollowsALaggingDispatcher(t *testing.T) {
	hub, pool := startHubAlone(t)
	ctx := context.Background()
	family, list := newFamily(t, pool)
	ana, ben := member(t, pool, family), member(t, pool, family)
	addItems(t, pool, family, list, 10)
	a, b := anaAndBehindBen(t, hub, family, ana, ben)
	addItems(t, pool, family, list, 2*PageSize+10) // not heard
	var last int64
	if err := pool.QueryRow(ctx, `SELECT seq FROM family_event_seq WHERE family_id = $1`, family).Scan(&last); err != nil {
		t.Fatal(err)
	}
	var got []int64
	read := func() {
		t.Helper()
		for {
			msgs, err := b.Client.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) == 0 {
				return
			}
			for _, m := range msgs {
				if _, ok := m.ResyncSeq(); ok {
					t.Fatalf("Ben was told to resync after seqs %v", got)
				}
				got = append(got, m.Seq)
			}
		}
	}
	read()
	if len(got) == 0 || got[len(got)-1] != a.Start {
		t.Fatalf("before the dispatcher caught up: Ben was handed seqs %v, want 1 to %d (the dispatcher's)", got, a.Start)
	}
	hub.requestResync() // the dispatcher reads on from the log
	deadline := time.After(20 * time.Second)
	for got[len(got)-1] < last {
		select {
		case <-b.Client.Ready():
		case <-b.Client.Done():
			t.Fatalf("Ben's client closed after seq %d", got[len(got)-1])
		case <-deadline:
			t.Fatalf("Ben was handed seqs up to %d of %d after 20 s", got[len(got)-1], last)
		}
		read()
	}
	for i, seq := range got {
		if seq != int64(i+1) {
			t.Fatalf("Ben's seqs are not 1 to %d in order, once each: at %d got %d (%d events)", last, i, seq, len(got))
		}
	}
	if int64(len(got)) != last {
		t.Errorf("Ben was handed %d events, want %d", len(got), last)
	}
}
