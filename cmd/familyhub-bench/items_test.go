package main

import (
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
