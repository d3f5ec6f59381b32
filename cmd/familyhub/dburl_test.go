package main

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPoolSettingsInDatabaseURL: pool settings in DATABASE_URL (documented:
// pool_max_conns overrides the pool size) do not reach PostgreSQL as run-time parameters, which it refuses: the realtime and the
// notification listeners, connections of their own, connect too.
func TestPoolSettingsInDatabaseURL(t *testing.T) {
	parallelInQuickLoop(t)
	url := dbtest.URL(t)
	pool := dbtest.PoolFor(t, url)
	spawnReplica(t, url+"&pool_max_conns=3")
	waitUntil(t, "both listeners connected", 30*time.Second, func() bool {
		var n int
		_ = pool.QueryRow(t.Context(), `SELECT count(DISTINCT application_name) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name IN ('familyhub-listener', 'familyhub-notify')`).Scan(&n)
		return n == 2
	})
}
