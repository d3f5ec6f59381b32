package assistant

import (
	"context"

	"github.com/familyhub/familyhub/db"
)

// txFor is how a command with intent in runs its transaction (Service.run):
// a merging add (items, a recipe) keeps some lines share-locked while it
// writes others, so it can deadlock with another member's change of two
// lines (ticking "eggs" and "salt"); PostgreSQL fails one side (40P01)
// and the add runs again, the model not asked again (db.Store.TxRetry).
func (s *Service) txFor(in Intent) func(context.Context, func(*db.Tx) error) error {
	if in.Type == IntentShoppingAddItems || in.Type == IntentShoppingAddRecipe {
		return s.store.TxRetry
	}
	return s.store.Tx
}
