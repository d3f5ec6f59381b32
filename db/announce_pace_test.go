package db

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// simulateAnnouncer drives the announcer's real loop (announce and
// sendAnnouncements) on a clock of its own: commits hand notices over at
// the given offsets; the loop's waits end when the clock reaches them;
// sending takes no time. It returns the announcements made and how long
// each commit waited for its announcement.
func simulateAnnouncer(t *testing.T, commits []time.Duration) (batches int, waits []time.Duration) {
	t.Helper()
	return simulateSends(t, commits, 0)
}

// simulateSends is simulateAnnouncer with sends that take sendTook each
// (commits go on meanwhile); a wait then runs from the commit to the end
// of the send that carried it.
func simulateSends(t *testing.T, commits []time.Duration, sendTook time.Duration) (batches int, waits []time.Duration) {
	t.Helper()
	base := time.Unix(1_000_000, 0)
	var mu sync.Mutex // guards cur, batches, waits: the loop runs on its own goroutine
	cur := base
	setNow := func(tm time.Time) { mu.Lock(); cur = tm; mu.Unlock() }
	waits = make([]time.Duration, len(commits))
	sent := make([]bool, len(commits))

	s := &Store{}
	a := &s.announcer
	slept := make(chan time.Duration)
	wake := make(chan struct{})
	a.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return cur }
	a.sleep = func(hurry context.Context, d time.Duration) {
		slept <- d
		select {
		case <-wake:
		case <-hurry.Done():
		}
	}
	a.send = func(_ context.Context, p dbsqlc.NotifyAsyncParams) error {
		if sendTook > 0 { // the send is a wait on the clock too
			slept <- sendTook
			<-wake
		}
		mu.Lock()
		defer mu.Unlock()
		batches++
		for _, pl := range p.Payloads {
			i, err := strconv.Atoi(pl)
			if err != nil || sent[i] {
				t.Errorf("notice %q sent twice or unreadable", pl)
				continue
			}
			sent[i], waits[i] = true, cur.Sub(base.Add(commits[i]))
		}
		return nil
	}

	// The loop is either waiting (until deadline) or gone; settle waits for
	// it to be one or the other.
	var sleeping bool
	var deadline time.Time
	var done chan struct{}
	settle := func() {
		select {
		case d := <-slept:
			sleeping, deadline = true, a.clock().Add(d)
		case <-done:
			sleeping = false
		case <-time.After(10 * time.Second):
			t.Fatal("the announcer's loop neither waits nor ends")
		}
	}
	wakeUntil := func(at time.Time) { // let the waits that end before at end
		for sleeping && deadline.Before(at) {
			setNow(deadline)
			sleeping = false
			wake <- struct{}{}
			settle()
		}
	}
	for i, c := range commits {
		at := base.Add(c)
		wakeUntil(at)
		setNow(at)
		s.announce(nil, []announcement{{channel: "c", payload: strconv.Itoa(i)}})
		if !sleeping {
			a.mu.Lock()
			done = a.done
			a.mu.Unlock()
			settle()
		}
	}
	wakeUntil(base.Add(time.Hour))
	if sleeping {
		t.Fatal("the loop still waits after an hour")
	}
	for i := range sent {
		if !sent[i] {
			t.Errorf("commit %d (at %v) never announced", i, commits[i])
		}
	}
	return batches, waits
}

func longest(waits []time.Duration) time.Duration {
	var m time.Duration
	for _, w := range waits {
		m = max(m, w)
	}
	return m
}

// every returns n commit offsets gap apart, starting at start.
func every(start, gap time.Duration, n int) []time.Duration {
	c := make([]time.Duration, n)
	for i := range c {
		c[i] = start + time.Duration(i)*gap
	}
	return c
}

