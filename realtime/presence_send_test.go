package realtime

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPresenceSendBatches: the presence notices of one step (here the
// heartbeats of 250 families) go out in a few transactions, each notice its
// own readable NOTIFY, not in a transaction each: PostgreSQL reads every
// notifying transaction in a transaction of each listening backend, so one
// per family cost three transactions a family with two replicas.
func TestPresenceSendBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	// One connection: the transactions it commits are the database's, and
	// it publishes its counts when asked (pg_stat_force_next_flush).
	pool := dbtest.PoolFor(t, url+"&pool_max_conns=1")
	store := db.NewStore(pool)
	hub := NewHub(store, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(prometheus.NewRegistry(), store))

	listen, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listen.Close(context.Background()) })
	if _, err := listen.Exec(ctx, "LISTEN "+ChannelPresence); err != nil {
		t.Fatal(err)
	}

	commits := func() int64 {
		t.Helper()
		var n int64
		if _, err := pool.Exec(ctx, "SELECT pg_stat_force_next_flush()"); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	const families = 250
	replica := uuid.New()
	var notices []presenceNotice
	for range families {
		notices = append(notices, presenceNotice{FamilyID: uuid.New(), Replica: replica, Devices: []PresenceDevice{
			{UserID: uuid.New(), DeviceID: "tablet", View: "shopping", Since: time.Now()},
		}})
	}
	before := commits()
	hub.presence.send(ctx, notices)
	// The sender's transactions, plus the flush and the read's own (2);
	// the listening backend's reads may be published or not yet.
	calls := int64(families/presenceBatch + 1)
	if n := commits() - before - 2; n > 2*calls {
		t.Errorf("%d families' presence notices took %d transactions, want at most %d (the sender's and the listening backend's)",
			families, n, 2*calls)
	} else {
		t.Logf("%d families' presence notices: %d transactions", families, n)
	}

	heard := map[uuid.UUID]bool{}
	for len(heard) < families {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		n, err := listen.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("heard %d of %d families: %v", len(heard), families, err)
		}
		var got presenceNotice
		if err := json.Unmarshal([]byte(n.Payload), &got); err != nil || got.Replica != replica || len(got.Devices) != 1 {
			t.Fatalf("unreadable presence notice %q: %v", n.Payload, err)
		}
		heard[got.FamilyID] = true
	}
	for _, n := range notices {
		if !heard[n.FamilyID] {
			t.Errorf("family %s not announced", n.FamilyID)
		}
	}
}
