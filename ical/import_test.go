package ical

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/familyhub/familyhub/ical/caldavtest"
)

func vevent(uid, summary, extra string) string {
	return strings.ReplaceAll(fmt.Sprintf("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:%s\nDTSTAMP:20260101T000000Z\nSUMMARY:%s\n%s\nEND:VEVENT\nEND:VCALENDAR\n", uid, summary, extra), "\n", "\r\n")
}

func importLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newFamilyDB returns a store with one family (zone Europe/Berlin).
func newFamilyDB(t *testing.T) (*db.Store, uuid.UUID) {
	t.Helper()
	store := db.NewStore(dbtest.Pool(t))
	var family uuid.UUID
	if err := store.Pool.QueryRow(context.Background(), `INSERT INTO families (name, time_zone) VALUES ('F', 'Europe/Berlin') RETURNING id`).Scan(&family); err != nil {
		t.Fatal(err)
	}
	return store, family
}

func subscribe(t *testing.T, store *db.Store, family uuid.UUID, key []byte, url, user, password string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	var sealed []byte
	if password != "" {
		var err error
		if sealed, err = SealSecret(key, []byte(password), id[:]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.Q.CalendarSubscriptionInsert(context.Background(), store.Pool, dbsqlc.CalendarSubscriptionInsertParams{
		ID: id, FamilyID: family, Name: "School", Url: url, Username: user, PasswordEnc: sealed,
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

type importedRow struct {
	UID, Title string
	AllDay     bool
	RRule      string
	ReadOnly   bool
}

func imported(t *testing.T, store *db.Store, family uuid.UUID) map[string]importedRow {
	t.Helper()
	rows, err := store.Pool.Query(context.Background(), `SELECT uid, title, all_day, coalesce(rrule, ''), read_only FROM calendar_events WHERE family_id = $1`, family)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]importedRow{}
	for rows.Next() {
		var r importedRow
		if err := rows.Scan(&r.UID, &r.Title, &r.AllDay, &r.RRule, &r.ReadOnly); err != nil {
			t.Fatal(err)
		}
		out[r.UID] = r
	}
	return out
}

func subscriptionRow(t *testing.T, store *db.Store, id uuid.UUID) dbsqlc.CalendarSubscription {
	t.Helper()
	s, err := store.Q.CalendarSubscriptionGet(context.Background(), store.Pool, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestImportSubscriptionsFromRadicale(t *testing.T) {
	ctx := context.Background()
	rad := caldavtest.StartRadicale(t)
	rad.Do("MKCALENDAR", "/ana/school/", "")
	rad.Do("PUT", "/ana/school/a.ics", vevent("a@school", "Parents evening", "DTSTART:20260310T170000Z\nDTEND:20260310T190000Z"))
	rad.Do("PUT", "/ana/school/b.ics", vevent("b@school", "Holidays", "DTSTART;VALUE=DATE:20260330\nDTEND;VALUE=DATE:20260411"))
	rad.Do("PUT", "/ana/school/c.ics", vevent("c@school", "PE", "DTSTART;TZID=Europe/Berlin:20260302T080000\nDTEND;TZID=Europe/Berlin:20260302T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO\nEXDATE;TZID=Europe/Berlin:20260309T080000"))
	// One event FamilyHub refuses (it ends before it starts): it must not block the others.
	rad.Do("PUT", "/ana/school/bad.ics", vevent("bad@school", "Broken", "DTSTART:20260310T170000Z\nDTEND:20260310T160000Z"))
	// A to-do in the same collection is no event: not fetched, no problem.
	rad.Do("PUT", "/ana/school/todo.ics", strings.ReplaceAll("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VTODO\nUID:todo@school\nDTSTAMP:20260101T000000Z\nSUMMARY:Sign the form\nEND:VTODO\nEND:VCALENDAR\n", "\n", "\r\n"))

	store, family := newFamilyDB(t)
	key, _ := DeriveSecretKey("test secret key 0123456789")
	id := subscribe(t, store, family, key, rad.URL+"/ana/school/", "ana", "secret")
	if err := ImportSubscriptions(ctx, store, testConfig, importLogger(t)); err != nil {
		t.Fatal(err)
	}
	got := imported(t, store, family)
	if len(got) != 3 || got["a@school"].Title != "Parents evening" || !got["b@school"].AllDay || got["c@school"].RRule != "FREQ=WEEKLY;BYDAY=MO" || !got["a@school"].ReadOnly {
		t.Fatalf("after first import: %+v", got)
	}
	sub := subscriptionRow(t, store, id)
	if sub.Kind == nil || *sub.Kind != "caldav" || sub.LastError == nil || !strings.Contains(*sub.LastError, "bad.ics") || sub.LastSyncedAt == nil {
		t.Fatalf("subscription after first import: kind %v last_error %v", sub.Kind, sub.LastError)
	}

	// Change, delete, fix upstream; one run follows.
	rad.Do("PUT", "/ana/school/a.ics", vevent("a@school", "Parents evening (moved)", "DTSTART:20260311T170000Z\nDTEND:20260311T190000Z"))
	rad.Do("DELETE", "/ana/school/b.ics", "")
	rad.Do("DELETE", "/ana/school/bad.ics", "")
	if err := ImportSubscriptions(ctx, store, testConfig, importLogger(t)); err != nil {
		t.Fatal(err)
	}
	got = imported(t, store, family)
	if len(got) != 2 || got["a@school"].Title != "Parents evening (moved)" || got["c@school"].Title != "PE" {
		t.Fatalf("after second import: %+v", got)
	}
	sub = subscriptionRow(t, store, id)
	if sub.LastError != nil || sub.Ctag == nil {
		t.Fatalf("subscription after second import: last_error %v ctag %v", sub.LastError, sub.Ctag)
	}
	// Nothing changed: the CTag says so, nothing is written.
	var seqBefore, seqAfter int64
	store.Pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM event_log WHERE family_id = $1`, family).Scan(&seqBefore)
	if err := ImportSubscription(ctx, store, testConfig, importLogger(t), id); err != nil {
		t.Fatal(err)
	}
	store.Pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM event_log WHERE family_id = $1`, family).Scan(&seqAfter)
	if seqAfter != seqBefore {
		t.Fatalf("an unchanged source wrote events: seq %d -> %d", seqBefore, seqAfter)
	}
	// Without the CTag, the listing's ETags say the same (they are the
	// ETags the fetch gave).
	if _, err := store.Pool.Exec(ctx, `UPDATE calendar_subscriptions SET ctag = NULL WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if err := ImportSubscription(ctx, store, testConfig, importLogger(t), id); err != nil {
		t.Fatal(err)
	}
	store.Pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM event_log WHERE family_id = $1`, family).Scan(&seqAfter)
	if sub = subscriptionRow(t, store, id); seqAfter != seqBefore || sub.LastError != nil {
		t.Fatalf("an unchanged source listed without its CTag: seq %d -> %d, last_error %v", seqBefore, seqAfter, sub.LastError)
	}

	// Plain .ics feed (Radicale serves a collection as one file on GET).
	id2 := subscribe(t, store, family, key, rad.URL+"/ana/school/", "ana", "secret")
	if _, err := store.Pool.Exec(ctx, `UPDATE calendar_subscriptions SET kind = 'ics' WHERE id = $1`, id2); err != nil {
		t.Fatal(err)
	}
	if err := ImportSubscription(ctx, store, testConfig, importLogger(t), id2); err != nil {
		t.Fatal(err)
	}
	sub2 := subscriptionRow(t, store, id2)
	// The same UIDs are already imported by the first subscription.
	if sub2.LastError == nil || !strings.Contains(*sub2.LastError, "already has UID") {
		t.Fatalf("ics duplicate: %v", sub2.LastError)
	}
}

func TestImportSubscriptionFailures(t *testing.T) {
	ctx := context.Background()
	rad := caldavtest.StartRadicale(t)
	rad.Do("MKCALENDAR", "/ana/school/", "")
	store, family := newFamilyDB(t)
	key, _ := DeriveSecretKey("test secret key 0123456789")

	check := func(id uuid.UUID, want string) {
		t.Helper()
		err := ImportSubscription(ctx, store, testConfig, importLogger(t), id)
		if err == nil {
			t.Fatalf("want an error containing %q", want)
		}
		s := subscriptionRow(t, store, id)
		if s.LastError == nil || !strings.Contains(*s.LastError, want) || s.Failures != 1 || !s.NextAttemptAt.After(time.Now().Add(time.Minute)) {
			t.Fatalf("recorded: %v failures %d next %v; want %q", s.LastError, s.Failures, s.NextAttemptAt, want)
		}
	}
	check(subscribe(t, store, family, key, rad.URL+"/ana/school/", "ana", "wrong"), "refused the credentials")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	check(subscribe(t, store, family, key, "http://"+dead+"/cal.ics", "", ""), "could not be reached")

	// Malformed iCalendar from a plain URL.
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "no", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		io.WriteString(w, "BEGIN:VCALENDAR\r\nthis is not ical\r\n")
	})}
	ml, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ml)
	t.Cleanup(func() { srv.Close() })
	check(subscribe(t, store, family, key, "http://"+ml.Addr().String()+"/cal.ics", "", ""), "not valid iCalendar")

	// A backed-off subscription is not due.
	ids, err := store.Q.CalendarSubscriptionListDue(ctx, store.Pool)
	if err != nil || len(ids) != 0 {
		t.Fatalf("due after failures: %v %v", ids, err)
	}
	// A password that cannot be decrypted (key changed).
	other, _ := DeriveSecretKey("another secret key 987654321")
	id := subscribe(t, store, family, other, rad.URL+"/ana/school/", "ana", "secret")
	check(id, "cannot be decrypted")

	// By default an import does not connect to non-public addresses (here
	// the loopback Radicale), whatever the URL says.
	id = subscribe(t, store, family, key, rad.URL+"/ana/school/", "ana", "secret")
	err = ImportSubscription(ctx, store, Config{SecretKey: testConfig.SecretKey}, importLogger(t), id)
	if s := subscriptionRow(t, store, id); err == nil || s.LastError == nil || !strings.Contains(*s.LastError, "local or private") {
		t.Fatalf("import of a loopback calendar without AllowPrivate: err %v, recorded %v", err, s.LastError)
	}
}

// testConfig lets the import reach Radicale on loopback.
var testConfig = Config{SecretKey: "test secret key 0123456789", AllowPrivateSubscriptions: true}

// TestImportFailureLogsNoAddress: the error of a failed sync, which the
// job logs (and River keeps with the job), does not name the calendar's
// address, which can hold its secret token, any more than last_error does.
func TestImportFailureLogsNoAddress(t *testing.T) {
	ctx := context.Background()
	store, family := newFamilyDB(t)
	key, _ := DeriveSecretKey(testConfig.SecretKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	const token, query = "private-0a1b2c3d4e5f60718293a4b5c6d7e8f9", "s3cr3tvalue"
	id := subscribe(t, store, family, key, "http://"+dead+"/calendar/ical/"+token+"/basic.ics?key="+query, "", "")
	var logs bytes.Buffer
	if err := ImportSubscriptions(ctx, store, testConfig, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "calendar subscription sync failed") || !strings.Contains(logs.String(), "could not be reached") {
		t.Fatalf("no failure logged:\n%s", logs.String())
	}
	err = ImportSubscription(ctx, store, testConfig, importLogger(t), id)
	if err == nil {
		t.Fatal("the import of an unreachable calendar succeeded")
	}
	for _, secret := range []string{token, query} {
		if strings.Contains(logs.String(), secret) || strings.Contains(err.Error(), secret) {
			t.Fatalf("the calendar's secret %q is in the log or the error:\n%s\n%v", secret, logs.String(), err)
		}
	}
	var ne net.Error
	if !errors.As(err, &ne) {
		t.Fatalf("the cause is gone from %v", err)
	}
}

// TestImportErrorTextOtherChange: a sync whose deadlock retries ran out
// (db.ErrOtherChange) had written the events before it, each in its own
// transaction; last_error said the busy answer's "nothing was done".
func TestImportErrorTextOtherChange(t *testing.T) {
	got := readableImportError(fmt.Errorf("deleting a copy: %w", db.ErrOtherChange))
	if want := "The sync was interrupted by another change; it runs again at the next sync."; got != want {
		t.Errorf("last_error %q, want %q", got, want)
	}
}
