package ical

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestCalDAVPutDeadlockRetried: a CalDAV PUT that replaces an event locks
// its row and, at commit, the family's event sequence (the event log's
// numbering, family_event_seq). A transaction that holds the sequence and
// then asks for the event's row meets it the other way round. PostgreSQL
// fails the PUT (the other side checks for deadlocks only after a minute,
// dbtest.LateDeadlockTx); the PUT runs again once the other committed and
// answers 2xx, and the Store's Logger heard of exactly that one retry,
// for a deadlock (40P01). When the PUT ran once it answered 503.
func TestCalDAVPutDeadlockRetried(t *testing.T) {
	e := newDAVEnv(t)
	var logged dbtest.LogBuffer
	e.store.Logger = slog.New(slog.NewTextHandler(&logged, nil)) // before any request
	obj := e.home() + "family/dl.ics"
	event := func(summary string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:dl@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T170000Z\r\nSUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	if st, body := e.do("PUT", obj, event("Before"), nil); st != http.StatusCreated {
		t.Fatalf("PUT: %d %s", st, body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var id, family uuid.UUID
	if err := e.store.Pool.QueryRow(ctx, "SELECT id, family_id FROM calendar_events WHERE dav_name = 'dl.ics'").Scan(&id, &family); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		status int
		header http.Header
		body   string
	}
	done := make(chan answer, 1)
	put := func() {
		go func() {
			req, err := http.NewRequestWithContext(ctx, "PUT", e.url+obj, strings.NewReader(event("After")))
			if err != nil {
				done <- answer{status: -1, body: err.Error()}
				return
			}
			req.Header.Set("Content-Type", "text/calendar")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- answer{status: -1, body: err.Error()}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			done <- answer{resp.StatusCode, resp.Header, string(b)}
		}()
	}
	answered := func() (string, bool) {
		select {
		case a := <-done:
			return fmt.Sprintf("%d %s", a.status, a.body), true
		default:
			return "", false
		}
	}
	dbtest.DeadlockAtCommit(t, ctx, e.store.Pool, family, "calendar_events", id, put, answered)
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		t.Fatal("the PUT never answered")
	}
	if a.status/100 != 2 {
		t.Fatalf("PUT after a deadlock: %d (Retry-After %q) %s", a.status, a.header.Get("Retry-After"), a.body)
	}
	if st, body := e.do("GET", obj, "", nil); st != http.StatusOK || !strings.Contains(body, "SUMMARY:After") {
		t.Fatalf("GET after the PUT: %d %s", st, body)
	}
	if n := strings.Count(logged.String(), `msg="transaction retried" sqlstate=40P01`); n != 1 || strings.Count(logged.String(), "transaction retried") != 1 {
		t.Errorf("%d retries for a deadlock logged, want exactly one:\n%s", n, logged.String())
	}
}