// TestAnnouncePace pins how the announcer batches: commits that come fast
// share announcements (each a transaction, and one more in every listening
// backend), no notice waits more than announceSpacingMax, and a replica
// that commits now and then announces every commit at once.
func TestAnnouncePace(t *testing.T) {
	// A quiet replica: the first commit, and one a second later, go at once.
	for _, commits := range [][]time.Duration{{0}, {0, time.Second}, every(0, 100*time.Millisecond, 20)} {
		if b, waits := simulateAnnouncer(t, commits); b != len(commits) || longest(waits) != 0 {
			t.Errorf("%d commits %v apart: %d announcements, longest wait %v; want one each, at once",
				len(commits), commits[len(commits)-1]/time.Duration(max(len(commits)-1, 1)), b, longest(waits))
		}
	}

	// Busy: 150 commits/s for a second (300 writes/s over two replicas):
	// at most one announcement per 8 ms (announceSpacingBusy), few waits;
	// and 500/s (1,000 writes/s): one per 16 ms. A fixed 4 ms spacing made
	// 150 and 250; a fixed 16 ms one made 64 at 150/s and held the median
	// at 12-16 ms (twenty-first round).
	for _, c := range []struct {
		gap, wait time.Duration // wait: the longest a notice may wait
		n, most   int
	}{
		{gap: 20 * time.Millisecond / 3, n: 150, most: 126, wait: announceSpacingBusy},
		{gap: 2 * time.Millisecond, n: 500, most: 64, wait: announceSpacingMax},
	} {
		b, waits := simulateAnnouncer(t, every(0, c.gap, c.n))
		if b > c.most {
			t.Errorf("%d commits %v apart: %d announcements, want at most %d", c.n, c.gap, b, c.most)
		}
		if l := longest(waits); l > c.wait {
			t.Errorf("%d commits %v apart: a notice waited %v, more than %v", c.n, c.gap, l, c.wait)
		}
		// And after the burst, a quiet spell: the next commit goes at once.
		commits := append(every(0, c.gap, c.n), time.Duration(c.n)*c.gap+time.Second)
		if b2, _ := simulateAnnouncer(t, commits); b2 != b+1 {
			t.Errorf("a commit a second after the burst: %d announcements, want %d", b2, b+1)
		}
	}

	// A burst after a quiet spell: the first commit goes at once, the next
	// ones wait at most announceSpacingMax, together.
	commits := append([]time.Duration{0, time.Second}, every(time.Second+time.Millisecond, time.Millisecond, 30)...)
	b, waits := simulateAnnouncer(t, commits)
	if l := longest(waits); b > 7 || l > announceSpacingMax {
		t.Errorf("30 commits 1 ms apart after a quiet second: %d announcements, longest wait %v; want at most 7 and %v",
			b, l, announceSpacingMax)
	}

	// Few commits a second, but in pairs 10 ms apart (two writes at once,
	// every 200 ms): the spacing follows the rate (about 4 ms here), so
	// after the first pair, which knows no rate yet, nothing waits. A
	// fixed 16 ms spacing held every second commit 6 ms.
	var pairs []time.Duration
	for i := range 10 {
		at := time.Duration(i) * 200 * time.Millisecond
		pairs = append(pairs, at, at+10*time.Millisecond)
	}
	if _, waits := simulateAnnouncer(t, pairs); longest(waits[2:]) != 0 {
		t.Errorf("pairs 10 ms apart, five a second: waits %v; want none after the first pair", waits)
	}
}

// TestAnnounceConcurrentCallersClose: transactions hand notices over from
// many goroutines at once (the pace's running average is shared: run with
// -race), and Close returns only once every notice handed over before it
// was sent, those held back by the spacing too.
func TestAnnounceConcurrentCallersClose(t *testing.T) {
	s := &Store{}
	a := &s.announcer
	var mu sync.Mutex
	got := map[string]bool{}
	batches := 0
	a.send = func(_ context.Context, p dbsqlc.NotifyAsyncParams) error {
		mu.Lock()
		defer mu.Unlock()
		batches++
		for _, pl := range p.Payloads {
			got[pl] = true
		}
		return nil
	}
	const callers, each = 8, 50
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range each {
				s.announce(nil, []announcement{{channel: "c", payload: fmt.Sprint(c, "/", i)}})
			}
		})
	}
	wg.Wait()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != callers*each {
		t.Errorf("after Close %d of %d notices sent", len(got), callers*each)
	}
	if st := s.AnnounceStats(); st.SentNotices != callers*each || st.SentBatches != uint64(batches) {
		t.Errorf("counts %+v, want %d notices in %d batches", st, callers*each, batches)
	}
	t.Logf("%d notices from %d goroutines in %d announcements", callers*each, callers, batches)
}

