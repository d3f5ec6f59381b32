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
