package jobs

import "testing"

func TestCategoriseParseClassification(t *testing.T) {
	got, err := parseClassification("Sure!\n```json\n{\"Quinoa\": \"Pantry\", \"foo\": \"snacks\", \"Widget\": \"gadgets\"}\n```",
		[]string{"quinoa", "Widget"}, []string{"pantry", "snacks", "other"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["quinoa"] != "pantry" {
		t.Fatalf("got %v, want only quinoa → pantry (unknown items and categories dropped)", got)
	}
	if _, err := parseClassification("no idea", []string{"x"}, []string{"other"}); err == nil {
		t.Fatal("prose without JSON accepted")
	}
}
