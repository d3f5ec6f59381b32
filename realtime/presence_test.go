package realtime

import (
	"testing"

	"github.com/familyhub/familyhub"
)

// TestParseView: the views a device may report in ?view= (SSE, WebSocket)
// are the ones a presence message takes, in lower case.
func TestParseView(t *testing.T) {
	t.Parallel()
	id := "0B7C1A6E-3C1F-4E52-9A61-1D2C3B4A5F60"
	for in, want := range map[string]string{
		"": "", "shopping": "shopping", "Tasks": "tasks", "calendar": "calendar", "recipes": "recipes",
		"shopping-list:" + id: "shopping-list:0b7c1a6e-3c1f-4e52-9a61-1d2c3b4a5f60",
		"recipe:" + id:        "recipe:0b7c1a6e-3c1f-4e52-9a61-1d2c3b4a5f60",
	} {
		if got, err := ParseView(in); err != nil || got != want {
			t.Errorf("ParseView(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"nowhere", "shopping-list:", "shopping-list:42", "recipe:" + id + "x", "family", " shopping"} {
		if _, err := ParseView(in); familyhub.ErrorCode(err) != familyhub.EINVALID {
			t.Errorf("ParseView(%q): %v, want EINVALID", in, err)
		}
	}
}
