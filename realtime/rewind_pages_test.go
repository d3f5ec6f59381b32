package realtime

import (
	"context"
	"testing"
)

// TestRewindForgetsCachedPages: a page of the family's log read just
// before the cross-check finds that the database went back holds the lost
// events. A socket that reads the same page right after (within pageTTL)
// must get the events the log has now, not the shared page of before:
// before, it was handed the lost events, and with them the mark of a lost
// one, which its next resume took for another history (one needless
// resync).
func TestRewindForgetsCachedPages(t *testing.T) {
	var told rewindsSeen
	hub, pool := rewindHub(t, &told) // the test's own checks only
	ctx := context.Background()
	family, list := newFamily(t, pool)
	addSilently(t, pool, family, list, 2)
	settled(t, hub, pool)
	a := joinFamily(t, hub, family)
	s := a.Start
	before, err := hub.pages.get(ctx, hub.store, family, s-2)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 2 {
		t.Fatalf("test setup: the page after %d has %d events, want 2", s-2, len(before))
	}

	// The database loses the event under s; three new ones take s and on.
	rewind(t, pool, family, s-1)
	addSilently(t, pool, family, list, 3)
	if err := hub.crossCheck(ctx); err != nil {
		t.Fatal(err)
	}
	toldOf(t, &told, family)
	after, err := hub.pages.get(ctx, hub.store, family, s-2)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 4 || after[1].Seq != s || after[1].At.Equal(before[1].At) {
		t.Fatalf("the page after %d read again after the rewind: %d events, the one under %d at %v; want 4, and not the lost one (at %v)",
			s-2, len(after), s, after[min(1, len(after)-1)].At, before[1].At)
	}
}
