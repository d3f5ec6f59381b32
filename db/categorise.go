package db

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Categorisation is what the auto-categoriser reads about a list before it
// decides: the items it may file and the family's categories.
type Categorisation struct {
	FamilyID   uuid.UUID
	Items      []dbsqlc.ShoppingItemsToCategoriseRow
	Categories []dbsqlc.ShoppingCategory
}

// CategoriseCandidates reads a list's items the categoriser may file (those
// unfiled, plus renamed ones a person did not file) and its family's
// categories, outside any transaction: the categoriser may ask a model
// about them before it writes. A deleted list has nothing to file.
func (s *Store) CategoriseCandidates(ctx context.Context, listID uuid.UUID, renamed []uuid.UUID) (Categorisation, error) {
	if renamed == nil {
		renamed = []uuid.UUID{}
	}
	var c Categorisation
	items, err := s.Q.ShoppingItemsToCategorise(ctx, s.Pool, dbsqlc.ShoppingItemsToCategoriseParams{ListID: listID, RenamedIds: renamed})
	if err != nil || len(items) == 0 {
		return c, err
	}
	list, err := s.Q.ShoppingListLockForCategorise(ctx, s.Pool, listID) // outside a tx: no lock, just the family
	if errors.Is(err, pgx.ErrNoRows) {
		return c, nil
	} else if err != nil {
		return c, err
	}
	cats, err := s.Q.ShoppingCategoryList(ctx, s.Pool, list.FamilyID)
	if err != nil {
		return c, err
	}
	return Categorisation{FamilyID: list.FamilyID, Items: items, Categories: cats}, nil
}

// FileCategorised files a list's candidate items in one transaction that
// holds the list's row lock, so concurrent categorisers of a list take
// turns. The candidates are read again under the lock (another categoriser
// may have been first); each goes to the category decide returns (uuid.Nil:
// leave it). When anything changed it touches the list's categorised_at:
// one SHOPPING_LIST_UPDATED per reshuffle, besides each changed item's
// SHOPPING_ITEM_UPDATED. It returns how many items it filed.
func (s *Store) FileCategorised(ctx context.Context, familyID, listID uuid.UUID, renamed []uuid.UUID, decide func(dbsqlc.ShoppingItemsToCategoriseRow) uuid.UUID) (int, error) {
	if renamed == nil {
		renamed = []uuid.UUID{}
	}
	filed := 0
	err := s.Tx(ctx, func(tx *Tx) error {
		filed = 0
		if _, err := s.Q.ShoppingListLockForCategorise(ctx, tx, listID); errors.Is(err, pgx.ErrNoRows) {
			return nil // deleted meanwhile
		} else if err != nil {
			return err
		}
		items, err := s.Q.ShoppingItemsToCategorise(ctx, tx, dbsqlc.ShoppingItemsToCategoriseParams{ListID: listID, RenamedIds: renamed})
		if err != nil {
			return err
		}
		for _, it := range items {
			target := decide(it)
			if target == uuid.Nil || (it.CategoryID != nil && *it.CategoryID == target) {
				continue
			}
			n, err := s.Q.ShoppingItemFileAuto(ctx, tx, dbsqlc.ShoppingItemFileAutoParams{ID: it.ID, FamilyID: familyID, CategoryID: &target})
			if err != nil {
				return err
			}
			filed += int(n)
		}
		if filed == 0 {
			return nil
		}
		return s.Q.ShoppingListTouchCategorised(ctx, tx, listID)
	})
	if err != nil {
		return 0, err
	}
	return filed, nil
}
