package http

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// JobQueue lets handlers enqueue background work inside their own
// transaction (issue 5). Nil until the server is given one.
type JobQueue interface {
	// CategoriseItemsTx enqueues categorisation of the items in tx.
	CategoriseItemsTx(ctx context.Context, tx pgx.Tx, familyID uuid.UUID, itemIDs []uuid.UUID) error
}

// SetJobQueue gives the server its job queue. Call it before serving.
func (s *Server) SetJobQueue(q JobQueue) { s.jobs = q }
