package http

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/familyhub/familyhub/notify"
	"github.com/familyhub/familyhub/notify/pushtest"
)

// noQueue stands in for the job queue: these tests look at the API, not at
// sending (notify's and cmd/familyhub's tests do).
type noQueue struct{}

func (noQueue) NotifyDeliverTx(context.Context, pgx.Tx, uuid.UUID, time.Time) error { return nil }

// mountTestNotify gives env's server a notifier (as cmd/familyhub does)
// that takes any endpoint.
func mountTestNotify(env *testEnv) {
	svc, err := notify.New(db.NewStore(env.pool), slog.New(slog.DiscardHandler), notify.Config{AllowPrivate: true})
	if err != nil {
		env.t.Fatal(err)
	}
	svc.SetQueue(noQueue{})
	env.server.cfg.Notify = svc
}

// testPushSubscription is a browser's subscription with a new endpoint.
func testPushSubscription() map[string]any {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return map[string]any{"endpoint": "http://127.0.0.1:9/push/" + uuid.NewString(), "expirationTime": nil,
		"keys": map[string]string{"p256dh": base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), "auth": base64.RawURLEncoding.EncodeToString(auth)}}
}

// pushSubscription returns the id of a new push subscription of role's user.
func (f *family) pushSubscription(role string) uuid.UUID {
	f.t.Helper()
	var sub pushSubscriptionJSON
	f.clients[role].must(http.StatusCreated, "POST", "/api/push/subscriptions", testPushSubscription()).decode(f.t, &sub)
	return sub.ID
}

func newPushEnv(t *testing.T, cfg notify.Config) *testEnv {
	t.Helper()
	pool := dbtest.Pool(t)
	store := db.NewStore(pool)
	svc, err := notify.New(store, slog.New(slog.DiscardHandler), cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc.SetQueue(noQueue{})
	s := NewServer(store, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{Password: testPasswordParams, Notify: svc})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &testEnv{t: t, pool: pool, server: s, ts: ts}
}

func TestPushSubscriptionAPI(t *testing.T) {
	e := newPushEnv(t, notify.Config{AllowPrivate: true})
	ana, _ := e.signup("ana@example.org", "Rivera")
	ana.header.Set("X-Device-ID", "laptop-a")
	push := pushtest.New(t)

	var key struct{ Key string }
	ana.must(http.StatusOK, "GET", "/api/push/vapid-public-key", nil).decode(t, &key)
	var again struct{ Key string }
	ana.must(http.StatusOK, "GET", "/api/push/vapid-public-key", nil).decode(t, &again)
	if len(key.Key) != 87 || key.Key != again.Key {
		t.Fatalf("VAPID key %q then %q", key.Key, again.Key)
	}

	sub := push.Subscribe(key.Key)
	var created pushSubscriptionJSON
	ana.must(http.StatusCreated, "POST", "/api/push/subscriptions", sub.JSON()).decode(t, &created)
	if created.DeviceID != "laptop-a" || !created.ThisDevice || created.Endpoint != sub.Endpoint {
		t.Errorf("created %+v", created)
	}
	var same pushSubscriptionJSON
	ana.must(http.StatusOK, "POST", "/api/push/subscriptions", sub.JSON()).decode(t, &same)
	if same.ID != created.ID {
		t.Errorf("subscribing again made %s, want %s", same.ID, created.ID)
	}
	// A new subscription of the same device replaces the old one.
	sub2 := push.Subscribe(key.Key)
	var replaced pushSubscriptionJSON
	ana.must(http.StatusCreated, "POST", "/api/push/subscriptions", sub2.JSON()).decode(t, &replaced)
	var list struct{ Subscriptions []pushSubscriptionJSON }
	ana.must(http.StatusOK, "GET", "/api/push/subscriptions", nil).decode(t, &list)
	if len(list.Subscriptions) != 1 || list.Subscriptions[0].ID != replaced.ID || !list.Subscriptions[0].ThisDevice {
		t.Errorf("list %+v", list.Subscriptions)
	}

	// A client that sends no device id: its session is its device.
	noDevice := e.newClient()
	noDevice.hc = ana.hc
	var native pushSubscriptionJSON
	noDevice.must(http.StatusCreated, "POST", "/api/push/subscriptions", push.Subscribe(key.Key).JSON()).decode(t, &native)
	if !strings.HasPrefix(native.DeviceID, "session:") {
		t.Errorf("without X-Device-ID: device %q", native.DeviceID)
	}

	// Refused: bad keys, unknown fields.
	bad := sub.JSON()
	bad["keys"] = map[string]string{"p256dh": "AAAA", "auth": "AAAA"}
	if got := ana.must(http.StatusUnprocessableEntity, "POST", "/api/push/subscriptions", bad).errorBody(t); got.Field != "keys.p256dh" {
		t.Errorf("bad key: %+v", got)
	}
	extra := sub.JSON()
	extra["options"] = 1
	ana.must(http.StatusUnprocessableEntity, "POST", "/api/push/subscriptions", extra)

	// Another member cannot delete Ana's subscription: not found.
	var inv struct{ Code string }
	ana.must(http.StatusCreated, "POST", "/api/family/invites", nil).decode(t, &inv)
	ben := e.newClient()
	ben.must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{
		"email": "ben@example.org", "password": "correct horse", "display_name": "Ben", "invite_code": inv.Code})
	ben.must(http.StatusNotFound, "DELETE", "/api/push/subscriptions/"+replaced.ID.String(), nil)
	ana.must(http.StatusNoContent, "DELETE", "/api/push/subscriptions/"+replaced.ID.String(), nil)
	ana.must(http.StatusNotFound, "DELETE", "/api/push/subscriptions/"+replaced.ID.String(), nil)

	// A test notice is accepted for later sending.
	var test struct {
		NoticeID uuid.UUID `json:"notice_id"`
	}
	ana.must(http.StatusAccepted, "POST", "/api/notifications/test", nil).decode(t, &test)
	if test.NoticeID == uuid.Nil {
		t.Error("no notice id")
	}
}

