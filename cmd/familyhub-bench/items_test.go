package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/familyhub/familyhub/db"
)

// TestBenchItemsMix keeps benchItems' comment true: which names the
// dictionary files (in the insert's transaction) and which it does not.
func TestBenchItemsMix(t *testing.T) {
	var unknown []string
	for _, name := range benchItems {
		if db.DictionaryCategory(name) == "" {
			unknown = append(unknown, name)
		}
	}
	if want := []string{"quinoa", "tahini", "Geschenkpapier", "picture hooks"}; len(benchItems) != 20 || !slices.Equal(unknown, want) {
		t.Fatalf("%d names, unknown to the dictionary %q, want 20 and %q", len(benchItems), unknown, want)
	}
}

// TestBenchItemBodyID: with client ids each body is the name plus a new id.
func TestBenchItemBodyID(t *testing.T) {
	var a, b struct{ ID, Name string }
	if err := json.Unmarshal([]byte(benchItemBody(21, true)), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(benchItemBody(21, true)), &b); err != nil {
		t.Fatal(err)
	}
	if a.Name != "bread" || len(a.ID) != 36 || a.ID == b.ID {
		t.Fatalf("bodies %+v and %+v: want bread with two different ids", a, b)
	}
	if got := benchItemBody(21, false); got != `{"name":"bread"}` {
		t.Fatalf("without id: %s", got)
	}
}
