package main

import (
	"encoding/json"

	"github.com/google/uuid"
)

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

// benchItemBody returns the body of a family's k-th write. With withID it
// carries a new client-chosen id, as the PWA's adds always do (the server
// then also records the id's claim in client_creates, in the same
// statement).
func benchItemBody(k int, withID bool) string {
	body := benchItemBodies[k%len(benchItemBodies)]
	if !withID {
		return body
	}
	return `{"id":"` + uuid.NewString() + `",` + body[1:]
}