func TestPushEndpointMustBePublic(t *testing.T) {
	e := newPushEnv(t, notify.Config{})
	ana, _ := e.signup("ana@example.org", "Rivera")
	ana.header.Set("X-Device-ID", "laptop-a")
	push := pushtest.New(t) // on 127.0.0.1
	var key struct{ Key string }
	ana.must(http.StatusOK, "GET", "/api/push/vapid-public-key", nil).decode(t, &key)
	sub := push.Subscribe(key.Key).JSON()
	for _, endpoint := range []string{sub["endpoint"].(string), "https://127.0.0.1:1/push/x", "https://10.1.2.3/push/x", "https://localhost/push"} {
		sub["endpoint"] = endpoint
		if got := ana.must(http.StatusUnprocessableEntity, "POST", "/api/push/subscriptions", sub).errorBody(t); got.Field != "endpoint" {
			t.Errorf("endpoint %s: %+v", endpoint, got)
		}
	}
	if got := ana.must(http.StatusUnprocessableEntity, "PATCH", "/api/notifications/settings",
		map[string]any{"member": map[string]any{"ntfy": map[string]any{"url": "https://192.168.1.2/topic"}}}).errorBody(t); got.Field != "ntfy.url" {
		t.Errorf("private ntfy: %+v", got)
	}
}

