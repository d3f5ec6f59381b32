package assistant

import "testing"

// TestDictatedEnglishList: English lists dictated without commas split at
// known nouns after a singular too, as German ones do ("milk eggs bread
// and butter" was the item "milk eggs bread"), while a word that names
// what another grocery is made of keeps it ("chocolate cake", "tomato
// soup") and a known phrase stays one.
func TestDictatedEnglishList(t *testing.T) {
	parseCases(t, nil, []struct{ locale, text, want string }{
		{"en", "milk eggs bread and butter", addItems("milk", "eggs", "bread", "butter")},
		{"en", "we need apples bananas and yoghurt", addItems("apples", "bananas", "yoghurt")},
		{"en", "milk eggs and bread", addItems("milk", "eggs", "bread")},
		{"en", "add bread milk eggs and cheese", addItems("bread", "milk", "eggs", "cheese")},
		{"en", "we need milk bread and butter", addItems("milk", "bread", "butter")},
		{"en", "buy flour sugar and butter", addItems("flour", "sugar", "butter")},
		{"en", "chocolate milk and cookies", addItems("chocolate milk", "cookies")},
		{"en", "chocolate cake and candles", addItems("chocolate cake", "candles")},
		{"en", "tomato soup and bread", addItems("tomato soup", "bread")},
		{"en", "add strawberry jam and butter", addItems("strawberry jam", "butter")},
		{"en", "orange juice milk and eggs", addItems("orange juice", "milk", "eggs")},
	})
}
