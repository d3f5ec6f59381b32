package db_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/db/dbtest"
)

// pipelines counts what a pool's connections send (not the announcer's):
// statements sent one by one, and batches (one pipeline, one round trip
// once the batch's statements are prepared) with their statements.
type pipelines struct {
	queries, batches, batched atomic.Int64
}

func ours(c *pgx.Conn) bool {
	return c.Config().RuntimeParams["application_name"] != "familyhub-announcer"
}

func (p *pipelines) TraceQueryStart(ctx context.Context, c *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	if ours(c) {
		p.queries.Add(1)
	}
	return ctx
}
func (p *pipelines) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (p *pipelines) TraceBatchStart(ctx context.Context, c *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	if ours(c) {
		p.batches.Add(1)
	}
	return ctx
}
func (p *pipelines) TraceBatchQuery(_ context.Context, c *pgx.Conn, _ pgx.TraceBatchQueryData) {
	if ours(c) {
		p.batched.Add(1)
	}
}
func (p *pipelines) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// sent returns what was sent since the last call: statements one by one,
// batches, batched statements.
func (p *pipelines) sent() [3]int64 {
	return [3]int64{p.queries.Swap(0), p.batches.Swap(0), p.batched.Swap(0)}
}

// TestOneStatementWrites: Store.ShoppingItemAdd and Store.ShoppingItemUpdate
// send the common add and a tick as one pipeline (the settings and the
// statement, one implicit transaction), with what Store.Tx gives: the
// caller in the event log, the claim in the same transaction as the item,
// the announcement after commit, the auto-categoriser's decision; and
// every answer the statement cannot give (a replay, a reused id, another
// family's list or item, a stale If-Match) from the Store.Tx form, with
// nothing written by the attempt.
// pipelineEnv is an announcing store whose pool (one connection) counts
// what it sends, on a fresh database.
type pipelineEnv struct {
	store *db.Store
	pool  *pgxpool.Pool
	tr    *pipelines
	url   string
}

func newPipelineEnv(t *testing.T) *pipelineEnv { t.Helper(); return newPipelineEnvConns(t, 1) }

// newPipelineEnvConns is newPipelineEnv with a pool of conns connections.
func newPipelineEnvConns(t *testing.T, conns int32) *pipelineEnv {
	t.Helper()
	return newPipelineEnvURL(t, dbtest.URL(t), conns)
}

