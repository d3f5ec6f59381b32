package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/familyhub/familyhub/notify/pushtest"
)

// These tests drive the service directly against a real PostgreSQL and
// the RFC push service of pushtest: derive notices, then Deliver them with
// the clock where the notice is due. (cmd/familyhub's tests run the same
// through River, replicas and a browser.)

// queue records what would be enqueued.
type queue struct {
	mu   sync.Mutex
	jobs []queued
}

type queued struct {
	id uuid.UUID
	at time.Time
}

func (q *queue) NotifyDeliverTx(_ context.Context, _ pgx.Tx, id uuid.UUID, at time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, queued{id, at})
	return nil
}

func (q *queue) take() []queued {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.jobs
	q.jobs = nil
	return out
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type env struct {
	t      *testing.T
	pool   *pgxpool.Pool
	s      *Service
	q      *queue
	clock  *testClock
	push   *pushtest.Server
	family uuid.UUID
	ana    uuid.UUID
	ben    uuid.UUID
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	return newEnvOn(t, dbtest.Pool(t), cfg)
}

// realClock sets e's clock to the wall clock, for a test of list changes
// or presence: their notices are folded from event_log times the database
// stamps with its own now(), so the service's clock must agree with it
// even when FAMILYHUB_TEST_NOW pins the other tests' (dbtest.Now).
func (e *env) realClock() { e.clock.Set(time.Now().Truncate(time.Second)) }

// newEnvOn is newEnv on a pool of the test's own making.
func newEnvOn(t *testing.T, pool *pgxpool.Pool, cfg Config) *env {
	t.Helper()
	e := &env{t: t, pool: pool, q: &queue{}, clock: &testClock{t: dbtest.Now(t).Truncate(time.Second)}, push: pushtest.New(t)}
	cfg.AllowPrivate = true
	cfg.Now = e.clock.Now
	var err error
	store := db.NewStore(pool)
	t.Cleanup(func() { store.Close(context.Background()) }) // an announcing pool's announcer
	if e.s, err = New(store, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})), cfg); err != nil {
		t.Fatal(err)
	}
	e.s.SetQueue(e.q)
	e.family = e.scalarUUID(`INSERT INTO families (name, time_zone) VALUES ('Rivera', 'Europe/Berlin') RETURNING id`)
	// The morning digest twelve hours away from now: with the default hour
	// (7:00 in Berlin) a test run between 5 and 6 UTC found the digests of
	// the next hour queued beside what it looked for. Digest tests set
	// their own hour.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(context.Background(), `INSERT INTO notify_family_settings (family_id, digest_hour) VALUES ($1, $2)
		ON CONFLICT (family_id) DO UPDATE SET digest_hour = EXCLUDED.digest_hour`,
		e.family, (e.clock.Now().In(berlin).Hour()+12)%24); err != nil {
		t.Fatal(err)
	}
	e.ana = e.member("Ana")
	if _, err := pool.Exec(context.Background(), `UPDATE memberships SET role = 'owner' WHERE user_id = $1`, e.ana); err != nil {
		t.Fatal(err)
	}
	e.ben = e.member("Ben")
	return e
}

func (e *env) scalarUUID(sql string, args ...any) uuid.UUID {
	e.t.Helper()
	var id uuid.UUID
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (e *env) member(name string) uuid.UUID {
	u := e.scalarUUID(`INSERT INTO users (email, password_hash, display_name) VALUES ($1, 'x', $2) RETURNING id`,
		fmt.Sprintf("%s-%s@example.org", strings.ToLower(name), e.family), name)
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO memberships (family_id, user_id) VALUES ($1, $2)`, e.family, u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// as runs fn in a transaction acting as user on device.
func (e *env) as(user uuid.UUID, device string, fn func(ctx context.Context, tx *db.Tx) error) {
	e.t.Helper()
	role := familyhub.RoleMember
	if user == e.ana {
		role = familyhub.RoleOwner
	}
	ctx := familyhub.NewContextWithAuth(context.Background(), &familyhub.Auth{UserID: user, FamilyID: e.family, Role: role, DeviceID: device})
	if err := e.s.store.Tx(ctx, func(tx *db.Tx) error { return fn(ctx, tx) }); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) subscribe(user uuid.UUID, device string) *pushtest.Subscription {
	e.t.Helper()
	key, err := e.s.VAPIDPublicKey(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	sub := e.push.Subscribe(key)
	j := sub.JSON()
	keys := j["keys"].(map[string]string)
	e.as(user, device, func(ctx context.Context, tx *db.Tx) error {
		_, created, err := e.s.Subscribe(ctx, tx, db.PushSubscriptionNew{Endpoint: sub.Endpoint, P256dh: keys["p256dh"], Auth: keys["auth"]})
		if err == nil && !created {
			err = errors.New("not created")
		}
		return err
	})
	return sub
}

func (e *env) process() []queued {
	e.t.Helper()
	if err := e.s.ProcessFamily(context.Background(), e.family); err != nil {
		e.t.Fatal(err)
	}
	return e.q.take()
}

func (e *env) deliver(id uuid.UUID) error {
	return e.s.Deliver(context.Background(), id)
}

func (e *env) notice(id uuid.UUID) NoticeState {
	e.t.Helper()
	st, err := e.s.Notice(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func payloads(t *testing.T, msgs []pushtest.Message) []PushPayload {
	t.Helper()
	out := make([]PushPayload, len(msgs))
	for i, m := range msgs {
		if err := json.Unmarshal(m.Payload, &out[i]); err != nil {
			t.Fatalf("payload %s: %v", m.Payload, err)
		}
	}
	return out
}

func TestTaskReminderOnceToAssignee(t *testing.T) {
	e := newEnv(t, Config{})
	subBen := e.subscribe(e.ben, "phone-b")
	subAna := e.subscribe(e.ana, "laptop-a")
	due := e.clock.Now().Add(30 * time.Minute)
	var task uuid.UUID
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		tk, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma", DueAt: &due, AssigneeID: &e.ben})
		task = tk.ID
		return err
	})
	jobs := e.process()
	if len(jobs) != 1 || !jobs[0].at.Equal(due) {
		t.Fatalf("queued %+v, want one notice at %s", jobs, due)
	}
	// Deriving again (the scan, another replica) makes nothing new.
	if err := e.s.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if again := e.q.take(); len(again) != 0 {
		t.Fatalf("scan queued %+v again", again)
	}
	e.clock.Set(due)
	for range 2 { // a retried job sends nothing twice
		if err := e.deliver(jobs[0].id); err != nil {
			t.Fatal(err)
		}
	}
	if rej := e.push.Rejected(); len(rej) > 0 {
		t.Fatalf("the push service refused: %v", rej)
	}
	if n := len(e.push.Messages(subAna)); n != 0 {
		t.Errorf("Ana (not the assignee) got %d pushes", n)
	}
	msgs := e.push.Messages(subBen)
	if len(msgs) != 1 {
		t.Fatalf("Ben got %d pushes, want 1", len(msgs))
	}
	p := payloads(t, msgs)[0]
	if p.Title != "Call grandma" || p.Body != "Due now" || p.URL != "/tasks?task="+task.String() || p.Lang != "" ||
		p.Texts["de"].Body != "Jetzt fällig" || p.Tag != "task:"+task.String() || p.Kind != "task" {
		t.Errorf("payload %+v", p)
	}
	if m := msgs[0]; m.Urgency != "high" || m.TTL <= 0 || m.Topic == "" || m.Claims["sub"] != DefaultSubject {
		t.Errorf("headers: urgency %q ttl %d topic %q claims %v", m.Urgency, m.TTL, m.Topic, m.Claims)
	}
	st := e.notice(jobs[0].id)
	if *st.Notice.Decision != "send" || len(st.Sends) != 1 || st.Sends[0].Status != "sent" {
		t.Errorf("notice %+v sends %+v", st.Notice, st.Sends)
	}
}

func TestTaskDoneOrMovedIsNotReminded(t *testing.T) {
	e := newEnv(t, Config{})
	sub := e.subscribe(e.ben, "phone-b")
	due := e.clock.Now().Add(20 * time.Minute)
	var task uuid.UUID
	e.as(e.ana, "a", func(ctx context.Context, tx *db.Tx) error {
		tk, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Bins", DueAt: &due})
		task = tk.ID
		return err
	})
	first := e.process()
	if len(first) != 2 { // unassigned: the whole family
		t.Fatalf("queued %d, want one per member", len(first))
	}
	moved := due.Add(10 * time.Minute)
	e.as(e.ana, "a", func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.TaskUpdate(ctx, task, db.TaskPatch{DueAt: familyhub.Some(moved)})
		return err
	})
	second := e.process()
	if len(second) != 2 || !second[0].at.Equal(moved) {
		t.Fatalf("after the move: %+v", second)
	}
	e.clock.Set(due)
	for _, j := range first {
		if err := e.deliver(j.id); err != nil {
			t.Fatal(err)
		}
		if d := *e.notice(j.id).Notice.Decision; d != "cancelled" {
			t.Errorf("the old time's notice: %s, want cancelled", d)
		}
	}
	e.as(e.ben, "b", func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.TaskComplete(ctx, task)
		return err
	})
	e.process()
	e.clock.Set(moved)
	for _, j := range second {
		if err := e.deliver(j.id); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.push.Messages(sub)); n != 0 {
		t.Errorf("%d pushes for a task moved, then done", n)
	}
}

