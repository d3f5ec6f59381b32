package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// The assistant's records: every command and what became of it, the
// questions it asked back, and the undo journal of what each executed
// command wrote (00010_assistant.sql, 00016_assistant_undo.sql).

// AssistantCommandRecord records a command and its outcome in the caller's
// family (rec.FamilyID is ignored). Recorded as executed with a device, its
// commit sends AI_INTENT_EXECUTED to that device (a trigger). A command id
// recorded before (a concurrent repeat) is a conflict.
func (tx *Tx) AssistantCommandRecord(ctx context.Context, rec dbsqlc.AssistantCommandInsertParams) error {
	family, err := tx.family()
	if err != nil {
		return err
	}
	rec.FamilyID = family
	return Err(tx.q.AssistantCommandInsert(ctx, tx, rec), "assistant command")
}

// AssistantCommandGet returns a command of the caller's family: not found
// for any other id.
func (tx *Tx) AssistantCommandGet(ctx context.Context, id uuid.UUID) (dbsqlc.AssistantCommand, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.AssistantCommand{}, err
	}
	c, err := tx.q.AssistantCommandGet(ctx, tx, dbsqlc.AssistantCommandGetParams{ID: id, FamilyID: family})
	return c, Err(err, "assistant command")
}

// AssistantCommandPrior returns the command a client-chosen id was used
// for, or nil when it is new. An id another family used is errIDReused
// (409), which says nothing about that family.
func (tx *Tx) AssistantCommandPrior(ctx context.Context, id uuid.UUID) (*dbsqlc.AssistantCommand, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	owner, err := tx.q.AssistantCommandFamily(ctx, tx, id)
	switch {
	case isNoRows(err):
		return nil, nil
	case err != nil:
		return nil, Err(err, "assistant command")
	case owner != family:
		return nil, errIDReused
	}
	c, err := tx.AssistantCommandGet(ctx, id)
	return &c, err
}

// AssistantCommandForget deletes the record of a refused or failed command
// whose id a repeat now uses: it wrote nothing, so trying again is safe.
// Executed commands and questions stay (their repeat is answered from the
// record).
func (tx *Tx) AssistantCommandForget(ctx context.Context, id uuid.UUID) error {
	family, err := tx.family()
	if err != nil {
		return err
	}
	_, err = tx.q.AssistantCommandDeleteUnexecuted(ctx, tx, dbsqlc.AssistantCommandDeleteUnexecutedParams{ID: id, FamilyID: family})
	return Err(err, "assistant command")
}

// AssistantAnswerOf returns the command that answered the question
// questionID (executed, or a question in turn), or nil when it has none.
func (tx *Tx) AssistantAnswerOf(ctx context.Context, questionID uuid.UUID) (*dbsqlc.AssistantCommand, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	c, err := tx.q.AssistantCommandAnswerOf(ctx, tx, dbsqlc.AssistantCommandAnswerOfParams{QuestionID: &questionID, FamilyID: family})
	if isNoRows(err) {
		return nil, nil
	}
	return &c, Err(err, "assistant command")
}

// Entities of the undo journal.
const (
	EntityShoppingList  = "shopping_list"
	EntityShoppingItem  = "shopping_item"
	EntityTask          = "task"
	EntityCalendarEvent = "calendar_event"
)

// Operations of the undo journal.
const (
	WriteInsert = "insert"
	WriteUpdate = "update"
	WriteDelete = "delete"
)

// AssistantWrite is one record a command wrote: which (Entity, ID), how
// (Op), the record before (update, delete) and after (insert, update) as
// JSON of its row type, and the version the command left it at.
type AssistantWrite struct {
	Entity  string
	ID      uuid.UUID
	Op      string
	Before  json.RawMessage
	After   json.RawMessage
	Version *int64
}

