package assistant

import (
	"context"
	"regexp"
	"testing"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestAddListChoice: a command that names no list goes to the list on
// the speaker's screen, else the family's default list, else (no list
// called "shopping") the list with the most recent activity, not the
// alphabetically first (ux28 item 1: "Käse auf die Liste" with Weekly
// open went to "Hardware store"). A shown list of another family is
// ignored, never written.
func TestAddListChoice(t *testing.T) {
	f := newTestFamily(t)
	hardware := f.list("Hardware store")
	weekly := f.list("Weekly")
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		_, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: "Brot"})
		return err
	})
	on := func(shown *uuid.UUID, text string) Answer {
		t.Helper()
		ctx := f.ctx(f.ana)
		if shown != nil {
			ctx = WithShownList(ctx, *shown)
		}
		a, err := f.svc.Command(ctx, Request{Text: text, Lang: "de"})
		if err != nil || a.Outcome != OutcomeExecuted {
			t.Fatalf("%q: %v %q", text, err, a.Message)
		}
		return a
	}
	// The most recent activity: Weekly (Brot), though made second.
	if a := on(nil, "Milch und Eier auf die Einkaufsliste"); a.Message != "Ich habe Milch und Eier auf „Weekly“ gesetzt." {
		t.Errorf("recent: %q", a.Message)
	}
	// Hardware store on screen.
	if a := on(&hardware.ID, "Käse auf die Liste"); a.Message != "Ich habe Käse auf „Hardware store“ gesetzt." {
		t.Errorf("shown: %q", a.Message)
	}
	// A list named wins over the one on screen.
	if a := on(&hardware.ID, "Butter auf die Weekly-Liste"); a.Result.List.ID != weekly.ID {
		t.Errorf("named: %q", a.Message)
	}
	// The default list beats the recent one, not the one on screen.
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.FamilyUpdate(ctx, db.FamilyPatch{DefaultListID: familyhub.Some(hardware.ID)})
		return err
	})
	if a := on(nil, "Nägel auf die Liste"); a.Result.List.ID != hardware.ID {
		t.Errorf("default: %q", a.Message)
	}
	if a := on(&weekly.ID, "Senf auf die Liste"); a.Result.List.ID != weekly.ID {
		t.Errorf("shown over default: %q", a.Message)
	}
	// Another family's list on "screen": ignored, the default is used.
	var zoe *familyhub.Auth
	var foreign dbsqlc.ShoppingList
	ctx := context.Background()
	if err := f.store.Tx(ctx, func(tx *db.Tx) error {
		acc, err := tx.Signup(ctx, db.Signup{Email: "zoe@example.org", DisplayName: "Zoe", FamilyName: "Other", TimeZone: "Europe/Berlin"}, "x")
		zoe = &familyhub.Auth{UserID: acc.User.ID, FamilyID: acc.Family.ID, Role: acc.Role, DeviceID: "zoe-phone"}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.tx(zoe, func(ctx context.Context, tx *db.Tx) (err error) {
		foreign, _, err = tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Theirs"})
		return err
	})
	if a := on(&foreign.ID, "Salz auf die Liste"); a.Result.List.ID != hardware.ID {
		t.Errorf("foreign shown list: %q", a.Message)
	}
	f.tx(zoe, func(ctx context.Context, tx *db.Tx) error {
		items, err := tx.ShoppingItemList(ctx, foreign.ID)
		if err == nil && len(items) > 0 {
			t.Errorf("the other family's list: %s", itemNamesOf(items))
		}
		return err
	})
}

// TestAddMergesAndUndo: the assistant's add keeps an open line of the
// name (adding amounts as a recipe's add-to-list does) and unticks a
// ticked one instead of a second line (ux28 item 3); its undo puts back
// exactly the state before: the tick again, the amount taken off, the new
// line gone.
func TestAddMergesAndUndo(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	new6, new2 := "6", "2"
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		for _, n := range []db.ShoppingItemNew{{Name: "Milch"}, {Name: "Eier", Quantity: &new6}, {Name: "Äpfel", Quantity: &new2}} {
			it, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, n)
			if err != nil {
				return err
			}
			if n.Name == "Eier" {
				if _, err := tx.ShoppingItemUpdate(ctx, it.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	before := f.state(false)
	a, err := f.svc.Command(f.ctx(f.ana), Request{Text: "Milch, 10 Eier, 3 Äpfel und Butter auf die Einkaufsliste", Lang: "de"})
	if err != nil || a.Outcome != OutcomeExecuted {
		t.Fatalf("add: %v %q", err, a.Message)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "Milch, 10 Eier, 5 Äpfel, Butter" {
		t.Fatalf("merged: %s (%q)", got, a.Message)
	}
	if a.Message != "Ich habe Milch, 10 Eier, 5 Äpfel und Butter auf „Weekly“ gesetzt." {
		t.Errorf("reply: %q", a.Message)
	}
	u, err := f.undo(f.ana, a.ID)
	// Milch was open without amount: kept as it was, not named.
	if err != nil || u.Message != "Zurückgenommen: Eier, Äpfel und Butter auf „Weekly“ wieder wie vorher." {
		t.Fatalf("undo: %q %v", u.Message, err)
	}
	if after := f.state(false); after != before {
		t.Fatalf("undo left\n%s\nwant\n%s", after, before)
	}

	// Only new lines: the undo says they are off the list again.
	a = f.do("add bread and jam to the list")
	if a.Message != "Added bread and jam to “Weekly”." {
		t.Errorf("en reply: %q", a.Message)
	}
	if u, err := f.undo(f.ana, a.ID); err != nil || u.Message != "Taken back: bread and jam came off “Weekly” again." {
		t.Errorf("en undo: %q %v", u.Message, err)
	}
	// A line found open and kept (Milch) is not said to come off: it stays.
	a, err = f.svc.Command(f.ctx(f.ana), Request{Text: "Milch und Brot auf die Liste", Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := f.undo(f.ana, a.ID); err != nil || u.Message != "Zurückgenommen: Ich habe Brot wieder von „Weekly“ gestrichen." {
		t.Errorf("undo of a kept line: %q %v", u.Message, err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "Milch, 6 Eier✓, 2 Äpfel" {
		t.Errorf("after the undo of milk and bread: %s", got)
	}
	a, err = f.svc.Command(f.ctx(f.ana), Request{Text: "Käse auf die Liste", Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := f.undo(f.ana, a.ID); err != nil || u.Message != "Zurückgenommen: Ich habe Käse wieder von „Weekly“ gestrichen." {
		t.Errorf("de undo: %q %v", u.Message, err)
	}
}

var (
	addedRE   = regexp.MustCompile(`^Added (.+) to (“[^”]+”)\.$`)
	addedDERE = regexp.MustCompile(`^Ich habe (.+) auf („[^“]+“) gesetzt\.$`)
)

// undoneOf is the undo's answer to a command that answered msg: an add of
// new items says they came off the list again; any other command says
// "Undone: " and its answer.
func undoneOf(msg string) string {
	if m := addedRE.FindStringSubmatch(msg); m != nil {
		return "Taken back: " + m[1] + " came off " + m[2] + " again."
	}
	if m := addedDERE.FindStringSubmatch(msg); m != nil {
		return "Zurückgenommen: Ich habe " + m[1] + " wieder von " + m[2] + " gestrichen."
	}
	return "Undone: " + msg
}

// TestAddMergesContainers: the containers the assistant writes are counted
// units, their singular and plural one unit: "add 2 bottles of milk" then
// "add a bottle of milk" is one line "3 bottles", "zwei Gläser Passata"
// then "ein Glas Passata" one line "3 Gläser". Before, "1 bottle" was a
// second line beside "2 bottles". So are the other containers the parser
// writes: "a carton of juice" onto "2 cartons", "eine Kiste Wasser" onto
// "2 Kisten", "a slice of ham" onto "2 slices" (before: second lines), and "ein Laib Brot" is "Brot 1 Laib"
// (before: an item named "Laib Brot"), twice "2 Laibe".
func TestAddMergesContainers(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add 2 bottles of milk to the list")
	f.do("add a bottle of milk to the list")
	f.do("add 2 cartons of juice to the list")
	f.do("add a carton of juice to the list")
	f.do("add 2 slices of ham to the list")
	f.do("add a slice of ham to the list")
	f.do("add 2 pots of yoghurt to the list")
	f.do("add a pot of yoghurt to the list")
	for _, text := range []string{"zwei Gläser Passata auf die Liste", "ein Glas Passata auf die Liste",
		"zwei Kisten Wasser auf die Liste", "eine Kiste Wasser auf die Liste",
		"ein Laib Brot auf die Liste", "ein Laib Brot auf die Liste",
		"zwei Scheiben Käse auf die Liste", "eine Scheibe Käse auf die Liste"} {
		if a, err := f.svc.Command(f.ctx(f.ana), Request{Text: text, Lang: "de"}); err != nil || a.Outcome != OutcomeExecuted {
			t.Fatalf("%q: %v %q", text, err, a.Message)
		}
	}
	if got, want := itemNamesOf(f.items(weekly.ID)), "3 bottles milk, 3 cartons juice, 3 slices ham, 3 pots yoghurt, 3 Gläser Passata, 3 Kisten Wasser, 2 Laibe Brot, 3 Scheiben Käse"; got != want {
		t.Errorf("list: %s, want %s", got, want)
	}
}