func TestNotificationSettingsAPI(t *testing.T) {
	e := newPushEnv(t, notify.Config{SecretKey: "sixteen or more characters"})
	ana, _ := e.signup("ana@example.org", "Rivera")
	var st notifySettingsJSON
	ana.must(http.StatusOK, "GET", "/api/notifications/settings", nil).decode(t, &st)
	want := notifySettingsJSON{
		Member: notifyMemberJSON{TaskReminders: true, CalendarReminders: true, CalendarLeadMinutes: 15, Digest: true, ListChanges: true},
		Family: notifyFamilyJSON{DigestHour: 7},
	}
	if st.Member.Language != nil || st.Member.FollowedLists != nil || st.Member.QuietHours != nil || st.Member.Ntfy != nil ||
		st.Member.TaskReminders != want.Member.TaskReminders || st.Member.TaskLeadMinutes != 0 || st.Member.CalendarLeadMinutes != 15 ||
		!st.Member.Digest || !st.Member.ListChanges || st.Family != want.Family {
		t.Errorf("defaults %+v", st)
	}
	var list struct{ ID uuid.UUID }
	ana.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	ana.must(http.StatusOK, "PATCH", "/api/notifications/settings", map[string]any{
		"member": map[string]any{
			"language": "de", "task_lead_minutes": 10, "digest": false, "followed_lists": []uuid.UUID{list.ID},
			"quiet_hours": map[string]string{"start": "22:00", "end": "06:30"},
			"ntfy":        map[string]any{"url": "https://ntfy.sh/rivera", "token": "tk_abc"},
		},
		"family": map[string]any{"digest_hour": 6},
	}).decode(t, &st)
	if *st.Member.Language != "de" || st.Member.TaskLeadMinutes != 10 || st.Member.Digest || len(st.Member.FollowedLists) != 1 ||
		*st.Member.QuietHours != (db.QuietHours{Start: "22:00", End: "06:30"}) ||
		*st.Member.Ntfy != (ntfyJSON{URL: "https://ntfy.sh/rivera", HasToken: true}) || st.Family.DigestHour != 6 {
		t.Errorf("after PATCH %+v %+v %+v", st.Member, st.Member.QuietHours, st.Member.Ntfy)
	}
	// Absent fields stay; the token stays when the URL changes without one;
	// null clears.
	ana.must(http.StatusOK, "PATCH", "/api/notifications/settings", map[string]any{
		"member": map[string]any{"language": nil, "quiet_hours": nil, "followed_lists": nil, "ntfy": map[string]any{"url": "https://ntfy.sh/rivera2"}},
	}).decode(t, &st)
	if st.Member.Language != nil || st.Member.QuietHours != nil || st.Member.FollowedLists != nil || st.Member.TaskLeadMinutes != 10 ||
		*st.Member.Ntfy != (ntfyJSON{URL: "https://ntfy.sh/rivera2", HasToken: true}) {
		t.Errorf("after the second PATCH %+v %+v", st.Member, st.Member.Ntfy)
	}
	ana.must(http.StatusOK, "PATCH", "/api/notifications/settings", map[string]any{"member": map[string]any{"ntfy": nil}}).decode(t, &st)
	if st.Member.Ntfy != nil {
		t.Errorf("ntfy off: %+v", st.Member.Ntfy)
	}
	// The digest hour is the family's: owners only (family.update).
	var inv struct{ Code string }
	ana.must(http.StatusCreated, "POST", "/api/family/invites", map[string]any{"role": "member"}).decode(t, &inv)
	ben := e.newClient()
	ben.must(http.StatusCreated, "POST", "/api/auth/signup", map[string]any{
		"email": "ben@example.org", "password": "correct horse", "display_name": "Ben", "invite_code": inv.Code})
	ben.must(http.StatusForbidden, "PATCH", "/api/notifications/settings", map[string]any{"family": map[string]any{"digest_hour": 5}})
	ben.must(http.StatusOK, "PATCH", "/api/notifications/settings", map[string]any{"member": map[string]any{"digest": false}}).decode(t, &st)
	if st.Member.Digest || st.Family.DigestHour != 6 {
		t.Errorf("Ben's own settings: %+v", st)
	}
	for _, body := range []map[string]any{
		{"member": map[string]any{"calendar_lead_minutes": -1}},
		{"member": map[string]any{"quiet_hours": map[string]string{"start": "7", "end": "8"}}},
		{"family": map[string]any{"digest_hour": 24}},
		{"member": map[string]any{"task_reminders": nil}},
	} {
		ana.must(http.StatusUnprocessableEntity, "PATCH", "/api/notifications/settings", body)
	}
}

func TestNotificationsOffWithoutNotifier(t *testing.T) {
	e := newTestEnv(t, Config{})
	ana, _ := e.signup("ana@example.org", "Rivera")
	ana.must(http.StatusNotFound, "GET", "/api/push/vapid-public-key", nil)
	ana.must(http.StatusNotFound, "GET", "/api/notifications/settings", nil)
}
