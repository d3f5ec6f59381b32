package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db/dbtest"
)

// taskEventChecks are the table checks that 00025 turns into domains, as
// pg_get_constraintdef printed them at 00024.
var taskEventChecks = map[string]string{
	"tasks_title_check":                 "CHECK (((char_length(title) >= 1) AND (char_length(title) <= 200)))",
	"tasks_notes_check":                 "CHECK ((char_length(notes) <= 4000))",
	"tasks_recurrence_check":            "CHECK (((recurrence IS NULL) OR ((char_length(recurrence) >= 1) AND (char_length(recurrence) <= 500))))",
	"tasks_uid_check":                   "CHECK (((uid IS NULL) OR ((char_length(uid) >= 1) AND (char_length(uid) <= 255))))",
	"tasks_dav_name_check":              "CHECK (((dav_name IS NULL) OR ((char_length(dav_name) >= 1) AND (char_length(dav_name) <= 255))))",
	"tasks_ical_check":                  "CHECK (((ical IS NULL) OR (octet_length(ical) <= 262144)))",
	"tasks_version_check":               "CHECK ((version >= 1))",
	"calendar_events_title_check":       "CHECK (((char_length(title) >= 1) AND (char_length(title) <= 200)))",
	"calendar_events_notes_check":       "CHECK ((char_length(notes) <= 4000))",
	"calendar_events_location_check":    "CHECK ((char_length(location) <= 500))",
	"calendar_events_rrule_check":       "CHECK (((rrule IS NULL) OR ((char_length(rrule) >= 1) AND (char_length(rrule) <= 500))))",
	"calendar_events_exdates_check":     "CHECK ((cardinality(exdates) <= 1000))",
	"calendar_events_sequence_check":    "CHECK ((sequence >= 0))",
	"calendar_events_dav_name_check":    "CHECK (((dav_name IS NULL) OR ((char_length(dav_name) >= 1) AND (char_length(dav_name) <= 255))))",
	"calendar_events_ical_check":        "CHECK (((ical IS NULL) OR (octet_length(ical) <= 262144)))",
	"calendar_events_source_href_check": "CHECK (((source_href IS NULL) OR (char_length(source_href) <= 2048)))",
	"calendar_events_source_etag_check": "CHECK (((source_etag IS NULL) OR (char_length(source_etag) <= 512)))",
	"calendar_events_version_check":     "CHECK ((version >= 1))",
}

