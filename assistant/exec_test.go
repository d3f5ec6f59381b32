package assistant

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// TestGermanReplies: a German command is answered in German, with the
// names and numbers the records hold; its refusals and questions too.
func TestGermanReplies(t *testing.T) {
	f := newTestFamily(t)
	f.pastNight() // its replies say "tomorrow" of the next day
	f.list("Wocheneinkauf")
	fri := f.next(time.Friday, false)
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		start := time.Date(fri.Year(), fri.Month(), fri.Day(), 15, 0, 0, 0, f.loc)
		_, _, err := tx.CalendarEventAdd(ctx, db.CalendarEventFields{Title: "Zahnarzt", StartsAt: start, EndsAt: start.Add(time.Hour)})
		return err
	})
	tomorrow := f.now.AddDate(0, 0, 1)
	for _, tc := range []struct{ text, want string }{
		{"setz Milch und Eier auf die Einkaufsliste", "Ich habe Milch und Eier auf „Wocheneinkauf“ gesetzt."},
		{"wir brauchen 2 Liter Hafermilch", "Ich habe 2 Liter Hafermilch auf „Wocheneinkauf“ gesetzt."},
		{"wir haben Milch gekauft", "Milch auf Wocheneinkauf abgehakt."},
		{"Eier brauchen wir nicht mehr", "Eier von Wocheneinkauf gestrichen."},
		{"lösch alle abgehakten Einträge", "1 abgehakten Eintrag von Wocheneinkauf entfernt."},
		{"Erinnere mich morgen um 18 Uhr, Oma anzurufen", "Neue Aufgabe „Oma anrufen“, fällig morgen um 18:00 Uhr."},
		{"Tim bringt jeden Dienstag den Müll raus", "Neue Aufgabe „Müll rausbringen“ für Tim, jeden Dienstag."},
		{"Tim und Mia wechseln sich beim Abwasch ab", "Neue Aufgabe „Abwasch“, jeden Tag; Tim und Mia wechseln sich ab."},
		{"Oma anrufen ist erledigt", "„Oma anrufen“ ist erledigt."},
		{"verschieb den Zahnarzt auf 16 Uhr", "„Zahnarzt“ ist jetzt " + newSpeaker("de", f.loc, f.now).dayOf(fri, true) + " um 16:00 Uhr."},
		{"wann ist der Zahnarzt", "„Zahnarzt“ ist " + newSpeaker("de", f.loc, f.now).dayOf(fri, true) + " um 16:00 Uhr."},
		{"sag den Zahnarzt ab", "„Zahnarzt“ aus dem Kalender gelöscht."},
		{"was steht morgen an", "Morgen: Oma anrufen (erledigt); " + map[bool]string{true: "Müll rausbringen; "}[tomorrow.Weekday() == time.Tuesday] + "Abwasch."},
	} {
		a := f.do(tc.text)
		if a.Lang != "de" || a.Message != tc.want {
			t.Errorf("%q: %s %q, want %q", tc.text, a.Lang, a.Message, tc.want)
		}
	}
	for _, tc := range []struct{ text, want string }{
		{"hake Butter ab", "„Butter“ steht auf keiner Liste."},
		{"Fahrrad reparieren ist erledigt", "Keine offene Aufgabe passt zu „Fahrrad reparieren“."},
		{"Bob muss den Rasen mähen", "Bob gehört nicht zu deiner Familie; Mitglieder sind Ana, Ben, Mia und Tim."},
		{"wann ist das Fußballtraining", "Ich finde keine Aufgabe und keinen Termin „Fußballtraining“."},
		{"kannst du bitte Musik von Queen spielen", "Das habe ich leider nicht verstanden: „kannst du bitte Musik von Queen spielen“."},
	} {
		_, err := f.run(f.ana, tc.text)
		if !strings.Contains(familyhub.ErrorMessage(err), tc.want) {
			t.Errorf("%q: %v, want %q", tc.text, err, tc.want)
		}
	}
	// A domain refusal in German: a child may not delete items.
	if _, err := f.run(f.tim, "nimm die Hafermilch von der Liste"); !isCode(err, familyhub.EFORBIDDEN) || familyhub.ErrorMessage(err) != "Das darfst du in deiner Familie nicht." {
		t.Errorf("German forbidden: %v", err)
	}
	// A German question.
	f.do("setz Milch und Hafermilch auf die Liste")
	q := f.ask("hak Mil ab")
	if q.Message != "Welchen Eintrag meinst du: „Hafermilch“ oder „Milch“?" || q.Lang != "de" {
		t.Errorf("German question: %q", q.Message)
	}
}

