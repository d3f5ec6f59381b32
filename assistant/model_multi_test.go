package assistant

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestModelCreateMany: a model's calendar.create_many is taken with 2 to
// MaxIntentEvents one-off events, its times put in the family's zone;
// more, fewer, or an event without its start is refused.
func TestModelCreateMany(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	ev := func(n int) string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, fmt.Sprintf(`{"title":"Swim %d","starts_at":"2026-03-%02dT09:00:00Z"}`, i, 12+i))
		}
		return strings.Join(out, ",")
	}
	in, err := decodeModelIntent(`{"type":"calendar.create_many","lang":"en","slots":{"events":[`+ev(2)+`]}}`, loc)
	if err != nil || len(in.Slots.Events) != 2 || in.Slots.Events[1].StartsAt.Location() != loc || in.Slots.Events[1].StartsAt.Hour() != 10 {
		t.Fatalf("two events: %+v %v", in, err)
	}
	for name, content := range map[string]string{
		"eleven":   `{"type":"calendar.create_many","slots":{"events":[` + ev(MaxIntentEvents+1) + `]}}`,
		"one":      `{"type":"calendar.create_many","slots":{"events":[` + ev(1) + `]}}`,
		"no start": `{"type":"calendar.create_many","slots":{"events":[{"title":"A"},{"title":"B","starts_at":"2026-03-12T09:00:00Z"}]}}`,
		"title":    `{"type":"calendar.create_many","slots":{"title":"A","events":[` + ev(2) + `]}}`,
		"on one":   `{"type":"calendar.create","slots":{"title":"A","starts_at":"2026-03-12T09:00:00Z","events":[` + ev(2) + `]}}`,
	} {
		if _, err := decodeModelIntent(content, loc); err == nil {
			t.Errorf("%s: taken", name)
		}
	}
}
