package realtime

import (
	"testing"

	"github.com/google/uuid"
)

// TestEventForUser: a notice's "for_user" (an app password's event, 00042)
// is read on the fast path, and such an event is for that member alone;
// an event without it is for everyone. EventsFor keeps the order.
func TestEventForUser(t *testing.T) {
	fam, id, ana, ben := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	payload := `{"family_id":"` + fam.String() + `","seq":5,"type":"FAMILY_UPDATED","id":"` + id.String() +
		`","op":"insert","at":"2026-12-03T18:00:00.123456+01:00","actor":"` + ana.String() + `","device_id":"phone-1","for_user":"` + ana.String() + `"}`
	var fast Event
	if !parseEventFast(payload, &fast) {
		t.Fatalf("the fast path refused %s", payload)
	}
	ev, err := parseEvent(payload)
	if err != nil || ev.ForUser == nil || *ev.ForUser != ana || fast.ForUser == nil || *fast.ForUser != ana {
		t.Fatalf("parsed %+v (fast %+v), %v; want for_user %s", ev, fast, err, ana)
	}
	if !ev.For(ana) || ev.For(ben) {
		t.Fatalf("For(Ana) = %v, For(Ben) = %v; want true, false", ev.For(ana), ev.For(ben))
	}
	all := Event{FamilyID: fam, Seq: 6, Type: "TASK_UPDATED", ID: uuid.New(), Op: "insert"}
	if !all.For(ben) {
		t.Fatal("an event without for_user is not for everyone")
	}
	first := Event{FamilyID: fam, Seq: 4, Type: "TASK_UPDATED", ID: uuid.New(), Op: "insert"}
	got := EventsFor([]Event{first, ev, all}, ben)
	if len(got) != 2 || got[0].Seq != 4 || got[1].Seq != 6 {
		t.Fatalf("EventsFor(Ben) = %+v; want seqs 4 and 6", got)
	}
	if got := EventsFor([]Event{first, ev, all}, ana); len(got) != 3 {
		t.Fatalf("EventsFor(Ana) = %+v; want all three", got)
	}
}
