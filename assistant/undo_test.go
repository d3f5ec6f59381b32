package assistant

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestUndoRestores: every kind of write a command makes, undone, leaves
// the family's data as it was before the command (versions, update times
// and SEQUENCE aside, which move on with every write).
func TestUndoRestores(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.list("Aldi")
	fri := f.next(time.Friday, false)
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		for _, name := range []string{"milk", "bread", "eggs"} {
			if _, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: name}); err != nil {
				return err
			}
		}
		qty, g := 200.0, "g"
		if _, _, err := tx.RecipeCreate(ctx, db.RecipeNew{Title: "Pancakes", Servings: 2, Ingredients: []db.Ingredient{
			{Name: "flour", Quantity: &qty, Unit: &g}, {Name: "milk"}}}); err != nil {
			return err
		}
		for _, title := range []string{"Fix the bike", "Water the plants"} {
			if _, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title}); err != nil {
				return err
			}
		}
		start := time.Date(fri.Year(), fri.Month(), fri.Day(), 15, 0, 0, 0, f.loc)
		_, _, err := tx.CalendarEventAdd(ctx, db.CalendarEventFields{Title: "Dentist", StartsAt: start, EndsAt: start.Add(time.Hour)})
		return err
	})
	f.do("Swimming lessons every Monday at 5pm")
	f.do("Tim and Mia take turns with the dishes")
	f.do("I bought bread")

	for _, text := range []string{
		"add cheese, 2 litres of oat milk and apples",
		"add tent pegs to a new list called Camping",
		"create a list called Hardware",
		"I bought milk and eggs",
		"remove bread from the weekly list",
		"move the eggs to the Aldi list",
		"clear the ticked items",
		"add the pancake recipe for 6 to the weekly list",
		"Tim takes out the bins every Tuesday",
		"Ben needs to mow the lawn on Saturday",
		"Mia and Ben take turns with the dishes",
		"mark water the plants as done",
		"snooze fix the bike until tomorrow morning",
		"give fix the bike to Ben",
		"delete the task fix the bike",
		"delete the task dishes",
		"Elternabend am Donnerstag um 19 Uhr in der Schule",
		"move the dentist to 4pm",
		"move swimming to 6pm",
		"no swimming next Monday",
		"cancel the dentist",
		"delete the swimming lessons",
	} {
		before := f.state(false)
		a := f.do(text)
		if !a.Undoable {
			t.Errorf("%q: not undoable", text)
			continue
		}
		if f.state(false) == before {
			t.Errorf("%q wrote nothing", text)
		}
		u, err := f.undo(f.ana, a.ID)
		if err != nil {
			t.Fatalf("undo %q: %v", text, err)
		}
		if !strings.HasPrefix(u.Message, map[string]string{"en": "Undone: ", "de": "Rückgängig gemacht: "}[a.Lang]) &&
			!strings.HasPrefix(u.Message, map[string]string{"en": "Taken back: ", "de": "Zurückgenommen: "}[a.Lang]) || u.Lang != a.Lang {
			t.Errorf("undo %q: %+v", text, u)
		}
		if after := f.state(false); after != before {
			t.Fatalf("undo %q did not restore:\nbefore %s\nafter  %s", text, before, after)
		}
		// Twice is refused, and changes nothing.
		if _, err := f.undo(f.ana, a.ID); !isCode(err, familyhub.ECONFLICT) || !strings.Contains(familyhub.ErrorMessage(err), map[string]string{"en": "undone already", "de": "schon rückgängig"}[a.Lang]) {
			t.Errorf("second undo of %q: %v", text, err)
		}
	}
}

