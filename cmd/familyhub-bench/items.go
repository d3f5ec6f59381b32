package main

import "encoding/json"

// benchItems are the names the writers add, in turn per family, so that a
// run writes what families write rather than one made-up name: 20 common
// groceries, English and German, of which 16 the categoriser's dictionary
// knows (filed in the insert's own transaction, no job) and 4 it does not
// (quinoa, tahini, Geschenkpapier, picture hooks: without an external
// classifier also filed by the insert, under "other"; with one, each costs
// a categorise job and the model's answer). items_test.go checks the split.
// The order is fixed, so runs stay comparable.
var benchItems = []string{
	"milk", "bread", "apples", "eggs", "quinoa", "toilet paper", "bananas", "butter", "coffee", "tahini",
	"Milch", "Brot", "Äpfel", "Käse", "Geschenkpapier", "Joghurt", "Nudeln", "Spülmittel", "Tomaten", "picture hooks",
}

// benchItemBodies are the POST bodies of benchItems.
var benchItemBodies = func() []string {
	out := make([]string, len(benchItems))
	for i, name := range benchItems {
		b, _ := json.Marshal(map[string]string{"name": name})
		out[i] = string(b)
	}
	return out
}()

// benchItemBody returns the body of a family's k-th write.
func benchItemBody(k int) string { return benchItemBodies[k%len(benchItemBodies)] }