// AssistantWritesRecord stores the undo journal of a command recorded in
// this transaction, in the order of the writes.
func (tx *Tx) AssistantWritesRecord(ctx context.Context, commandID uuid.UUID, writes []AssistantWrite) error {
	family, err := tx.family()
	if err != nil {
		return err
	}
	for i, w := range writes {
		if err := tx.q.AssistantWriteInsert(ctx, tx, dbsqlc.AssistantWriteInsertParams{
			CommandID: commandID, FamilyID: family, Seq: int32(i), Entity: w.Entity, EntityID: w.ID, Op: w.Op,
			Before: w.Before, After: w.After, Version: w.Version,
		}); err != nil {
			return Err(err, "assistant command")
		}
	}
	return nil
}

// AssistantWrites returns a command's undo journal in the order of the
// writes.
func (tx *Tx) AssistantWrites(ctx context.Context, commandID uuid.UUID) ([]AssistantWrite, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.AssistantWriteList(ctx, tx, dbsqlc.AssistantWriteListParams{CommandID: commandID, FamilyID: family})
	if err != nil {
		return nil, Err(err, "assistant command")
	}
	out := make([]AssistantWrite, len(rows))
	for i, r := range rows {
		out[i] = AssistantWrite{Entity: r.Entity, ID: r.EntityID, Op: r.Op, Before: r.Before, After: r.After, Version: r.Version}
	}
	return out, nil
}

// AssistantCommandLock locks a command of the family for its undo (a
// second undo at the same time waits, then finds it undone).
func (tx *Tx) AssistantCommandLock(ctx context.Context, id uuid.UUID) (dbsqlc.AssistantCommand, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.AssistantCommand{}, err
	}
	c, err := tx.q.AssistantCommandForUndo(ctx, tx, dbsqlc.AssistantCommandForUndoParams{ID: id, FamilyID: family})
	return c, Err(err, "assistant command")
}

// AssistantCommandWait bounds how long a command waits for the caller's
// other commands (AssistantCommandSerialize): a command stalled inside its
// transaction makes the next ones busy (ErrAssistantBusy) after this,
// rather than keeping them, and a connection each, until their clients
// give up.
const AssistantCommandWait = 5 * time.Second

// ErrAssistantBusy refuses a command that waited AssistantCommandWait for
// the caller's earlier one: nothing ran, and the same command (the same
// id) sent again once that one is done runs.
// Its reason tells it from the undo's busy (assistant.ErrUndoBusy) for a
// client that words it itself.
var ErrAssistantBusy = familyhub.Errorf(familyhub.EBUSY, "Your previous command is still running; nothing was done. Send it again in a moment.").WithReason("previous_command")

// CommitUnknown reports whether err, the error of a transaction whose
// COMMIT was sent, leaves its outcome unknown: PostgreSQL gave no word on
// it (the context ended, the connection broke, the server shut down), so
// it may have committed. An error PostgreSQL answered the COMMIT with (a
// deferred constraint, a serialization failure, a transaction aborted
// before) rolled it back; so did one that never left (pgconn.SafeToRetry:
// the connection was closed already, or the context ended before pgx
// wrote it): PostgreSQL rolls back a transaction whose connection ends.
func CommitUnknown(err error) bool {
	if err == nil || errors.Is(err, pgx.ErrTxCommitRollback) || pgconn.SafeToRetry(err) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var fe *familyhub.Error
	if errors.As(err, &fe) && fe.Code != familyhub.EUNAVAILABLE && fe.Code != familyhub.EINTERNAL {
		return false // a deferred constraint, translated by Err
	}
	return true
}

