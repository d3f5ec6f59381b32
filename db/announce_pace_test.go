package db

import (
	"testing"
	"time"
)

// simulateAnnouncer runs the announcer's loop (sendAnnouncements) on a
// clock of its own: commits hand notices over at the given offsets; the
// loop, started by a commit when none runs, waits what the pace says,
// takes everything committed by then, and ends when it took nothing.
// Sending takes no time. It returns the announcements made and the
// longest time a commit waited for its announcement.
func simulateAnnouncer(commits []time.Duration) (batches int, longest time.Duration) {
	var p announcePace
	at := func(d time.Duration) time.Time { return time.Unix(1_000_000, 0).Add(d) }
	for i := 0; i < len(commits); {
		now := commits[i] // the loop starts
		p.commit(at(now))
		pending := []time.Duration{now}
		i++
		for {
			now += p.wait(at(now))
			for ; i < len(commits) && commits[i] <= now; i++ {
				p.commit(at(commits[i]))
				pending = append(pending, commits[i])
			}
			if len(pending) == 0 {
				break
			}
			batches++
			longest = max(longest, now-pending[0])
			p.sent(at(now))
			pending = nil
		}
	}
	return batches, longest
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
		if b, longest := simulateAnnouncer(commits); b != len(commits) || longest != 0 {
			t.Errorf("%d commits %v apart: %d announcements, longest wait %v; want one each, at once",
				len(commits), commits[len(commits)-1]/time.Duration(max(len(commits)-1, 1)), b, longest)
		}
	}

	// Busy: 150 commits/s for a second (300 writes/s over two replicas)
	// and 500/s (1,000 writes/s). A fixed 4 ms spacing made 150 and 250.
	for _, c := range []struct {
		gap  time.Duration
		n    int
		most int
	}{
		{gap: 20 * time.Millisecond / 3, n: 150, most: 64},
		{gap: 2 * time.Millisecond, n: 500, most: 64},
	} {
		b, longest := simulateAnnouncer(every(0, c.gap, c.n))
		if b > c.most {
			t.Errorf("%d commits %v apart: %d announcements, want at most %d", c.n, c.gap, b, c.most)
		}
		if longest > announceSpacingMax {
			t.Errorf("%d commits %v apart: a notice waited %v, more than %v", c.n, c.gap, longest, announceSpacingMax)
		}
		// And after the burst, a quiet spell: the next commit goes at once.
		commits := append(every(0, c.gap, c.n), time.Duration(c.n)*c.gap+time.Second)
		if b2, _ := simulateAnnouncer(commits); b2 != b+1 {
			t.Errorf("a commit a second after the burst: %d announcements, want %d", b2, b+1)
		}
	}

	// A burst after a quiet spell: the first commit goes at once, the next
	// ones wait at most announceSpacingMax, together.
	commits := append([]time.Duration{0, time.Second}, every(time.Second+time.Millisecond, time.Millisecond, 30)...)
	b, longest := simulateAnnouncer(commits)
	if b > 6 || longest > announceSpacingMax {
		t.Errorf("30 commits 1 ms apart after a quiet second: %d announcements, longest wait %v; want at most 6 and %v",
			b, longest, announceSpacingMax)
	}
}
