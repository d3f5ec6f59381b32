package main

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// seedSampleData gives the demo family of `familyhub dev` a lived-in week,
// so a newcomer sees the app alive: two lists (some items ticked), chores
// that rotate between the two members, a few tasks, a week of calendar
// events and two recipes. It runs once, in the transaction that makes the
// demo accounts, through the same domain operations the API uses.
func seedSampleData(ctx context.Context, tx *db.Tx, owner db.Account, member uuid.UUID) error {
	tx = tx.WithAuth(&familyhub.Auth{UserID: owner.User.ID, FamilyID: owner.Family.ID, Role: owner.Role, DeviceID: "demo"})
	loc, err := tx.Location(ctx)
	if err != nil {
		return err
	}
	now := time.Now().In(loc)
	day := func(offset, hour, minute int) time.Time {
		return time.Date(now.Year(), now.Month(), now.Day()+offset, hour, minute, 0, 0, loc)
	}
	str := func(s string) *string { return &s }

	weekly, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Weekly"})
	if err != nil {
		return err
	}
	for _, it := range []struct {
		name, qty string
		ticked    bool
	}{
		{"Milk", "2 l", false}, {"Bread", "", false}, {"Apples", "1 kg", false}, {"Eggs", "10", true},
		{"Coffee", "", false}, {"Tomatoes", "500 g", false}, {"Butter", "", true}, {"Dish soap", "", false},
	} {
		p := db.ShoppingItemNew{Name: it.name}
		if it.qty != "" {
			p.Quantity = str(it.qty)
		}
		item, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, p)
		if err != nil {
			return err
		}
		if it.ticked {
			if _, err := tx.ShoppingItemUpdate(ctx, item.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)}); err != nil {
				return err
			}
		}
	}
	hardware, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Hardware store"})
	if err != nil {
		return err
	}
	for _, name := range []string{"Light bulbs", "Screws 4x40"} {
		if _, _, err := tx.ShoppingItemAdd(ctx, hardware.ID, db.ShoppingItemNew{Name: name}); err != nil {
			return err
		}
	}

	rotation := familyhub.Some([]uuid.UUID{owner.User.ID, member})
	for _, t := range []db.TaskNew{
		{Title: "Empty the dishwasher", Recurrence: str("FREQ=DAILY"), DueAt: ptrTime(day(0, 19, 0)), Rotation: rotation},
		{Title: "Take out the bins", Recurrence: str("FREQ=WEEKLY;BYDAY=TU"), DueAt: ptrTime(day(0, 7, 30)), AssigneeID: &member},
		{Title: "Water the plants", Recurrence: str("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH"), DueAt: ptrTime(day(0, 18, 0))},
		{Title: "Call grandma", DueAt: ptrTime(day(1, 18, 0)), AssigneeID: &owner.User.ID, Notes: "Ask about the birthday party."},
		{Title: "Book the summer holiday", DueAt: ptrTime(day(4, 20, 0))},
		{Title: "Return library books", DueAt: ptrTime(day(2, 17, 0)), AssigneeID: &member},
	} {
		if _, _, err := tx.TaskCreate(ctx, t); err != nil {
			return err
		}
	}

	for _, e := range []db.CalendarEventFields{
		{Title: "Swimming lessons", StartsAt: day(0, 17, 0), EndsAt: day(0, 18, 0), Location: "City pool", RRule: str("FREQ=WEEKLY")},
		{Title: "Dentist", StartsAt: day(2, 10, 30), EndsAt: day(2, 11, 15), Location: "Dr. Weber"},
		{Title: "Parents' evening", StartsAt: day(3, 19, 0), EndsAt: day(3, 20, 30), Location: "School"},
		{Title: "Grandma's birthday", StartsAt: day(5, 0, 0), EndsAt: day(6, 0, 0), AllDay: true},
		{Title: "Football match", StartsAt: day(6, 11, 0), EndsAt: day(6, 13, 0)},
	} {
		if _, _, err := tx.CalendarEventAdd(ctx, e); err != nil {
			return err
		}
	}

	q := func(v float64) *float64 { return &v }
	for _, r := range []db.RecipeNew{
		{Title: "Pancakes", Servings: 4, Tags: []string{"breakfast", "sweet"},
			Ingredients: []db.Ingredient{{Name: "flour", Quantity: q(300), Unit: str("g")}, {Name: "eggs", Quantity: q(3)},
				{Name: "milk", Quantity: q(0.5), Unit: str("l")}, {Name: "salt", Unit: str("pinch")}},
			Steps: []string{"Whisk flour, eggs, milk and salt.", "Rest 30 minutes.", "Fry thin pancakes in butter."}},
		{Title: "Spaghetti bolognese", Servings: 4, Tags: []string{"dinner"},
			Ingredients: []db.Ingredient{{Name: "spaghetti", Quantity: q(500), Unit: str("g")}, {Name: "minced beef", Quantity: q(400), Unit: str("g")},
				{Name: "tomatoes", Quantity: q(800), Unit: str("g")}, {Name: "onion", Quantity: q(1)}, {Name: "garlic", Quantity: q(1), Unit: str("clove")}},
			Steps: []string{"Brown the onion, garlic and beef.", "Add the tomatoes; simmer 30 minutes.", "Cook the spaghetti and serve."}},
	} {
		if _, _, err := tx.RecipeCreate(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func ptrTime(t time.Time) *time.Time { return &t }
