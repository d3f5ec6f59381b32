package realtime

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// positionsSocket is a socket on tasks that takes positions (it sent a
// topics message with since), with the PWA's bookkeeping (pagingRace).
func positionsSocket(t *testing.T) (*Hub, *pagingRace) {
	hub, pool := startHub(t)
	family, list := newFamily(t, pool)
	j, err := hub.Join(context.Background(), JoinParams{FamilyID: family, SessionID: uuid.New(), Transport: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Leave(j.Client) })
	r := &pagingRace{t: t, pool: pool, family: family, list: list, j: j, last: j.Start}
	r.send(fmt.Sprintf(`{"type":"topics","topics":["tasks"],"since":%d}`, r.last))
	msgs, err := j.Client.Next(context.Background())
	if err != nil || len(msgs) != 1 {
		t.Fatalf("the answer: %v %v", msgs, err)
	}
	r.apply(msgs)
	return hub, r
}

// TestPongTakesNoHubLock: a ping of a socket that takes positions is
// answered, with its position, while the hub's lock is held (by the
// dispatcher fanning an event out to thousands of sockets, say). Every
// such ping took the hub's lock: 160 a second at 4,000 sockets of the PWA.
func TestPongTakesNoHubLock(t *testing.T) {
	hub, r := positionsSocket(t)
	r.addItem() // skipped: the pong names the position past it
	waitFor(t, "the skipped event", func() bool { return r.j.Client.cursor.Load() == r.j.Start+1 })
	hub.mu.Lock()
	locked := true
	defer func() {
		if locked {
			hub.mu.Unlock()
		}
	}()
	go r.j.Client.HandleMessage(context.Background(), []byte(`{"type":"ping"}`))
	var msgs []Message
	for deadline := time.After(5 * time.Second); len(msgs) == 0; msgs = r.j.Client.Take() {
		select {
		case <-r.j.Client.Ready():
		case <-deadline:
			t.Fatal("no pong in 5 s while the hub's lock was held")
		}
	}
	locked = false
	hub.mu.Unlock()
	want := fmt.Sprintf(`{"type":"pong","seq":%d}`, r.j.Start+1)
	if len(msgs) != 1 || string(msgs[0].Data) != want {
		var got []string
		for _, m := range msgs {
			got = append(got, string(m.Data))
		}
		t.Fatalf("got %q, want %s", got, want)
	}
}

// TestPongRacingEvents: pings answered while events of the socket's topic
// and of others are fanned out name positions that chain with the events
// around them: the simulated client, which takes each pong's seq as its
// position, sees every event of its topic with no gap.
func TestPongRacingEvents(t *testing.T) {
	_, r := positionsSocket(t)
	const tasks = 60
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			r.j.Client.HandleMessage(ctx, []byte(`{"type":"ping"}`))
		}
	})
	wg.Go(func() {
		for range tasks {
			if _, err := r.pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'x')`, r.family, r.list); err != nil {
				t.Error(err)
				return
			}
			if _, err := r.pool.Exec(context.Background(), `INSERT INTO tasks (family_id, title) VALUES ($1, 't')`, r.family); err != nil {
				t.Error(err)
				return
			}
		}
	})
	defer wg.Wait()
	defer stop()
	r.until(tasks) // fails at the first gap
}
