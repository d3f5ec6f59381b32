package main

import (
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestReplicaListensOnce: of a serving replica's connections only the
// realtime listener LISTENs. PostgreSQL wakes every listening backend of
// the database, in a transaction of its own, for every transaction that
// notifies on any channel, so each more listener costs a transaction per
// announcement of every replica (River's notifier did: docs/benchmarks.md,
// nineteenth round). pg_listening_channels() is per session, so a
// backend's last statement tells: a LISTEN, or the ping River's notifier
// sends after 5 s without a notification of its own.
func TestReplicaListensOnce(t *testing.T) {
	parallelInQuickLoop(t)
	m := startMain(t, dbtest.URL(t))
	waitUntil(t, "the listener connected", 10*time.Second, m.Listener.Connected)
	// A write: the jobs engine, the announcer and the notifications
	// service all had their part.
	ana := newFamily(t, m, "ana@example.org")
	ana.addItem(t, m.URL(), ana.newList(t, m.URL()))

	rows, err := m.Pool.Query(t.Context(), `SELECT application_name, query FROM pg_stat_activity
		WHERE datname = current_database() AND (query ILIKE 'listen%' OR query = '-- ping')`)
	if err != nil {
		t.Fatal(err)
	}
	var listening []string
	for rows.Next() {
		var app, query string
		if err := rows.Scan(&app, &query); err != nil {
			t.Fatal(err)
		}
		listening = append(listening, app+": "+query)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(listening) != 1 || !strings.HasPrefix(listening[0], "familyhub-listener: ") {
		t.Errorf("backends listening: %q; want the realtime listener's alone", listening)
	}
}
