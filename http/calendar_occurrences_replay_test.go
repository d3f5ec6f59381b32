package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// TestCalendarOccurrenceReplay: the PWA's outbox sends a change or delete
// of one occurrence again when its answer was lost, with the If-Match it
// was made against (the series' version before the first one was saved).
// The replay is answered as a success and writes nothing (no second
// change, no second SEQUENCE or version); a change someone else made
// meanwhile is still a 412, whose current series carries its changed
// occurrences (so the device can tell a change of the same one).
func TestCalendarOccurrenceReplay(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("ana@example.org", "Rivera")
	env.setTimeZone(c, "Europe/Berlin")
	ev := c.weeklySwim("2026-05-03T10:00:00+02:00", "2026-05-03T11:00:00+02:00")
	id := ev.ID.String()
	send := func(method, path, body string, v int64) (int, []byte) {
		t.Helper()
		st, _, b, err := c.send(method, path, body, ifMatchVersion(v))
		if err != nil {
			t.Fatal(err)
		}
		return st, b
	}

	// Move the 10 May occurrence, twice with the same If-Match.
	move := `{"title":"Swimming (late)","starts_at":"2026-05-10T12:00:00+02:00","ends_at":"2026-05-10T13:00:00+02:00"}`
	v0 := ev.Version
	var first, again calendarOccurrenceJSON
	for i, into := range []*calendarOccurrenceJSON{&first, &again} {
		st, b := send("PATCH", occPath(id, "2026-05-10T10:00:00+02:00"), move, v0)
		if st != http.StatusOK {
			t.Fatalf("PATCH #%d with If-Match %d: %d %s", i+1, v0, st, b)
		}
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatal(err)
		}
	}
	if !again.Overridden || again.Title != "Swimming (late)" || !again.StartsAt.Equal(first.StartsAt) || again.Version != first.Version {
		t.Fatalf("the replay answered %+v, want the first answer %+v", again, first)
	}
	s := c.calendarEvent(id)
	if s.Overrides == nil || len(*s.Overrides) != 1 || s.Version != first.Version || s.Sequence != ev.Sequence+1 {
		t.Fatalf("after the replay: %d overrides, version %d (first answer %d), sequence %d (was %d)",
			len(*s.Overrides), s.Version, first.Version, s.Sequence, ev.Sequence)
	}
	// The same stale If-Match with another change is refused, and the 412
	// names the changed occurrence.
	st, b := send("PATCH", occPath(id, "2026-05-10T10:00:00+02:00"), `{"title":"Swimming (early)"}`, v0)
	var stale struct {
		Current calendarEventJSON `json:"current"`
	}
	if err := json.Unmarshal(b, &stale); err != nil || st != http.StatusPreconditionFailed {
		t.Fatalf("another change with a stale If-Match: %d %s", st, b)
	}
	if o := stale.Current.Overrides; o == nil || len(*o) != 1 || (*o)[0].Title != "Swimming (late)" || stale.Current.Version != s.Version {
		t.Fatalf("the 412's current series: %+v", stale.Current)
	}
	// A stale If-Match on another occurrence, not changed yet: 412.
	if st, b := send("PATCH", occPath(id, "2026-05-17T10:00:00+02:00"), move, v0); st != http.StatusPreconditionFailed {
		t.Fatalf("a first change with a stale If-Match: %d %s", st, b)
	}

	// Delete the 24 May occurrence, twice with the same If-Match.
	v1 := s.Version
	for i := range 2 {
		if st, b := send("DELETE", occPath(id, "2026-05-24T10:00:00+02:00"), "", v1); st != http.StatusNoContent {
			t.Fatalf("DELETE #%d with If-Match %d: %d %s", i+1, v1, st, b)
		}
	}
	after := c.calendarEvent(id)
	if len(after.Exdates) != 1 || after.Version != v1+1 || len(*after.Overrides) != 1 {
		t.Fatalf("after the replayed delete: exdates %v, version %d (want %d), %d overrides", after.Exdates, after.Version, v1+1, len(*after.Overrides))
	}
	// A stale delete of an occurrence still there: 412.
	if st, b := send("DELETE", occPath(id, "2026-05-31T10:00:00+02:00"), "", v1); st != http.StatusPreconditionFailed {
		t.Fatalf("a stale delete of another occurrence: %d %s", st, b)
	}
	got := occurrences(t, c, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z")
	want := []string{"Swimming 05-03T10:00", "Swimming (late) 05-10T12:00 *", "Swimming 05-17T10:00", "Swimming 05-31T10:00"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listing\n got %v\nwant %v", got, want)
	}
}