// TestTaskEventDomainsMigration: migration 00025 keeps every rule it moves
// from the table checks of tasks and calendar_events into domains, at 00024
// and after it alike: each refuses the same out-of-range values with the
// same SQLSTATE (23514), lets the boundary values and NULL (where the
// column allows it) through, and the columns that were NOT NULL still are.
// The checks across columns stay. Going down restores the table checks
// with the same names and definitions and the columns' types; going up
// again removes them.
func TestTaskEventDomainsMigration(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	provider := migrations(t, url)
	pool := dbtest.PoolFor(t, url)
	exec, count := poolSQL{t, pool}.exec, poolSQL{t, pool}.count
	octets := strings.Repeat("é", 262144/2) // 131,072 characters, 262,144 bytes
	days := func(n int) []time.Time {
		ts := make([]time.Time, n)
		for i := range ts {
			ts[i] = time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, i)
		}
		return ts
	}
	type value struct {
		column string
		v      any
		code   string // "" when it must pass
	}
	taskValues := []value{
		{"title", "", "23514"},
		{"title", strings.Repeat("t", 201), "23514"},
		{"title", nil, "23502"},
		{"title", strings.Repeat("t", 200), ""},
		{"title", "t", ""},
		{"notes", strings.Repeat("n", 4001), "23514"},
		{"notes", nil, "23502"},
		{"notes", strings.Repeat("n", 4000), ""},
		{"notes", "", ""},
		{"uid", "", "23514"},
		{"uid", strings.Repeat("u", 256), "23514"},
		{"uid", strings.Repeat("u", 255), ""},
		{"uid", nil, ""},
		{"dav_name", "", "23514"},
		{"dav_name", strings.Repeat("d", 256), "23514"},
		{"dav_name", strings.Repeat("d", 255), ""},
		{"dav_name", nil, ""},
		{"ical", octets + "x", "23514"},
		{"ical", octets, ""},
		{"ical", nil, ""},
		{"recurrence", "", "23514"},
		{"recurrence", strings.Repeat("r", 501), "23514"},
		{"recurrence", strings.Repeat("r", 500), ""},
		{"recurrence", nil, ""},
	}
	eventValues := []value{
		{"title", "", "23514"},
		{"title", strings.Repeat("t", 201), "23514"},
		{"title", nil, "23502"},
		{"title", strings.Repeat("t", 200), ""},
		{"notes", strings.Repeat("n", 4001), "23514"},
		{"notes", strings.Repeat("n", 4000), ""},
		{"location", strings.Repeat("l", 501), "23514"},
		{"location", nil, "23502"},
		{"location", strings.Repeat("l", 500), ""},
		{"location", "", ""},
		{"rrule", "", "23514"},
		{"rrule", strings.Repeat("r", 501), "23514"},
		{"rrule", strings.Repeat("r", 500), ""},
		{"rrule", nil, ""},
		{"exdates", days(1001), "23514"},
		{"exdates", nil, "23502"},
		{"exdates", days(1000), ""},
		{"exdates", []time.Time{}, ""},
		{"sequence", int32(-1), "23514"},
		{"sequence", nil, "23502"},
		{"sequence", int32(0), ""},
		{"uid", "", "23514"}, // a table check still (an insert's empty uid is filled in)
		{"uid", strings.Repeat("u", 256), "23514"},
		{"uid", nil, "23502"},
		{"uid", strings.Repeat("u", 255), ""},
		{"dav_name", "", "23514"},
		{"dav_name", strings.Repeat("d", 256), "23514"},
		{"dav_name", strings.Repeat("d", 255), ""},
		{"dav_name", nil, ""},
		{"ical", octets + "x", "23514"},
		{"ical", octets, ""},
		{"ical", nil, ""},
		{"source_href", strings.Repeat("h", 2049), "23514"},
		{"source_href", strings.Repeat("h", 2048), ""},
		{"source_href", nil, ""},
		{"source_etag", strings.Repeat("e", 513), "23514"},
		{"source_etag", strings.Repeat("e", 512), ""},
		{"source_etag", "", ""},
		{"source_etag", nil, ""},
	}
	set := func(stage, table, id string, values []value) {
		t.Helper()
		for _, c := range values {
			err := exec(fmt.Sprintf(`UPDATE %s SET %s = $2 WHERE id = $1`, table, c.column), id, c.v)
			what := fmt.Sprintf("%s: %s.%s = %.20v (%d)", stage, table, c.column, c.v, len(fmt.Sprint(c.v)))
			var pgErr *pgconn.PgError
			switch {
			case c.code == "" && err != nil:
				t.Errorf("%s: %v, want it to pass", what, err)
			case c.code != "" && (!errors.As(err, &pgErr) || pgErr.Code != c.code):
				t.Errorf("%s: %v, want SQLSTATE %s", what, err, c.code)
			}
		}
	}
	rules := func(stage string) {
		t.Helper()
		var fam, task, event string
		if err := pool.QueryRow(ctx, `INSERT INTO families (name) VALUES ('Domains') RETURNING id::text`).Scan(&fam); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `INSERT INTO tasks (family_id, title) VALUES ($1, 'Bins out') RETURNING id::text`, fam).Scan(&task); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `INSERT INTO calendar_events (family_id, title, starts_at, ends_at)
			VALUES ($1, 'Dentist', '2027-01-01 09:00+00', '2027-01-01 10:00+00') RETURNING id::text`, fam).Scan(&event); err != nil {
			t.Fatal(err)
		}
		if err := exec(`INSERT INTO users (email, password_hash, display_name) VALUES ('domains@example.org', 'x', 'Domains') ON CONFLICT DO NOTHING`); err != nil {
			t.Fatal(err)
		}
		// An empty uid is the trigger's to fill in (calendar_events_default_uid,
		// before the check).
		var defaulted bool
		if err := pool.QueryRow(ctx, `INSERT INTO calendar_events (family_id, uid, title, starts_at, ends_at)
			VALUES ($1, '', 'x', '2027-01-01 09:00+00', '2027-01-01 10:00+00') RETURNING uid = id::text || '@familyhub'`, fam).Scan(&defaulted); err != nil || !defaulted {
			t.Errorf("%s: an event inserted with an empty uid: given its id's uid %v, %v", stage, defaulted, err)
		}
		set(stage, "tasks", task, taskValues)
		set(stage, "calendar_events", event, eventValues)
		var pgErr *pgconn.PgError
		for _, c := range []struct{ what, sql string }{
			{"a task of version 0", `INSERT INTO tasks (family_id, title, version) VALUES ($1, 'x', 0)`},
			{"an event of version 0", `INSERT INTO calendar_events (family_id, title, starts_at, ends_at, version)
				VALUES ($1, 'x', '2027-01-01 09:00+00', '2027-01-01 10:00+00', 0)`},
			// The checks across columns stay.
			{"a template that is done", `INSERT INTO tasks (family_id, title, recurrence, completed_at) VALUES ($1, 'x', 'FREQ=DAILY', now())`},
			{"completed_by of an open task", `INSERT INTO tasks (family_id, title, completed_by) SELECT $1, 'x', id FROM users WHERE email = 'domains@example.org'`},
			{"an event that ends before it starts", `INSERT INTO calendar_events (family_id, title, starts_at, ends_at)
				VALUES ($1, 'x', '2027-01-01 10:00+00', '2027-01-01 09:00+00')`},
		} {
			if err := exec(c.sql, fam); !errors.As(err, &pgErr) || pgErr.Code != "23514" {
				t.Errorf("%s: %s: %v, want a check violation (23514)", stage, c.what, err)
			}
		}
		// Versions still count changes.
		var v int64
		if err := pool.QueryRow(ctx, `UPDATE tasks SET title = 'Bins in' WHERE id = $1 RETURNING version`, task).Scan(&v); err != nil || v < 2 {
			t.Errorf("%s: a task's version after its changes: %d, %v", stage, v, err)
		}
	}
	// moved: how many of the checks 00025 replaces are there, each with its
	// definition of 00024.
	moved := func() (n int) {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
			WHERE conrelid IN ('tasks'::regclass, 'calendar_events'::regclass) AND contype = 'c'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				t.Fatal(err)
			}
			want, ok := taskEventChecks[name]
			if !ok {
				continue
			}
			if def != want {
				t.Errorf("%s is %s, want %s", name, def, want)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return n
	}
	domains := func() int {
		return count(`SELECT count(*) FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
			WHERE a.attrelid IN ('tasks'::regclass, 'calendar_events'::regclass) AND ty.typtype = 'd'`)
	}
	tableChecks := func() int {
		return count(`SELECT count(*) FROM pg_constraint WHERE conrelid IN ('tasks'::regclass, 'calendar_events'::regclass) AND contype = 'c'`)
	}

	// state checks how many of the moved checks are table checks, how
	// many columns have a domain type and how many table checks there are.
	state := func(stage string, wantMoved, wantDomains, wantChecks int) {
		t.Helper()
		if n, d, c := moved(), domains(), tableChecks(); n != wantMoved || d != wantDomains || c != wantChecks {
			t.Fatalf("%s: %d of the moved checks, %d columns of a domain, %d table checks; want %d, %d, %d",
				stage, n, d, c, wantMoved, wantDomains, wantChecks)
		}
	}

	state("after 00025", 0, 18, 8)
	rules("after 00025")
	if _, err := provider.DownTo(ctx, 24); err != nil {
		t.Fatal(err)
	}
	// The pool's connections prepared statements whose parameters have the
	// domains' types; new connections prepare them again.
	pool.Reset()
	state("at 00024", 18, 0, 26)
	rules("at 00024")
	if _, err := provider.UpTo(ctx, 25); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	state("after going up again", 0, 18, 8)
	rules("after going up again")
}
