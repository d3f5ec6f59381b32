package realtime

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestMetricsAnnouncer: /metrics shows what the store's announcer sent and
// dropped (a batch PostgreSQL refuses: a payload over its 8000-byte limit).
func TestMetricsAnnouncer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := db.Open(ctx, dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store := db.NewStore(pool)
	t.Cleanup(func() { store.Close(context.Background()) }) // before pool.Close
	reg := prometheus.NewRegistry()
	NewMetrics(reg, store)

	for _, payload := range []string{"kept", strings.Repeat("x", 8000)} {
		err := store.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "SELECT familyhub_emit('familyhub_metrics_test', $1)", payload)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// One batch each: the second is not handed over before the first is sent.
		waitFor(t, "the first batch sent", func() bool { return store.AnnounceStats().SentNotices == 1 })
	}
	want := map[string]float64{
		"familyhub_announce_notices_sent_total":    1,
		"familyhub_announce_batches_sent_total":    1,
		"familyhub_announce_notices_dropped_total": 1,
		"familyhub_announce_batches_dropped_total": 1,
	}
	got := map[string]float64{}
	waitFor(t, "the announcer's counts on the registry", func() bool {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		clear(got)
		for _, mf := range mfs {
			if _, ok := want[mf.GetName()]; ok {
				got[mf.GetName()] = mf.GetMetric()[0].GetCounter().GetValue()
			}
		}
		for name, v := range want {
			if got[name] != v {
				return false
			}
		}
		return true
	})
}