// TestUndoRefused: a command whose records someone changed since is not
// undone at all (409); unknown commands are not found; questions,
// refusals and questions about the days have nothing to undo; only who
// gave the command (or an owner) may undo it.
func TestUndoRefused(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")

	// Two items added; one renamed by Ben since: neither is removed.
	a := f.do("add milk and eggs")
	items := f.items(weekly.ID)
	f.tx(f.ben, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.ShoppingItemUpdate(ctx, items[1].ID, db.ShoppingItemPatch{Name: familyhub.Some("free-range eggs")})
		return err
	})
	before := f.state(true)
	_, err := f.undo(f.ana, a.ID)
	if !isCode(err, familyhub.ECONFLICT) || familyhub.ErrorMessage(err) != "“free-range eggs” was changed since, so I did not undo anything." {
		t.Fatalf("changed since: %v", err)
	}
	if f.state(true) != before {
		t.Fatal("a refused undo wrote")
	}
	// The categoriser filing an item is no change by a person.
	a = f.do("add butter")
	if _, err := f.pool.Exec(context.Background(), `UPDATE shopping_items SET category_id = (SELECT id FROM shopping_categories
		WHERE family_id = $1 ORDER BY position LIMIT 1), category_source = 'auto' WHERE name = 'butter'`, f.id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.undo(f.ana, a.ID); err != nil {
		t.Errorf("undo after categorising: %v", err)
	}

	// A task ticked off, then changed by someone else; an event moved, then
	// deleted by someone else.
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: "Call grandma"})
		return err
	})
	a = f.do("I called grandma")
	f.tx(f.ben, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.TaskUpdate(ctx, a.Result.Task.ID, db.TaskPatch{Notes: familyhub.Some("she was out")})
		return err
	})
	if _, err := f.undo(f.ana, a.ID); !isCode(err, familyhub.ECONFLICT) {
		t.Errorf("task changed since: %v", err)
	}
	a = f.do("dentist on Friday at 3")
	f.tx(f.ben, func(ctx context.Context, tx *db.Tx) error { return tx.CalendarEventDelete(ctx, a.Result.Event.ID) })
	if _, err := f.undo(f.ana, a.ID); !isCode(err, familyhub.ECONFLICT) || !strings.Contains(familyhub.ErrorMessage(err), "“Dentist”") {
		t.Errorf("event deleted since: %v", err)
	}

	// A list made by a command, with Ben's item on it since.
	a = f.do("add tent pegs to a new list called Camping")
	f.tx(f.ben, func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.ShoppingItemAdd(ctx, a.Result.List.ID, db.ShoppingItemNew{Name: "torch"})
		return err
	})
	if _, err := f.undo(f.ana, a.ID); !isCode(err, familyhub.ECONFLICT) {
		t.Errorf("list used since: %v", err)
	}

	// Nothing to undo, nobody's to undo.
	if _, err := f.undo(f.ana, uuid.New()); !isCode(err, familyhub.ENOTFOUND) {
		t.Errorf("unknown: %v", err)
	}
	q := f.do("what's on today")
	if _, err := f.undo(f.ana, q.ID); !isCode(err, familyhub.ECONFLICT) || !strings.Contains(familyhub.ErrorMessage(err), "only read") {
		t.Errorf("query: %v", err)
	}
	refused, _ := f.run(f.ana, "complete fly to the moon")
	if _, err := f.undo(f.ana, refused.ID); !isCode(err, familyhub.ECONFLICT) {
		t.Errorf("refused: %v", err)
	}
	a = f.do("add jam")
	if _, err := f.undo(f.ben, a.ID); !isCode(err, familyhub.EFORBIDDEN) {
		t.Errorf("Ben undoes Ana's: %v", err)
	}
	a = f.doAs(f.ben, "add honey")
	if _, err := f.undo(f.ana, a.ID); err != nil {
		t.Errorf("the owner undoes Ben's: %v", err)
	}
	// In the command's language.
	a = f.do("setz Milch auf die Liste")
	u, err := f.undo(f.ana, a.ID)
	if err != nil || u.Lang != "de" || u.Message != "Zurückgenommen: Ich habe Milch wieder von „Camping“ gestrichen." {
		t.Errorf("German undo: %+v %v", u, err)
	}
	if _, err := f.undo(f.ana, a.ID); familyhub.ErrorMessage(err) != "Dieser Befehl ist schon rückgängig gemacht." {
		t.Errorf("German second undo: %v", err)
	}
}

