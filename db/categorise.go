package db

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// CategorySourceAuto marks an item's category as chosen by the
// auto-categoriser (in the item's insert or by the categorise job): it may
// refile it, and it teaches the family nothing.
const CategorySourceAuto = "auto"

// CategoryOther is where the auto-categoriser files an item nothing knows
// (when the family still has a category of that name).
const CategoryOther = "other"

// CategoryIndex is a family's shopping categories by lower-case name, as
// the auto-categoriser looks them up.
type CategoryIndex map[string]uuid.UUID

// NewCategoryIndex indexes a family's categories.
func NewCategoryIndex(cats []dbsqlc.ShoppingCategory) CategoryIndex {
	c := make(CategoryIndex, len(cats))
	for _, cat := range cats {
		c.add(cat.Name, cat.ID)
	}
	return c
}

func (c CategoryIndex) add(name string, id uuid.UUID) { c[strings.ToLower(name)] = id }

// AutoCategory is the auto-categoriser's decision without a model, the one
// the insert's own transaction (Tx.autoCategory) and the categorise job
// both make: the family's own choice for the name (learned, from
// shopping_category_memory; nil: none), else the built-in dictionary's
// category when the family has it, else, when no external classifier is to
// be asked, "other". uuid.Nil means undecided: ask the classifier (when
// classifier is true), or leave the item unfiled (the family has no
// "other").
func (c CategoryIndex) AutoCategory(name string, learned *uuid.UUID, classifier bool) uuid.UUID {
	if learned != nil {
		return *learned
	}
	if cat := DictionaryCategory(name); cat != "" && c[cat] != uuid.Nil {
		return c[cat]
	}
	if classifier {
		return uuid.Nil
	}
	return c[CategoryOther]
}

// autoCategory decides in the insert's (or the rename's) transaction where
// the auto-categoriser files an item named name, so that an item the
// family's choices or the dictionary know costs one commit, not three (the
// write, the job's lifecycle, the job's filing). It returns the
// category's id and its name (the item's answer shows it), or nils when
// auto-categorisation is off (or there is no job queue) or nothing decides
// without a model; ask says the categorise job must still run for the item
// (an external classifier is configured and the name is unknown): the
// model is asked outside any transaction.
func (tx *Tx) autoCategory(ctx context.Context, family uuid.UUID, name string) (id *uuid.UUID, category *string, ask bool, err error) {
	if tx.store.jobs == nil {
		return nil, nil, false, nil
	}
	on, classifier := tx.store.jobs.AutoCategorise()
	if !on {
		return nil, nil, false, nil
	}
	rows, err := tx.q.ShoppingCategoryListForName(ctx, tx, dbsqlc.ShoppingCategoryListForNameParams{FamilyID: family, Name: name})
	if err != nil {
		return nil, nil, false, err
	}
	cats := make(CategoryIndex, len(rows))
	names := make(map[uuid.UUID]string, len(rows))
	var learned *uuid.UUID
	for _, r := range rows {
		cats.add(r.Name, r.ID)
		names[r.ID] = r.Name
		if r.Learned {
			learned = &r.ID
		}
	}
	if got := cats.AutoCategory(name, learned, classifier); got != uuid.Nil {
		n := names[got]
		return &got, &n, false, nil
	}
	return nil, nil, classifier && len(cats) > 0, nil
}

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
		// Written (and so locked) in the order of their ids, as every
		// writer of several items takes them (ShoppingItemsLock): in the
		// list's order it could deadlock with a move or a tick of two.
		slices.SortFunc(items, func(a, b dbsqlc.ShoppingItemsToCategoriseRow) int { return CompareIDs(a.ID, b.ID) })
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

// ClassifierClaim is a categoriser's claim on asking the external model
// about some items, from Store.ClaimClassifierQuestions.
type ClassifierClaim struct {
	token uuid.UUID
	ids   []uuid.UUID
	// Items are the claimed items, read again after the claim: ask the
	// model about these, and only these.
	Items []dbsqlc.ShoppingItemsToCategoriseRow
}

// ClaimClassifierQuestions claims asking the external model about items
// (candidates of listID, as CategoriseCandidates read them; renamed as
// given there) until lease from now, so that two categorisers running at
// once (an item's job and the sweep, a retry, a hand run) do not both pay
// for the same question. It claims each item under its name, in its own
// short statement (no transaction is held over the model's call): items
// under an unexpired claim of another worker are left out, to that worker.
// It then reads the list's candidates again, so an item another worker
// filed between the first read and this claim (and released) is left out
// too. The caller asks about claim.Items, files, then calls
// ReleaseClassifierClaim (also when the model failed, so a retry is not
// held up for the lease). On error the caller has nothing to release (a
// failed re-read releases what was claimed); only a claim statement that
// committed but whose answer was lost (cancelled, connection broken)
// leaves claims, which expire with their lease.
func (s *Store) ClaimClassifierQuestions(ctx context.Context, listID uuid.UUID, renamed []uuid.UUID, items []dbsqlc.ShoppingItemsToCategoriseRow, lease time.Duration) (ClassifierClaim, error) {
	c := ClassifierClaim{token: uuid.New()}
	p := dbsqlc.ShoppingClassifierClaimParams{ClaimedBy: c.token, LeaseSeconds: lease.Seconds()}
	for _, it := range items {
		p.ItemIds = append(p.ItemIds, it.ID)
		p.Names = append(p.Names, it.Name)
	}
	claimed, err := s.Q.ShoppingClassifierClaim(ctx, s.Pool, p)
	if err != nil || len(claimed) == 0 {
		return c, err
	}
	mine := make(map[dbsqlc.ShoppingClassifierClaimRow]bool, len(claimed))
	for _, cl := range claimed {
		mine[cl] = true
		c.ids = append(c.ids, cl.ItemID)
	}
	if renamed == nil {
		renamed = []uuid.UUID{}
	}
	now, err := s.Q.ShoppingItemsToCategorise(ctx, s.Pool, dbsqlc.ShoppingItemsToCategoriseParams{ListID: listID, RenamedIds: renamed})
	if err != nil {
		return c, errors.Join(err, s.ReleaseClassifierClaim(context.WithoutCancel(ctx), c))
	}
	for _, it := range now {
		if mine[dbsqlc.ShoppingClassifierClaimRow{ItemID: it.ID, Name: it.Name}] {
			c.Items = append(c.Items, it)
		}
	}
	return c, nil
}

// ReleaseClassifierClaim deletes the claim's rows (none: nothing to do), so
// the items may be asked about again at once. A claim not released (an
// error here, a replica that died) expires with its lease and the
// prune-events job deletes it.
func (s *Store) ReleaseClassifierClaim(ctx context.Context, c ClassifierClaim) error {
	if len(c.ids) == 0 {
		return nil
	}
	return s.Q.ShoppingClassifierRelease(ctx, s.Pool, dbsqlc.ShoppingClassifierReleaseParams{ItemIds: c.ids, ClaimedBy: c.token})
}