func TestGoneSubscriptionRemovedAndBusyServiceRetried(t *testing.T) {
	e := newEnv(t, Config{})
	sub := e.subscribe(e.ben, "phone-b")
	var id uuid.UUID
	e.as(e.ben, "phone-b", func(ctx context.Context, tx *db.Tx) (err error) {
		id, err = e.s.SendTest(ctx, tx)
		return err
	})
	e.q.take()
	e.push.Fail(sub, 429)
	err := e.deliver(id)
	var re *RetryError
	if !errors.As(err, &re) || re.After != time.Second {
		t.Fatalf("429 with Retry-After 1: %v", err)
	}
	if s := e.notice(id).Sends[0]; s.Status != "pending" || s.Attempts != 1 {
		t.Fatalf("after a 429: %+v", s)
	}
	if err := e.deliver(id); err != nil {
		t.Fatal(err)
	}
	if p := payloads(t, e.push.Messages(sub)); len(p) != 1 || p[0].Title != "FamilyHub" || p[0].URL != "/family" {
		t.Fatalf("test notice: %+v", p)
	}

	e.push.Forget(sub) // the browser unsubscribed: 410
	e.as(e.ben, "phone-b", func(ctx context.Context, tx *db.Tx) (err error) {
		id, err = e.s.SendTest(ctx, tx)
		return err
	})
	if err := e.deliver(id); err != nil {
		t.Fatal(err)
	}
	if s := e.notice(id).Sends[0]; s.Status != "gone" {
		t.Errorf("send to a gone subscription: %+v", s)
	}
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM push_subscriptions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d subscriptions left (%v), want the gone one deleted", n, err)
	}
}

