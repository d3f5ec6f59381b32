package jobs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

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

// categoriseList files a list's candidate items (db.Store.FileCategorised
// holds the list's lock while it writes). The external classifier, if any,
// is asked before the transaction (no lock is held over a network call),
// and only about the items this run claimed (db.Store.ClaimClassifierQuestions):
// an item another categoriser is asking about is left to it, so the model
// is asked about an item once, whoever runs at the same time. The claims
// are released once the answers are filed, or the model failed.
// It returns how many items it filed; a classifier failure leaves the items
// it would have decided unfiled and is returned (after the rest is
// committed) so the job retries.
func (e *Engine) categoriseList(ctx context.Context, listID uuid.UUID, renamed []uuid.UUID) (int, error) {
	c, err := e.store.CategoriseCandidates(ctx, listID, renamed)
	if err != nil || len(c.Items) == 0 {
		return 0, err
	}
	cats := db.NewCategoryIndex(c.Categories)
	var catNames []string
	for _, cat := range c.Categories {
		catNames = append(catNames, cat.Name)
	}
	var unknown []dbsqlc.ShoppingItemsToCategoriseRow
	for _, it := range c.Items {
		if cats.AutoCategory(it.Name, it.LearnedCategoryID, true) == uuid.Nil {
			unknown = append(unknown, it)
		}
	}
	var asked map[string]bool
	var classified map[string]string
	var classifyErr error
	if len(unknown) > 0 && e.classifier != nil && len(catNames) > 0 {
		claim, err := e.store.ClaimClassifierQuestions(ctx, listID, renamed, unknown, e.classifierLease())
		if err != nil {
			return 0, err
		}
		defer func() {
			// After the filing committed: whoever claims next reads the
			// items filed. Also when ctx ended.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if rerr := e.store.ReleaseClassifierClaim(rctx, claim); rerr != nil {
				Logger(ctx).Warn("releasing the classifier's claims failed; they expire", "err", rerr, "lease", e.classifierLease())
			}
		}()
		var names []string
		asked = map[string]bool{}
		for _, it := range claim.Items {
			if cats.AutoCategory(it.Name, it.LearnedCategoryID, true) == uuid.Nil && !asked[it.Name] {
				asked[it.Name] = true
				names = append(names, it.Name)
			}
		}
		if len(names) > 0 {
			classified, classifyErr = classify(ctx, e.classifier, names, catNames)
			if classifyErr != nil {
				Logger(ctx).Warn("external classifier failed; those items stay unfiled for now", "err", classifyErr, "items", len(names))
			}
		}
	}
	filed, err := e.store.FileCategorised(ctx, c.FamilyID, listID, renamed, func(it dbsqlc.ShoppingItemsToCategoriseRow) uuid.UUID {
		return e.decide(it, cats, asked, classified, classifyErr)
	})
	if err != nil {
		return 0, err
	}
	return filed, classifyErr
}

// classifierLease is how long a claim on asking the model about an item
// holds (db.Store.ClaimClassifierQuestions): 2 minutes, or a minute more
// than the classifier's timeout if that is longer, so a claim outlives the
// question it covers. A claim is released when its run is done; the lease
// matters only when the run's replica died. A job's question ends with the
// job (JobTimeout), so a longer classifier timeout does not lengthen the
// lease: a dead run's claim must expire while the sweep still looks at its
// item (SweepWindow), or the item stays unfiled.
func (e *Engine) classifierLease() time.Duration {
	return max(2*time.Minute, min(e.classifier.Timeout(), e.cfg.JobTimeout)+time.Minute)
}

// decide returns the category an item goes to, or uuid.Nil to leave it:
// what db.CategoryIndex.AutoCategory decides without a model (the family's
// own choice, the dictionary, and without a classifier "other"; the same
// decision an insert makes in its own transaction), else the classifier's
// answer, else "other" when the classifier was asked about the name and
// named no category of the family. A name it was not asked about (another
// categoriser holds the item's claim, or the item was renamed meanwhile)
// and a failed question leave the item, for later.
func (e *Engine) decide(it dbsqlc.ShoppingItemsToCategoriseRow, cats db.CategoryIndex, asked map[string]bool, classified map[string]string, classifyErr error) uuid.UUID {
	if id := cats.AutoCategory(it.Name, it.LearnedCategoryID, e.classifier != nil); id != uuid.Nil {
		return id
	}
	if c, ok := classified[it.Name]; ok {
		return cats[strings.ToLower(c)]
	}
	if classifyErr != nil || !asked[it.Name] {
		return uuid.Nil
	}
	return cats[db.CategoryOther]
}
