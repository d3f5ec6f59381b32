package realtime

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// A batch's slice that the transport hands back (Written) is the queue's
// again, and nothing else's: under -race, the dispatcher queueing events
// and a reader queueing answers while each socket's transport writes its
// batches must never touch a slice a transport still reads, nor one that
// another socket's queue uses. Every socket gets every message once, in
// order, and a batch does not change while it is being written.
func TestWrittenBatchesStayTheTransports(t *testing.T) {
	const (
		sockets = 3
		events  = 3000
		answers = 1000
	)
	h := &Hub{}
	fam := &family{clients: map[*Client]struct{}{}}
	clients := make([]*Client, sockets)
	for i := range clients {
		clients[i] = newClient(JoinParams{})
		fam.clients[clients[i]] = struct{}{}
	}
	queued := func(c *Client) int {
		c.queue.mu.Lock()
		defer c.queue.mu.Unlock()
		return len(c.queue.msgs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	// The dispatcher: one event at a time to every socket, as the hub
	// delivers them; it waits while a queue is long, so that no socket
	// falls behind the live stream (which would need the log).
	wg.Go(func() {
		id := uuid.New()
		for seq := int64(1); seq <= events; seq++ {
			for _, c := range clients {
				for queued(c) > QueueMessages/4 && ctx.Err() == nil {
					runtime.Gosched()
				}
			}
			h.mu.Lock()
			h.deliverLocked(fam, Event{FamilyID: id, Seq: seq, Type: "TASK_UPDATED", ID: id, Op: "update", At: time.Now()})
			h.mu.Unlock()
		}
	})
	// Each socket's reader: answers to its client's own messages.
	for _, c := range clients {
		wg.Go(func() {
			for i := range answers {
				for queued(c) > QueueMessages/4 && ctx.Err() == nil {
					runtime.Gosched() // as the dispatcher: no event finds the queue full
				}
				c.Answer(ctx, []byte("a"+strconv.Itoa(i)))
			}
		})
	}
	// Each socket's transport: take a batch, "write" it (read it twice,
	// with the other goroutines let run in between), hand it back.
	errs := make(chan string, sockets)
	for _, c := range clients {
		wg.Go(func() {
			var lastSeq int64
			nextAnswer := 0
			var seqs []int64
			var data []string
			for lastSeq < events || nextAnswer < answers {
				select {
				case <-c.Ready():
				case <-ctx.Done():
					errs <- "timed out: last seq " + strconv.FormatInt(lastSeq, 10) + ", answer " + strconv.Itoa(nextAnswer)
					return
				}
				msgs := c.Take()
				if len(msgs) == 0 {
					continue
				}
				seqs, data = seqs[:0], data[:0]
				for _, m := range msgs {
					seqs = append(seqs, m.Seq)
					data = append(data, string(m.Data))
				}
				for range 3 {
					runtime.Gosched()
				}
				for i, m := range msgs {
					if m.Seq != seqs[i] || string(m.Data) != data[i] {
						errs <- "a batch changed while it was written: " + data[i] + " became " + string(m.Data)
						return
					}
					switch {
					case m.Seq > 0:
						if m.Seq != lastSeq+1 {
							errs <- "event " + strconv.FormatInt(m.Seq, 10) + " after " + strconv.FormatInt(lastSeq, 10)
							return
						}
						lastSeq = m.Seq
					case string(m.Data) != "a"+strconv.Itoa(nextAnswer):
						errs <- "answer " + string(m.Data) + ", want a" + strconv.Itoa(nextAnswer)
						return
					default:
						nextAnswer++
					}
				}
				c.Written(msgs)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestWrittenBurstsAllocateNothing: a socket that gets its events in
// bursts (several queued while its transport writes the last batch) keeps
// the two slices its queue and its transport pass back and forth: no
// allocation per batch once they have grown to a burst's size. Before,
// only a batch of at most two messages gave its slice back, and a larger
// one's successor grew anew from nothing (one to four allocations per
// batch). When the writer stops (Idle), a burst's slice goes: an idle
// socket keeps at most a small one.
func TestWrittenBurstsAllocateNothing(t *testing.T) {
	c := newClient(JoinParams{})
	m := Message{Data: []byte(`{"type":"event"}`), Seq: 1}
	var writing []Message // the batch the transport is writing
	burst := func() {
		for range 5 { // queued while the last batch is written
			if !c.queue.push(m, false) {
				t.Fatal("queue full")
			}
		}
		next := c.Take()
		if writing != nil {
			c.Written(writing)
		}
		writing = next
	}
	for range 3 { // the two slices grow to a burst's size
		burst()
	}
	if n := testing.AllocsPerRun(100, burst); n != 0 {
		t.Fatalf("%v allocations per batch of 5, want 0", n)
	}
	c.Written(writing)
	c.Idle()
	c.queue.mu.Lock()
	kept := cap(c.queue.spare)
	c.queue.mu.Unlock()
	if kept > spareMessages {
		t.Fatalf("an idle socket keeps a slice of %d messages, want at most %d", kept, spareMessages)
	}
	// A small batch's slice is still kept when the writer stops.
	c.queue.push(m, false)
	one := c.Take()
	c.Written(one)
	c.Idle()
	c.queue.mu.Lock()
	kept = cap(c.queue.spare)
	c.queue.mu.Unlock()
	if kept != cap(one) || kept == 0 {
		t.Fatalf("an idle socket keeps a slice of %d messages, want its last batch's %d", kept, cap(one))
	}
}
