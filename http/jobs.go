package http

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// JobQueue lets handlers enqueue background work inside their own
// transaction (issue 5). Nil until the server is given one.
type JobQueue interface {
	// CategoriseItemsTx enqueues categorisation of the items in tx.
	CategoriseItemsTx(ctx context.Context, tx pgx.Tx, familyID uuid.UUID, itemIDs []uuid.UUID) error
}

// SetJobQueue gives the server its job queue. Call it before serving.
func (s *Server) SetJobQueue(q JobQueue) { s.jobs = q }

// enqueueCategorise asks for an item added or renamed without a category to
// be filed, in the request's transaction (the job exists only if it
// commits). Without a job queue it does nothing; the job itself leaves
// items whose category a person chose alone.
func (s *Server) enqueueCategorise(ctx context.Context, tx pgx.Tx, familyID, itemID uuid.UUID) error {
	if s.jobs == nil {
		return nil
	}
	return s.jobs.CategoriseItemsTx(ctx, tx, familyID, []uuid.UUID{itemID})
}

// maxTaskRotation mirrors the CHECK on tasks.rotation (00008_jobs.sql).
const maxTaskRotation = 50

// taskRotationSet applies a request's "rotation" (the members a recurring
// chore rotates between; null or [] for none) to a task just written in tx,
// before its instances are made, and returns the task as stored. Only
// templates rotate; every id must be a member of the family (EINVALID
// otherwise).
func (s *Server) taskRotationSet(ctx context.Context, tx pgx.Tx, task dbsqlc.Task, rot Optional[[]uuid.UUID]) (dbsqlc.Task, error) {
	if !rot.Set {
		return task, nil
	}
	if task.Recurrence == nil {
		return task, familyhub.Invalid("rotation", "Only a recurring task can rotate between members.")
	}
	var ids []uuid.UUID // nil: no rotation
	if !rot.Null && len(rot.Value) > 0 {
		ids = rot.Value
		if len(ids) > maxTaskRotation {
			return task, familyhub.Invalid("rotation", "A rotation has at most %d members.", maxTaskRotation)
		}
		seen := map[uuid.UUID]bool{}
		for _, id := range ids {
			if seen[id] {
				return task, familyhub.Invalid("rotation", "rotation names a member twice.")
			}
			seen[id] = true
		}
		n, err := s.store.Q.TaskRotationMembersCount(ctx, tx, dbsqlc.TaskRotationMembersCountParams{FamilyID: task.FamilyID, Ids: ids})
		if err != nil {
			return task, err
		}
		if int(n) != len(ids) {
			return task, familyhub.Invalid("rotation", "rotation must list members of the family.")
		}
	}
	t, err := s.store.Q.TaskRotationSet(ctx, tx, dbsqlc.TaskRotationSetParams{ID: task.ID, FamilyID: task.FamilyID, Rotation: ids})
	return t, db.Err(err, "task")
}
