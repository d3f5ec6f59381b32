package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
	want := fmt.Sprintf(`{"type":"pong","seq":%d,`, r.j.Start+1) // and the mark (TestPongNamesItsMark)
	if len(msgs) != 1 || !strings.HasPrefix(string(msgs[0].Data), want) {
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

// TestPongNamesItsMark: a pong that moves a topics socket's position past
// an event it skipped names that event's mark (since_id, since_at, as the
// event said its id and at), which a resume from the pong's seq then
// checks: the log's own event passes, and another one under that seq (the
// database went back and the seq was taken again) is caught. So does the
// answer to a topics message with since. Before, both named the seq
// alone, and the client, whose mark was its last event's, resumed with
// since alone until its next event: a restore that lost the skipped event
// went unnoticed.
func TestPongNamesItsMark(t *testing.T) {
	for _, msg := range []string{`{"type":"ping"}`, `{"type":"topics","topics":["tasks"],"since":%d}`} {
		hub, r := positionsSocket(t)
		r.addItem() // skipped: the answer names the position past it
		waitFor(t, "the skipped event", func() bool { return r.j.Client.cursor.Load() == r.j.Start+1 })
		if strings.Contains(msg, "%d") {
			msg = fmt.Sprintf(msg, r.last)
		}
		r.send(msg)
		msgs := r.j.Client.Take()
		if len(msgs) != 1 {
			t.Fatalf("%s: %d messages answered", msg, len(msgs))
		}
		checkAnswerMark(t, hub, r, msgs[0].Data)
	}
}

// checkAnswerMark checks that answer (a pong, a topics answer) names the
// position past r's skipped event with that event's mark, and that a
// resume with it resyncs exactly when the log holds another event there.
func checkAnswerMark(t *testing.T, hub *Hub, r *pagingRace, answer []byte) {
	t.Helper()
	checkMarkAt(t, hub, r, answer, r.j.Start+1)
}

// checkMarkAt is checkAnswerMark for the position seq.
func checkMarkAt(t *testing.T, hub *Hub, r *pagingRace, answer []byte, seq int64) {
	t.Helper()
	var a struct {
		Seq     int64
		SinceID string `json:"since_id"`
		SinceAt string `json:"since_at"`
	}
	if err := json.Unmarshal(answer, &a); err != nil {
		t.Fatal(err)
	}
	if a.Seq != seq || a.SinceID == "" || a.SinceAt == "" {
		t.Fatalf("answer %s: want seq %d with since_id and since_at", answer, seq)
	}
	mark := &Mark{}
	var err error
	if mark.ID, err = uuid.Parse(a.SinceID); err != nil {
		t.Fatal(err)
	}
	if mark.At, err = time.Parse(time.RFC3339Nano, a.SinceAt); err != nil {
		t.Fatal(err)
	}
	resume := func() bool {
		t.Helper()
		j, err := hub.Join(context.Background(), JoinParams{FamilyID: r.family, SessionID: uuid.New(), Transport: "test", Since: &a.Seq, SinceMark: mark})
		if err != nil {
			t.Fatal(err)
		}
		hub.Leave(j.Client)
		return j.Resync
	}
	if resume() {
		t.Fatalf("answer %s: a resume with its mark, the log's own event, was told to resync", answer)
	}
	exec(t, r.pool, `UPDATE event_log SET at = at + interval '1 second' WHERE family_id = '`+r.family.String()+`' AND seq = `+strconv.FormatInt(a.Seq, 10))
	if !resume() {
		t.Errorf("answer %s: a resume with its mark, another event now under its seq, was not told to resync", answer)
	}
}

// TestPongMarkAfterRewind: after the cross-check finds another event
// under the socket's position (the database went back, a new event took
// the seq) and resyncs the socket there, a pong names the new event's
// mark, which a resume from the pong then passes. Before, it named the
// lost event's, kept from the dispatcher: the client's next resume from
// the pong took it for another history and resynced once more.
func TestPongMarkAfterRewind(t *testing.T) {
	hub, r := positionsSocket(t)
	r.addItem() // skipped: its mark is the socket's under Start+1
	waitFor(t, "the skipped event", func() bool { return r.j.Client.cursor.Load() == r.j.Start+1 })
	exec(t, r.pool, `UPDATE event_log SET at = at + interval '2 seconds' WHERE family_id = '`+r.family.String()+`' AND seq = `+strconv.FormatInt(r.j.Start+1, 10))
	if err := hub.crossCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	waitFor(t, "the resync", func() bool {
		for _, m := range r.j.Client.Take() {
			got = append(got, string(m.Data))
		}
		return len(got) > 0 && strings.Contains(got[len(got)-1], `"resync"`)
	})
	r.send(`{"type":"ping"}`)
	msgs := r.j.Client.Take()
	if len(msgs) != 1 {
		t.Fatalf("ping: %d messages answered", len(msgs))
	}
	checkAnswerMark(t, hub, r, msgs[0].Data)
}

// TestPongMarkAfterPageResync: a topics socket sent back by a topics
// message finds its page pruned from the log and is resynced to the
// family's last event, one it never reached (it passed the socket while
// the socket read from the log); its next pong names that event's mark,
// which a resume from the pong passes (and one with another event under
// its seq does not). Before, the pong named no mark (the socket's was of
// an older event) until the socket's next event, and a database that
// went back meanwhile went unnoticed at the resume.
func TestPongMarkAfterPageResync(t *testing.T) {
	hub, r := positionsSocket(t)
	c := r.j.Client
	r.addItem() // skipped: the socket's mark is of Start+1
	waitFor(t, "the skipped event", func() bool { return c.cursor.Load() == r.j.Start+1 })
	// The page of shopping: its skipped event is to be read from the log.
	r.send(fmt.Sprintf(`{"type":"topics","topics":["shopping"],"since":%d}`, r.j.Start))
	if !c.lagging.Load() {
		t.Fatal("the topics message did not send the socket back to the log")
	}
	exec(t, r.pool, `DELETE FROM event_log WHERE family_id = '`+r.family.String()+`' AND seq = `+strconv.FormatInt(r.j.Start+1, 10))
	r.addItem() // passes the socket, which reads from the log: the family's last event
	last := r.j.Start + 2
	waitFor(t, "the second event at the hub", func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		return hub.families[r.family].lastSeq == last
	})
	var got []string
	waitFor(t, "the answer and the resync", func() bool {
		msgs, err := c.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			got = append(got, string(m.Data))
		}
		return len(got) > 0 && strings.Contains(got[len(got)-1], `"resync"`)
	})
	if want := fmt.Sprintf(`{"type":"resync","seq":%d}`, last); got[len(got)-1] != want {
		t.Fatalf("got %q, want the resync %s", got, want)
	}
	r.send(`{"type":"ping"}`)
	msgs := c.Take()
	if len(msgs) != 1 {
		t.Fatalf("ping: %d messages answered", len(msgs))
	}
	checkMarkAt(t, hub, r, msgs[0].Data, last)
}
