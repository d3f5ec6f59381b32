package db

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// JobQueue enqueues background work inside a domain operation's own
// transaction, so the job exists only if the change commits. Package jobs
// implements it (over River); db cannot import jobs, which imports db.
type JobQueue interface {
	// CategoriseItemsTx enqueues the filing of shopping items added or
	// renamed without a category to a name only the external classifier
	// can file.
	CategoriseItemsTx(ctx context.Context, tx pgx.Tx, familyID uuid.UUID, itemIDs []uuid.UUID) error
	// AutoCategorise says whether items added without a category are
	// filed automatically (off: CategoriseItemsTx does nothing and the
	// insert files nothing either), and whether an external classifier is
	// asked about the names that neither the family's own choices nor the
	// dictionary know. With it on, an item the insert can file (see
	// CategoryIndex.AutoCategory) is filed in the transaction of its
	// insert or rename and gets no job.
	AutoCategorise() (on, classifier bool)
}

// SetJobQueue gives the store its job queue. Call it before serving;
// without one, nothing is enqueued (the categoriser's sweep still files
// items later).
func (s *Store) SetJobQueue(q JobQueue) { s.jobs = q }

// categorise asks for an item to be filed, in the transaction.
func (tx *Tx) categorise(ctx context.Context, family, itemID uuid.UUID) error {
	if tx.store.jobs == nil {
		return nil
	}
	return tx.store.jobs.CategoriseItemsTx(ctx, tx.Tx, family, []uuid.UUID{itemID})
}