// TestQuietHoursWait: a notice in the member's quiet hours waits for their
// end. Quiet hours from an hour ago to an hour on, on the test's clock and
// at the instants where they wrap past midnight or span a change of
// summer time (the night of 23 hours, both 02:30s of the night of 25).
func TestQuietHoursWait(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, now := range []time.Time{
		dbtest.Now(t),
		time.Date(2027, time.January, 1, 0, 30, 0, 0, berlin),
		time.Date(2026, time.December, 31, 23, 30, 0, 0, berlin),
		time.Date(2027, time.March, 28, 3, 30, 0, 0, berlin),
		time.Date(2027, time.October, 31, 0, 30, 0, 0, time.UTC), // 02:30 CEST
		time.Date(2027, time.October, 31, 1, 30, 0, 0, time.UTC), // 02:30 CET
	} {
		t.Run(now.In(berlin).Format(time.RFC3339), func(t *testing.T) { quietHoursWait(t, now) })
	}
}

func quietHoursWait(t *testing.T, at time.Time) {
	e := newEnv(t, Config{})
	e.clock.Set(at.Truncate(time.Second))
	sub := e.subscribe(e.ben, "phone-b")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := e.clock.Now().In(berlin)
	start, end := now.Add(-time.Hour), now.Add(time.Hour)
	e.as(e.ben, "phone-b", func(ctx context.Context, tx *db.Tx) error {
		_, err := e.s.UpdateSettings(ctx, tx, db.NotifySettingsPatch{QuietHours: familyhub.Some(db.QuietHours{
			Start: start.Format("15:04"), End: end.Format("15:04")})}, familyhub.Optional[NtfyPatch]{}, "")
		return err
	})
	var id uuid.UUID
	e.as(e.ben, "phone-b", func(ctx context.Context, tx *db.Tx) (err error) {
		id, err = e.s.SendTest(ctx, tx)
		return err
	})
	err := e.deliver(id)
	var de *DeferError
	wantEnd := time.Date(end.Year(), end.Month(), end.Day(), end.Hour(), end.Minute(), 0, 0, berlin)
	if !errors.As(err, &de) || !de.Until.Equal(wantEnd) {
		t.Fatalf("in quiet hours: %v, want to wait until %s", err, wantEnd)
	}
	if n := len(e.push.Messages(sub)); n != 0 {
		t.Fatalf("%d pushes during quiet hours", n)
	}
	e.clock.Set(de.Until)
	if err := e.deliver(id); err != nil {
		t.Fatal(err)
	}
	if n := len(e.push.Messages(sub)); n != 1 {
		t.Errorf("%d pushes after quiet hours, want 1", n)
	}
}