// TestCommandIDs: a command id chosen by the client makes a repeat answer
// the first answer (nothing written twice); the same id with other text is
// a conflict, and another family's id too; a refused command may be
// tried again with its id.
func TestCommandIDs(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	id := uuid.New()
	first, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id, Text: "add milk and eggs", Lang: "en"})
	if err != nil || first.ID != id {
		t.Fatal(first, err)
	}
	again, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id, Text: "add milk and eggs", Lang: "en"})
	if err != nil || !again.Replayed || again.Message != first.Message || len(again.Result.Items) != 2 ||
		again.Result.Items[0].ID != first.Result.Items[0].ID || !again.Undoable {
		t.Fatalf("repeat: %+v %v", again, err)
	}
	if n := len(f.items(weekly.ID)); n != 2 {
		t.Fatalf("%d items after a repeat", n)
	}
	if _, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id, Text: "add bread", Lang: "en"}); !isCode(err, familyhub.ECONFLICT) {
		t.Errorf("other text: %v", err)
	}
	other := newTestFamilyIn(t, f)
	if _, err := f.svc.Command(f.ctx(other), Request{ID: &id, Text: "add milk and eggs", Lang: "en"}); !isCode(err, familyhub.ECONFLICT) {
		t.Errorf("another family: %v", err)
	}

	// Refused, then possible: the same id runs again.
	id2 := uuid.New()
	if _, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id2, Text: "tick off butter", Lang: "en"}); !isCode(err, familyhub.EINVALID) {
		t.Fatalf("refused: %v", err)
	}
	f.do("add butter")
	if a, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id2, Text: "tick off butter", Lang: "en"}); err != nil || a.Replayed {
		t.Fatalf("retried: %+v %v", a, err)
	}
	// A question is answered again too.
	f.do("add oat milk")
	id3 := uuid.New()
	q, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id3, Text: "tick off mil", Lang: "en"})
	if err != nil || q.Outcome != OutcomeQuestion {
		t.Fatal(q, err)
	}
	if q2, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id3, Text: "tick off mil", Lang: "en"}); err != nil || !q2.Replayed || len(q2.Choices) != 2 {
		t.Errorf("question again: %+v %v", q2, err)
	}
}

// newTestFamilyIn makes a second family in f's database and returns its
// owner.
func newTestFamilyIn(t *testing.T, f *testFamily) *familyhub.Auth {
	var a *familyhub.Auth
	f.tx(nil, func(ctx context.Context, tx *db.Tx) error {
		acc, err := tx.Signup(ctx, db.Signup{Email: "zoe@example.org", DisplayName: "Zoe", FamilyName: "Other", TimeZone: "UTC"}, "x")
		a = &familyhub.Auth{UserID: acc.User.ID, FamilyID: acc.Family.ID, Role: acc.Role}
		return err
	})
	return a
}

// TestUndoNamesDaysFromToday: commands given yesterday that said
// "tomorrow" are undone today: the undo says "today" (it said "tomorrow"
// again), and undoes the records the commands made, which are today's.
func TestUndoNamesDaysFromToday(t *testing.T) {
	f := newTestFamily(t)
	// The injected clock only: the commands run at noon yesterday and are
	// undone at noon today. (Before, the undo ran on the real clock and
	// "today" was taken from it once at the start: run across midnight in
	// Berlin, the undo's today was the day after.)
	noon := time.Date(2026, time.March, 10, 12, 0, 0, 0, f.loc)
	yesterday := noon.AddDate(0, 0, -1)
	f.svc.now = func() time.Time { return yesterday }
	task := f.do("remind me to call grandma tomorrow at 6pm")
	event := f.do("Zahnarzt morgen um 15 Uhr")
	f.svc.now = func() time.Time { return noon }
	today := noon.Format(time.DateOnly)
	if d := task.Result.Task.DueAt.In(f.loc).Format(time.DateOnly); d != today {
		t.Fatalf("the task is due %s, want %s", d, today)
	}
	if d := event.Result.Event.StartsAt.In(f.loc).Format(time.DateOnly); d != today {
		t.Fatalf("the event is on %s, want %s", d, today)
	}
	for _, c := range []struct {
		a    Answer
		want string
	}{
		{task, "Undone: Added the task “Call grandma”, due today at 18:00."},
		{event, "Rückgängig gemacht: „Zahnarzt“ heute um 15:00 Uhr eingetragen."},
	} {
		u, err := f.undo(f.ana, c.a.ID)
		if err != nil || u.Message != c.want {
			t.Errorf("undo of %q today: %q %v, want %q", c.a.Message, u.Message, err, c.want)
		}
	}
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		if _, err := tx.TaskGet(ctx, task.Result.Task.ID); !isCode(err, familyhub.ENOTFOUND) {
			t.Errorf("the task due today is still there: %v", err)
		}
		if _, err := tx.CalendarEventGet(ctx, event.Result.Event.ID); !isCode(err, familyhub.ENOTFOUND) {
			t.Errorf("today's event is still there: %v", err)
		}
		return nil
	})
}

