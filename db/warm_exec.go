package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// A first execution, rolled back (docs/operations.md, "Starting";
// docs/benchmarks.md, "Nineteenth round, first use, counted").
//
// Preparing a statement (warmConn) only parses it. A PostgreSQL backend
// still does three things the first time it runs a write, and never again:
// it plans the statement (with force_generic_plan, txOne's setting, once;
// the plan stays with the prepared statement), it compiles each PL/pgSQL
// function the write's triggers call (familyhub_touch_version, the item's
// and the task's event capture) and plans each of their statements, and
// it loads the catalogue entries of every table, index, constraint and
// trigger the write and its triggers touch. Counted with valgrind
// (cmd/familyhub-bench/firstuse.sh), a backend's first add cost several
// times its second.
//
// warmExec pays that on the connection before it serves: in one
// transaction that it rolls back, it makes a family of its own (a new id:
// no one else's row is read, written or locked), a member, a list and a
// task in it,
// and runs the hot writes on them (an add, a tick, an edit, a task's
// completion) and the hot reads, with SET CONSTRAINTS ALL IMMEDIATE so
// that the deferred event triggers run too (at COMMIT they would; a
// rollback skips them). Nothing of it is seen by anyone, ever:
//
//   - Its rows, its events and its family's counter are undone by the
//     rollback; the counter and event_log are per family, and the family
//     is new, so no family's seq moves, not even for a moment.
//   - Its events are not announced: the transaction runs with
//     familyhub.announce = after_commit, so the triggers raise notices to
//     the connection instead of NOTIFY, and the connection is not in a
//     Store.Tx, so no one collects them (onNotice). A NOTIFY (a DBA's own
//     trigger) would be dropped by the rollback too.
//   - No sequence is used (nextval is not rolled back): the only ones,
//     River's, are not touched; no River job is inserted.
//   - The locks it takes are its own rows' and the catalogue's; the
//     statement in flight is cancelled past warmConnTimeout, as preparing.
//
// What is left is what every rolled-back transaction leaves: a
// transaction id, some WAL and a few dead rows for VACUUM, once per
// connection (TestWarmExecLeavesNoTrace).

// warmApplication is the application_name of the warm-up's transaction
// (SET LOCAL: the rollback restores familyhub), so that a DBA who sees it
// in pg_stat_activity, waiting on a lock or in the middle of an INSERT
// INTO families, can tell it from a request: it makes no family.
// TestWarmExecNamedForADBA.
const warmApplication = "familyhub warm-up"

// warmedKey marks a connection (its CustomData) whose first execution is
// done, so that Warm on a warm pool runs nothing.
const warmedKey = "familyhub.db.warmed"

// warmTriedKey marks a connection warmConn has been given, done or not,
// so that prepareConn warms the others (not given to it: busy during
// Warm) once.
const warmTriedKey = "familyhub.db.warm_tried"

// warmExec runs the hot statements once on c, in a transaction it rolls
// back, and says whether it did. stop, when given, is asked before each
// statement (AfterConnect's bound). It does nothing on a connection done
// before.
func warmExec(ctx context.Context, c *pgx.Conn, stop func() bool) (ran bool, err error) {
	data := c.PgConn().CustomData()
	if _, done := data[warmedKey]; done {
		return false, nil
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() {
		// Rolled back even when ctx is over: the connection goes back to
		// the pool, and a transaction left open would fail its next user.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		if rerr := tx.Rollback(rctx); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) && err == nil {
			err = rerr
		}
		if err == nil {
			data[warmedKey] = true
			ran = true
		}
	}()
	fam, list, task, item, user := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	q := dbsqlc.New()
	one := int32(1)
	qty := "2"
	steps := []func() error{
		func() error {
			// The one-statement writes' settings (txOne), prepared by warmConn.
			_, err := tx.Exec(ctx, settingsForms[3].sql, user.String(), "warm-up")
			return err
		},
		func() error {
			// Its name in pg_stat_activity for the rest of the transaction
			// (warmApplication), then the family, its member (the writes'
			// actor: the foreign keys to users are checked), list and task
			// of its own, in one simple-protocol message: the ids are
			// uuids written by uuid.New, safe as literals, and nothing is
			// added to the statement cache.
			_, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL application_name = '%[5]s';
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO families (id, name) VALUES ('%[1]s', 'familyhub warm-up');
INSERT INTO users (id, email, password_hash, display_name) VALUES ('%[4]s', 'warm-up-%[4]s@invalid', 'x', 'warm-up');
INSERT INTO memberships (family_id, user_id, role) VALUES ('%[1]s', '%[4]s', 'member');
INSERT INTO shopping_lists (id, family_id, name) VALUES ('%[2]s', '%[1]s', 'warm-up');
INSERT INTO tasks (id, family_id, title) VALUES ('%[3]s', '%[1]s', 'warm-up')`, fam, list, task, user, warmApplication), pgx.QueryExecModeSimpleProtocol)
			return err
		},
		func() error {
			_, err := q.ShoppingItemAddOne(ctx, tx, dbsqlc.ShoppingItemAddOneParams{
				ID: &item, Name: "milk", ListID: list, FamilyID: fam, RoomBelow: shoppingItemsRoomBelow,
				RequestHash: []byte{0}, Auto: true, Dictionary: DictionaryCategory("milk"), Fallback: CategoryOther,
			})
			return err
		},
		func() error {
			_, err := q.ShoppingItemTick(ctx, tx, dbsqlc.ShoppingItemTickParams{Checked: true, Actor: &user, ID: item, FamilyID: fam})
			return err
		},
		func() error {
			_, err := q.ShoppingItemEdit(ctx, tx, dbsqlc.ShoppingItemEditParams{QuantitySet: true, Quantity: &qty, Position: &one, ID: item, FamilyID: fam})
			return err
		},
		func() error {
			_, err := q.TaskCompleteOne(ctx, tx, dbsqlc.TaskCompleteOneParams{CompletedBy: &user, ID: task, FamilyID: fam, AnyAssignee: true})
			return err
		},
		func() error {
			_, err := q.EventLogListSince(ctx, tx, dbsqlc.EventLogListSinceParams{FamilyID: fam, MaxEvents: 10})
			return err
		},
		func() error {
			// The reads a Store.Tx makes run with PostgreSQL's own plan
			// choice, as they will.
			_, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = DEFAULT", pgx.QueryExecModeSimpleProtocol)
			return err
		},
		func() error { _, err := q.FamilySeqGet(ctx, tx, fam); return err },
		func() error { _, err := q.SessionAuthenticate(ctx, tx, []byte{0}); return ignoreNoRows(err) },
		func() error { _, err := q.ShoppingListList(ctx, tx, fam); return err },
		func() error {
			_, err := q.ShoppingListGet(ctx, tx, dbsqlc.ShoppingListGetParams{ID: list, FamilyID: fam})
			return err
		},
		func() error {
			_, err := q.ShoppingItemListByList(ctx, tx, dbsqlc.ShoppingItemListByListParams{ListID: list, FamilyID: fam})
			return err
		},
		func() error { _, err := q.ShoppingCategoryList(ctx, tx, fam); return err },
	}
	for _, step := range steps {
		if stop != nil && stop() {
			return false, errWarmTimeout
		}
		if err := step(); err != nil {
			return false, err
		}
	}
	return true, nil
}

func ignoreNoRows(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return err
}