// TestCalendarOccurrenceReplayChild: a child may not change calendar
// events. A child's write of one occurrence that matches what is stored
// (copied from the series, with an old If-Match) is refused 403 as any
// other write of theirs, not answered as a saved replay.
func TestCalendarOccurrenceReplayChild(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	owner, child := f.clients["owner"], f.clients["child"]
	env.setTimeZone(owner, "Europe/Berlin")
	ev := owner.weeklySwim("2026-05-03T10:00:00+02:00", "2026-05-03T11:00:00+02:00")
	id := ev.ID.String()
	ifMatch := ifMatchVersion(ev.Version)
	move := `{"title":"Swimming (late)"}`
	if st, _, b, err := owner.send("PATCH", occPath(id, "2026-05-10T10:00:00+02:00"), move, ifMatch); err != nil || st != http.StatusOK {
		t.Fatalf("the owner's change: %d %s %v", st, b, err)
	}
	if st, _, b, err := owner.send("DELETE", occPath(id, "2026-05-17T10:00:00+02:00"), "", ifMatchVersion(ev.Version+1)); err != nil || st != http.StatusNoContent {
		t.Fatalf("the owner's delete: %d %s %v", st, b, err)
	}
	for _, w := range []struct{ method, rid, body string }{
		{"PATCH", "2026-05-10T10:00:00+02:00", move},
		{"DELETE", "2026-05-17T10:00:00+02:00", ""},
	} {
		if st, _, b, err := child.send(w.method, occPath(id, w.rid), w.body, ifMatch); err != nil || st != http.StatusForbidden {
			t.Errorf("the child's %s of what is stored, with an old If-Match: %d %s %v, want 403", w.method, st, b, err)
		}
	}
}

// TestCalendarOccurrenceWriteVersion: each write of one occurrence moves
// the series' version up by exactly one, also a delete of a changed
// occurrence (its change goes with it, which touches the series' row a
// second time in the same transaction) and a change of one changed
// before. The PWA counts on it: a delete is answered 204 without a
// version, and the device holds the series at the version before plus one
// (pending.js seriesAfter), so that its next write of the series, made
// against that, is not refused (412) and sent again.
func TestCalendarOccurrenceWriteVersion(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("ana@example.org", "Rivera")
	env.setTimeZone(c, "Europe/Berlin")
	ev := c.weeklySwim("2026-03-22T10:00:00+01:00", "2026-03-22T11:00:00+01:00")
	id := ev.ID.String()
	v := ev.Version
	for i, w := range []struct{ method, rid, body string }{
		{"PATCH", "2026-03-29T10:00:00+02:00", `{"title":"Swimming (late)","starts_at":"2026-03-29T12:00:00+02:00","ends_at":"2026-03-29T13:00:00+02:00"}`},
		{"PATCH", "2026-03-29T10:00:00+02:00", `{"title":"Swimming (later)"}`},
		{"DELETE", "2026-03-29T10:00:00+02:00", ""},
		{"DELETE", "2026-04-05T10:00:00+02:00", ""},
	} {
		st, _, b, err := c.send(w.method, occPath(id, w.rid), w.body, ifMatchVersion(v))
		if err != nil {
			t.Fatal(err)
		}
		if st != http.StatusOK && st != http.StatusNoContent {
			t.Fatalf("write #%d (%s %s) with If-Match %d: %d %s", i+1, w.method, w.rid, v, st, b)
		}
		if got := c.calendarEvent(id).Version; got != v+1 {
			t.Fatalf("after write #%d (%s %s) the series is at version %d, want %d", i+1, w.method, w.rid, got, v+1)
		}
		v++
	}
	if s := c.calendarEvent(id); len(s.Exdates) != 2 || s.Overrides == nil || len(*s.Overrides) != 0 {
		t.Fatalf("at the end: exdates %v, overrides %v", s.Exdates, s.Overrides)
	}
}