// TestRefusalsWriteNothing: nonsense, nothing matching, ambiguity, a
// command failing half-way and a forbidden one leave the family's data and
// its event log as they were; each is recorded as refused (or as a
// question).
func TestRefusalsWriteNothing(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.do("add milk, eggs and oat milk")
	for _, title := range []string{"Take out the trash", "Take out the recycling"} {
		f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title})
			return err
		})
	}
	before := f.state(true)
	for _, text := range []string{
		"colorless green ideas sleep furiously",
		"mark take out as done",                // a question
		"complete fly to the moon",             // nothing matches
		"check off eggs and flour",             // eggs would be ticked, then flour is missing
		"check off mil",                        // a question
		"tick off milk from the hardware list", // no such list
		"add nails to the hardware list",       // a question, never a new list
		"move milk to the Aldi list",           // no such list
		"delete the dentist",                   // neither a task nor an event
		"Bob needs to mow the lawn",            // nobody called Bob
		"give the dishes to Tim",               // no such task
		"no swimming next Monday",              // no such event
	} {
		if a, err := f.run(f.ana, text); err == nil && a.Outcome == OutcomeExecuted {
			t.Errorf("%q was executed: %q", text, a.Message)
		}
		if got := f.state(true); got != before {
			t.Fatalf("%q wrote:\n%s\n%s", text, before, got)
		}
	}
	if _, err := f.run(f.tim, "remove the milk"); !isCode(err, familyhub.EFORBIDDEN) || f.state(true) != before {
		t.Errorf("a child's removal: %v", err)
	}
	var refused, questions int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE outcome = 'refused'), count(*) FILTER (WHERE outcome = 'question')
		FROM assistant_commands WHERE family_id = $1`, f.id).Scan(&refused, &questions); err != nil {
		t.Fatal(err)
	}
	if refused != 10 || questions != 3 {
		t.Errorf("recorded %d refused, %d questions", refused, questions)
	}
}

// TestParserQuestions: a question of the parser whose options do not all
// have a target runs the one that has; one where both do asks.
func TestParserQuestions(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.do("dentist on Friday at 3")
	if a := f.do("delete the dentist"); a.Intent.Type != IntentCalendarDelete || a.Message != "Deleted “Dentist” from the calendar." {
		t.Errorf("only an event: %+v", a)
	}
	q := f.ask("add fish and chips")
	if len(q.Choices) != 2 || q.Choices[0] != "“fish and chips” (one item)" || q.Choices[1] != "“fish, chips” (2 items)" ||
		q.Message != "Did you mean “fish and chips” (one item) or “fish, chips” (2 items)?" {
		t.Errorf("fish and chips: %q %v", q.Message, q.Choices)
	}
	a, err := f.svc.Choose(f.ctx(f.ana), q.ID, 1, "en", Device{})
	if err != nil || a.Message != "Added fish and chips to “Weekly”." || len(a.Result.Items) != 2 {
		t.Errorf("choice: %+v %v", a, err)
	}
	if _, err := f.svc.Choose(f.ctx(f.ana), q.ID, 5, "en", Device{}); !isCode(err, familyhub.EINVALID) {
		t.Errorf("option out of range: %v", err)
	}
	if _, err := f.svc.Choose(f.ctx(f.ana), a.ID, 0, "en", Device{}); !isCode(err, familyhub.ECONFLICT) {
		t.Errorf("choice of no question: %v", err)
	}
}

// TestCorpusExecution runs every command of the corpus (said now) in a
// family with a list, items, tasks, chores and events, and checks that a
// refused or asked command writes nothing, that an executed one writes
// only the kind of records its intent is about, that none makes a list it
// was not asked for, and that its undo puts everything back.
func TestCorpusExecution(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	fri := f.next(time.Friday, false)
	f.tx(f.ana, func(ctx context.Context, tx *db.Tx) error {
		for _, name := range []string{"milk", "bread", "eggs", "bananas", "Milch", "Brot", "Eier", "Käse", "tomatoes"} {
			if _, _, err := tx.ShoppingItemAdd(ctx, weekly.ID, db.ShoppingItemNew{Name: name}); err != nil {
				return err
			}
		}
		for _, title := range []string{"Take out the trash", "Fahrrad reparieren", "Water the plants", "Dishes"} {
			if _, _, err := tx.TaskCreate(ctx, db.TaskNew{Title: title}); err != nil {
				return err
			}
		}
		rule := "FREQ=WEEKLY;BYDAY=MO"
		for _, e := range []struct {
			title string
			rule  *string
		}{{"Dentist", nil}, {"Zahnarzt", nil}, {"Swimming", &rule}, {"Schwimmen", &rule}, {"Football training", &rule}} {
			start := time.Date(fri.Year(), fri.Month(), fri.Day(), 15, 0, 0, 0, f.loc)
			if _, _, err := tx.CalendarEventAdd(ctx, db.CalendarEventFields{Title: e.title, StartsAt: start, EndsAt: start.Add(time.Hour), RRule: e.rule}); err != nil {
				return err
			}
		}
		return nil
	})
	touches := map[string]*regexp.Regexp{ // what each kind of intent may change
		"shopping": regexp.MustCompile(`^(shopping_lists|shopping_items)$`),
		"task":     regexp.MustCompile(`^tasks$`),
		"calendar": regexp.MustCompile(`^(calendar_events|calendar_event_overrides)$`),
		"query":    regexp.MustCompile(`^$`),
	}
	executed := map[string]int{}
	for _, c := range loadCorpus(t) {
		before, beforeTables := f.state(true), f.tables()
		a, err := f.svc.Command(f.ctx(f.ana), Request{Text: c.text, Lang: c.locale})
		if code := familyhub.ErrorCode(err); code == familyhub.EINTERNAL || code == familyhub.EUNAVAILABLE {
			t.Fatalf("corpus.txt:%d %q: %v", c.line, c.text, err)
		}
		if err != nil || a.Outcome != OutcomeExecuted {
			if got := f.state(true); got != before {
				t.Fatalf("corpus.txt:%d %q (%s, %v) wrote", c.line, c.text, a.Outcome, err)
			}
			continue
		}
		executed[strings.SplitN(a.Intent.Type, ".", 2)[0]]++
		after := f.tables()
		kind := strings.SplitN(a.Intent.Type, ".", 2)[0]
		for table, v := range after {
			if v != beforeTables[table] && !touches[kind].MatchString(table) {
				t.Errorf("corpus.txt:%d %q (%s) changed %s", c.line, c.text, a.Intent.Type, table)
			}
		}
		asked := a.Intent.Slots.NewList || a.Intent.Type == IntentShoppingCreateList
		if after["shopping_lists"] != beforeTables["shopping_lists"] && !asked {
			t.Errorf("corpus.txt:%d %q made a list unasked: %s", c.line, c.text, a.Message)
		}
		if a.Message == "" || (a.Lang != c.lang && c.voice != "none") {
			t.Errorf("corpus.txt:%d %q: answer %s %q", c.line, c.text, a.Lang, a.Message)
		}
		if !a.Undoable {
			continue
		}
		if _, err := f.undo(f.ana, a.ID); err != nil {
			t.Fatalf("corpus.txt:%d %q: undo: %v", c.line, c.text, err)
		}
		if got := f.state(false); got != strings.TrimSuffix(before, before[strings.LastIndex(before, "\n"):]) && got != before {
			t.Fatalf("corpus.txt:%d %q: undo did not restore:\n%s\n%s", c.line, c.text, before, got)
		}
	}
	var kinds []string
	for k, n := range executed {
		kinds = append(kinds, k+"="+itoa(n))
	}
	sort.Strings(kinds)
	t.Logf("executed: %s", strings.Join(kinds, " "))
	if executed["shopping"] < 50 || executed["task"] < 50 || executed["calendar"] < 30 || executed["query"] < 20 {
		t.Errorf("too few executed: %v", executed)
	}
}

// tables fingerprints each table a command may change.
func (f *testFamily) tables() map[string]string {
	f.t.Helper()
	out := map[string]string{}
	for _, table := range []string{"shopping_lists", "shopping_items", "tasks", "calendar_events", "calendar_event_overrides"} {
		var v []byte
		if err := f.pool.QueryRow(context.Background(), `SELECT json_agg(t ORDER BY t::text) FROM `+table+` t WHERE family_id = $1`, f.id).Scan(&v); err != nil {
			f.t.Fatal(err)
		}
		var rows any
		_ = json.Unmarshal(v, &rows)
		b, _ := json.Marshal(rows)
		out[table] = string(b)
	}
	return out
}