// TestRepeatNamesDaysFromToday: a command repeated with its id on a later
// day (a client retrying after a lost answer) answers what the first time
// did, nothing runs twice, and the days the answer names are named from
// the day of the repeat, as an undo names them: yesterday's "tomorrow" is
// "today" now, never a "tomorrow" that has passed.
func TestRepeatNamesDaysFromToday(t *testing.T) {
	f := newTestFamily(t)
	noon := time.Date(2026, time.March, 10, 12, 0, 0, 0, f.loc)
	f.svc.now = func() time.Time { return noon.AddDate(0, 0, -1) }
	taskID, eventID := uuid.New(), uuid.New()
	task, err := f.svc.Command(f.ctx(f.ana), Request{ID: &taskID, Text: "remind me to call grandma tomorrow at 6pm", Lang: "en"})
	if err != nil || task.Message != "Added the task “Call grandma”, due tomorrow at 18:00." {
		t.Fatal(task.Message, err)
	}
	event, err := f.svc.Command(f.ctx(f.ana), Request{ID: &eventID, Text: "Zahnarzt morgen um 15 Uhr", Lang: "de"})
	if err != nil || event.Message != "„Zahnarzt“ morgen um 15:00 Uhr eingetragen." {
		t.Fatal(event.Message, err)
	}
	f.svc.now = func() time.Time { return noon }
	for _, c := range []struct {
		id         uuid.UUID
		text, lang string
		first      Answer
		want       string
	}{
		{taskID, "remind me to call grandma tomorrow at 6pm", "en", task, "Added the task “Call grandma”, due today at 18:00."},
		{eventID, "Zahnarzt morgen um 15 Uhr", "de", event, "„Zahnarzt“ heute um 15:00 Uhr eingetragen."},
	} {
		again, err := f.svc.Command(f.ctx(f.ana), Request{ID: &c.id, Text: c.text, Lang: c.lang})
		if err != nil || !again.Replayed || again.Message != c.want {
			t.Errorf("%q repeated today: %q %v, want %q", c.text, again.Message, err, c.want)
		}
		if c.first.Result.Task != nil && (again.Result.Task == nil || again.Result.Task.ID != c.first.Result.Task.ID) ||
			c.first.Result.Event != nil && (again.Result.Event == nil || again.Result.Event.ID != c.first.Result.Event.ID) {
			t.Errorf("%q repeated: another record %+v", c.text, again.Result)
		}
	}
	// The same day, the answer is the first one's, word for word.
	f.svc.now = func() time.Time { return noon.AddDate(0, 0, -1).Add(time.Hour) }
	if again, err := f.svc.Command(f.ctx(f.ana), Request{ID: &taskID, Text: "remind me to call grandma tomorrow at 6pm", Lang: "en"}); err != nil || again.Message != task.Message {
		t.Errorf("repeated the same day: %q %v", again.Message, err)
	}
}

// TestUndoClearTickedLimit: the undo of "clear the ticked items" puts
// every item back in one go, its list counted once: when the list has
// filled since and cannot take them all, nothing is put back (limit
// reached, naming the list); with room for exactly all of them, it is
// undone.
func TestUndoClearTickedLimit(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add milk, bread and eggs")
	f.do("I bought milk, bread and eggs")
	a := f.do("clear the ticked items")
	if a.Message != "Cleared 3 ticked items from Weekly." {
		t.Fatalf("clear: %q", a.Message)
	}
	// Filled since: room for two of the three.
	if _, err := f.pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name, position)
		SELECT $1, $2, 'x' || g, 100 + g FROM generate_series(1, $3::int) g`, f.id, weekly.ID, familyhub.MaxShoppingItemsPerList-2); err != nil {
		t.Fatal(err)
	}
	before := f.state(true)
	if _, err := f.undo(f.ana, a.ID); !isCode(err, familyhub.ELIMIT) ||
		familyhub.ErrorMessage(err) != "Weekly is full (ticked items count too), so I did not undo anything. Delete some items from it first." {
		t.Fatalf("undo onto a list with room for 2 of 3: %v, want %s saying so", err, familyhub.ELIMIT)
	}
	if f.state(true) != before {
		t.Fatal("a refused undo wrote")
	}
	// Room for exactly three.
	if _, err := f.pool.Exec(context.Background(), `DELETE FROM shopping_items WHERE list_id = $1 AND name = 'x1'`, weekly.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.undo(f.ana, a.ID); err != nil {
		t.Fatalf("undo onto a list with room for all: %v", err)
	}
	if n := len(f.items(weekly.ID)); n != familyhub.MaxShoppingItemsPerList {
		t.Errorf("%d items on the list, want %d", n, familyhub.MaxShoppingItemsPerList)
	}
}
