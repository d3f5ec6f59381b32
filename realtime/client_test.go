package realtime

import (
	"context"
	"testing"
	"time"
)

// A client's own burst of pings is slowed down, not cut off: Answer waits
// for the transport to drain the queue instead of closing the client.
func TestAnswerWaitsForRoom(t *testing.T) {
	c := newClient(JoinParams{})
	for c.queue.push(Message{Data: pongMessage}, true) {
	}
	answered := make(chan struct{})
	go func() {
		c.Answer(context.Background(), pongMessage)
		close(answered)
	}()
	select {
	case <-answered:
		t.Fatal("Answer returned while the queue was full")
	case <-c.Done():
		t.Fatal("the client was closed")
	case <-time.After(50 * time.Millisecond):
		// Answer is waiting (a shorter wait could only miss a bug, never
		// report a false one).
	}
	if n := len(c.Take()); n != 2*QueueMessages {
		t.Fatalf("took %d messages, want %d", n, 2*QueueMessages)
	}
	<-answered
	if msgs := c.Take(); len(msgs) != 1 {
		t.Fatalf("after the drain: %d messages queued, want the one answer", len(msgs))
	}
	select {
	case <-c.Done():
		t.Fatal("the client was closed")
	default:
	}
}

// A client that never reads is not waited on forever: its transport's
// context ends the wait.
func TestAnswerGivesUpWhenTheConnectionEnds(t *testing.T) {
	c := newClient(JoinParams{})
	for c.queue.push(Message{Data: pongMessage}, true) {
	}
	ctx, cancel := context.WithCancel(context.Background())
	answered := make(chan struct{})
	go func() {
		c.Answer(ctx, pongMessage)
		close(answered)
	}()
	cancel()
	<-answered
}

// Replies the client did not ask for (device messages, presence) never
// wait: a client whose queue is full for them is closed as too slow.
func TestReplyClosesASlowClient(t *testing.T) {
	c := newClient(JoinParams{})
	for range 2 * QueueMessages {
		c.Reply(pongMessage)
	}
	select {
	case <-c.Done():
		t.Fatal("closed before the queue was full")
	default:
	}
	c.Reply(pongMessage)
	<-c.Done()
	if code, _ := c.CloseStatus(); code != CloseSlowConsumer {
		t.Fatalf("close code %d, want %d", code, CloseSlowConsumer)
	}
}

// A written small batch's slice takes the next message without an
// allocation and holds none of the written data; a burst's larger slice
// is kept only until the writer stops (Idle), and a backlog's (over
// spareBurst) not at all.
func TestWrittenReusesTheBatchSlice(t *testing.T) {
	c := newClient(JoinParams{})
	c.queue.push(Message{Data: []byte("a"), Seq: 1}, false)
	msgs := c.Take()
	c.Written(msgs)
	if msgs[0].Data != nil {
		t.Error("the written message's data is still referenced")
	}
	if n := testing.AllocsPerRun(100, func() {
		c.queue.push(Message{Data: pongMessage, Seq: 2}, false)
		got := c.Take()
		if len(got) != 1 || got[0].Seq != 2 {
			t.Fatalf("took %+v", got)
		}
		c.Written(got)
	}); n != 0 {
		t.Errorf("a message queued after a written batch allocates %v times, want 0", n)
	}
	for i := range spareMessages + 1 {
		c.queue.push(Message{Data: pongMessage, Seq: int64(i)}, false)
	}
	c.Written(c.Take())
	c.Idle()
	if c.queue.spare != nil {
		t.Errorf("kept a slice of %d messages after the writer stopped", cap(c.queue.spare))
	}
	for i := range spareBurst + 1 {
		c.queue.push(Message{Data: pongMessage, Seq: int64(i)}, false)
	}
	c.Written(c.Take())
	if c.queue.spare != nil {
		t.Errorf("kept a backlog's slice of %d messages", cap(c.queue.spare))
	}
}
