package assistant

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// TestSaidAtCountsDaysFromThen: a command a client held offline and sent a
// day later read "tomorrow" from the day it arrived. With said_at its days
// count from when it was said; the answer names them from the day it
// arrives ("due today"). said_at may lie a few minutes ahead (clocks
// differ), not more, and at most a week back: else it is refused, in the
// command's language, and nothing is written.
func TestSaidAtCountsDaysFromThen(t *testing.T) {
	f := newTestFamily(t)
	noon := time.Date(2026, time.March, 10, 12, 0, 0, 0, f.loc)
	f.svc.now = func() time.Time { return noon }
	at := func(d time.Duration) *time.Time { t := noon.Add(d); return &t }
	ans, err := f.svc.Command(f.ctx(f.ana), Request{Text: "remind me to call grandma tomorrow at 6pm", Lang: "en", SaidAt: at(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ans.Result.Task.DueAt.In(f.loc); !d.Equal(time.Date(2026, time.March, 10, 18, 0, 0, 0, f.loc)) {
		t.Errorf("due %v, want today at 18:00", d)
	}
	if want := "Added the task “Call grandma”, due today at 18:00."; ans.Message != want {
		t.Errorf("%q, want %q", ans.Message, want)
	}
	// a clock a little ahead counts from the arrival
	ans, err = f.svc.Command(f.ctx(f.ana), Request{Text: "Zahnarzt morgen um 15 Uhr", Lang: "de", SaidAt: at(2 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ans.Result.Event.StartsAt.In(f.loc); !d.Equal(time.Date(2026, time.March, 11, 15, 0, 0, 0, f.loc)) {
		t.Errorf("event at %v, want tomorrow at 15:00", d)
	}
	before := f.state(true)
	for _, tc := range []struct {
		text, lang string
		saidAt     *time.Time
		want       string
	}{
		{"add milk", "en", at(10 * time.Minute), "within the past 7 days"},
		{"add milk", "en", at(-8 * 24 * time.Hour), "within the past 7 days"},
		{"kauf Milch", "de", at(-8 * 24 * time.Hour), "in den letzten 7 Tagen"},
	} {
		_, err := f.svc.Command(f.ctx(f.ana), Request{Text: tc.text, Lang: tc.lang, SaidAt: tc.saidAt})
		if familyhub.ErrorCode(err) != familyhub.EINVALID || errorField(err) != "said_at" || !strings.Contains(familyhub.ErrorMessage(err), tc.want) {
			t.Errorf("%q said at %v: %v, want %s on said_at %q", tc.text, tc.saidAt, err, familyhub.EINVALID, tc.want)
		}
	}
	if _, lang, err := ParseSaidAt("yesterday", "kauf Milch", "en"); errorField(err) != "said_at" || lang != "de" {
		t.Errorf("malformed said_at: %v", err)
	}
	if after := f.state(true); after != before {
		t.Errorf("a refused said_at wrote: %s, was %s", after, before)
	}
}

func errorField(err error) string {
	var e *familyhub.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// TestSaidAtRepeatAfterAWeek: a client retrying a command it sent with an
// id and said_at gets the stored answer, however long ago that was: the
// repeated id is looked up before said_at's bounds (a week back), as
// creates are idempotent. A new id with the same old said_at is refused.
func TestSaidAtRepeatAfterAWeek(t *testing.T) {
	f := newTestFamily(t)
	noon := time.Date(2026, time.March, 10, 12, 0, 0, 0, f.loc)
	for _, tc := range []struct{ text, lang, want string }{
		{"remind me to call grandma tomorrow at 6pm", "en", "Added the task “Call grandma”"},
		{"Zahnarzt morgen um 15 Uhr", "de", "Zahnarzt"},
	} {
		f.svc.now = func() time.Time { return noon }
		said := noon.Add(-time.Hour)
		id := uuid.New()
		first, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id, Text: tc.text, Lang: tc.lang, SaidAt: &said})
		if err != nil || !strings.Contains(first.Message, tc.want) {
			t.Fatalf("%q: %q, %v", tc.text, first.Message, err)
		}
		before := f.state(true)
		f.svc.now = func() time.Time { return noon.Add(8 * 24 * time.Hour) }
		again, err := f.svc.Command(f.ctx(f.ana), Request{ID: &id, Text: tc.text, Lang: tc.lang, SaidAt: &said})
		if err != nil || !again.Replayed || !strings.Contains(again.Message, tc.want) {
			t.Errorf("%q repeated 8 days later: %q replayed=%v, %v; want the stored answer", tc.text, again.Message, again.Replayed, err)
		}
		other := uuid.New()
		if _, err := f.svc.Command(f.ctx(f.ana), Request{ID: &other, Text: tc.text, Lang: tc.lang, SaidAt: &said}); errorField(err) != "said_at" {
			t.Errorf("%q with a new id 8 days later: %v, want said_at refused", tc.text, err)
		}
		if after := f.state(true); after != before {
			t.Errorf("%q: the repeat wrote: %s, was %s", tc.text, after, before)
		}
	}
}

// TestSaidAtPastSaysSo: a command said days ago (said_at) may name a day
// that has passed by the time it arrives ("tomorrow", "on Monday"): it is
// written as said, and the answer says the day (or the time today) has
// passed, not only "due yesterday".
func TestSaidAtPastSaysSo(t *testing.T) {
	f := newTestFamily(t)
	noon := time.Date(2026, time.March, 10, 12, 0, 0, 0, f.loc) // a Tuesday
	f.svc.now = func() time.Time { return noon }
	for _, tc := range []struct {
		text, lang string
		device     Device
		back       time.Duration
		want, not  string
	}{
		{"remind me to call grandma tomorrow at 6pm", "en", Device{}, 3 * 24 * time.Hour, "That day has passed already.", ""},
		{"remind me to call grandma tomorrow at 6pm", "en", Device{Hour12: true}, 3 * 24 * time.Hour, "That day has passed already.", ""},
		{"dentist on Monday at 3pm", "en", Device{}, 5 * 24 * time.Hour, "That day has passed already.", ""},
		{"erinnere mich morgen um 18 Uhr an Oma anrufen", "de", Device{}, 3 * 24 * time.Hour, "Dieser Tag ist schon vorbei.", ""},
		{"Zahnarzt am Montag um 15 Uhr", "de", Device{}, 5 * 24 * time.Hour, "Dieser Tag ist schon vorbei.", ""},
		{"Oma besuchen am Montag", "de", Device{}, 5 * 24 * time.Hour, "Dieser Tag ist schon vorbei.", ""},
		// today, at a time gone by
		{"dentist tomorrow at 8am", "en", Device{}, 24 * time.Hour, "That time has passed already.", ""},
		{"Zahnarzt morgen um 8 Uhr", "de", Device{}, 24 * time.Hour, "Diese Uhrzeit ist schon vorbei.", ""},
		// not passed: no note
		{"remind me to call grandma tomorrow at 6pm", "en", Device{}, 24 * time.Hour, "", "passed"},
		{"Zahnarzt morgen um 15 Uhr", "de", Device{}, 24 * time.Hour, "", "vorbei"},
		{"Oma besuchen morgen", "de", Device{}, 24 * time.Hour, "", "vorbei"},
		{"dentist tomorrow at 3pm", "en", Device{}, 0, "", "passed"},
	} {
		said := noon.Add(-tc.back)
		ans, err := f.svc.Command(f.ctx(f.ana), Request{Text: tc.text, Lang: tc.lang, Device: tc.device, SaidAt: &said})
		if err != nil {
			t.Errorf("%q said %v back: %v", tc.text, tc.back, err)
			continue
		}
		if !strings.HasSuffix(ans.Message, tc.want) || tc.not != "" && strings.Contains(ans.Message, tc.not) {
			t.Errorf("%q said %v back: %q, want it to end in %q", tc.text, tc.back, ans.Message, tc.want)
		}
	}
}

// TestSaidAtYesterdayAtRiskyInstants: a command said at this time of day
// yesterday (in the family's zone) names today by its "tomorrow" (said
// before 04:00, yesterday: the day just begun then, NightEnds), at the
// instants where 24 hours back is not yesterday: after the night of 23
// hours (00:30 on the Monday: 24 hours back is Saturday) and before the
// end of the night of 25 hours (23:30 on the Sunday: still Sunday), and
// at midnights around New Year. A client holding a command offline keeps
// the instant it was said; the REST test built it as 24 hours back and
// failed in those hours.
func TestSaidAtYesterdayAtRiskyInstants(t *testing.T) {
	f := newTestFamily(t)
	for _, now := range []time.Time{
		time.Date(2027, time.March, 29, 0, 30, 0, 0, f.loc),    // after the 23-hour Sunday
		time.Date(2027, time.October, 31, 23, 30, 0, 0, f.loc), // the 25-hour Sunday
		time.Date(2026, time.December, 31, 23, 30, 0, 0, f.loc),
		time.Date(2027, time.January, 1, 0, 30, 0, 0, f.loc),
		time.Date(2027, time.March, 1, 0, 30, 0, 0, f.loc),
	} {
		f.setNow(now)
		saidAt := now.AddDate(0, 0, -1)
		ans, err := f.svc.Command(f.ctx(f.ana), Request{Text: "remind me to call grandma tomorrow at 6pm", Lang: "en", SaidAt: &saidAt})
		if err != nil {
			t.Fatalf("%v: %v", now, err)
		}
		// said before 04:00, "tomorrow" was the day just begun then
		// (NightEnds): yesterday, its date named
		want, msg := time.Date(now.Year(), now.Month(), now.Day(), 18, 0, 0, 0, f.loc), "due today at 18:00"
		if early(saidAt.In(f.loc)) {
			want, msg = want.AddDate(0, 0, -1), "due yesterday ("
		}
		if d := ans.Result.Task.DueAt.In(f.loc); !d.Equal(want) {
			t.Errorf("said %v, received %v: due %v, want %v", saidAt, now, d, want)
		}
		if !strings.Contains(ans.Message, msg) {
			t.Errorf("said %v, received %v: %q, want %q", saidAt, now, ans.Message, msg)
		}
	}
}