// TestAnnounceWaitIncludesSend: announceSpacingMax bounds a notice's wait
// and its own send together. With sends of 4 ms the spacing is at most
// 12 ms; a spacing of 16 ms counted from the previous send's start let a
// notice that committed just after it arrive 20 ms later.
func TestAnnounceWaitIncludesSend(t *testing.T) {
	const took = 4 * time.Millisecond
	for _, c := range []struct {
		gap, spacing time.Duration // spacing: what the rate asks for, before the send's time is taken off
		n            int
	}{
		{gap: 20 * time.Millisecond / 3, spacing: announceSpacingBusy, n: 150},
		{gap: 2 * time.Millisecond, spacing: announceSpacingMax, n: 500},
		{gap: time.Millisecond / 2, spacing: announceSpacingMax, n: 2000},
	} {
		b, waits := simulateSends(t, every(0, c.gap, c.n), took)
		if l := longest(waits); l > announceSpacingMax {
			t.Errorf("%d commits %v apart, sends of %v: a notice arrived %v after its commit, more than %v",
				c.n, c.gap, took, l, announceSpacingMax)
		}
		// Still spaced: about one announcement per 8 ms at 150/s, per 12 ms
		// (16 less the send's 4) from 500/s.
		if most := int(time.Duration(c.n)*c.gap/min(c.spacing, announceSpacingMax-took)) + 2; b > most {
			t.Errorf("%d commits %v apart, sends of %v: %d announcements, want at most %d", c.n, c.gap, took, b, most)
		}
	}
}

// TestAnnounceCloseSendsHeldAtOnce: Close sends the notices the spacing
// holds back at once, rather than after the rest of the spacing (or, with
// a clock that does not move, when Close's context ends and the send is
// aborted).
func TestAnnounceCloseSendsHeldAtOnce(t *testing.T) {
	s := &Store{}
	a := &s.announcer
	var mu sync.Mutex
	cur := time.Unix(1_000_000, 0)
	a.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return cur }
	waiting := make(chan time.Duration, 1)
	a.sleep = func(hurry context.Context, d time.Duration) {
		waiting <- d
		<-hurry.Done() // the clock stands still: only Close may end this wait
	}
	type sent struct {
		payloads []string
		aborted  bool
	}
	sends := make(chan sent, 4)
	a.send = func(stop context.Context, p dbsqlc.NotifyAsyncParams) error {
		sends <- sent{p.Payloads, stop.Err() != nil}
		return stop.Err()
	}
	timeout := time.After(10 * time.Second)

	s.announce(nil, []announcement{{channel: "c", payload: "1"}}) // no rate known: at once
	select {
	case <-sends:
	case <-timeout:
		t.Fatal("the first notice was not sent at once")
	}
	mu.Lock()
	cur = cur.Add(time.Millisecond)
	mu.Unlock()
	s.announce(nil, []announcement{{channel: "c", payload: "2"}}) // 1 ms later: held for the spacing
	select {
	case d := <-waiting:
		t.Logf("the second notice is held for %v", d)
	case <-timeout:
		t.Fatal("the second notice was not held back")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-sends:
		if got.aborted || len(got.payloads) != 1 || got.payloads[0] != "2" {
			t.Errorf("after Close: sent %v, aborted %v; want [2] sent at once", got.payloads, got.aborted)
		}
	default:
		t.Error("Close returned without sending the held notice")
	}
	if ctx.Err() != nil {
		t.Error("Close waited until its context ended")
	}
}
