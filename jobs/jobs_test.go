package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/rivertype"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/familyhub/familyhub/llm"
)

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func newTestEngine(t *testing.T, pool *pgxpool.Pool, cfg Config) *Engine {
	t.Helper()
	e, err := New(db.NewStore(pool), testLogger(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func scalar[T any](t *testing.T, pool *pgxpool.Pool, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// newFamilyRows makes a family in zone tz with n members, as psql would.
func newFamilyRows(t *testing.T, pool *pgxpool.Pool, tz string, n int) (family uuid.UUID, members []uuid.UUID) {
	t.Helper()
	family = scalar[uuid.UUID](t, pool, `INSERT INTO families (name, time_zone) VALUES ('F', $1) RETURNING id`, tz)
	for i := range n {
		u := scalar[uuid.UUID](t, pool, `INSERT INTO users (email, password_hash, display_name) VALUES ($1, 'x', 'U') RETURNING id`,
			fmt.Sprintf("u%d-%s@example.org", i, family))
		exec(t, pool, `INSERT INTO memberships (family_id, user_id) VALUES ($1, $2)`, family, u)
		members = append(members, u)
	}
	return family, members
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDailyTaskDays(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	through := func(s string) pgtype.Date { return pgtype.Date{Time: d(s), Valid: true} }
	now := time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC) // 00:30 on the 11th in Berlin
	cases := []struct {
		hour, catchUp int
		through       pgtype.Date
		want          []string
	}{
		{0, 7, through("2026-03-10"), []string{"2026-03-11"}},
		{1, 7, through("2026-03-10"), nil}, // not 01:00 yet in Berlin
		{0, 7, through("2026-03-11"), nil},
		{0, 2, pgtype.Date{}, []string{"2026-03-09", "2026-03-10", "2026-03-11"}},
		{0, 7, through("2026-03-08"), []string{"2026-03-09", "2026-03-10", "2026-03-11"}},
		{0, 1, through("2026-01-01"), []string{"2026-03-10", "2026-03-11"}},
	}
	for _, tc := range cases {
		var got []string
		for _, day := range dailyTaskDays(now, berlin, tc.hour, tc.catchUp, tc.through) {
			got = append(got, day.Format(time.DateOnly))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("hour %d catch-up %d through %v: got %v, want %v", tc.hour, tc.catchUp, tc.through.Time, got, tc.want)
		}
	}
}

// TestDailyTasksCatchUpAndRotation: missed days are made once, never before
// a template existed, never again after someone deleted one; a rotating
// chore goes round its members. It runs on the clock of now and at the
// instants where days are easy to miscount: late evening and just after
// midnight, New Year, the nights before the switches to and from summer
// time (a day of 23 and of 25 hours) in the family's zone.
func TestDailyTasksCatchUpAndRotation(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		zone string
		now  time.Time
	}{
		{"America/New_York", dbtest.Now(t)},
		{"Europe/Berlin", dbtest.Now(t)},
		{"America/New_York", at("2027-03-13T23:30:00-05:00")}, // the next day has 23 hours
		{"America/New_York", at("2027-03-14T00:30:00-05:00")},
		{"America/New_York", at("2027-11-06T23:30:00-04:00")}, // the next day has 25 hours
		{"America/New_York", at("2026-12-31T23:30:00-05:00")},
		{"Europe/Berlin", at("2027-03-27T23:30:00+01:00")},
		{"Europe/Berlin", at("2027-10-30T23:30:00+02:00")},
		{"Europe/Berlin", at("2027-10-31T00:30:00+02:00")},
		{"Europe/Berlin", at("2027-01-01T00:30:00+01:00")},
		{"Europe/Berlin", at("2027-02-28T23:30:00+01:00")},
	} {
		t.Run(tc.zone+"@"+tc.now.Format(time.RFC3339), func(t *testing.T) { dailyTasksCatchUpAndRotation(t, tc.zone, tc.now) })
	}
}

func dailyTasksCatchUpAndRotation(t *testing.T, zone string, now time.Time) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	family, members := newFamilyRows(t, pool, zone, 2)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Now: func() time.Time { return now }}
	e := newTestEngine(t, pool, cfg)

	old := scalar[uuid.UUID](t, pool, `INSERT INTO tasks (family_id, title, recurrence, created_at)
		VALUES ($1, 'Water plants', 'FREQ=DAILY', $2) RETURNING id`, family, now.AddDate(0, 0, -30))
	recent := scalar[uuid.UUID](t, pool, `INSERT INTO tasks (family_id, title, recurrence, created_at, rotation)
		VALUES ($1, 'Dishes', 'FREQ=DAILY', $2, $3) RETURNING id`, family, now.In(loc).AddDate(0, 0, -2), members)

	if err := e.runDailyTasks(ctx, DailyTasksArgs{}); err != nil {
		t.Fatal(err)
	}
	count := func(tpl uuid.UUID) int {
		return scalar[int](t, pool, `SELECT count(*) FROM tasks WHERE template_id = $1`, tpl)
	}
	// 7 days back plus today; the recent one from its creation day only.
	if n := count(old); n != 8 {
		t.Fatalf("old template: %d instances, want 8", n)
	}
	if n := count(recent); n != 3 {
		t.Fatalf("recent template: %d instances, want 3", n)
	}
	var assignees []uuid.UUID
	rows, _ := pool.Query(ctx, `SELECT assignee_id FROM tasks WHERE template_id = $1 ORDER BY instance_date`, recent)
	for rows.Next() {
		var a uuid.UUID
		rows.Scan(&a)
		assignees = append(assignees, a)
	}
	if want := []uuid.UUID{members[0], members[1], members[0]}; !slices.Equal(assignees, want) {
		t.Fatalf("rotation: %v, want %v", assignees, want)
	}

	// Again: nothing new. Deleting yesterday's does not bring it back.
	exec(t, pool, `DELETE FROM tasks WHERE template_id = $1 AND instance_date = $2`, old, now.In(loc).AddDate(0, 0, -1).Format(time.DateOnly))
	if err := e.runDailyTasks(ctx, DailyTasksArgs{}); err != nil {
		t.Fatal(err)
	}
	if n := count(old); n != 7 {
		t.Fatalf("after a rerun: %d instances, want 7", n)
	}
	// The next day, at the same time of day: one more each; the rotation
	// carries on. (Not 24 hours on: from 23:30 before a day of 23 hours,
	// that is 00:30 the day after it, and a day was skipped.)
	now = now.In(loc).AddDate(0, 0, 1)
	if err := e.runDailyTasks(ctx, DailyTasksArgs{}); err != nil {
		t.Fatal(err)
	}
	if count(old) != 8 || count(recent) != 4 {
		t.Fatalf("next day: %d and %d instances", count(old), count(recent))
	}
	last := scalar[uuid.UUID](t, pool, `SELECT assignee_id FROM tasks WHERE template_id = $1 ORDER BY instance_date DESC LIMIT 1`, recent)
	if last != members[1] {
		t.Fatalf("fourth instance assigned to %v, want %v", last, members[1])
	}
	// An explicit date (the command line) makes that day only.
	future := now.In(loc).AddDate(0, 0, 5).Format(time.DateOnly)
	if err := e.runDailyTasks(ctx, DailyTasksArgs{Date: future}); err != nil {
		t.Fatal(err)
	}
	if n := scalar[int](t, pool, `SELECT count(*) FROM tasks WHERE family_id = $1 AND instance_date = $2`, family, future); n != 2 {
		t.Fatalf("%s: %d instances, want 2", future, n)
	}
}

func TestPruneEvents(t *testing.T) {
	pool := dbtest.Pool(t)
	family, members := newFamilyRows(t, pool, "UTC", 1)
	exec(t, pool, `INSERT INTO event_log (family_id, seq, type, channel, entity_id, op, at) VALUES
		($1, 1, 'TASK_UPDATED', 'familyhub_tasks', gen_random_uuid(), 'insert', now() - interval '8 days'),
		($1, 2, 'TASK_UPDATED', 'familyhub_tasks', gen_random_uuid(), 'insert', now() - interval '1 day')`, family)
	exec(t, pool, `INSERT INTO sessions (token_hash, user_id, expires_at, revoked_at) VALUES
		('a', $1, now() - interval '40 days', NULL),
		('b', $1, now() + interval '10 days', now() - interval '31 days'),
		('c', $1, now() + interval '10 days', NULL),
		('d', $1, now() - interval '1 day', NULL)`, members[0])
	exec(t, pool, `INSERT INTO auth_failures (email, client_addr, at) VALUES ('x', 'y', now() - interval '2 days'), ('x', 'y', now())`)
	// Invites used or expired more than the session retention (30 days)
	// ago go; recent ones and open ones stay. (Another family: their
	// writes and deletes are events of its own.)
	other, _ := newFamilyRows(t, pool, "UTC", 1)
	exec(t, pool, `INSERT INTO invites (family_id, code_hash, expires_at, used_at) VALUES
		($1, 'used-long-ago', now() - interval '30 days', now() - interval '31 days'),
		($1, 'expired-long-ago', now() - interval '31 days', NULL),
		($1, 'used-lately', now() + interval '5 days', now() - interval '1 day'),
		($1, 'expired-lately', now() - interval '1 day', NULL),
		($1, 'open', now() + interval '5 days', NULL)`, other)
	// Feeds revoked as long ago go, unless an app asked for one since (it
	// keeps hearing 410 Gone); live and recently revoked ones stay.
	exec(t, pool, `INSERT INTO ical_feeds (family_id, name, token_hash, revoked_at, last_used_at) VALUES
		($1, 'revoked-long-ago', 'a', now() - interval '31 days', now() - interval '40 days'),
		($1, 'revoked-never-used', 'b', now() - interval '31 days', NULL),
		($1, 'still-asked-for', $2, now() - interval '31 days', NULL),
		($1, 'revoked-lately', 'd', now() - interval '1 day', NULL),
		($1, 'live', 'e', NULL, now() - interval '60 days')`, other, db.HashToken("asked"))
	if f, err := db.NewStore(pool).ICalFeedByToken(context.Background(), "asked"); err != nil || f.RevokedAt == nil {
		t.Fatalf("a revoked feed asked for: %+v %v", f, err)
	}
	// Keys of children's devices revoked over 90 days ago go.
	exec(t, pool, `INSERT INTO child_device_revoked_keys (token_hash, revoked_at) VALUES
		('revoked-long-ago', now() - interval '91 days'), ('revoked-lately', now() - interval '80 days')`)
	e := newTestEngine(t, pool, Config{})
	cmd, err := e.Command("prune-events", nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // twice: the second finds nothing
		if err := cmd.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if seqs := scalar[[]int64](t, pool, `SELECT array_agg(seq) FROM event_log WHERE family_id = $1`, family); !slices.Equal(seqs, []int64{2}) {
		t.Fatalf("event_log kept %v, want [2]", seqs)
	}
	if n := scalar[int](t, pool, `SELECT count(*) FROM sessions`); n != 2 {
		t.Fatalf("%d sessions left, want 2 (the live one and the recently expired one)", n)
	}
	if n := scalar[int](t, pool, `SELECT count(*) FROM auth_failures`); n != 1 {
		t.Fatalf("%d auth failures left, want 1", n)
	}
	if left := scalar[[]string](t, pool, `SELECT array_agg(convert_from(code_hash, 'UTF8') ORDER BY code_hash) FROM invites`); !slices.Equal(left, []string{"expired-lately", "open", "used-lately"}) {
		t.Errorf("invites left: %v", left)
	}
	if left := scalar[[]string](t, pool, `SELECT array_agg(name ORDER BY name) FROM ical_feeds`); !slices.Equal(left, []string{"live", "revoked-lately", "still-asked-for"}) {
		t.Errorf("feeds left: %v", left)
	}
	if left := scalar[[]string](t, pool, `SELECT array_agg(convert_from(token_hash, 'UTF8')) FROM child_device_revoked_keys`); !slices.Equal(left, []string{"revoked-lately"}) {
		t.Errorf("revoked device keys left: %v", left)
	}
}

// newList makes a shopping list of family and returns its id.
func newList(t *testing.T, pool *pgxpool.Pool, family uuid.UUID) uuid.UUID {
	return scalar[uuid.UUID](t, pool, `INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'L') RETURNING id`, family)
}

func addItem(t *testing.T, pool *pgxpool.Pool, family, list uuid.UUID, name string) uuid.UUID {
	return scalar[uuid.UUID](t, pool, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, $3) RETURNING id`, family, list, name)
}

func itemCategory(t *testing.T, pool *pgxpool.Pool, item uuid.UUID) string {
	return scalar[string](t, pool, `SELECT coalesce(category, '') || '/' || coalesce(category_source, '') FROM shopping_items_view WHERE id = $1`, item)
}

// TestCategoriseLearnsAndRespectsUsers: the family's own choice beats the
// dictionary, a person's category is never overridden, and one reshuffle
// touches the list once.
func TestCategoriseLearnsAndRespectsUsers(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	list := newList(t, pool, family)
	e := newTestEngine(t, pool, Config{})
	milk := addItem(t, pool, family, list, "Milk")
	thing := addItem(t, pool, family, list, "xyzzy")
	chosen := addItem(t, pool, family, list, "bread")
	exec(t, pool, `UPDATE shopping_items SET category_id = (SELECT id FROM shopping_categories WHERE family_id = $1 AND name = 'snacks'),
		category_source = 'user' WHERE id = $2`, family, chosen)

	if err := e.runCategorise(ctx, CategoriseArgs{ListID: &list}); err != nil {
		t.Fatal(err)
	}
	for item, want := range map[uuid.UUID]string{milk: "dairy/auto", thing: "other/auto", chosen: "snacks/user"} {
		if got := itemCategory(t, pool, item); got != want {
			t.Errorf("item %v: %s, want %s", item, got, want)
		}
	}
	touched := scalar[*time.Time](t, pool, `SELECT categorised_at FROM shopping_lists WHERE id = $1`, list)
	if touched == nil {
		t.Fatal("list not marked as reshuffled")
	}
	// Nothing left to do: the list is not touched again.
	if err := e.runCategorise(ctx, CategoriseArgs{ListID: &list}); err != nil {
		t.Fatal(err)
	}
	if again := scalar[*time.Time](t, pool, `SELECT categorised_at FROM shopping_lists WHERE id = $1`, list); !again.Equal(*touched) {
		t.Fatal("a reshuffle that changed nothing touched the list")
	}
	// A member moves milk to drinks: the next "milk " goes there too.
	exec(t, pool, `UPDATE shopping_items SET category_id = (SELECT id FROM shopping_categories WHERE family_id = $1 AND name = 'drinks'),
		category_source = 'user' WHERE id = $2`, family, milk)
	exec(t, pool, `DELETE FROM shopping_items WHERE id = $1`, milk)
	milk2 := addItem(t, pool, family, list, "  milk ")
	if err := e.runCategorise(ctx, CategoriseArgs{}); err != nil { // the sweep finds it
		t.Fatal(err)
	}
	if got := itemCategory(t, pool, milk2); got != "drinks/auto" {
		t.Fatalf("learned: %s, want drinks/auto", got)
	}
	// Renamed: an auto-filed item is refiled.
	exec(t, pool, `UPDATE shopping_items SET name = 'shampoo' WHERE id = $1`, thing)
	if err := e.runCategorise(ctx, CategoriseArgs{FamilyID: &family, ItemIDs: []uuid.UUID{thing, chosen}}); err != nil {
		t.Fatal(err)
	}
	if got := itemCategory(t, pool, thing); got != "personal care/auto" {
		t.Fatalf("renamed: %s", got)
	}
	if got := itemCategory(t, pool, chosen); got != "snacks/user" {
		t.Fatalf("a person's category was overridden: %s", got)
	}
}

// TestCategoriseExternalClassifier: names the dictionary does not know go
// to the configured endpoint; its answer is checked against the family's
// categories; when it fails, the items wait and the job fails (to retry).
func TestCategoriseExternalClassifier(t *testing.T) {
	var fail atomic.Bool
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-test" {
			http.Error(w, "bad request "+r.URL.Path, http.StatusBadRequest)
			return
		}
		if fail.Load() {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		var req struct {
			Model    string
			Messages []struct{ Content string }
		}
		json.NewDecoder(r.Body).Decode(&req)
		if req.Model != "tiny" || !strings.Contains(req.Messages[1].Content, "quinoa") || strings.Contains(req.Messages[1].Content, "milk") {
			http.Error(w, "unexpected prompt", http.StatusBadRequest)
			return
		}
		answer := `{"quinoa": "pantry", "gizmo": "gadgets"}`
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]string{"role": "assistant", "content": answer}}}})
	}))
	defer srv.Close()

	pool := dbtest.Pool(t)
	ctx := context.Background()
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	list := newList(t, pool, family)
	e := newTestEngine(t, pool, Config{Classifier: llm.Config{URL: srv.URL + "/v1", Model: "tiny", Key: "sk-test"}})

	fail.Store(true)
	quinoa := addItem(t, pool, family, list, "quinoa")
	milk := addItem(t, pool, family, list, "milk")
	if err := e.runCategorise(ctx, CategoriseArgs{ListID: &list}); err == nil {
		t.Fatal("classifier failure not reported")
	}
	if got, want := itemCategory(t, pool, quinoa), "/"; got != want {
		t.Fatalf("quinoa filed while the classifier was down: %s", got)
	}
	if got := itemCategory(t, pool, milk); got != "dairy/auto" {
		t.Fatalf("milk: %s (the dictionary works without the classifier)", got)
	}
	fail.Store(false)
	gizmo := addItem(t, pool, family, list, "gizmo")
	if err := e.runCategorise(ctx, CategoriseArgs{ListID: &list}); err != nil {
		t.Fatal(err)
	}
	if got := itemCategory(t, pool, quinoa); got != "pantry/auto" {
		t.Fatalf("quinoa: %s", got)
	}
	if got := itemCategory(t, pool, gizmo); got != "other/auto" {
		t.Fatalf("gizmo (classifier named no category of the family): %s", got)
	}
	if asked.Load() != 2 {
		t.Fatalf("classifier asked %d times, want 2", asked.Load())
	}
}

// blockArgs is a job that blocks on its first attempt, standing in for a
// job whose replica dies mid-way. It also shows how a job is added.
type blockArgs struct{}

func (blockArgs) Kind() string { return "test-block" }

// TestJobRescuedFromDeadReplica: replica A starts a job and dies (its
// database connections cut, its client never finishing); replica B's
// leader rescues the job, and B runs it to completion, once.
func TestJobRescuedFromDeadReplica(t *testing.T) {
	url := dbtest.URL(t)
	admin := dbtest.PoolFor(t, url)
	if err := Migrate(context.Background(), admin, testLogger(t)); err != nil {
		t.Fatal(err)
	}
	exec(t, admin, `CREATE TABLE test_effects (job_id bigint PRIMARY KEY, attempt int NOT NULL)`)
	cfg := Config{JobTimeout: 500 * time.Millisecond, RescueAfter: time.Second, Workers: 1}

	started := make(chan struct{}, 1)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var runs atomic.Int32
	var deadA atomic.Bool
	startReplica := func(name string) (*Engine, *pgxpool.Pool) {
		pcfg, _ := pgxpool.ParseConfig(url)
		pcfg.ConnConfig.RuntimeParams["application_name"] = "test-" + name
		pcfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error {
			if name == "a" && deadA.Load() {
				return errors.New("replica a is dead")
			}
			return nil
		}
		pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
		if err != nil {
			t.Fatal(err)
		}
		// Quiet: A's client goes on failing against the database after
		// the test.
		e, err := New(db.NewStore(pool), slog.New(slog.DiscardHandler), cfg)
		if err != nil {
			t.Fatal(err)
		}
		err = Register(e, Job[blockArgs]{Run: func(ctx context.Context, _ blockArgs) error {
			job := JobRow(ctx)
			runs.Add(1)
			if job.Attempt == 1 {
				started <- struct{}{}
				<-release // a hung replica: ignores its context
				return errors.New("too late")
			}
			_, err := pool.Exec(ctx, `INSERT INTO test_effects VALUES ($1, $2)`, job.ID, job.Attempt)
			return err
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		return e, pool
	}

	a, poolA := startReplica("a")
	res, err := a.Client().Insert(context.Background(), blockArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	// A dies: every connection of it is cut, it cannot reconnect and it
	// never finishes the job.
	deadA.Store(true)
	poolA.Reset()
	exec(t, admin, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'test-a'`)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		a.Client().StopAndCancel(ctx)
	}()
	// Its leadership would expire within 15 s; end it now instead of waiting.
	exec(t, admin, `DELETE FROM river_leader`)

	// B comes up once the job has been running for longer than
	// RescueAfter, so its leader's first rescue pass finds it.
	waitFor(t, "the job to count as stuck", func() bool {
		return scalar[bool](t, admin, `SELECT attempted_at < now() - interval '1500 ms' FROM river_job WHERE id = $1`, res.Job.ID)
	})
	b, poolB := startReplica("b")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b.Stop(ctx)
		poolB.Close()
	})
	waitFor(t, "the job completed on B", func() bool {
		var state string
		admin.QueryRow(context.Background(), `SELECT state FROM river_job WHERE id = $1`, res.Job.ID).Scan(&state)
		return state == string(rivertype.JobStateCompleted)
	})
	if n := scalar[int](t, admin, `SELECT count(*) FROM test_effects`); n != 1 {
		t.Fatalf("%d effects, want 1", n)
	}
	attemptedBy := scalar[[]string](t, admin, `SELECT attempted_by FROM river_job WHERE id = $1`, res.Job.ID)
	if len(attemptedBy) != 2 || attemptedBy[0] == attemptedBy[1] || attemptedBy[1] != b.Client().ID() {
		t.Fatalf("attempted_by %v: want A then B (%s)", attemptedBy, b.Client().ID())
	}
}