// AssistantCommandSerialize waits, until the end of the transaction, for
// the other assistant commands of the caller (its user) and of command id
// that run at the same time: "undo that" undoes the command the speaker
// gave just before, not the one before it, and an id sent twice at once
// runs once. The two locks are always taken in this order. Each wait is
// bounded by wait, at most AssistantCommandWait (lock_timeout, then set
// back to what it was, in the same one statement): longer is
// ErrAssistantBusy, and tx has failed. A wait under a millisecond is
// ErrAssistantBusy at once (the command's time is up).
func (tx *Tx) AssistantCommandSerialize(ctx context.Context, id uuid.UUID, wait time.Duration) error {
	wait = min(wait, AssistantCommandWait)
	if wait < time.Millisecond {
		return ErrAssistantBusy
	}
	p := dbsqlc.AssistantCommandSerializeParams{Wait: strconv.FormatInt(wait.Milliseconds(), 10), CommandKey: "command:" + id.String()}
	if a := tx.Auth(); a != nil && a.UserID != uuid.Nil {
		user := "user:" + a.UserID.String()
		p.UserKey = &user
	}
	if err := tx.q.AssistantCommandSerialize(ctx, tx, p); err != nil {
		if LockTimedOut(err) {
			return fmt.Errorf("%w: %w", ErrAssistantBusy, err)
		}
		return Err(err, "assistant command")
	}
	return nil
}

// AssistantCommandLastOfCaller returns the caller's newest command that
// was executed or asked a question, other than those of intent undoIntent
// (the spoken undos), received at before or earlier unless before is
// zero, or nil when there is none: what a spoken "undo that" undoes (the
// assistant's spoken undo).
func (tx *Tx) AssistantCommandLastOfCaller(ctx context.Context, undoIntent string, before time.Time) (*dbsqlc.AssistantCommand, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	a := tx.Auth()
	if a == nil {
		return nil, nil
	}
	p := dbsqlc.AssistantCommandLastOfUserParams{FamilyID: family, UserID: &a.UserID, UndoIntent: undoIntent}
	if !before.IsZero() {
		p.Before = &before
	}
	c, err := tx.q.AssistantCommandLastOfUser(ctx, tx, p)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, Err(err, "assistant command")
	}
	return &c, nil
}

// AssistantCommandSetUndone marks an executed command undone by the
// caller; one that is undone already (or was not executed) is a conflict.
func (tx *Tx) AssistantCommandSetUndone(ctx context.Context, id uuid.UUID) error {
	family, err := tx.family()
	if err != nil {
		return err
	}
	n, err := tx.q.AssistantCommandSetUndone(ctx, tx, dbsqlc.AssistantCommandSetUndoneParams{ID: id, FamilyID: family, UndoneBy: tx.user()})
	if err == nil && n == 0 {
		return familyhub.Errorf(familyhub.ECONFLICT, "This command is undone already.")
	}
	return Err(err, "assistant command")
}

// Savepoint runs fn in a savepoint of the transaction: when fn fails, what
// it wrote is rolled back and the transaction goes on (fn's error is
// returned). The assistant tries the options of a question this way.
func (tx *Tx) Savepoint(ctx context.Context, fn func(tx *Tx) error) error {
	sp, err := tx.Tx.Begin(ctx)
	if err != nil {
		return Err(err, "")
	}
	if err := fn(&Tx{Tx: sp, store: tx.store, auth: tx.auth, q: tx.q, authChanged: tx.authChanged}); err != nil {
		if rbErr := sp.Rollback(ctx); rbErr != nil {
			return Err(rbErr, "")
		}
		return err
	}
	return Err(sp.Commit(ctx), "")
}

// WithoutIfVersion returns ctx without a version condition (If-Match):
// for work that changes several records, of which the request's If-Match
// names none (an assistant command).
func WithoutIfVersion(ctx context.Context) context.Context {
	return context.WithValue(ctx, ifVersionKey{}, nil)
}

// FamilyGet returns the caller's family (its settings: name, time zone,
// default shopping list).
func (tx *Tx) FamilyGet(ctx context.Context) (dbsqlc.Family, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.Family{}, err
	}
	f, err := tx.q.FamilyGet(ctx, tx, family)
	return f, Err(err, "family")
}
