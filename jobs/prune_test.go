package jobs

import (
	"context"
	"testing"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPruneEventsWalksTheLog: event_log has no time index (00045), so the
// prune walks it range by range; old events in every range go, wherever
// they lie (here interleaved with new ones over more than three ranges,
// as in a log whose freed pages took new events), and every new one stays.
func TestPruneEventsWalksTheLog(t *testing.T) {
	pool := dbtest.Pool(t)
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	// 60,000 events (about 920 pages): odd seqs 8 days old, even ones new.
	exec(t, pool, `INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, at)
		SELECT $1, g, 'TASK_UPDATED', 'familyhub_tasks', gen_random_uuid(), 'insert',
		       CASE WHEN g % 2 = 1 THEN now() - interval '8 days' ELSE now() - interval '1 hour' END
		FROM generate_series(1000, 60999) g`, family)
	if pages := scalar[int64](t, pool, `SELECT pg_relation_size('event_log') / current_setting('block_size')::bigint`); pages <= 3*pruneBlocks {
		t.Fatalf("event_log has %d pages, want more than %d (three ranges)", pages, 3*pruneBlocks)
	}
	cmd, err := newTestEngine(t, pool, Config{}).Command("prune-events", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := scalar[int](t, pool, `SELECT count(*) FROM event_log WHERE family_id = $1 AND seq >= 1000 AND seq % 2 = 1`, family)
	kept := scalar[int](t, pool, `SELECT count(*) FROM event_log WHERE family_id = $1 AND seq >= 1000 AND seq % 2 = 0`, family)
	if old != 0 || kept != 30000 {
		t.Fatalf("after the prune: %d old events left (want 0), %d new ones (want 30000)", old, kept)
	}
}
