package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestJobsRunCalDAVImportReadsConfiguration: `familyhub jobs run
// caldav-import` reads the same configuration as serve: with the
// FAMILYHUB_SECRET_KEY the password was sealed under it opens it and
// imports; without one it records that the server's key is missing (not
// "delete the subscription").
func TestJobsRunCalDAVImportReadsConfiguration(t *testing.T) {
	parallelInQuickLoop(t)
	const key = "jobs run secret key 0123456789"
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ana" || p != "hunter22" {
			w.Header().Set("WWW-Authenticate", `Basic realm="feed"`)
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet {
			http.Error(w, "no", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		w.Write([]byte(strings.ReplaceAll("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\nUID:school-1\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:20261201\nSUMMARY:Parents' evening\nEND:VEVENT\nEND:VCALENDAR\n", "\n", "\r\n")))
	}))
	t.Cleanup(feed.Close)

	url := dbtest.URL(t)
	m := startMain(t, url, func(c *Config) { c.Calendar.SecretKey = key; c.Calendar.AllowPrivateSubscriptions = true })
	ana := newFamily(t, m, "ana@example.org")
	var sub struct{ ID string }
	ana.call(t, m.URL(), http.StatusCreated, "POST", "/api/calendar/subscriptions",
		map[string]any{"url": feed.URL + "/school.ics", "name": "School", "username": "ana", "password": "hunter22"}, &sub)

	run := func(env ...string) string {
		cmd := exec.Command(familyhubBinary(t), "jobs", "run", "caldav-import", "--subscription", sub.ID)
		cmd.Env = append(os.Environ(), append([]string{"DATABASE_URL=" + url, "FAMILYHUB_SECRET_KEY=", "FAMILYHUB_SUBSCRIPTIONS_ALLOW_PRIVATE=true"}, env...)...)
		out, _ := cmd.CombinedOutput() // a failed sync exits non-zero; the subscription says why
		var lastError *string
		if err := m.Pool.QueryRow(t.Context(), `SELECT last_error FROM calendar_subscriptions WHERE id = $1`, sub.ID).Scan(&lastError); err != nil {
			t.Fatal(err)
		}
		if lastError == nil {
			return ""
		}
		t.Logf("jobs run output: %s", out)
		return *lastError
	}
	if msg := run(); !strings.Contains(msg, "no FAMILYHUB_SECRET_KEY") || strings.Contains(msg, "delete the subscription") {
		t.Fatalf("without the key: last_error %q, want it to name the missing server key", msg)
	}
	if msg := run("FAMILYHUB_SECRET_KEY=" + key); msg != "" {
		t.Fatalf("with the key: last_error %q", msg)
	}
	var n int
	if err := m.Pool.QueryRow(t.Context(), `SELECT count(*) FROM calendar_events WHERE subscription_id = $1 AND title = 'Parents'' evening'`, sub.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("imported events = %d, %v; want 1", n, err)
	}
}

// TestJobsRunCalDAVImportNoSuchSubscription: `familyhub jobs run
// caldav-import --subscription <id>` with an id no subscription has (a
// mistyped one, one deleted before) says so and exits non-zero, where a
// job whose subscription was deleted meanwhile stops quietly (jobs'
// TestCalDAVImportGone).
func TestJobsRunCalDAVImportNoSuchSubscription(t *testing.T) {
	parallelInQuickLoop(t)
	url := dbtest.URL(t)
	id := uuid.NewString()
	cmd := exec.Command(familyhubBinary(t), "jobs", "run", "caldav-import", "--subscription", id)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("jobs run with an unknown subscription: %v, want a non-zero exit; output:\n%s", err, out)
	}
	if want := "no calendar subscription " + id; !strings.Contains(string(out), want) {
		t.Errorf("output %q does not say %q", out, want)
	}
}
