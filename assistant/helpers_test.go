package assistant

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
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

// testFamily is a family in its own database, in Europe/Berlin: Ana
// (owner), Ben and Mia (members), Tim (a child). Its service runs on a
// pinned clock, now (dbtest.Now when the family is made), and what a test
// expects of "today" or "next Friday" is counted from the same instant:
// read twice from the wall clock, the test and the service could see two
// days around a Berlin midnight.
type testFamily struct {
	t                  testing.TB
	pool               *pgxpool.Pool
	store              *db.Store
	svc                *Service
	loc                *time.Location
	now                time.Time
	id                 uuid.UUID
	ana, ben, mia, tim *familyhub.Auth
}

func newTestFamily(t testing.TB) *testFamily {
	t.Helper()
	return newTestFamilyOn(t, dbtest.Pool(t))
}

// deadlockConns is the pool size of newDeadlockFamily.
const deadlockConns = 8

// newDeadlockFamily is newTestFamily on a pool of deadlockConns
// connections, for a test that closes a lock cycle with the code: while
// it forms, a held row (holdRow), two commands that wait and the polls of
// pg_locks take the 4 connections of pgx's default pool on a 2-core
// machine (max(4, CPUs)), and anything needing one more (a retry's
// statement, a poll) waited for it until the package's timeout.
func newDeadlockFamily(t testing.TB) *testFamily {
	t.Helper()
	return newTestFamilyOn(t, dbtest.PoolFor(t, dbtest.URL(t)+"&pool_max_conns="+strconv.Itoa(deadlockConns)))
}

// newTestFamilyOn makes the family in pool's database.
func newTestFamilyOn(t testing.TB, pool *pgxpool.Pool) *testFamily {
	t.Helper()
	store := db.NewStore(pool)
	f := &testFamily{t: t, pool: pool, store: store, svc: NewService(store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	f.loc, _ = time.LoadLocation("Europe/Berlin")
	f.setNow(dbtest.Now(t))
	ctx := context.Background()
	err := store.Tx(ctx, func(tx *db.Tx) error {
		acc, err := tx.Signup(ctx, db.Signup{Email: "ana@example.org", DisplayName: "Ana", FamilyName: "Rivera", TimeZone: "Europe/Berlin"}, "x")
		if err != nil {
			return err
		}
		f.id = acc.Family.ID
		f.ana = &familyhub.Auth{UserID: acc.User.ID, FamilyID: acc.Family.ID, Role: acc.Role, DeviceID: "ana-phone"}
		for _, m := range []struct {
			name, role string
			auth       **familyhub.Auth
		}{{"Ben", familyhub.RoleMember, &f.ben}, {"Mia", familyhub.RoleMember, &f.mia}, {"Tim", familyhub.RoleChild, &f.tim}} {
			_, code, err := tx.WithAuth(f.ana).InviteMake(ctx, db.InviteNew{Role: m.role})
			if err != nil {
				return err
			}
			su := db.Signup{Email: strings.ToLower(m.name) + "@example.org", Password: "correct horse", DisplayName: m.name, InviteCode: code}
			if err := su.Normalize(false); err != nil {
				return err
			}
			acc, err := tx.Signup(ctx, su, "x")
			if err != nil {
				return err
			}
			*m.auth = &familyhub.Auth{UserID: acc.User.ID, FamilyID: acc.Family.ID, Role: acc.Role, DeviceID: strings.ToLower(m.name) + "-phone"}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// setNow pins the service's clock at now.
func (f *testFamily) setNow(now time.Time) {
	f.now = now.In(f.loc)
	f.svc.now = func() time.Time { return f.now }
}

// dayAhead is midnight (in the family's zone) of the day after tomorrow,
// counted from the family's now: for a test that pins its clock to fixed
// hours of a day and asks for something the database checks against the
// wall clock (a snooze must end in the future, db.checkFuture). A fixed
// date there fails the suite once that date has passed.
func (f *testFamily) dayAhead() time.Time {
	d := f.now.AddDate(0, 0, 2)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, f.loc)
}

// pastNight moves the clock out of the hours after midnight in which
// "tomorrow" names the day just begun (NightEnds), to NightEnds on the same
// day: for tests whose replies name "tomorrow" as the next day, run at any
// FAMILYHUB_TEST_NOW. TestNightWords checks those hours.
func (f *testFamily) pastNight() {
	if early(f.now) {
		f.setNow(time.Date(f.now.Year(), f.now.Month(), f.now.Day(), NightEnds, f.now.Minute(), 0, 0, f.loc))
	}
}

func (f *testFamily) ctx(a *familyhub.Auth) context.Context {
	return familyhub.NewContextWithAuth(context.Background(), a)
}

// run says text as a and returns the answer or the refusal.
func (f *testFamily) run(a *familyhub.Auth, text string) (Answer, error) {
	f.t.Helper()
	return f.svc.Command(f.ctx(a), Request{Text: text, Lang: "en"})
}

// do says text as Ana and fails the test unless it is executed.
func (f *testFamily) do(text string) Answer {
	f.t.Helper()
	return f.doAs(f.ana, text)
}

func (f *testFamily) doAs(a *familyhub.Auth, text string) Answer {
	f.t.Helper()
	ans, err := f.run(a, text)
	if err != nil {
		f.t.Fatalf("%q: %v", text, err)
	}
	if ans.Outcome != OutcomeExecuted {
		f.t.Fatalf("%q: %s %q %v", text, ans.Outcome, ans.Message, ans.Choices)
	}
	return ans
}

// ask says text as Ana and fails unless it is answered with a question.
func (f *testFamily) ask(text string) Answer {
	f.t.Helper()
	ans, err := f.run(f.ana, text)
	if err != nil || ans.Outcome != OutcomeQuestion {
		f.t.Fatalf("%q: want a question, got %s %q (%v)", text, ans.Outcome, ans.Message, err)
	}
	return ans
}

// refused says text as Ana and fails unless it is refused with code and
// a message containing want.
func (f *testFamily) refused(text, code, want string) {
	f.t.Helper()
	ans, err := f.run(f.ana, text)
	if err == nil {
		f.t.Fatalf("%q: want a refusal, got %s %q", text, ans.Outcome, ans.Message)
	}
	if familyhub.ErrorCode(err) != code || !strings.Contains(familyhub.ErrorMessage(err), want) {
		f.t.Fatalf("%q: refused with %s %q, want %s %q", text, familyhub.ErrorCode(err), familyhub.ErrorMessage(err), code, want)
	}
}

// tx runs fn as a (a REST write, say).
func (f *testFamily) tx(a *familyhub.Auth, fn func(ctx context.Context, tx *db.Tx) error) {
	f.t.Helper()
	ctx := f.ctx(a)
	if err := f.store.Tx(ctx, func(tx *db.Tx) error { return fn(ctx, tx) }); err != nil {
		f.t.Fatal(err)
	}
}

func (f *testFamily) list(name string) dbsqlc.ShoppingList {
	f.t.Helper()
	var l dbsqlc.ShoppingList
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) (err error) {
		l, _, err = tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: name})
		return err
	})
	return l
}

func (f *testFamily) items(list uuid.UUID) []dbsqlc.ShoppingItemsView {
	f.t.Helper()
	var out []dbsqlc.ShoppingItemsView
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) (err error) {
		out, err = tx.ShoppingItemList(ctx, list)
		return err
	})
	return out
}

