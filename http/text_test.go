package http

import "testing"

func TestInvalidTextField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body  string
		field string
		bad   bool
	}{
		{`{"name":"Milk"}`, "", false},
		{`{"name":"Crème brûlée 🍮"}`, "", false},
		{`{"name":"\u00e9 \ud83c\udf6e"}`, "", false}, // é and a surrogate pair
		{`{"name":"\\ud800"}`, "", false},             // an escaped backslash: the text \ud800
		{`{"name":"\ud800"}`, "name", true},           // a lone high surrogate
		{`{"name":"\udc00x"}`, "name", true},          // a lone low surrogate
		{`{"name":"\ud800\u0041"}`, "name", true},     // high followed by no low
		{"{\"note\":\"a\xffb\"}", "note", true},       // not UTF-8
		{"{\"a\":1,\"tags\":[\"ok\",\"\xc3\"]}", "tags", true},
		{"{\"k\xff\":1}", "k\xff", true},
		{"\"\xff\"", "", true},
	} {
		field, bad := invalidTextField([]byte(tc.body))
		if field != tc.field || bad != tc.bad {
			t.Errorf("%q: got %q %v, want %q %v", tc.body, field, bad, tc.field, tc.bad)
		}
	}
}
