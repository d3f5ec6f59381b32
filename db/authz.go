package db

import (
	"slices"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// authorize refuses (EFORBIDDEN) an action the caller's role may not take
// at all (familyhub.Permission), and EUNAUTHORIZED without a caller. Every
// domain operation that writes starts with it, so every caller (REST,
// CalDAV, the assistant, jobs) obeys the one table. It does not look at the
// record: a refusal says nothing about whether an id exists. The system (a
// job) may do everything.
func (tx *Tx) authorize(act familyhub.Action) error { return authorize(tx.auth, act) }

// authorize is Tx.authorize for the caller a, before any transaction.
func authorize(a *familyhub.Auth, act familyhub.Action) error {
	a, err := callerOf(a)
	if err != nil {
		return err
	}
	if a.IsSystem() || familyhub.Can(a.Role, act) {
		return nil
	}
	return familyhub.Forbidden(a.Role, act)
}

// authorizeFor refuses act on a record assigned to assignee (nil: nobody)
// when the caller's role may take it only on its own records. Operations
// with such rules call it once the record is read (another family's record
// is not found first).
func (tx *Tx) authorizeFor(act familyhub.Action, assignee *uuid.UUID) error {
	a, err := tx.caller()
	if err != nil {
		return err
	}
	if a.Can(act, assignee) {
		return nil
	}
	return familyhub.Forbidden(a.Role, act)
}

// grant returns how far the caller may take act (GrantAll for the system).
func (tx *Tx) grant(act familyhub.Action) familyhub.Grant {
	if tx.auth == nil || tx.auth.IsSystem() {
		return familyhub.GrantAll
	}
	return familyhub.Permission(tx.auth.Role, act)
}

// ownTask applies the rule for callers who may create tasks only for
// themselves (children): the task is assigned to them (when p names
// nobody) and rotates between nobody else.
func (tx *Tx) ownTask(p *TaskNew) error {
	if tx.grant(familyhub.ActTaskCreate) != familyhub.GrantOwn {
		return nil
	}
	me := tx.auth.UserID
	if p.AssigneeID == nil {
		p.AssigneeID = &me
	}
	rotatesOthers := p.Rotation.Set && !p.Rotation.Null && slices.ContainsFunc(p.Rotation.Value, func(id uuid.UUID) bool { return id != me })
	if *p.AssigneeID != me || rotatesOthers {
		return familyhub.Forbidden(tx.auth.Role, familyhub.ActTaskCreate)
	}
	return nil
}
