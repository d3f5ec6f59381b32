package db_test

import (
	"context"
	"log/slog"
	neturl "net/url"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// backendFirsts lists what the pool's one backend has compiled and
// planned: its PL/pgSQL functions and its cached plans (memory contexts
// "PL/pgSQL function" and "CachedPlan", each named by its function or its
// statement's text). A backend makes each once, on first use.
func backendFirsts(t *testing.T, ctx context.Context, pool *pgxpool.Pool) []string {
	t.Helper()
	var got []string
	err := pool.AcquireFunc(ctx, func(c *pgxpool.Conn) error {
		rows, err := c.Conn().Query(ctx, `SELECT name || ': ' || left(coalesce(ident, ''), 60) FROM pg_backend_memory_contexts
			WHERE name IN ('PL/pgSQL function', 'CachedPlan') AND coalesce(ident, '') NOT LIKE '%pg_backend_memory_contexts%'`,
			pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			return err
		}
		got, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

// grantMemoryContexts lets the test database's user read its backend's
// memory contexts (superuser only in PostgreSQL 15), granted in that
// database alone by the server's user (TEST_DATABASE_URL).
func grantMemoryContexts(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	test, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := neturl.Parse(dbtest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	admin.Path = test.Path
	c, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	user := pgx.Identifier{test.User.Username()}.Sanitize()
	if _, err := c.Exec(ctx, "GRANT SELECT ON pg_backend_memory_contexts TO "+user+"; GRANT EXECUTE ON FUNCTION pg_get_backend_memory_contexts() TO "+user); err != nil {
		t.Fatal(err)
	}
}

// TestWarmFirstAddIsWarm: on a connection db.Warm warmed, the first add,
// tick and task completion (the one-statement writes, as a request makes
// them) compile no PL/pgSQL function and build no plan: the warm-up ran
// them once, rolled back. Preparing alone (the eighteenth round's warm-up)
// left the first add to build its plan and compile its triggers'
// functions (docs/benchmarks.md, "Nineteenth round, first use, counted").
func TestWarmFirstAddIsWarm(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := dbtest.URL(t)
	grantMemoryContexts(t, ctx, url)
	pool, err := db.Open(ctx, url+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := db.NewStore(pool)
	defer store.Close(context.Background())
	store.SetJobQueue(autoFiling{})
	a := familyhub.Auth{Role: familyhub.RoleMember, DeviceID: "ana-phone"}
	if err := pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name) VALUES ('Warm') RETURNING id),
		u AS (INSERT INTO users (email, password_hash, display_name) VALUES ('ana@warm.example', 'x', 'Ana') RETURNING id),
		m AS (INSERT INTO memberships (family_id, user_id, role) SELECT f.id, u.id, 'member' FROM f, u)
		SELECT f.id, u.id FROM f, u`).Scan(&a.FamilyID, &a.UserID); err != nil {
		t.Fatal(err)
	}
	var list, task uuid.UUID
	if err := pool.QueryRow(ctx, `WITH l AS (INSERT INTO shopping_lists (family_id, name) VALUES ($1, 'Weekly') RETURNING id),
		t AS (INSERT INTO tasks (family_id, title) VALUES ($1, 'Bins out') RETURNING id)
		SELECT l.id, t.id FROM l, t`, a.FamilyID).Scan(&list, &task); err != nil {
		t.Fatal(err)
	}
	// A new backend, as a starting replica's: the seeding's is gone.
	pool.Reset()
	if r := db.Warm(ctx, pool, slog.New(slog.DiscardHandler)); r.Err != nil || r.Conns != 1 {
		t.Fatalf("Warm = %+v", r)
	}
	before := backendFirsts(t, ctx, pool)
	actx := familyhub.NewContextWithAuth(ctx, &a)
	id := uuid.New()
	item, _, err := store.ShoppingItemAdd(actx, list, db.ShoppingItemNew{ID: &id, Name: "milk"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ShoppingItemUpdate(actx, item.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.TaskComplete(actx, task); err != nil {
		t.Fatal(err)
	}
	after := backendFirsts(t, ctx, pool)
	var made []string
	for _, s := range after {
		if !slices.Contains(before, s) {
			made = append(made, s)
		}
	}
	t.Logf("after the warm-up, the backend held %d compiled functions and plans", len(before))
	if len(made) != 0 {
		t.Errorf("the first add, tick and completion after Warm compiled or planned %d things, want 0:\n%q", len(made), made)
	}
}

// TestWarmExecLeavesNoTrace: the warm-up's writes, run on every connection
// and rolled back, leave nothing anyone can see: no row added or changed
// in any table, no family's seq moved, no sequence advanced,
// and no notice on any channel (a listener's first notice is one sent
// after the warm-up). (River's tables, not in the test's schema, have the
// only sequences a write could use: pg_sequences is compared whole.)
func TestWarmExecLeavesNoTrace(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := dbtest.URL(t)
	pool, err := db.Open(ctx, url+"&pool_max_conns=3")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := db.NewStore(pool)
	defer store.Close(context.Background())
	if _, err := pool.Exec(ctx, `WITH f AS (INSERT INTO families (name) VALUES ('Real') RETURNING id)
		INSERT INTO shopping_lists (family_id, name) SELECT id, 'Weekly' FROM f`); err != nil {
		t.Fatal(err)
	}
	listen, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer listen.Close(context.Background())
	for _, ch := range append(slices.Clone(familyhub.EventChannels), familyhub.ChannelSessions, familyhub.ChannelDevice) {
		if _, err := listen.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			t.Fatal(err)
		}
	}
	// Every table's content (a digest of its rows, so a row changed counts
	// as well as one added), not only those the warm-up names: its
	// triggers write more (notify_cursors, notify_family_settings,
	// notify_member_settings, family_event_seq, event_log, client_creates,
	// shopping_categories), and a trigger added later may write others.
	// Other sessions' temporary tables cannot be read, and are no one's.
	const state = `SELECT jsonb_build_object(
		'tables', (SELECT jsonb_object_agg(n.nspname || '.' || c.relname,
			(xpath('/row/d/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) AS d FROM %I.%I t',
				E'\n', '', n.nspname, c.relname), false, true, '')))[1]::text)
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'),
		'sequences', (SELECT jsonb_agg(coalesce(last_value, 0) ORDER BY sequencename) FROM pg_sequences))::text`
	var before, after string
	if err := pool.QueryRow(ctx, state).Scan(&before); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if r := db.Warm(ctx, pool, slog.New(slog.DiscardHandler)); r.Err != nil || r.Conns != 3 || r.Executed != 3 {
		t.Fatalf("Warm = %+v, want 3 connections, each run once", r)
	}
	if err := pool.QueryRow(ctx, state).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("after Warm the database reads\n%s\nwant as before\n%s", after, before)
	}
	// Nothing was announced: the first notice is this one.
	if _, err := pool.Exec(ctx, "SELECT pg_notify($1, 'after the warm-up')", familyhub.ChannelShopping); err != nil {
		t.Fatal(err)
	}
	n, err := listen.WaitForNotification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n.Payload != "after the warm-up" {
		t.Errorf("the first notice after Warm is %q on %s, want the test's own", n.Payload, n.Channel)
	}
}

// TestWarmExecNamedForADBA: a warm-up waiting on a lock (a migration's,
// a DBA's) shows in pg_stat_activity under a name of its own, so that a
// DBA tells the rolled-back warm-up from a request and knows its INSERT
// INTO families makes no family. It is named only for its transaction:
// the connection's requests run as familyhub again.
func TestWarmExecNamedForADBA(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := dbtest.URL(t)
	pool, err := db.Open(ctx, url+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if r := db.Warm(ctx, pool, slog.New(slog.DiscardHandler)); r.Err != nil {
		t.Fatalf("Warm = %+v", r)
	}
	dba, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer dba.Close(context.Background())
	tx, err := dba.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	// Prepared statements read families; only the warm-up's INSERT waits.
	if _, err := tx.Exec(ctx, "LOCK TABLE families IN SHARE MODE"); err != nil {
		t.Fatal(err)
	}
	pool.Reset() // the next request opens a connection, warmed as it opens
	app := make(chan string, 1)
	go func() {
		var name string
		err := pool.QueryRow(ctx, "SELECT current_setting('application_name')").Scan(&name)
		if err != nil {
			name = err.Error()
		}
		app <- name
	}()
	// The DBA's view of the waiting warm-up (polled: PostgreSQL tells no
	// one that a backend began to wait), from outside the locking
	// transaction, whose view of pg_stat_activity is taken once.
	watch, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(context.Background())
	var waiting string
	for waiting == "" {
		select {
		case got := <-app:
			t.Fatalf("the request (%q) was answered before its connection's warm-up was seen waiting", got)
		default:
		}
		err := watch.QueryRow(ctx, `SELECT coalesce(max(application_name), '') FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO families%'`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if waiting != "familyhub warm-up" {
		t.Errorf("pg_stat_activity names the waiting warm-up %q, want %q", waiting, "familyhub warm-up")
	}
	if got := <-app; got != "familyhub" {
		t.Errorf("the request on the warmed connection runs as %q, want familyhub", got)
	}
}
