package http

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

// TestFamilyIfMatch: PATCH /api/family honours If-Match as the other
// records do. GET /api/me and the PATCH answer the family's version (the
// PATCH also as its ETag); a PATCH made against an older version is
// refused with 412, code conflict and the family as stored, and changes
// nothing; one against the current version is saved and moves the version
// on; one without If-Match is saved (old clients). Another family's PATCH,
// even with a version that is this family's, changes only its own family.
// The FAMILY_UPDATED of each change carries the version it made. Before,
// the family had no version: a name or time zone saved on one device
// silently overwrote another device's change of the same setting.
func TestFamilyIfMatch(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	ana, acc := env.signup("ana@example.org", "Rivera")
	family := acc.Family.ID
	var me meResponse
	ana.must(http.StatusOK, "GET", "/api/me", nil).decode(t, &me)
	if me.Family.Version != 1 {
		t.Fatalf("a new family's version is %d, want 1", me.Family.Version)
	}
	patch := func(c *client, ifMatch, body string) (int, http.Header, []byte) {
		t.Helper()
		h := map[string]string{}
		if ifMatch != "" {
			h["If-Match"] = ifMatch
		}
		st, hdr, b, err := c.send("PATCH", "/api/family", body, h)
		if err != nil {
			t.Fatal(err)
		}
		return st, hdr, b
	}
	decode := func(b []byte, v any) {
		t.Helper()
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
	}
	stored := func() familyJSON {
		t.Helper()
		var m meResponse
		ana.must(http.StatusOK, "GET", "/api/me", nil).decode(t, &m)
		return m.Family
	}

	// Device B saves first, against version 1.
	st, hdr, b := patch(ana, `"1"`, `{"name":"The Riveras"}`)
	var f familyJSON
	decode(b, &f)
	if st != http.StatusOK || f.Name != "The Riveras" || f.Version != 2 || hdr.Get("ETag") != `"2"` {
		t.Fatalf("PATCH at the current version: %d, ETag %q, %s", st, hdr.Get("ETag"), b)
	}
	// Device A saves what it typed against the version it showed: refused.
	st, hdr, b = patch(ana, `"1"`, `{"name":"Rivera family","time_zone":"Europe/Vienna"}`)
	var stale struct {
		Error   errorJSON
		Current familyJSON
	}
	decode(b, &stale)
	if st != http.StatusPreconditionFailed || stale.Error.Code != "conflict" || stale.Current.ID != family ||
		stale.Current.Name != "The Riveras" || stale.Current.Version != 2 || hdr.Get("ETag") != `"2"` {
		t.Fatalf("PATCH at an old version: %d, ETag %q, %s", st, hdr.Get("ETag"), b)
	}
	if got := stored(); got.Name != "The Riveras" || got.TimeZone != "UTC" || got.Version != 2 {
		t.Fatalf("a refused PATCH changed the family: %+v", got)
	}
	// Saving again against the version the 412 answered keeps A's words.
	st, _, b = patch(ana, `W/"2"`, `{"name":"Rivera family"}`)
	if decode(b, &f); st != http.StatusOK || f.Name != "Rivera family" || f.Version != 3 {
		t.Fatalf("PATCH at the version of the 412: %d %s", st, b)
	}
	// Without If-Match: accepted, as from a client that sends none.
	st, _, b = patch(ana, "", `{"time_zone":"Europe/Berlin"}`)
	if decode(b, &f); st != http.StatusOK || f.TimeZone != "Europe/Berlin" || f.Version != 4 {
		t.Fatalf("PATCH without If-Match: %d %s", st, b)
	}
	// A PATCH that changes nothing keeps the version.
	st, _, b = patch(ana, `"4"`, `{"time_zone":"Europe/Berlin"}`)
	if decode(b, &f); st != http.StatusOK || f.Version != 4 {
		t.Fatalf("PATCH changing nothing: %d %s", st, b)
	}
	// An invalid change is invalid whatever its If-Match.
	if st, _, b = patch(ana, `"1"`, `{"time_zone":"Mars/Olympus"}`); st != http.StatusUnprocessableEntity && st != http.StatusBadRequest {
		t.Fatalf("an invalid PATCH at an old version: %d %s", st, b)
	}

	// Another family: its PATCH reaches only its own family, whatever
	// version it names; a stale one shows its own family, not Ana's.
	bob, bacc := env.signup("bob@example.org", "Miller")
	st, _, b = patch(bob, `"4"`, `{"name":"Hijacked"}`)
	decode(b, &stale)
	if st != http.StatusPreconditionFailed || stale.Current.ID != bacc.Family.ID || stale.Current.Name != "Miller" {
		t.Fatalf("another family's PATCH with Ana's version: %d %s", st, b)
	}
	st, _, b = patch(bob, `"1"`, `{"name":"Hijacked"}`)
	if decode(b, &f); st != http.StatusOK || f.ID != bacc.Family.ID || f.Version != 2 {
		t.Fatalf("another family's own PATCH: %d %s", st, b)
	}
	if got := stored(); got.Name != "Rivera family" || got.TimeZone != "Europe/Berlin" || got.Version != 4 {
		t.Fatalf("another family's PATCH changed Ana's family: %+v", got)
	}

	// Each change's FAMILY_UPDATED carries the version it made.
	rows, err := env.pool.Query(context.Background(),
		`SELECT version FROM event_log WHERE family_id = $1 AND type = 'FAMILY_UPDATED' AND entity_id = $1 ORDER BY seq`, family)
	if err != nil {
		t.Fatal(err)
	}
	var versions []int64
	for rows.Next() {
		var v *int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v == nil {
			t.Fatal("a change of the family's settings made an event without a version")
		}
		versions = append(versions, *v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(versions) != 3 || versions[0] != 2 || versions[1] != 3 || versions[2] != 4 {
		t.Fatalf("the family's events carry versions %v, want [2 3 4]", versions)
	}
}
