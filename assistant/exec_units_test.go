package assistant

import (
	"strings"
	"testing"
)

// TestAddMergesMeasures: the measures the parser reads now merge as the
// list merges them (db/amounts.go): "add a pinch of salt" twice is one
// line "2 pinches", "eine Prise Pfeffer" twice "2 Prisen", "1 EL Zucker"
// onto "2 EL Zucker" "3 EL", "3 tablespoons of honey" and
// "a tablespoon of honey" "4 tablespoons", "zwei Boxen Erdbeeren" and
// "eine Box Erdbeeren" "3 Boxen". Before, the unit word became part of the
// name ("pinch of salt", "EL Zucker"), a second line each time or a name
// beside the line in that unit.
func TestAddMergesMeasures(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	f.do("add a pinch of salt to the list")
	f.do("add a pinch of salt to the list")
	f.do("add 3 tablespoons of honey to the list")
	f.do("add a tablespoon of honey to the list")
	for _, text := range []string{"eine Prise Pfeffer auf die Liste", "eine Prise Pfeffer auf die Liste",
		"2 EL Zucker auf die Liste", "1 EL Zucker auf die Liste",
		"zwei Boxen Erdbeeren auf die Liste", "eine Box Erdbeeren auf die Liste"} {
		if a, err := f.svc.Command(f.ctx(f.ana), Request{Text: text, Lang: "de"}); err != nil || a.Outcome != OutcomeExecuted {
			t.Fatalf("%q: %v %q", text, err, a.Message)
		}
	}
	items := f.items(weekly.ID)
	if got, want := itemNamesOf(items), "2 pinches salt, 4 tablespoons honey, 2 Prisen Pfeffer, 3 EL Zucker, 3 Boxen Erdbeeren"; got != want {
		t.Errorf("list: %s, want %s", got, want)
	}
	var names []string // the unit is the amount's, not the name's: "3 EL" "Zucker", not "3" "EL Zucker"
	for _, it := range items {
		names = append(names, it.Name)
	}
	if got, want := strings.Join(names, ", "), "salt, honey, Pfeffer, Zucker, Erdbeeren"; got != want {
		t.Errorf("names: %s, want %s", got, want)
	}
}

// TestAddMergesSpokenUnits: what a German phone or its speech recognition
// writes merges with the list's EL, ml and ranges: "2 El Zucker" (a
// capitalised El after a number), "2 Esslöffel Zucker" and "1 Eßlöffel
// Zucker" are 5 EL (before, lines named "El Zucker", "Esslöffel Zucker",
// "Eßlöffel Zucker"); "2cl Rum" (glued) onto "500 ml Rum" is 520 ml
// (before, "2cl" stayed a line of its own); "2 bis 3 EL Öl" twice is 4-6
// EL (before, the second was lost in the line "2-3 EL").
func TestAddMergesSpokenUnits(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")
	for _, text := range []string{"2 El Zucker auf die Liste", "2 Esslöffel Zucker auf die Liste", "1 Eßlöffel Zucker auf die Liste",
		"500 ml Rum auf die Liste", "2cl Rum auf die Liste", "2 bis 3 EL Öl auf die Liste", "2 bis 3 EL Öl auf die Liste"} {
		if a, err := f.svc.Command(f.ctx(f.ana), Request{Text: text, Lang: "de"}); err != nil || a.Outcome != OutcomeExecuted {
			t.Fatalf("%q: %v %q", text, err, a.Message)
		}
	}
	if got, want := itemNamesOf(f.items(weekly.ID)), "5 EL Zucker, 520 ml Rum, 4-6 EL Öl"; got != want {
		t.Errorf("list: %s, want %s", got, want)
	}
}
