package ical

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// logRecorder keeps the level and message of every record logged.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	return nil
}
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

// at returns the messages logged at level or above.
func (r *logRecorder) at(level slog.Level) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.records {
		if rec.Level >= level {
			out = append(out, rec.Level.String()+" "+rec.Message)
		}
	}
	return out
}

// TestImportSubscriptionDeletedDuringSync: a subscription deleted while its
// import runs (here: between the import's fetch of the feed and its writes,
// by the feed's server itself, so the order is certain) leaves no event
// behind. Deleting it deleted its events; an event the import writes after
// that is refused by the foreign key (00030), and the import stops quietly:
// an info line, no warning, no error returned (a job would be retried), no
// failure recorded. Before, the import wrote the new events back, orphans
// no one could delete (read-only, of no subscription).
func TestImportSubscriptionDeletedDuringSync(t *testing.T) {
	ctx := context.Background()
	store, family := newFamilyDB(t)
	key, _ := DeriveSecretKey(testConfig.SecretKey)

	var deleteOnFetch atomic.Pointer[uuid.UUID]
	feed := atomic.Pointer[string]{}
	one := vevent("a@club", "Training", "DTSTART:20260310T170000Z\nDTEND:20260310T190000Z")
	feed.Store(&one)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "no", http.StatusMethodNotAllowed)
			return
		}
		if id := deleteOnFetch.Load(); id != nil {
			// What Remove in the app does, while the import waits for this answer.
			err := store.Tx(familyhub.NewContextWithAuth(ctx, familyhub.SystemAuth(family)), func(tx *db.Tx) error {
				return tx.SubscriptionDelete(ctx, *id)
			})
			if err != nil {
				t.Error(err)
			}
		}
		w.Header().Set("Content-Type", "text/calendar")
		io.WriteString(w, *feed.Load())
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	id := subscribe(t, store, family, key, "http://"+l.Addr().String()+"/club.ics", "", "")
	if err := ImportSubscription(ctx, store, testConfig, importLogger(t), id); err != nil {
		t.Fatal(err)
	}
	if got := imported(t, store, family); len(got) != 1 {
		t.Fatalf("after the first import: %+v", got)
	}

	// The source changed one event and added one; the subscription goes
	// while the import fetches them.
	two := strings.Replace(vevent("a@club", "Training (moved)", "DTSTART:20260311T170000Z\nDTEND:20260311T190000Z"), "END:VCALENDAR\r\n", "", 1) +
		strings.Replace(vevent("b@club", "Match", "DTSTART:20260314T100000Z\nDTEND:20260314T120000Z"), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n", "", 1)
	feed.Store(&two)
	deleteOnFetch.Store(&id)
	logs := &logRecorder{}
	if err := ImportSubscription(ctx, store, testConfig, slog.New(logs), id); err != nil {
		t.Fatalf("the import of a subscription deleted meanwhile: %v, want nil (nothing to retry)", err)
	}
	if got := imported(t, store, family); len(got) != 0 {
		t.Fatalf("events left after the subscription was deleted mid-import: %+v", got)
	}
	if bad := logs.at(slog.LevelWarn); len(bad) != 0 {
		t.Fatalf("logged at warn or above: %q, want only an info line", bad)
	}
	if info := logs.at(slog.LevelInfo); len(info) != 1 || !strings.Contains(info[0], "gone") {
		t.Fatalf("logged %q, want one info line saying the subscription is gone", info)
	}

	// Deleted before the import even read it (the due list was older).
	logs = &logRecorder{}
	if err := ImportSubscription(ctx, store, testConfig, slog.New(logs), id); err != nil {
		t.Fatalf("the import of a deleted subscription: %v, want nil", err)
	}
	if bad := logs.at(slog.LevelWarn); len(bad) != 0 {
		t.Fatalf("logged at warn or above: %q", bad)
	}
}
