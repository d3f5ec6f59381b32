package http

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestFeedAndSubscriptionEvents (migration 00023): the Family page's
// calendar feeds and subscribed calendars are family events, one per change
// a person makes; using a feed and the import job's bookkeeping are not.
func TestFeedAndSubscriptionEvents(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f := newFamilyOfThree(t, env)
	ctx := context.Background()
	var famID uuid.UUID
	if err := env.pool.QueryRow(ctx, "SELECT family_id FROM memberships WHERE user_id = $1", f.ids["owner"]).Scan(&famID); err != nil {
		t.Fatal(err)
	}
	type event struct {
		typ, channel, op string
		id               uuid.UUID
		version          *int64
	}
	// since runs do and returns the family's events it made (event_log is
	// written at commit, before the answer).
	since := func(do func()) []event {
		t.Helper()
		var seq int64
		if err := env.pool.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM event_log WHERE family_id = $1", famID).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		do()
		rows, err := env.pool.Query(ctx, "SELECT type, channel, op, entity_id, version FROM event_log WHERE family_id = $1 AND seq > $2 ORDER BY seq", famID, seq)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []event
		for rows.Next() {
			var e event
			if err := rows.Scan(&e.typ, &e.channel, &e.op, &e.id, &e.version); err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	one := func(what string, evs []event, op string, id uuid.UUID) {
		t.Helper()
		if len(evs) != 1 || evs[0].typ != "FAMILY_UPDATED" || evs[0].channel != "familyhub_family" || evs[0].op != op || evs[0].id != id || evs[0].version != nil {
			t.Fatalf("%s: events %+v, want one FAMILY_UPDATED %s of %s", what, evs, op, id)
		}
	}
	none := func(what string, evs []event) {
		t.Helper()
		if len(evs) != 0 {
			t.Fatalf("%s: events %+v, want none", what, evs)
		}
	}
	owner, member := f.clients["owner"], f.clients["member"]
	// (since's result is kept before one reads the ids it decoded: Go does
	// not order a call's other arguments after it.)
	var evs []event

	// Feeds: made (family and member scope), used, revoked.
	var fam, mine feedJSON
	evs = since(func() {
		owner.must(http.StatusCreated, "POST", "/api/calendar/feeds", map[string]any{"name": "Google", "scope": "family"}).decode(t, &fam)
	})
	one("family feed made", evs, "insert", fam.ID)
	evs = since(func() {
		member.must(http.StatusCreated, "POST", "/api/calendar/feeds", map[string]any{"name": "Outlook", "scope": "member"}).decode(t, &mine)
	})
	one("member feed made", evs, "insert", mine.ID)
	// What another member re-reads on the event: the list, never an address.
	var list []map[string]any
	f.clients["child"].must(http.StatusOK, "GET", "/api/calendar/feeds", nil).decode(t, &list)
	if len(list) != 2 || list[0]["url"] != nil || list[1]["url"] != nil || list[0]["webcal_url"] != nil {
		t.Fatalf("the child's list: %v", list)
	}
	none("feed used", since(func() {
		resp, err := http.Get(fam.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("feed: %d", resp.StatusCode)
		}
	}))
	var used *time.Time
	if err := env.pool.QueryRow(ctx, "SELECT last_used_at FROM ical_feeds WHERE id = $1", fam.ID).Scan(&used); err != nil || used == nil {
		t.Fatalf("the use was not noted (%v, %v): the test proves nothing", used, err)
	}
	evs = since(func() {
		owner.must(http.StatusNoContent, "DELETE", "/api/calendar/feeds/"+fam.ID.String(), nil)
	})
	one("feed revoked", evs, "update", fam.ID)
	none("revoked again", since(func() {
		owner.must(http.StatusNotFound, "DELETE", "/api/calendar/feeds/"+fam.ID.String(), nil)
	}))
	evs = since(func() {
		if _, err := env.pool.Exec(ctx, "UPDATE ical_feeds SET name = 'Outlook at work' WHERE id = $1", mine.ID); err != nil {
			t.Fatal(err)
		}
	})
	one("feed renamed in psql", evs, "update", mine.ID)

	// Subscriptions: added, the import job's runs, removed.
	var sub subscriptionJSON
	evs = since(func() {
		owner.must(http.StatusCreated, "POST", "/api/calendar/subscriptions", map[string]any{"url": "https://example.org/school.ics", "name": "School"}).decode(t, &sub)
	})
	one("subscribed", evs, "insert", sub.ID)
	// What a child re-reads on the event: the name and the state, not where
	// the calendar is (a private address can hold a secret token).
	var subs []subscriptionJSON
	f.clients["child"].must(http.StatusOK, "GET", "/api/calendar/subscriptions", nil).decode(t, &subs)
	if len(subs) != 1 || subs[0].Name != "School" || subs[0].URL != "" || subs[0].Username != "" {
		t.Fatalf("the child's subscriptions: %+v", subs)
	}
	member.must(http.StatusOK, "GET", "/api/calendar/subscriptions", nil).decode(t, &subs)
	if len(subs) != 1 || subs[0].URL != "https://example.org/school.ics" {
		t.Fatalf("a member's subscriptions: %+v", subs)
	}
	store := env.server.store
	kind := "ics"
	tag := func(s string) *string { return &s }
	// The list shows "Not synced yet", "Synced … ago" or "Could not sync":
	// a change between those is news, the same state again is not.
	evs = since(func() {
		if err := store.SubscriptionSynced(ctx, sub.ID, kind, tag("etag-1"), nil); err != nil {
			t.Fatal(err)
		}
	})
	one("first sync", evs, "update", sub.ID)
	none("synced again", since(func() {
		if err := store.SubscriptionSynced(ctx, sub.ID, kind, tag("etag-2"), nil); err != nil {
			t.Fatal(err)
		}
	}))
	evs = since(func() {
		if err := store.SubscriptionFailed(ctx, sub.ID, "The server answered 500.", time.Now().Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
	})
	one("starts failing", evs, "update", sub.ID)
	none("fails again", since(func() {
		if err := store.SubscriptionFailed(ctx, sub.ID, "The server answered 502.", time.Now().Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}))
	evs = since(func() {
		if err := store.SubscriptionSynced(ctx, sub.ID, kind, tag("etag-3"), nil); err != nil {
			t.Fatal(err)
		}
	})
	one("works again", evs, "update", sub.ID)
	none("due again (the job's clock)", since(func() {
		if _, err := env.pool.Exec(ctx, "UPDATE calendar_subscriptions SET next_attempt_at = now() WHERE id = $1", sub.ID); err != nil {
			t.Fatal(err)
		}
	}))
	evs = since(func() {
		owner.must(http.StatusNoContent, "DELETE", "/api/calendar/subscriptions/"+sub.ID.String(), nil)
	})
	one("unsubscribed", evs, "delete", sub.ID)
}
