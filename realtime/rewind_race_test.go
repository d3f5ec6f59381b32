package realtime

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
)

// TestRewindCheckNotFooledByBusyFamily: a busy family (the application's
// writes, announced after commit, and psql's, notified inside their
// transaction) must never look rewound to the seq cross-check or to a
// join resuming at the newest seq this replica delivered, nor its events
// compare as others than the log's (their time and entity, as the
// notices carry them). A NOTIFY reaches
// the listener only once its transaction is visible to new snapshots, and
// both checks compare the database with what was delivered before their
// read began; comparing a read with a delivery made while it ran (a
// newer lastSeq) would close every socket of the family for nothing.
// Counted, not timed: 240 writes while both checks run in loops.
func TestRewindCheckNotFooledByBusyFamily(t *testing.T) {
	var url string
	hub, pool := startHubWith(t, func(l *Listener) { url = l.ConnString })
	ctx := context.Background()
	family, list := newFamily(t, pool)
	appPool, err := db.Open(ctx, url) // announces after commit, as the application's
	if err != nil {
		t.Fatal(err)
	}
	app := db.NewStore(appPool)
	t.Cleanup(func() { _ = app.Close(ctx); appPool.Close() })

	a := joinFamily(t, hub, family)

	const writers, each = 4, 60
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range each {
				q := `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`
				var err error
				if w%2 == 0 {
					err = app.Tx(ctx, func(tx *db.Tx) error { _, err := tx.Exec(ctx, q, family, list); return err })
				} else {
					_, err = pool.Exec(ctx, q, family, list) // psql: NOTIFY inside the transaction
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	var checks sync.WaitGroup
	checks.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := hub.crossCheck(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	})
	checks.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			// Every other join claims the next seq too (a client that got
			// it from a replica ahead of this one, or a bad since): its
			// first read may come before that commit and a delivery after
			// it, which sends the join to read again and compare.
			delivered, _, _ := hub.delivered(family)
			since := delivered + int64(i%2)
			j, err := hub.Join(ctx, JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test", Since: &since})
			if err != nil {
				t.Error(err)
				return
			}
			if j.Resync && i%2 == 0 {
				t.Errorf("a join resuming at seq %d, which this replica delivered, was told to resync from %d", since, j.Start)
			}
			hub.Leave(j.Client)
		}
	})
	wg.Wait()
	close(done)
	checks.Wait()
	got := collect(t, a.Client, writers*each)
	for _, w := range got {
		if w.Type == "resync" { // the event under a delivered seq compared as another
			t.Errorf("the family's socket was told to resync (at seq %d) though nothing was lost", w.Seq)
		}
	}
	if last := got[len(got)-1].Seq; last != a.Start+writers*each {
		t.Errorf("last seq %d, want %d", last, a.Start+writers*each)
	}
	select {
	case <-a.Client.Done():
		code, reason := a.Client.CloseStatus()
		t.Errorf("the family's socket was closed (%d %q) though nothing was lost", code, reason)
	default:
	}
}