func TestListChangesFoldedAndNotSentWhenSeenLive(t *testing.T) {
	e := newEnv(t, Config{ListFold: time.Minute})
	e.realClock()
	sub := e.subscribe(e.ben, "phone-b")
	var list uuid.UUID
	e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
		l, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Weekly"})
		list = l.ID
		return err
	})
	add := func(names ...string) {
		for _, n := range names {
			e.as(e.ana, "laptop-a", func(ctx context.Context, tx *db.Tx) error {
				_, _, err := tx.ShoppingItemAdd(ctx, list, db.ShoppingItemNew{Name: n})
				return err
			})
		}
	}
	// Ben's phone is live and is sent the changes.
	tr := e.s.Presence().Track(e.family, e.ben, "phone-b", 0, nil)
	add("milk", "eggs")
	jobs := e.process()
	add("bread") // folded into the same notice
	if more := e.process(); len(jobs) != 1 || len(more) != 0 {
		t.Fatalf("queued %+v then %+v, want one notice (for Ben only)", jobs, more)
	}
	var last int64
	if err := e.pool.QueryRow(context.Background(), `SELECT seq FROM family_event_seq WHERE family_id = $1`, e.family).Scan(&last); err != nil {
		t.Fatal(err)
	}
	tr.Seen(last)
	e.s.presence.flush(context.Background(), false)
	e.clock.Set(jobs[0].at)
	if err := e.deliver(jobs[0].id); err != nil {
		t.Fatal(err)
	}
	if st := e.notice(jobs[0].id); *st.Notice.Decision != "seen" || string(st.Notice.Params) == "" {
		t.Errorf("seen live: decision %s params %s", *st.Notice.Decision, st.Notice.Params)
	}

	// The phone goes away; the next changes reach it.
	tr.Close()
	e.s.presence.flush(context.Background(), false)
	add("jam", "tea")
	jobs = e.process()
	if len(jobs) != 1 {
		t.Fatalf("queued %+v", jobs)
	}
	e.clock.Set(jobs[0].at)
	if err := e.deliver(jobs[0].id); err != nil {
		t.Fatal(err)
	}
	p := payloads(t, e.push.Messages(sub))
	if len(p) != 1 || p[0].Title != "Weekly" || p[0].Body != "Ana added 2 items to Weekly: jam, tea" ||
		p[0].URL != "/shopping/"+list.String() || p[0].Texts["de"].Body != "Ana hat 2 Artikel zu Weekly hinzugefügt: jam, tea" {
		t.Errorf("pushes %+v", p)
	}
}

