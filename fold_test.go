package familyhub

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Käse": "kaese", "KÄSE": "kaese", "Kaese": "kaese", "Straße": "strasse",
		"Crème fraîche": "creme fraîche", "Müsli": "muesli", "Brötchen": "broetchen", "milk": "milk",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