// newPipelineEnvURL is newPipelineEnvConns on the database at url.
func newPipelineEnvURL(t *testing.T, url string, conns int32) *pipelineEnv {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	tr := &pipelines{}
	cfg.ConnConfig.Tracer = tr
	cfg.AfterConnect = db.AfterConnect
	cfg.MaxConns = conns
	db.ConfigureAnnounce(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db.MarkAnnouncing(pool)
	store := db.NewStore(pool)
	t.Cleanup(func() { store.Close(context.Background()) })
	store.SetJobQueue(autoFiling{})
	return &pipelineEnv{store: store, pool: pool, tr: tr, url: url}
}

// member makes a family with a member (the caller of the context returned,
// on device phone-1) and a shopping list of it.
func (e *pipelineEnv) member(t *testing.T, name string) (context.Context, uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	var family, user uuid.UUID
	if err := e.pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name) VALUES ($1) RETURNING id),
		u AS (INSERT INTO users (email, password_hash, display_name) VALUES ($1 || '@example.org', 'x', $1) RETURNING id),
		m AS (INSERT INTO memberships (family_id, user_id, role) SELECT f.id, u.id, 'member' FROM f, u)
		SELECT f.id, u.id FROM f, u`, name).Scan(&family, &user); err != nil {
		t.Fatal(err)
	}
	c := familyhub.NewContextWithAuth(ctx, &familyhub.Auth{UserID: user, FamilyID: family, Role: familyhub.RoleMember, DeviceID: "phone-1"})
	var list uuid.UUID
	if err := e.store.Tx(c, func(tx *db.Tx) error {
		l, _, err := tx.ShoppingListCreate(c, db.ShoppingListNew{Name: "Weekly"})
		list = l.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return c, list
}

func TestOneStatementWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newPipelineEnv(t)
	store, pool, tr, url := e.store, e.pool, e.tr, e.url
	listen, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listen.Close(context.Background()) })
	if _, err := listen.Exec(ctx, "LISTEN familyhub_shopping"); err != nil {
		t.Fatal(err)
	}
	member := func(name string) (context.Context, uuid.UUID) { return e.member(t, name) }
	anna, list := member("anna")
	other, otherList := member("bert")
	annaAuth := familyhub.AuthFromContext(anna)
	code := func(err error) string { return familyhub.ErrorCode(err) }

	// The common add: one pipeline of two statements (the settings, the
	// add), nothing else; filed by the dictionary in the insert.
	tr.sent()
	milk, replayed, err := store.ShoppingItemAdd(anna, list, db.ShoppingItemNew{Name: " Milk "})
	if err != nil || replayed {
		t.Fatalf("add: %v, replayed %v", err, replayed)
	}
	if got := tr.sent(); got != [3]int64{0, 1, 2} {
		t.Errorf("add sent %d statements, %d batches of %d statements; want one batch of 2", got[0], got[1], got[2])
	}
	if milk.Name != "Milk" || milk.Category == nil || *milk.Category != "dairy" || milk.CategorySource == nil || *milk.CategorySource != db.CategorySourceAuto {
		t.Errorf("add: %+v, want Milk filed under dairy by auto", milk)
	}
	// The answer is the item as shopping_items_view shows it.
	if err := store.Tx(anna, func(tx *db.Tx) error {
		got, err := tx.ShoppingItemGet(anna, milk.ID)
		if err == nil && !reflect.DeepEqual(got, milk) {
			t.Errorf("answer %+v, view %+v", milk, got)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The settings reached the transaction: the event names the caller.
	var actor uuid.UUID
	var device string
	if err := pool.QueryRow(ctx, `SELECT actor_id, device_id FROM event_log WHERE entity_id = $1 AND op = 'insert'`, milk.ID).Scan(&actor, &device); err != nil {
		t.Fatal(err)
	}
	if actor != annaAuth.UserID || device != "phone-1" {
		t.Errorf("event of the add: actor %v device %q, want %v phone-1", actor, device, annaAuth.UserID)
	}
	// And it was announced after commit.
	heard := func(id uuid.UUID) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		for {
			n, err := listen.WaitForNotification(wctx)
			if err != nil {
				t.Fatalf("no notice of %v: %v", id, err)
			}
			if strings.Contains(n.Payload, id.String()) {
				return
			}
		}
	}
	heard(milk.ID)

	// With a client id: still one pipeline; the claim commits with the item.
	id := uuid.New()
	bread := db.ShoppingItemNew{ID: &id, Name: "Bread"}
	tr.sent()
	got, replayed, err := store.ShoppingItemAdd(anna, list, bread)
	if err != nil || replayed || got.ID != id {
		t.Fatalf("add with an id: %+v, %v, replayed %v", got, err, replayed)
	}
	if sent := tr.sent(); sent != [3]int64{0, 1, 2} {
		t.Errorf("add with an id sent %v, want one batch of 2", sent)
	}
	var same bool
	if err := pool.QueryRow(ctx, `SELECT c.xmin = i.xmin FROM client_creates c, shopping_items i WHERE c.id = $1 AND i.id = $1`, id).Scan(&same); err != nil || !same {
		t.Errorf("claim and item in one transaction: %v, %v", same, err)
	}
	heard(id)
	// A retry is a replay (from the Store.Tx form), not a second item.
	again, replayed, err := store.ShoppingItemAdd(anna, list, bread)
	if err != nil || !replayed || !reflect.DeepEqual(again, got) {
		t.Errorf("retry: %+v, %v, replayed %v; want %+v replayed", again, err, replayed, got)
	}
	// The same id for another item is refused.
	if _, _, err := store.ShoppingItemAdd(anna, list, db.ShoppingItemNew{ID: &id, Name: "Butter"}); code(err) != familyhub.ECONFLICT {
		t.Errorf("reused id: %v, want conflict", err)
	}
	// Another family's list is not found, with or without an id, and the
	// attempt claimed nothing.
	id2 := uuid.New()
	for _, p := range []db.ShoppingItemNew{{Name: "Tea"}, {ID: &id2, Name: "Tea"}} {
		if _, _, err := store.ShoppingItemAdd(other, list, p); code(err) != familyhub.ENOTFOUND {
			t.Errorf("add %v to another family's list: %v, want not found", p.ID, err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM client_creates WHERE id = $1) + (SELECT count(*) FROM shopping_items WHERE name IN ('Tea', 'Butter'))`, id2).Scan(&n); err != nil || n != 0 {
		t.Errorf("refused adds left %d rows (%v)", n, err)
	}

	// The filing is the auto-categoriser's decision, as Tx.ShoppingItemAdd
	// makes it: the family's own choice first, then the dictionary, then
	// "other"; a person's "no category" stays unfiled.
	if _, err := pool.Exec(ctx, `INSERT INTO shopping_category_memory (family_id, name_key, category_id)
		SELECT family_id, familyhub_shopping_name_key('Milk'), id FROM shopping_categories WHERE family_id = $1 AND name = 'drinks'`, annaAuth.FamilyID); err != nil {
		t.Fatal(err)
	}
	user := db.CategorySourceUser
	cases := []db.ShoppingItemNew{{Name: "milk"}, {Name: "quinoa"}, {Name: "Äpfel"}, {Name: "butter", CategorySource: &user}, {Name: "x", Quantity: ptr("2"), Note: ptr("n")}}
	compare := func(when string) {
		t.Helper()
		for _, p := range cases {
			fast, _, err := store.ShoppingItemAdd(anna, list, p)
			if err != nil {
				t.Fatal(err)
			}
			var slow dbsqlc.ShoppingItemsView
			if err := store.Tx(anna, func(tx *db.Tx) (err error) {
				slow, _, err = tx.ShoppingItemAdd(anna, list, p)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if !equalPtr(fast.Category, slow.Category) || !equalPtr(fast.CategorySource, slow.CategorySource) ||
				!equalPtr(fast.Quantity, slow.Quantity) || !equalPtr(fast.Note, slow.Note) || fast.Position+1 != slow.Position {
				t.Errorf("%s, %q: one statement %+v, transaction %+v", when, p.Name, fast, slow)
			}
		}
	}
	compare("with other")
	if _, err := pool.Exec(ctx, `DELETE FROM shopping_categories WHERE family_id = $1 AND name = 'other'`, annaAuth.FamilyID); err != nil {
		t.Fatal(err)
	}
	compare("without other")
	tr.sent()

	// A tick: one pipeline; the tick records who.
	ticked, err := store.ShoppingItemUpdate(anna, milk.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
	if err != nil || !ticked.Checked || ticked.CheckedBy == nil || *ticked.CheckedBy != annaAuth.UserID || ticked.Version != milk.Version+1 {
		t.Fatalf("tick: %+v, %v", ticked, err)
	}
	if sent := tr.sent(); sent != [3]int64{0, 1, 2} {
		t.Errorf("tick sent %v, want one batch of 2", sent)
	}
	heard(milk.ID)
	// A stale If-Match and another family's item: the Store.Tx form's
	// answers, nothing written.
	stale := db.WithIfVersion(anna, milk.Version)
	var se *db.StaleError
	if _, err := store.ShoppingItemUpdate(stale, milk.ID, db.ShoppingItemPatch{Checked: familyhub.Some(false)}); !errors.As(err, &se) || se.Current.(dbsqlc.ShoppingItemsView).Version != ticked.Version {
		t.Errorf("stale tick: %v, want the current version %d", err, ticked.Version)
	}
	if _, err := store.ShoppingItemUpdate(other, milk.ID, db.ShoppingItemPatch{Checked: familyhub.Some(false)}); code(err) != familyhub.ENOTFOUND {
		t.Errorf("tick of another family's item: %v, want not found", err)
	}
	if _, _, err := store.ShoppingItemAdd(other, otherList, db.ShoppingItemNew{Name: "Tea"}); err != nil {
		t.Fatal(err)
	}
	var now dbsqlc.ShoppingItemsView
	if err := store.Tx(anna, func(tx *db.Tx) (err error) { now, err = tx.ShoppingItemGet(anna, milk.ID); return err }); err != nil || !reflect.DeepEqual(now, ticked) {
		t.Errorf("after refused ticks: %+v (%v), want %+v", now, err, ticked)
	}
	// A rename still files by the new name (the Store.Tx form).
	renamed, err := store.ShoppingItemUpdate(anna, milk.ID, db.ShoppingItemPatch{Name: familyhub.Some("Bananas")})
	if err != nil || renamed.Category == nil || *renamed.Category != "produce" {
		t.Errorf("rename: %+v, %v", renamed, err)
	}
	// Roles are checked before anything is sent.
	child := familyhub.NewContextWithAuth(ctx, &familyhub.Auth{UserID: annaAuth.UserID, FamilyID: annaAuth.FamilyID, Role: "nobody"})
	tr.sent()
	if _, _, err := store.ShoppingItemAdd(child, list, db.ShoppingItemNew{Name: "Sweets"}); code(err) != familyhub.EFORBIDDEN {
		t.Errorf("add by a role without the right: %v", err)
	}
	if sent := tr.sent(); sent != [3]int64{} {
		t.Errorf("a refused add sent %v", sent)
	}
}

func equalPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestOneStatementTaskComplete: Store.TaskComplete completes an open task
// in one pipeline, with the completer recorded; every other answer (a
// child completing another's task, a stale If-Match, another family, a
// template, a task already done) is the Store.Tx form's, with nothing
// written by the attempt.
func TestOneStatementTaskComplete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newPipelineEnv(t)
	anna, _ := e.member(t, "anna")
	other, _ := e.member(t, "bert")
	a := familyhub.AuthFromContext(anna)
	var kid uuid.UUID
	if err := e.pool.QueryRow(ctx, `WITH u AS (INSERT INTO users (email, password_hash, display_name) VALUES ('kid@example.org', 'x', 'Kid') RETURNING id),
		m AS (INSERT INTO memberships (family_id, user_id, role) SELECT $1, u.id, 'child' FROM u)
		SELECT id FROM u`, a.FamilyID).Scan(&kid); err != nil {
		t.Fatal(err)
	}
	child := familyhub.NewContextWithAuth(ctx, &familyhub.Auth{UserID: kid, FamilyID: a.FamilyID, Role: familyhub.RoleChild, DeviceID: "tablet"})
	task := func(p db.TaskNew) dbsqlc.Task {
		t.Helper()
		var got dbsqlc.Task
		if err := e.store.Tx(anna, func(tx *db.Tx) (err error) { got, _, err = tx.TaskCreate(anna, p); return err }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	annas := task(db.TaskNew{Title: "Taxes", AssigneeID: &a.UserID})
	kids := task(db.TaskNew{Title: "Tidy up", AssigneeID: &kid})
	daily := "FREQ=DAILY"
	template := task(db.TaskNew{Title: "Feed the cat", Recurrence: &daily})
	code := func(err error) string { return familyhub.ErrorCode(err) }

	// Refused: another's task for a child, another family, a template; a
	// stale If-Match is the current task.
	if _, err := e.store.TaskComplete(child, annas.ID); code(err) != familyhub.EFORBIDDEN {
		t.Errorf("a child completing another's task: %v", err)
	}
	if _, err := e.store.TaskComplete(other, kids.ID); code(err) != familyhub.ENOTFOUND {
		t.Errorf("another family's task: %v", err)
	}
	if _, err := e.store.TaskComplete(anna, template.ID); code(err) != familyhub.ECONFLICT {
		t.Errorf("a template: %v", err)
	}
	var se *db.StaleError
	if _, err := e.store.TaskComplete(db.WithIfVersion(child, kids.Version+1), kids.ID); !errors.As(err, &se) {
		t.Errorf("a stale If-Match: %v", err)
	}
	var done int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM tasks WHERE completed_at IS NOT NULL`).Scan(&done); err != nil || done != 0 {
		t.Fatalf("refused completions completed %d tasks (%v)", done, err)
	}

	// The child's own task: one batch of two statements.
	e.tr.sent()
	got, err := e.store.TaskComplete(db.WithIfVersion(child, kids.Version), kids.ID)
	if err != nil || got.CompletedAt == nil || got.CompletedBy == nil || *got.CompletedBy != kid || got.Version != kids.Version+1 {
		t.Fatalf("completing one's own task: %+v, %v", got, err)
	}
	if sent := e.tr.sent(); sent != [3]int64{0, 1, 2} {
		t.Errorf("a completion sent %v, want one batch of 2", sent)
	}
	var device string
	if err := e.pool.QueryRow(ctx, `SELECT device_id FROM event_log WHERE entity_id = $1 AND op = 'update'`, kids.ID).Scan(&device); err != nil || device != "tablet" {
		t.Errorf("the completion's event: device %q (%v)", device, err)
	}
	// Again: the first completion stays, nothing is written.
	again, err := e.store.TaskComplete(child, kids.ID)
	if err != nil || again.Version != got.Version || !again.CompletedAt.Equal(*got.CompletedAt) {
		t.Errorf("completing twice: %+v, %v; want %+v", again, err, got)
	}
}
