package realtime

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
)

// BenchmarkDeliverSkipping: one event fanned out to a family's 4,000
// sockets, none of whose topics select it (a shopping event, sockets on
// tasks): the dispatcher's cost per event when every socket skips it.
func BenchmarkDeliverSkipping(b *testing.B) {
	h := &Hub{}
	id := uuid.New()
	fam := &family{clients: map[*Client]struct{}{}}
	for range 4000 {
		c := newClient(JoinParams{FamilyID: id, Topics: []string{"tasks"}})
		fam.clients[c] = struct{}{}
	}
	ev := Event{FamilyID: id, Type: "SHOPPING_ITEM_UPDATED", ID: uuid.New(), Op: "update", At: time.Now()}
	b.ResetTimer()
	for i := range b.N {
		ev.Seq = int64(i + 1)
		h.deliverLocked(fam, ev)
	}
}

// BenchmarkNoticeToSockets: one event notice, as PostgreSQL writes it, from
// the listener's decode through the dispatcher to 4 sockets' queues and
// their transports' take (no database, no network): the replica's own work
// per event for a family's 4 devices.
//
//	go test -run '^$' -bench NoticeToSockets -benchmem ./realtime/
func BenchmarkNoticeToSockets(b *testing.B) {
	h := &Hub{}
	fam := &family{clients: map[*Client]struct{}{}}
	for range 4 {
		c := newClient(JoinParams{})
		fam.clients[c] = struct{}{}
	}
	id, list, actor := uuid.New(), uuid.New(), uuid.New()
	head := `{"family_id" : "` + uuid.NewString() + `", "seq" : `
	tail := `, "type" : "SHOPPING_ITEM_UPDATED", "id" : "` + id.String() + `", "list_id" : "` + list.String() +
		`", "op" : "insert", "version" : 1, "at" : "2026-12-02T19:20:00.123456+00:00", "actor" : "` + actor.String() + `", "device_id" : "phone-1"}`
	payloads := make([]string, b.N)
	for i := range payloads {
		payloads[i] = head + strconv.Itoa(i+1) + tail
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ev, err := parseEvent(payloads[i])
		if err != nil {
			b.Fatal(err)
		}
		h.deliverLocked(fam, ev)
		for c := range fam.clients {
			msgs := c.Take()
			if len(msgs) != 1 {
				b.Fatalf("%d messages", len(msgs))
			}
			c.Written(msgs)
		}
	}
}

// BenchmarkDeliverToWriters: one event fanned out to a family's 1,000
// sockets whose transports set OnReady (as a WebSocket's writer does: here
// a non-blocking send, like its wake), then each socket's batch taken and
// handed back: the dispatcher's and the queues' work per event at the
// 1,000-socket points of the relay benchmark (issue 20), without the
// writes.
//
//	go test -run '^$' -bench DeliverToWriters -benchmem ./realtime/
func BenchmarkDeliverToWriters(b *testing.B) {
	h := &Hub{}
	id := uuid.New()
	fam := &family{clients: map[*Client]struct{}{}}
	for range 1000 {
		c := newClient(JoinParams{FamilyID: id})
		wake := make(chan struct{}, 1)
		c.OnReady(func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		fam.clients[c] = struct{}{}
	}
	ev := Event{FamilyID: id, Type: "SHOPPING_ITEM_CREATED", ID: uuid.New(), Op: "insert", At: time.Now()}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	cpu0 := threadCPU()
	b.ResetTimer()
	for i := range b.N {
		ev.Seq = int64(i + 1)
		h.deliverLocked(fam, ev)
		for c := range fam.clients {
			c.Written(c.Take())
		}
	}
	b.StopTimer()
	if cpu := threadCPU(); cpu > 0 {
		b.ReportMetric(float64(cpu-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