func TestVAPIDKeyOnePerDatabase(t *testing.T) {
	pool := dbtest.Pool(t)
	keys := make([]string, 6)
	var wg sync.WaitGroup
	for i := range keys {
		s, err := New(db.NewStore(pool), slog.New(slog.DiscardHandler), Config{})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			k, err := s.VAPIDPublicKey(context.Background())
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys {
		if k != keys[0] || len(k) != 87 {
			t.Fatalf("replicas disagree on the VAPID key: %q", keys)
		}
	}
}

func TestSettingsValidatedAndLeadTimeRescheduled(t *testing.T) {
	e := newEnv(t, Config{})
	other := e.scalarUUID(`INSERT INTO families (name) VALUES ('Other') RETURNING id`)
	foreign := e.scalarUUID(`INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Theirs') RETURNING id`, other)
	patch := func(p db.NotifySettingsPatch, ntfy familyhub.Optional[NtfyPatch]) (db.NotifySettings, error) {
		var st db.NotifySettings
		ctx := familyhub.NewContextWithAuth(context.Background(), &familyhub.Auth{UserID: e.ben, FamilyID: e.family, Role: familyhub.RoleMember})
		err := e.s.store.Tx(ctx, func(tx *db.Tx) (err error) {
			st, err = e.s.UpdateSettings(ctx, tx, p, ntfy, "https://family.example")
			return err
		})
		return st, err
	}
	for field, p := range map[string]db.NotifySettingsPatch{
		"task_lead_minutes": {TaskLeadMinutes: familyhub.Some(1441)},
		"language":          {Language: familyhub.Some("fr")},
		"followed_lists":    {FollowedLists: familyhub.Some([]uuid.UUID{foreign})},
		"quiet_hours.start": {QuietHours: familyhub.Some(db.QuietHours{Start: "25:00", End: "07:00"})},
	} {
		if _, err := patch(p, familyhub.Optional[NtfyPatch]{}); familyhub.ErrorCode(err) != familyhub.EINVALID {
			t.Errorf("%s: %v, want invalid", field, err)
		}
	}
	if _, err := patch(db.NotifySettingsPatch{DigestHour: familyhub.Some(8)}, familyhub.Optional[NtfyPatch]{}); familyhub.ErrorCode(err) != familyhub.EFORBIDDEN {
		t.Errorf("a member changes the family's digest hour: %v, want forbidden", err)
	}
	for _, u := range []string{"https://127.0.0.1/topic", "https://ntfy.sh"} {
		e.s.cfg.AllowPrivate = false
		_, err := patch(db.NotifySettingsPatch{}, familyhub.Some(NtfyPatch{URL: u}))
		e.s.cfg.AllowPrivate = true
		if familyhub.ErrorCode(err) != familyhub.EINVALID {
			t.Errorf("ntfy %s: %v", u, err)
		}
	}
	// A token needs FAMILYHUB_SECRET_KEY: refused without, sealed with.
	_, err := patch(db.NotifySettingsPatch{}, familyhub.Some(NtfyPatch{URL: "https://ntfy.sh/rivera", Token: familyhub.Some("tk_secret")}))
	if familyhub.ErrorCode(err) != familyhub.EINVALID {
		t.Errorf("token without a secret key: %v", err)
	}
	e.s.cfg.SecretKey = "a secret key of sixteen+ characters"
	st, err := patch(db.NotifySettingsPatch{}, familyhub.Some(NtfyPatch{URL: "https://ntfy.sh/rivera", Token: familyhub.Some("tk_secret")}))
	if err != nil || len(st.Member.NtfyTokenEnc) == 0 || *st.Member.NtfyUrl != "https://ntfy.sh/rivera" {
		t.Fatalf("ntfy with a token: %+v %v", st.Member, err)
	}
	if tok, err := e.s.cfg.openToken(e.ben, st.Member.NtfyTokenEnc); tok != "tk_secret" || err != nil {
		t.Errorf("token opens as %q (%v)", tok, err)
	}

	// A new lead time schedules the reminder anew; the old time is dropped.
	due := e.clock.Now().Add(40 * time.Minute)
	e.as(e.ana, "a", func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Bins", DueAt: &due, AssigneeID: &e.ben})
		return err
	})
	old := e.process()
	if _, err := patch(db.NotifySettingsPatch{TaskLeadMinutes: familyhub.Some(10)}, familyhub.Optional[NtfyPatch]{}); err != nil {
		t.Fatal(err)
	}
	now := e.q.take()
	if len(old) != 1 || len(now) != 1 || !now[0].at.Equal(due.Add(-10*time.Minute)) {
		t.Fatalf("before %+v, after the lead change %+v", old, now)
	}
	e.clock.Set(due)
	if err := e.deliver(old[0].id); err != nil {
		t.Fatal(err)
	}
	if d := *e.notice(old[0].id).Notice.Decision; d != "cancelled" {
		t.Errorf("the reminder at the old lead time: %s", d)
	}
}

