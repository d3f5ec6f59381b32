package db

import (
	"context"
	"errors"
	"math"
	"strings"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// ShoppingItemPut puts an item on a list the way every add that looks at
// the list first does (a recipe's add-to-list, the assistant's add): one
// rule, so that a list does not hold two lines of the same thing.
//
//   - An open line of the same name (case and outer spaces aside) is kept.
//     With the same unit (g and kg, ml and l count as one, a unit's
//     singular and plural, a spelt-out metric word and its symbol: unitKey;
//     cl, dl and ml: inSmallerUnit)
//     its amount and the new one are added when both are numbers ("2" and
//     "3": "5"; "500 g" and "1,4 kg": "1,9 kg"; "2 liters" and "500 ml":
//     "2.5 liters"; "1 bag" and "500 g" stay two lines), written by
//     amountText, which drops nothing ("1 kg" and "5 g": "1.005 kg"); a
//     range adds up end by end ("2-3 EL" and "2-3 EL": "4-6 EL", "1 EL"
//     and "2-3 EL": "3-4 EL"), both ends in the upper end's unit ("900 g"
//     and "50-100 g": "0.95-1 kg");
//     a line without quantity takes the new one; an add without quantity
//     leaves the line as it is.
//   - Else a ticked line of that name is unticked, with the new quantity
//     (its own when the add names none).
//   - Else the item is added as a new line.
//
// onList is the list's items as they are now, read by ShoppingItemsForPut
// in this transaction (the items this transaction put since merged in:
// the OnList of the put before): read without its lock, a concurrent add
// is missed. comma writes a sum with a decimal comma ("1,5"), as does a
// line that already has one.
//
// A tick, an edit or a delete takes no put lock, so the line chosen may
// have changed since onList was read. The line is therefore written only
// at the version read; when that matches no row, the list is read again
// and the rule decides again on the list as it is now, as if the add came
// after the change (which it did): "2 eggs" onto "eggs 6" ticked meanwhile
// unticks it as "eggs 2" (the six are bought; before is the ticked line,
// so an undo ticks it again), not "eggs 8" ticked (the two never
// shopped); a line deleted meanwhile makes a new one. A line kept as it
// is is not written but checked the same way, and share-locked: "salt"
// onto an open "salt" ticked meanwhile unticks it (and an undo ticks it
// again), onto one deleted meanwhile makes a new line, and a tick after
// the check waits for the add's end.
// After putRounds such rounds the add is a conflict (try again).
func (tx *Tx) ShoppingItemPut(ctx context.Context, listID uuid.UUID, onList []dbsqlc.ShoppingItemsView, p ShoppingItemNew, comma bool) (ShoppingPut, error) {
	if err := tx.authorize(familyhub.ActShoppingItemAdd); err != nil {
		return ShoppingPut{}, err
	}
	if err := p.Normalize(); err != nil {
		return ShoppingPut{}, err
	}
	for round := 1; ; round++ {
		put, err := tx.shoppingItemPutOn(ctx, listID, onList, p, comma)
		if err == nil {
			put.OnList = Replaced(onList, put.Item)
			return put, nil
		}
		if !errors.Is(err, errLineChanged) {
			return ShoppingPut{}, err
		}
		if round == putRounds {
			return ShoppingPut{}, errPutChanging
		}
		if onList, err = tx.ShoppingItemsForPut(ctx, listID); err != nil {
			return ShoppingPut{}, err
		}
	}
}

// ShoppingPut is what ShoppingItemPut did.
type ShoppingPut struct {
	// Item is the line the add put the item on, as it is now.
	Item dbsqlc.ShoppingItemsView
	// Before is the line as the add's write found it (nil: a new line, or
	// a line kept as it is): an undo's state.
	Before *dbsqlc.ShoppingItemsView
	// New says Item is a line the add inserted.
	New bool
	// OnList is the list as the next put of the transaction sees it: onList
	// (or the list as read again, when a line had changed) with Item in it.
	OnList []dbsqlc.ShoppingItemsView
}

// putRounds bounds ShoppingItemPut's decisions: each further round
// follows a change to the list committed by another device since the last.
const putRounds = 3

// errLineChanged says the line a put chose changed (or went) since it was
// read: ShoppingItemPut reads the list again.
var errLineChanged = errors.New("shopping put: line changed since read")

// errPutChanging answers an add whose list kept changing under it.
var errPutChanging = familyhub.Errorf(familyhub.ECONFLICT, "The list changed several times while adding; please try again.")

// shoppingItemPutOn is one round of ShoppingItemPut, deciding on onList;
// errLineChanged when the line it chose is no longer as onList has it.
func (tx *Tx) shoppingItemPutOn(ctx context.Context, listID uuid.UUID, onList []dbsqlc.ShoppingItemsView, p ShoppingItemNew, comma bool) (ShoppingPut, error) {
	add, addUnit, addOK := splitRange(p.Quantity)
	if !addOK && countsAsOne(addUnit) {
		add, addOK = amountRange{1, 1}, true // "Kilo" is one kilo: onto "500 g", 1.5 kg
	}
	add, unit := add.inSmallerUnit(addUnit) // "1.4 kg" and "800 g" add up
	var sameUnit, open, bare, ticked *dbsqlc.ShoppingItemsView
	for i := range onList {
		it := &onList[i]
		if it.ListID != listID || !strings.EqualFold(strings.TrimSpace(it.Name), p.Name) {
			continue
		}
		if it.Checked {
			ticked = first(ticked, it)
			continue
		}
		open = first(open, it)
		if it.Quantity == nil {
			bare = first(bare, it)
		}
		q, u, _ := splitRange(it.Quantity)
		if _, u = q.inSmallerUnit(u); u == unit {
			sameUnit = first(sameUnit, it)
		}
	}
	set := func(it *dbsqlc.ShoppingItemsView, qty *string, untick bool) (ShoppingPut, error) {
		prm := dbsqlc.ShoppingItemUpdateParams{ID: it.ID, FamilyID: it.FamilyID, QuantitySet: true, Quantity: qty, IfVersion: &it.Version}
		if untick {
			prm.Checked = ptr(false)
		}
		row, err := tx.q.ShoppingItemUpdate(ctx, tx, prm)
		if isNoRows(err) {
			return ShoppingPut{}, errLineChanged // ticked, edited or deleted since read
		} else if err != nil {
			return ShoppingPut{}, Err(err, "shopping item")
		}
		was := *it // a copy: the caller may change onList
		return ShoppingPut{Item: dbsqlc.ShoppingItemsView(row), Before: &was}, nil
	}
	// keep keeps a line as it is, when it still is: share-locked at the
	// version read, so a tick or a delete meanwhile makes the rule decide
	// again (a ticked line is unticked, a deleted one made anew) and none
	// lands before the transaction ends.
	keep := func(it *dbsqlc.ShoppingItemsView) (ShoppingPut, error) {
		v, err := tx.q.ShoppingItemVersionForShare(ctx, tx, dbsqlc.ShoppingItemVersionForShareParams{ID: it.ID, FamilyID: it.FamilyID})
		if isNoRows(err) || (err == nil && v != it.Version) {
			return ShoppingPut{}, errLineChanged
		} else if err != nil {
			return ShoppingPut{}, Err(err, "shopping item")
		}
		return ShoppingPut{Item: *it}, nil
	}
	switch {
	case p.Quantity == nil && open != nil:
		return keep(open) // "milk" and "milk, 2 l": one line is enough
	case sameUnit != nil && sameUnit.Quantity != nil:
		have, haveUnit, haveOK := splitRange(sameUnit.Quantity)
		if !haveOK && addOK && countsAsOne(haveUnit) {
			have, haveOK = amountRange{1, 1}, true // "Dose" is one can: with "2 Dosen", 3; "Liter" and "500 ml", 1.5 Liter
		}
		if !haveOK && addOK {
			return set(sameUnit, p.Quantity, false) // "Päckchen", then "2 Päckchen": the amount said
		}
		if !haveOK || !addOK {
			return keep(sameUnit) // "pinch" and "pinch" of salt
		}
		have, _ = have.inSmallerUnit(haveUnit)
		// spelt as the line on the list has it ("2 Bunches" + "1 bunch" is
		// "3 Bunches"): it is what the family sees; else as the add writes
		// it ("500 g" onto "1.4 kg"), unless both were made smaller
		written := unit
		if unitKey(haveUnit) == unit {
			written = haveUnit
		} else if unitKey(addUnit) == unit {
			written = addUnit
		}
		comma = comma || strings.Contains(strings.Fields(*sameUnit.Quantity)[0], ",")
		sum := rangeText(amountRange{have.lo + add.lo, have.hi + add.hi}, written, haveUnit, comma)
		return set(sameUnit, &sum, false)
	case bare != nil:
		return set(bare, p.Quantity, false)
	case ticked != nil:
		qty := p.Quantity
		if qty == nil {
			qty = ticked.Quantity
		}
		return set(ticked, qty, true)
	}
	item, err := tx.shoppingItemInsert(ctx, listID, p)
	return ShoppingPut{Item: item, New: true}, err
}

// amountRange is an amount from lo to hi: "2-3 EL" is 2 to 3, "2 EL" 2 to 2.
type amountRange struct{ lo, hi float64 }

// splitRange reads a quantity as splitQuantity does, and a range as well
// ("2-3 EL", "2-3": what the assistant writes for "2 to 3"), so that a
// range said twice adds up ("4-6 EL") and is not kept as one "2-3 EL".
func splitRange(q *string) (amountRange, string, bool) {
	if q != nil {
		num, rest, _ := strings.Cut(strings.TrimSpace(*q), " ")
		if a, b, ok := strings.Cut(num, "-"); ok {
			lo, loOK := parseAmount(a)
			hi, hiOK := parseAmount(b)
			if loOK && hiOK {
				return amountRange{lo, hi}, strings.TrimSpace(rest), true
			}
		}
	}
	v, unit, ok := splitQuantity(q)
	return amountRange{v, v}, unit, ok
}

// inSmallerUnit is the range in the unit it is added up in (inSmallerUnit).
func (r amountRange) inSmallerUnit(unit string) (amountRange, string) {
	lo, _ := inSmallerUnit(r.lo, unit)
	hi, unit := inSmallerUnit(r.hi, unit)
	return amountRange{lo, hi}, unit
}

// rangeText writes a sum (in g or ml when unit is) as amountText does, in
// the larger unit the line is in when exact there (inLineLargerUnit); a
// range as its two ends with the unit once, as the upper end has it ("4-6
// EL", "1-2 cups"), the lower end in that unit too: "0.95-1.1 kg", not a
// line of its own for "950 g-1.1 kg" (another such add made another). When
// either end is not exact in the larger unit, the whole range is in g or
// ml: "1-2 cl" + "0.5-1 ml" is "10.5-21 ml", not "1.1-2.1 cl" (review 82).
func rangeText(sum amountRange, unit, lineUnit string, comma bool) string {
	hiQ, hiUnit := inLineLargerUnit(sum.hi, unit, lineUnit)
	hi := amountText(hiQ, hiUnit, comma)
	if sum.lo == sum.hi {
		return hi
	}
	hiNum, written, _ := strings.Cut(hi, " ")
	s, larger := smallerUnit[unitKey(written)]
	larger = larger && s.unit == unitKey(unit)
	loQ := sum.lo
	if larger {
		loQ /= s.n
	}
	lo, _, _ := strings.Cut(amountText(loQ, written, comma), " ")
	if larger && !(writtenExactly(lo, sum.lo, s.n) && writtenExactly(hiNum, sum.hi, s.n)) {
		return strings.Join([]string{amountNumber(sum.lo, comma), "-", amountNumber(sum.hi, comma), " ", unit}, "")
	}
	return lo + "-" + hi
}

// writtenExactly: the number text, n times, reads back as q.
func writtenExactly(text string, q, n float64) bool {
	v, ok := parseAmount(text)
	return ok && math.Abs(v*n-q) < 1e-6
}

// amountNumber writes an amount in g or ml as formatQuantity does.
func amountNumber(q float64, comma bool) string {
	s := formatQuantity(q)
	if comma {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// inLineLargerUnit writes a sum (in g or ml, unit) in the larger unit the
// line on the list is in, spelt as the line has it, when it is exact there
// to the two decimals an amount is written with and to the unit's own
// step (a whole g or ml: cl is written to one decimal): "0.5 l" + "0.2 l"
// is "0.7 l", not "700 ml"; "0.5 kg" + "5 g" stays "505 g", "2 cl" +
// "0.5 ml" "20.5 ml" (amountText would round it up to "2.1 cl").
func inLineLargerUnit(total float64, unit, lineUnit string) (float64, string) {
	s, ok := smallerUnit[unitKey(lineUnit)]
	if !ok || s.unit != unitKey(unit) {
		return total, unit
	}
	if t := total / s.n; math.Abs(t*100-math.Round(t*100)) < 1e-6 && math.Abs(total-math.Round(total)) < 1e-6 {
		return t, lineUnit
	}
	return total, unit
}

// ShoppingItemsForPut returns a list's items (as ShoppingItemList) for
// ShoppingItemPut, read under the list's put lock (held until the
// transaction ends): a second merging add to the list waits, then reads
// the first's line, so two devices adding "2 eggs" at once make "eggs 10"
// of "eggs 6", not "eggs 8", and two adding "milk" make one line. A unique
// index cannot say it: a list may hold two lines of a name (another unit,
// an add that does not merge), and a merge is an UPDATE of an amount.
// The list's row is key-share-locked first (ShoppingListPutLock): a list
// delete in progress is waited for, and then the list is not found; one
// that comes later waits for the add.
func (tx *Tx) ShoppingItemsForPut(ctx context.Context, listID uuid.UUID) ([]dbsqlc.ShoppingItemsView, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	n, err := tx.q.ShoppingListPutLock(ctx, tx, dbsqlc.ShoppingListPutLockParams{ListID: listID, FamilyID: family})
	if err := deleted(n, err, "shopping list"); err != nil {
		return nil, err
	}
	return tx.ShoppingItemList(ctx, listID)
}

// ShoppingListLastActive returns the id of the family's list with the most
// recent activity (the list made or renamed, an item on it added, changed
// or ticked), the first made on a tie; not found when it has no list.
func (tx *Tx) ShoppingListLastActive(ctx context.Context) (uuid.UUID, error) {
	family, err := tx.family()
	if err != nil {
		return uuid.UUID{}, err
	}
	id, err := tx.q.ShoppingListLastActive(ctx, tx, family)
	return id, Err(err, "shopping list")
}

func first(had, it *dbsqlc.ShoppingItemsView) *dbsqlc.ShoppingItemsView {
	if had != nil {
		return had
	}
	return it
}

// Replaced is items with item in place of its line as it was (added at
// the end when new): the list as the next ShoppingItemPut sees it.
func Replaced(items []dbsqlc.ShoppingItemsView, item dbsqlc.ShoppingItemsView) []dbsqlc.ShoppingItemsView {
	for i := range items {
		if items[i].ID == item.ID {
			items[i] = item
			return items
		}
	}
	return append(items, item)
}
