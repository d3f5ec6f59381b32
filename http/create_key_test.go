package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/ical"
)

// keyedCreates are the creates whose record the server names and whose
// answer carries a secret once (or, for a subscription, none at all):
// they take a create_key instead of an id (db.Tx.CreateKeyed). secret
// names the field of the first answer a repeat must not show (the
// subscription's has none: its id).
var keyedCreates = []struct {
	name, path, table, secret string
	body                      map[string]any
}{
	{"invite", "/api/family/invites", "invites", "code", map[string]any{"role": "member"}},
	{"app password", "/api/dav/app-passwords", "dav_app_passwords", "password", map[string]any{"name": "Thunderbird"}},
	{"feed", "/api/calendar/feeds", "ical_feeds", "url", map[string]any{"name": "Google", "scope": "family"}},
	{"subscription", "/api/calendar/subscriptions", "calendar_subscriptions", "id", map[string]any{"url": "https://example.org/a.ics", "name": "Holidays"}},
	{"children's device", "/api/family/child-devices", "child_devices", "device_key", map[string]any{"name": "Kitchen tablet"}},
}

func withKey(body map[string]any, key any) map[string]any {
	return withField(body, "create_key", key)
}

// withField returns a copy of body with name set to v.
func withField(body map[string]any, name string, v any) map[string]any {
	b := map[string]any{name: v}
	for k, x := range body {
		b[k] = x
	}
	return b
}