func TestLogoutEndsSubscriptions(t *testing.T) {
	e := newEnv(t, Config{})
	var sid uuid.UUID
	e.as(e.ben, "", func(ctx context.Context, tx *db.Tx) error {
		_, s, err := tx.SessionCreate(ctx, e.ben, db.SessionMeta{TTL: time.Hour})
		sid = s.ID
		return err
	})
	key, _ := e.s.VAPIDPublicKey(context.Background())
	keys := e.push.Subscribe(key).JSON()
	ctx := familyhub.NewContextWithAuth(context.Background(), &familyhub.Auth{UserID: e.ben, FamilyID: e.family, SessionID: sid, DeviceID: "phone-b"})
	err := e.s.store.Tx(ctx, func(tx *db.Tx) error {
		k := keys["keys"].(map[string]string)
		_, _, err := e.s.Subscribe(ctx, tx, db.PushSubscriptionNew{Endpoint: keys["endpoint"].(string), P256dh: k["p256dh"], Auth: k["auth"]})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.s.store.SessionRevoke(context.Background(), sid); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM push_subscriptions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after logout %d subscriptions (%v)", n, err)
	}
}

func TestCalendarReminderFromVALARMAndDigest(t *testing.T) {
	e := newEnv(t, Config{})
	sub := e.subscribe(e.ben, "phone-b")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// Midday in the family's zone, so that the reminder and the digest
	// fall on today whenever the test runs.
	y, mo, d := e.clock.Now().In(berlin).Date()
	e.clock.Set(time.Date(y, mo, d, 12, 0, 0, 0, berlin))
	start := e.clock.Now().Add(50 * time.Minute).Truncate(time.Minute)
	ics := fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:dentist@test\r\nDTSTAMP:20260301T000000Z\r\n"+
		"DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Dentist\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT45M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		start.UTC().Format("20060102T150405Z"), start.Add(time.Hour).UTC().Format("20060102T150405Z"))
	e.as(e.ana, "caldav", func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.CalendarEventCreate(ctx, db.CalendarEventFields{Title: "Dentist", Location: "Main St 1", StartsAt: start, EndsAt: start.Add(time.Hour)},
			&db.CalendarInterchange{UID: "dentist@test", ICal: ics})
		return err
	})
	jobs := e.process()
	if len(jobs) != 2 || !jobs[0].at.Equal(start.Add(-45*time.Minute)) {
		t.Fatalf("queued %+v, want both members at the VALARM, 45 min before", jobs)
	}
	e.clock.Set(jobs[0].at)
	for _, j := range jobs {
		if err := e.deliver(j.id); err != nil {
			t.Fatal(err)
		}
	}
	p := payloads(t, e.push.Messages(sub))
	local := start.In(berlin)
	if len(p) != 1 || p[0].Title != "Dentist" || p[0].Texts["de"].Body != "Beginnt um "+local.Format("15:04")+" · Main St 1" ||
		p[0].URL != fmt.Sprintf("/calendar?date=%s&event=", local.Format(time.DateOnly))+p[0].URL[len(p[0].URL)-36:] {
		t.Errorf("pushes %+v", p)
	}

	// The digest: at the family's hour, today's events and chores.
	today := familyhub.CivilDate(e.clock.Now(), berlin)
	hour := e.clock.Now().In(berlin).Add(30 * time.Minute).Hour()
	e.as(e.ana, "a", func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.NotifySettingsUpdate(ctx, db.NotifySettingsPatch{DigestHour: familyhub.Some(hour)})
		return err
	})
	fire := digestFire(today, hour, berlin)
	if err := e.s.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	var digest []queued
	for _, j := range e.q.take() {
		if j.at.Equal(fire) {
			digest = append(digest, j)
		}
	}
	if len(digest) != 2 {
		t.Fatalf("digests queued %+v at %s", digest, fire)
	}
	e.clock.Set(fire)
	for _, j := range digest {
		if err := e.deliver(j.id); err != nil {
			t.Fatal(err)
		}
	}
	p = payloads(t, e.push.Messages(sub))
	if len(p) != 2 || p[1].Kind != "digest" || p[1].Texts["en"].Title != "Today: 1 event" {
		t.Errorf("digest %+v", p[len(p)-1])
	}
}