func itemNamesOf(items []dbsqlc.ShoppingItemsView) string {
	var out []string
	for _, it := range items {
		s := it.Name
		if it.Quantity != nil {
			s = *it.Quantity + " " + s
		}
		if it.Checked {
			s += "✓"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

// state is everything the family's data holds that a command or its undo
// may change, without what every write moves on (versions, update
// times, an event's SEQUENCE) and the commands' own records; and the
// family's event seq when withSeq.
func (f *testFamily) state(withSeq bool) string {
	f.t.Helper()
	var s string
	err := f.pool.QueryRow(context.Background(), `SELECT concat_ws(E'\n',
		(SELECT string_agg(concat_ws(' ', id, name), ',' ORDER BY id) FROM shopping_lists WHERE family_id = $1),
		(SELECT string_agg(concat_ws(' ', id, list_id, name, quantity, note, checked, checked_at, checked_by, position, created_at), ',' ORDER BY id)
			FROM shopping_items WHERE family_id = $1),
		(SELECT string_agg(concat_ws(' ', id, title, notes, due_at, assignee_id, recurrence, template_id, instance_date, completed_at,
			completed_by, snoozed_until, rotation, uid), ',' ORDER BY id) FROM tasks WHERE family_id = $1),
		(SELECT string_agg(concat_ws(' ', id, uid, title, location, starts_at, ends_at, all_day, rrule, exdates), ',' ORDER BY id)
			FROM calendar_events WHERE family_id = $1),
		(SELECT string_agg(concat_ws(' ', event_id, recurrence_id, title, starts_at, ends_at), ',' ORDER BY event_id, recurrence_id)
			FROM calendar_event_overrides WHERE family_id = $1),
		CASE WHEN $2 THEN (SELECT seq::text FROM family_event_seq WHERE family_id = $1) END)`, f.id, withSeq).Scan(&s)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// undo undoes command id as a and returns the refusal, if any.
func (f *testFamily) undo(a *familyhub.Auth, id uuid.UUID) (UndoAnswer, error) {
	return f.svc.Undo(f.ctx(a), id, "en", Device{})
}

func isCode(err error, code string) bool {
	var fe *familyhub.Error
	return errors.As(err, &fe) && fe.Code == code
}

// next returns the next weekday wd from today on the family's clock
// (today included when include), as midnight in Berlin.
func (f *testFamily) next(wd time.Weekday, include bool) time.Time {
	now := f.now
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, f.loc)
	for i := 0; i < 8; i++ {
		if c := d.AddDate(0, 0, i); c.Weekday() == wd && (i > 0 || include) {
			return c
		}
	}
	return d
}

// tracedPool is a pool on the family's database whose connections report
// every statement to tr (counting a command's statements or reads), closed
// when the test ends.
func (f *testFamily) tracedPool(tb testing.TB, tr pgx.QueryTracer) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(f.pool.Config().ConnString())
	if err != nil {
		tb.Fatal(err)
	}
	cfg.ConnConfig.Tracer = tr
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pool
}
