package realtime

import (
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