func TestCalendarReminderOfAChangedOccurrence(t *testing.T) {
	e := newEnv(t, Config{})
	sub := e.subscribe(e.ben, "phone-b")
	start := e.clock.Now().Add(40 * time.Minute).Truncate(time.Minute)
	rule := "FREQ=DAILY"
	var series uuid.UUID
	e.as(e.ana, "a", func(ctx context.Context, tx *db.Tx) error {
		ev, err := tx.CalendarEventCreate(ctx, db.CalendarEventFields{Title: "Swimming", StartsAt: start, EndsAt: start.Add(time.Hour), RRule: &rule}, nil)
		series = ev.ID
		return err
	})
	first := e.process()
	if len(first) != 2 || !first[0].at.Equal(start.Add(-15*time.Minute)) {
		t.Fatalf("queued %+v, want both members 15 min before", first)
	}
	// Today's swim moves 20 minutes later and to another pool.
	moved := start.Add(20 * time.Minute)
	e.as(e.ana, "a", func(ctx context.Context, tx *db.Tx) error {
		cur, err := tx.CalendarEventLock(ctx, series)
		if err != nil {
			return err
		}
		_, _, err = tx.CalendarOccurrenceSet(ctx, cur, db.CalendarOverrideFields{RecurrenceID: start, Title: "Swimming (gala)",
			Location: "Olympic pool", StartsAt: moved, EndsAt: moved.Add(time.Hour)})
		return err
	})
	second := e.process()
	if len(second) != 2 || !second[0].at.Equal(moved.Add(-15*time.Minute)) {
		t.Fatalf("after the move %+v, want reminders 15 min before the new start", second)
	}
	e.clock.Set(first[0].at)
	for _, j := range first {
		if err := e.deliver(j.id); err != nil {
			t.Fatal(err)
		}
		if d := *e.notice(j.id).Notice.Decision; d != "cancelled" {
			t.Errorf("the reminder of the old start: %s", d)
		}
	}
	e.clock.Set(second[0].at)
	for _, j := range second {
		if err := e.deliver(j.id); err != nil {
			t.Fatal(err)
		}
	}
	p := payloads(t, e.push.Messages(sub))
	if len(p) != 1 || p[0].Title != "Swimming (gala)" || !strings.HasSuffix(p[0].Body, "· Olympic pool") {
		t.Errorf("pushes %+v", p)
	}
}