// TestCreateKeyRepeat: a create sent again with its create_key after the
// first committed makes nothing and answers 409 already_created, in the
// caller's language and without the secret; one row stays. The same key
// from another family creates that family's own record (its claim is
// another), and the first family's repeat still answers already_created.
func TestCreateKeyRepeat(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{Calendar: ical.Config{SecretKey: "test secret key 0123456789"}})
	a, _ := env.signup("keys-a@example.org", "A")
	b, _ := env.signup("keys-b@example.org", "B")
	for _, c := range keyedCreates {
		t.Run(c.name, func(t *testing.T) {
			key := uuid.New()
			var first map[string]any
			a.must(http.StatusCreated, "POST", c.path, withKey(c.body, key)).decode(t, &first)
			secret, _ := first[c.secret].(string)
			if secret == "" {
				t.Fatalf("first answer %v: no %s", first, c.secret)
			}
			// A subscription shows no secret: its repeat says it was
			// added, not that a secret is shown once.
			says, saysDE := "its secret is shown only once", "nur einmal gezeigt"
			if c.secret == "id" {
				says, saysDE = "already added", "schon von einer früheren Sendung mit demselben create_key hinzugefügt"
			}
			again := a.do("POST", c.path, withKey(c.body, key))
			if e := again.errorBody(t); again.StatusCode != http.StatusConflict || e.Code != "already_created" || e.Field != "create_key" || !strings.Contains(e.Message, says) {
				t.Fatalf("repeat: %d %s, want 409 already_created saying %q", again.StatusCode, again.body, says)
			}
			if strings.Contains(string(again.body), secret) {
				t.Fatalf("repeat shows the secret: %s", again.body)
			}
			if n := env.count(c.table); n != 1 {
				t.Fatalf("%s holds %d rows after the repeat, want 1", c.table, n)
			}
			b.must(http.StatusCreated, "POST", c.path, withKey(c.body, key))
			if n := env.count(c.table); n != 2 {
				t.Fatalf("%s holds %d rows after the other family's create, want 2", c.table, n)
			}
			a.header.Set("Accept-Language", "de")
			defer a.header.Del("Accept-Language")
			again = a.do("POST", c.path, withKey(c.body, key))
			if e := again.errorBody(t); again.StatusCode != http.StatusConflict || e.Code != "already_created" || !strings.Contains(e.Message, saysDE) {
				t.Fatalf("German repeat: %d %s, want it saying %q", again.StatusCode, again.body, saysDE)
			}
			if _, err := env.pool.Exec(context.Background(), "DELETE FROM "+c.table); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCreateKeyRolledBack: a create refused after its key was claimed
// (an empty name) rolls the claim back with it, so the retry with the
// same key creates and shows the secret; a key used for other content is
// a conflict; a key that is no UUID (too long, for one) is malformed; no
// key keeps the old behaviour (every send makes one).
func TestCreateKeyRolledBack(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("keys-rb@example.org", "R")
	key := uuid.New()
	c.must(http.StatusUnprocessableEntity, "POST", "/api/dav/app-passwords", map[string]any{"name": "", "create_key": key})
	r := c.must(http.StatusCreated, "POST", "/api/dav/app-passwords", map[string]any{"name": "Thunderbird", "create_key": key})
	if !strings.Contains(string(r.body), `"password"`) {
		t.Fatalf("retry after the refusal: %s, want the password", r.body)
	}
	other := c.do("POST", "/api/dav/app-passwords", map[string]any{"name": "Evolution", "create_key": key})
	if e := other.errorBody(t); other.StatusCode != http.StatusConflict || e.Code != "conflict" || e.Field != "create_key" {
		t.Fatalf("key for other content: %d %s, want 409 conflict create_key", other.StatusCode, other.body)
	}
	long := c.do("POST", "/api/dav/app-passwords", map[string]any{"name": "Thunderbird", "create_key": key.String() + strings.Repeat("0", 200)})
	if e := long.errorBody(t); long.StatusCode != http.StatusBadRequest || e.Code != "malformed_request" {
		t.Fatalf("oversize key: %d %s, want 400", long.StatusCode, long.body)
	}
	c.must(http.StatusCreated, "POST", "/api/dav/app-passwords", map[string]any{"name": "Thunderbird"})
	c.must(http.StatusCreated, "POST", "/api/dav/app-passwords", map[string]any{"name": "Thunderbird"})
	if n := env.count("dav_app_passwords"); n != 3 {
		t.Fatalf("%d app passwords, want 3", n)
	}
}

// TestCreateKeyConcurrentRepeat: two sends of one create with the same
// create_key in flight at once (a Retry while the first still runs). The
// second waits on the first's claim (client_creates' primary key), and
// when the first commits it makes nothing and answers 409 already_created,
// never a second record nor a 500; when the first rolls back (its client
// gave up and the server cancelled it), the waiting one makes the record
// and answers its secret.
func TestCreateKeyConcurrentRepeat(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{})
	c, _ := env.signup("keys-race@example.org", "Race")
	ctx := t.Context()
	// waiting waits until exactly onTable sends wait on the table's lock
	// and onClaim on another's claim.
	waiting := func(what string, onTable, onClaim int) {
		t.Helper()
		waitCond(t, what, func() bool {
			var table, claim int
			if err := env.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE query LIKE '%INSERT INTO dav_app_passwords%'),
					count(*) FILTER (WHERE query LIKE '%INSERT INTO client_creates%')
				FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&table, &claim); err != nil {
				t.Fatal(err)
			}
			return table == onTable && claim == onClaim
		})
	}
	// The first send claims its key and then waits on the table, held
	// locked here, before it inserts the password.
	hold := func() pgx.Tx {
		t.Helper()
		tx, err := env.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
		if _, err := tx.Exec(ctx, `LOCK TABLE dav_app_passwords IN EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	send := func(ctx context.Context, body map[string]any) <-chan response {
		j, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, "POST", env.ts.URL+"/api/dav/app-passwords", bytes.NewReader(j))
		req.Header.Set("Content-Type", "application/json")
		return c.sendAsync(req)
	}

	t.Run("first commits", func(t *testing.T) {
		body := map[string]any{"name": "Thunderbird", "create_key": uuid.New()}
		lock := hold()
		first := send(ctx, body)
		waiting("the first send waiting on the table", 1, 0)
		second := send(ctx, body)
		waiting("the second send waiting on the claim", 1, 1)
		if err := lock.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		r1, r2 := <-first, <-second
		if r1.StatusCode != http.StatusCreated || !strings.Contains(string(r1.body), `"password"`) {
			t.Fatalf("first send: %d %s, want 201 with the password", r1.StatusCode, r1.body)
		}
		if e := r2.errorBody(t); r2.StatusCode != http.StatusConflict || e.Code != "already_created" {
			t.Fatalf("second send: %d %s, want 409 already_created", r2.StatusCode, r2.body)
		}
		if n := env.count("dav_app_passwords"); n != 1 {
			t.Fatalf("%d app passwords, want 1", n)
		}
	})

	t.Run("first given up", func(t *testing.T) {
		body := map[string]any{"name": "Evolution", "create_key": uuid.New()}
		lock := hold()
		gone, giveUp := context.WithCancel(ctx)
		first := send(gone, body)
		waiting("the first send waiting on the table", 1, 0)
		second := send(ctx, body)
		waiting("the second send waiting on the claim", 1, 1)
		giveUp()
		if r := <-first; r.StatusCode != -1 {
			t.Fatalf("first send answered %d %s, want none (given up)", r.StatusCode, r.body)
		}
		// The second now holds the claim and waits on the table too.
		waiting("the second send waiting on the table, the first rolled back", 1, 0)
		if err := lock.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		r2 := <-second
		if r2.StatusCode != http.StatusCreated || !strings.Contains(string(r2.body), `"password"`) {
			t.Fatalf("second send: %d %s, want 201 with the password", r2.StatusCode, r2.body)
		}
		if n := env.count("dav_app_passwords"); n != 2 {
			t.Fatalf("%d app passwords, want 2 (one per key)", n)
		}
	})
}

// sendAsync sends req (a JSON request made by hand) from a goroutine of
// its own and delivers the response, body read, on the channel: for a
// send that blocks on a lock the test holds. c.do would call t.Fatal off
// the test goroutine. A send that gets no answer (its context cancelled,
// the connection lost) delivers status -1 with the error as body.
func (c *client) sendAsync(req *http.Request) <-chan response {
	done := make(chan response, 1)
	go func() {
		resp, err := c.hc.Do(req)
		if err != nil {
			done <- response{Response: &http.Response{StatusCode: -1}, body: []byte(err.Error())}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- response{resp, b}
	}()
	return done
}

// TestCreateKeyNil: the nil UUID (all zeros) is an uninitialised value in
// the client, not a key nor an id it chose: every such client would share
// it, and their creates would collide. As a create_key of each keyed
// create and as the "id" of an ordinary create it answers 400
// malformed_request naming the field (in German too), and nothing is made.
func TestCreateKeyNil(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Config{Calendar: ical.Config{SecretKey: "test secret key 0123456789"}})
	c, _ := env.signup("keys-nil@example.org", "Nil")
	refused := func(t *testing.T, path string, body map[string]any, field string) {
		t.Helper()
		r := c.do("POST", path, body)
		if e := r.errorBody(t); r.StatusCode != http.StatusBadRequest || e.Code != "malformed_request" || e.Field != field {
			t.Fatalf("POST %s with the nil UUID as %s: %d %s, want 400 malformed_request %s", path, field, r.StatusCode, r.body, field)
		}
	}
	for _, k := range keyedCreates {
		t.Run(k.name, func(t *testing.T) {
			refused(t, k.path, withKey(k.body, uuid.Nil), "create_key")
			if n := env.count(k.table); n != 0 {
				t.Fatalf("%s holds %d rows, want none", k.table, n)
			}
		})
	}
	var list struct{ ID uuid.UUID }
	c.must(http.StatusCreated, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}).decode(t, &list)
	for _, o := range []struct {
		path, table string
		body        map[string]any
	}{
		{"/api/shopping/lists", "shopping_lists", map[string]any{"name": "Party"}},
		{"/api/shopping/lists/" + list.ID.String() + "/items", "shopping_items", map[string]any{"name": "Milk"}},
		{"/api/tasks", "tasks", map[string]any{"title": "Bins"}},
	} {
		t.Run(o.table, func(t *testing.T) {
			before := env.count(o.table)
			refused(t, o.path, withField(o.body, "id", uuid.Nil), "id")
			if n := env.count(o.table); n != before {
				t.Fatalf("%s holds %d rows, want %d", o.table, n, before)
			}
		})
	}
	c.header.Set("Accept-Language", "de")
	defer c.header.Del("Accept-Language")
	r := c.do("POST", "/api/family/invites", withKey(map[string]any{"role": "member"}, uuid.Nil))
	if e := r.errorBody(t); r.StatusCode != http.StatusBadRequest || !strings.Contains(e.Message, "Null-UUID") {
		t.Fatalf("German: %d %s", r.StatusCode, r.body)
	}
}
