package assistant

import (
	"encoding/json"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
)

// FuzzParseIntent: whatever the text and locale, the parser does not
// panic or hang, answers the same twice, and returns either not
// understood or an intent that passes Validate, also after a JSON round
// trip through the strict decoding the model's answers get. The seeds are
// the corpus and testdata/fuzz/FuzzParseIntent; they run in every go test.
func FuzzParseIntent(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(c.text, c.locale)
	}
	for _, s := range []string{
		"in half an hour at 25:99", "remind me on february 30 at 13pm", "at at at on on the the", "in 1000 weeks",
		"put x on 2999-12-31 at 24:00", "erinnere mich übermorgen früh um 7", "check off , , and", "add and and and",
		"remind me to x next sun at midnight", "schedule y 9999-01-01", "every every every", "jeden jeden zweiten",
		"from the 31st to the 1st of February", "vom 30. bis 2. Februar", "Rot- und - und Weißwein", "- und -",
		"move x from to to", "no no no", "Tim and and take turns", "wechseln sich ab", "5 to 6pm to 7pm",
		"halb halb halb", "viertel vor", "every 0 days", "alle 1000 Tage", "on the 0th", "am 32.13.",
		"add fish and chips and fish and chips", "delete", "snooze", "um", "er,", "like like like",
	} {
		f.Add(s, "en")
		f.Add(s, "de")
	}
	now := parseNow(f)
	f.Fuzz(func(t *testing.T, text, locale string) {
		lang, err := AssistantLanguage(locale)
		if err != nil {
			lang = "en"
		}
		text, err = AssistantText(text)
		if err != nil {
			return
		}
		// The thread's CPU time where the OS gives it: wall time also counts
		// the other processes of a loaded machine (CI under -race).
		runtime.LockOSThread()
		c0, cpuOK := threadCPU()
		start := time.Now()
		in, err := ParseIntent(text, lang, now)
		took := time.Since(start)
		if c1, ok := threadCPU(); ok && cpuOK {
			took = c1 - c0
		}
		runtime.UnlockOSThread()
		if took > time.Second {
			t.Fatalf("%q took %s", text, took)
		}
		again, err2 := ParseIntent(text, lang, now)
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(in, again) {
			t.Fatalf("%q: two answers: %+v (%v) and %+v (%v)", text, in, err, again, err2)
		}
		if err != nil {
			if familyhub.ErrorCode(err) != familyhub.EINVALID || !strings.Contains(familyhub.ErrorMessage(err), "did not understand") {
				t.Fatalf("%q: error %v is not 'not understood'", text, err)
			}
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("%q: invalid intent %+v: %v", text, in, err)
		}
		if in.Lang != "en" && in.Lang != "de" {
			t.Fatalf("%q: lang %q", text, in.Lang)
		}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		var back Intent
		if err := dec.Decode(&back); err != nil {
			t.Fatalf("%q: %s does not decode strictly: %v", text, b, err)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("%q: %s is invalid after a round trip: %v", text, b, err)
		}
	})
}

// BenchmarkParse parses every command of the corpus and reports the
// latency per command: p50, p99 and max of wall time and, on Linux, of
// the thread's CPU time (which the machine's other load does not
// inflate), besides ns/op for the whole corpus. The goal is p99 under 5 ms.
func BenchmarkParse(b *testing.B) {
	cases := loadCorpus(b)
	now := parseNow(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wall, cpu []time.Duration
	for b.Loop() {
		for _, c := range cases {
			c0, cpuOK := threadCPU()
			start := time.Now()
			ParseIntent(c.text, c.locale, now)
			wall = append(wall, time.Since(start))
			if c1, ok := threadCPU(); ok && cpuOK {
				cpu = append(cpu, c1-c0)
			}
		}
	}
	report := func(lat []time.Duration, kind string) {
		if len(lat) == 0 {
			return
		}
		slices.Sort(lat)
		at := func(q float64) float64 { return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Nanoseconds()) }
		b.ReportMetric(at(0.50), "p50-"+kind+"-ns/cmd")
		b.ReportMetric(at(0.99), "p99-"+kind+"-ns/cmd")
		b.ReportMetric(float64(lat[len(lat)-1].Nanoseconds()), "max-"+kind+"-ns/cmd")
	}
	report(wall, "wall")
	report(cpu, "cpu")
	b.ReportMetric(float64(len(cases)), "cmds")
}
