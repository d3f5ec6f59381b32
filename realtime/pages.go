package realtime

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// pageCache shares pages of the event log between the sockets that read
// them. Sockets of a family fall behind together (the same burst, the same
// overloaded moment) and ask for the same page: one query answers all of
// them, instead of one per socket multiplying the database's load exactly
// when it is busiest. Entries live for pageTTL.
type pageCache struct {
	mu      sync.Mutex
	entries map[pageKey]*pageEntry
	swept   time.Time
}

type pageKey struct {
	family uuid.UUID
	since  int64
}

type pageEntry struct {
	done chan struct{}
	at   time.Time
	rows []dbsqlc.EventLog // read-only once done
	err  error
}

const pageTTL = time.Second

// get returns up to PageSize logged events of family after since.
func (pc *pageCache) get(ctx context.Context, store *db.Store, family uuid.UUID, since int64) ([]dbsqlc.EventLog, error) {
	key := pageKey{family, since}
	now := time.Now()
	pc.mu.Lock()
	if pc.entries == nil {
		pc.entries = map[pageKey]*pageEntry{}
	}
	if now.Sub(pc.swept) > pageTTL {
		for k, e := range pc.entries {
			if now.Sub(e.at) > pageTTL {
				delete(pc.entries, k)
			}
		}
		pc.swept = now
	}
	e, ok := pc.entries[key]
	if ok && now.Sub(e.at) <= pageTTL {
		pc.mu.Unlock()
		select {
		case <-e.done:
			return e.rows, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e = &pageEntry{done: make(chan struct{}), at: now}
	pc.entries[key] = e
	pc.mu.Unlock()
	// Not the caller's context: other sockets wait for this query, and
	// the caller's socket may go away meanwhile. Nor would ending the read
	// with the socket save anything: pgx ends a statement whose context
	// ends by closing its connection, and the pool then opens and warms a
	// new one (db.Warm: more work than the page, an index range scan of at
	// most PageSize rows). So a page read runs to its end, bounded.
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	e.rows, e.err = store.EventLogListSince(qctx, dbsqlc.EventLogListSinceParams{FamilyID: family, Since: since, MaxEvents: PageSize})
	cancel()
	if e.err != nil {
		pc.mu.Lock()
		if pc.entries[key] == e {
			delete(pc.entries, key) // do not share a failure
		}
		pc.mu.Unlock()
	}
	close(e.done)
	return e.rows, e.err
}
