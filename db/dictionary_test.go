package db

import (
	"testing"

	"github.com/google/uuid"
)

func TestCategoriseDictionary(t *testing.T) {
	cases := []struct{ name, want string }{
		// English, with plurals and phrases.
		{"milk", "dairy"},
		{"Milk", "dairy"},
		{"2 l milk", "dairy"},
		{"apples", "produce"},
		{"cherries", "produce"},
		{"tomatoes", "produce"},
		{"bread", "bakery"},
		{"loaves", "bakery"},
		{"toilet paper", "household"},
		{"Toilet Paper (8 rolls)", "household"},
		{"chocolate milk", "dairy"},
		{"ice cream", "frozen"},
		{"eggs", "dairy"},
		{"dog food", "pets"},
		{"Futter für Katze", "pets"}, // not "butter" with a typo
		{"diapers", "baby"},
		{"shampoo", "personal care"},
		{"orange juice", "drinks"},
		{"bin bags", "household"},
		// German, with plurals, umlauts and compounds.
		{"Milch", "dairy"},
		{"Vollmilch", "dairy"},
		{"Äpfel", "produce"},
		{"Aepfel", "produce"},
		{"Tomaten", "produce"},
		{"Kartoffeln", "produce"},
		{"Brot", "bakery"},
		{"Brötchen", "bakery"},
		{"Vollkornbrot", "bakery"},
		{"Käse", "dairy"},
		{"Eier", "dairy"},
		{"Klopapier", "household"},
		{"Toilettenpapier", "household"},
		{"Würste", "meat & fish"},
		{"Orangensaft", "drinks"},
		{"Bier", "drinks"},
		{"Waschmittel", "household"},
		{"Zahnpasta", "personal care"},
		// What comes before "with", "ohne", "für" says what it is.
		{"Orangensaft ohne Fruchtfleisch", "drinks"},
		{"Brötchen mit Schinken", "bakery"},
		{"Kinderzahnpasta mit Erdbeergeschmack", "personal care"},
		{"bread with ham", "bakery"},
		// Typos: one edit in words of five letters or more.
		{"bananna", "produce"},
		{"yoghrt", "dairy"},
		{"shampo", "personal care"},
		{"tomatos", "produce"},
		{"Joghurts", "dairy"},
		// Unknown, and too short to guess.
		{"xyzzy", ""},
		{"mlk", ""},
		{"", ""},
		{"42", ""},
	}
	for _, tc := range cases {
		if got := DictionaryCategory(tc.name); got != tc.want {
			t.Errorf("DictionaryCategory(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCategoriseEditDistance1(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"banana", "bananna", true},
		{"banana", "bnaana", true}, // swap
		{"banana", "banama", true},
		{"banana", "banan", true},
		{"banana", "banana", false},
		{"banana", "bnanaa", false},
		{"banana", "apple", false},
		{"käse", "kase", true},
	}
	for _, tc := range cases {
		if got := editDistance1(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance1(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestCategoriseDictionaryCoversDefaults(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range dictionary {
		seen[c] = true
	}
	for _, c := range defaultCategories {
		if !seen[c] || dictionarySource[c] == "" {
			t.Errorf("no dictionary words for %q", c)
		}
	}
}

// TestCategoriseAutoCategory: the decision the insert and the job share.
func TestCategoriseAutoCategory(t *testing.T) {
	dairy, drinks, other := uuid.New(), uuid.New(), uuid.New()
	cats := CategoryIndex{"dairy": dairy, "drinks": drinks, "other": other}
	noDairy := CategoryIndex{"drinks": drinks}
	cases := []struct {
		what       string
		cats       CategoryIndex
		name       string
		learned    *uuid.UUID
		classifier bool
		want       uuid.UUID
	}{
		{"the dictionary", cats, "Milch", nil, false, dairy},
		{"the dictionary, with a classifier", cats, "milk", nil, true, dairy},
		{"the family's choice beats the dictionary", cats, "oat milk", &drinks, true, drinks},
		{"unknown, no classifier: other", cats, "zorblax", nil, false, other},
		{"unknown, a classifier: ask it", cats, "zorblax", nil, true, uuid.Nil},
		{"a category the family deleted: other", CategoryIndex{"other": other}, "milk", nil, false, other},
		{"nothing fits and no other: unfiled", noDairy, "milk", nil, false, uuid.Nil},
	}
	for _, tc := range cases {
		if got := tc.cats.AutoCategory(tc.name, tc.learned, tc.classifier); got != tc.want {
			t.Errorf("%s: %q → %s, want %s", tc.what, tc.name, got, tc.want)
		}
	}
}
