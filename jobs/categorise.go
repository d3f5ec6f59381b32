package jobs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// CategoriseArgs are the auto-categoriser's arguments. With ItemIDs (and
// FamilyID) it files those items' lists, refiling the named items even when
// the categoriser filed them before (they were renamed); with ListID that
// list; with neither it sweeps every list with unfiled items written within
// SweepWindow (items inserted from psql, or whose job was lost).
type CategoriseArgs struct {
	FamilyID *uuid.UUID  `json:"family_id,omitempty"`
	ListID   *uuid.UUID  `json:"list_id,omitempty"`
	ItemIDs  []uuid.UUID `json:"item_ids,omitempty"`
}

// Kind implements river.JobArgs.
func (CategoriseArgs) Kind() string { return "categorise" }

func categoriseFlags(fs *flag.FlagSet, a *CategoriseArgs) func() error {
	list := fs.String("list", "", "file the items of this shopping list (its id) only")
	return func() error {
		if *list == "" {
			return nil
		}
		id, err := uuid.Parse(*list)
		if err != nil {
			return fmt.Errorf("--list must be a list id (a UUID), not %q", *list)
		}
		a.ListID = &id
		return nil
	}
}

// categoryOther is where an item goes when nothing knows it (if the family
// still has that category).
const categoryOther = "other"

func (e *Engine) runCategorise(ctx context.Context, args CategoriseArgs) error {
	var lists []uuid.UUID
	var err error
	switch {
	case len(args.ItemIDs) > 0 && args.FamilyID != nil:
		lists, err = e.store.Q.ShoppingItemListIDs(ctx, e.store.Pool, dbsqlc.ShoppingItemListIDsParams{FamilyID: *args.FamilyID, Ids: args.ItemIDs})
	case args.ListID != nil:
		lists = []uuid.UUID{*args.ListID}
	default:
		lists, err = e.store.Q.ShoppingListsWithUnfiled(ctx, e.store.Pool, e.cfg.Now().Add(-e.cfg.SweepWindow))
	}
	if err != nil {
		return err
	}
	logger := Logger(ctx)
	var errs []error
	filed := 0
	for _, list := range lists {
		n, err := e.categoriseList(ctx, list, args.ItemIDs)
		filed += n
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			logger.Warn("categorising a list failed", "list_id", list, "err", err)
			errs = append(errs, fmt.Errorf("list %s: %w", list, err))
		}
	}
	if filed > 0 || len(args.ItemIDs) > 0 || args.ListID != nil {
		logger.Info("categorised", "lists", len(lists), "items_filed", filed)
	}
	return errors.Join(errs...)
}

// categoriseList files a list's candidate items in one transaction that
// holds the list's row lock, so concurrent categorisers of a list take
// turns. When it changes anything it touches the list's categorised_at:
// one SHOPPING_LIST_UPDATED per reshuffle, besides each changed item's
// SHOPPING_ITEM_UPDATED. The external classifier, if any, is asked before
// the transaction (no lock is held over a network call). It returns how
// many items it filed; a classifier failure leaves the items it would have
// decided unfiled and is returned (after the rest is committed) so the job
// retries.
func (e *Engine) categoriseList(ctx context.Context, listID uuid.UUID, renamed []uuid.UUID) (int, error) {
	if renamed == nil {
		renamed = []uuid.UUID{}
	}
	params := dbsqlc.ShoppingItemsToCategoriseParams{ListID: listID, RenamedIds: renamed}
	// Before the transaction: what the classifier says about the names
	// neither the family nor the dictionary knows.
	items, err := e.store.Q.ShoppingItemsToCategorise(ctx, e.store.Pool, params)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	list, err := e.store.Q.ShoppingListLockForCategorise(ctx, e.store.Pool, listID) // no lock outside a tx: just the family
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	cats, err := e.store.Q.ShoppingCategoryList(ctx, e.store.Pool, list.FamilyID)
	if err != nil {
		return 0, err
	}
	byName := map[string]uuid.UUID{}
	var catNames []string
	for _, c := range cats {
		byName[strings.ToLower(c.Name)] = c.ID
		catNames = append(catNames, c.Name)
	}
	var unknown []string
	for _, it := range items {
		if it.LearnedCategoryID == nil && byName[DictionaryCategory(it.Name)] == uuid.Nil {
			unknown = append(unknown, it.Name)
		}
	}
	var classified map[string]string
	var classifyErr error
	if len(unknown) > 0 && e.classifier != nil && len(catNames) > 0 {
		classified, classifyErr = classify(ctx, e.classifier, unknown, catNames)
		if classifyErr != nil {
			Logger(ctx).Warn("external classifier failed; those items stay unfiled for now", "err", classifyErr, "items", len(unknown))
		}
	}

	filed := 0
	err = e.store.Tx(ctx, func(tx *db.Tx) error {
		filed = 0
		if _, err := e.store.Q.ShoppingListLockForCategorise(ctx, tx, listID); errors.Is(err, pgx.ErrNoRows) {
			return nil // deleted meanwhile
		} else if err != nil {
			return err
		}
		// Read again under the lock: another categoriser may have been first.
		items, err := e.store.Q.ShoppingItemsToCategorise(ctx, tx, params)
		if err != nil {
			return err
		}
		for _, it := range items {
			target := e.decide(it, byName, classified, classifyErr)
			if target == uuid.Nil || (it.CategoryID != nil && *it.CategoryID == target) {
				continue
			}
			n, err := e.store.Q.ShoppingItemFileAuto(ctx, tx, dbsqlc.ShoppingItemFileAutoParams{ID: it.ID, FamilyID: list.FamilyID, CategoryID: &target})
			if err != nil {
				return err
			}
			filed += int(n)
		}
		if filed == 0 {
			return nil
		}
		return e.store.Q.ShoppingListTouchCategorised(ctx, tx, listID)
	})
	if err != nil {
		return 0, err
	}
	return filed, classifyErr
}

// decide returns the category an item goes to, or uuid.Nil to leave it:
// the family's own choice for the name, else the dictionary's, else the
// classifier's, else "other" (unless the classifier failed: then later).
func (e *Engine) decide(it dbsqlc.ShoppingItemsToCategoriseRow, byName map[string]uuid.UUID, classified map[string]string, classifyErr error) uuid.UUID {
	if it.LearnedCategoryID != nil {
		return *it.LearnedCategoryID
	}
	if id := byName[DictionaryCategory(it.Name)]; id != uuid.Nil {
		return id
	}
	if c, ok := classified[it.Name]; ok {
		return byName[strings.ToLower(c)]
	}
	if classifyErr != nil {
		return uuid.Nil
	}
	return byName[categoryOther]
}
