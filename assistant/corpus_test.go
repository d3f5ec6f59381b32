package assistant

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var updateReport = flag.Bool("update-report", false, "write the corpus accuracy report into docs/assistant-accuracy.md")

// minCorpusAccuracy is the share of the corpus the parser must get exactly
// right (intent, slots and language).
const minCorpusAccuracy = 0.95

type corpusCase struct {
	line                 int
	lang, locale, voice  string
	text, want, wantType string
}

// loadCorpus reads testdata/corpus.txt (its format is described at its top).
func loadCorpus(tb testing.TB) []corpusCase {
	tb.Helper()
	f, err := os.Open("testdata/corpus.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []corpusCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, " | ", 3)
		head := strings.Fields(parts[0])
		if len(parts) != 3 || len(head) != 2 {
			tb.Fatalf("corpus.txt:%d: want `<lang> <voice> | <text> | <expected>`", n)
		}
		c := corpusCase{line: n, voice: head[1], text: parts[1]}
		c.lang, c.locale, _ = strings.Cut(head[0], "@")
		if c.locale == "" {
			c.locale = c.lang
		}
		c.want, c.wantType, err = expectedIntent(parts[2])
		if err != nil {
			tb.Fatalf("corpus.txt:%d: %v", n, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// expectedIntent turns "<type> <slots>", "choice [...]" or "none" into the
// canonical form canonicalIntent gives parsed intents, and the type the
// report files it under.
func expectedIntent(s string) (canon, typ string, err error) {
	s = strings.TrimSpace(s)
	if s == "none" {
		return "none", "none", nil
	}
	if rest, ok := strings.CutPrefix(s, "choice "); ok {
		var opts []map[string]any
		if err := json.Unmarshal([]byte(rest), &opts); err != nil {
			return "", "", fmt.Errorf("choice options: %w", err)
		}
		common := ""
		for i, o := range opts {
			t, _ := o["type"].(string)
			if i == 0 {
				common = t
			} else if t != common {
				common = IntentClarify
			}
		}
		return canonicalJSON(map[string]any{"type": common, "needs": NeedsChoice, "options": opts}), "choice", nil
	}
	typ, slots, ok := strings.Cut(s, " ")
	if !ok {
		return "", "", fmt.Errorf("expected %q: want `<type> <slots JSON>`", s)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(slots), &m); err != nil {
		return "", "", fmt.Errorf("slots: %w", err)
	}
	return canonicalJSON(map[string]any{"type": typ, "slots": m}), typ, nil
}

var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$`)

// canonicalIntent is an intent as the corpus writes it: without its
// language, times as local YYYY-MM-DDTHH:MM, empty slots as {}.
func canonicalIntent(in Intent, loc *time.Location) string {
	b, _ := json.Marshal(in)
	var m map[string]any
	json.Unmarshal(b, &m)
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "lang")
			if sl, ok := x["slots"].(map[string]any); ok && len(sl) == 0 && x["needs"] != nil {
				delete(x, "slots")
			}
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case string:
			if rfc3339.MatchString(x) {
				t, err := time.Parse(time.RFC3339, x)
				if err == nil {
					return t.In(loc).Format("2006-01-02T15:04")
				}
			}
		}
		return v
	}
	return canonicalJSON(walk(m))
}

// canonicalJSON marshals v with sorted keys (a map round trip).
func canonicalJSON(v any) string {
	b, _ := json.Marshal(v)
	var x any
	json.Unmarshal(b, &x)
	b, _ = json.Marshal(x)
	return string(b)
}

type corpusResult struct {
	c   corpusCase
	got string
	ok  bool
}

// corpusMembers are the display names of the family the corpus is said
// in, the test family of helpers_test.go: the server always knows its
// members, so the corpus is parsed knowing them too ("tim has swimming
// every thursday", said in lower case as dictated, names Tim).
var corpusMembers = []string{"Ana", "Ben", "Mia", "Tim", "Mum", "Dad", "Mama", "Papa"}

// runCorpus parses every command of the corpus at parseNow, knowing the
// family's members.
func runCorpus(tb testing.TB) []corpusResult {
	now := parseNow(tb)
	var out []corpusResult
	for _, c := range loadCorpus(tb) {
		in, err := parseIntent(c.text, c.locale, now, corpusMembers)
		r := corpusResult{c: c, got: "none"}
		if err == nil {
			r.got = canonicalIntent(in, now.Location())
			if in.Lang != c.lang {
				r.got += " (lang " + in.Lang + ")"
			}
		}
		r.ok = r.got == c.want
		out = append(out, r)
	}
	return out
}

// TestCorpus measures the parser on testdata/corpus.txt: exact intent,
// slots and language, per language, per intent and per voice. It fails
// below minCorpusAccuracy. -v prints the report; -update-report writes it
// into docs/assistant-accuracy.md.
func TestCorpus(t *testing.T) {
	results := runCorpus(t)
	report := corpusReport(results)
	t.Log("\n" + report)
	correct := 0
	for _, r := range results {
		if r.ok {
			correct++
		}
	}
	if acc := float64(correct) / float64(len(results)); acc < minCorpusAccuracy {
		t.Errorf("corpus accuracy %.1f%% (%d of %d), want at least %.0f%%", 100*acc, correct, len(results), 100*minCorpusAccuracy)
	}
	if n := countLang(results, "de"); n < 100 || len(results) < 300 {
		t.Errorf("corpus has %d commands, %d German; want at least 300 and 100", len(results), n)
	}
	if *updateReport {
		if err := writeReport("../docs/assistant-accuracy.md", report); err != nil {
			t.Fatal(err)
		}
	}
}

func countLang(rs []corpusResult, lang string) int {
	n := 0
	for _, r := range rs {
		if r.c.lang == lang {
			n++
		}
	}
	return n
}

type tally struct{ n, ok int }

func (t tally) String() string {
	return fmt.Sprintf("%d | %d | %.1f%%", t.n, t.ok, 100*float64(t.ok)/float64(max(t.n, 1)))
}

// corpusReport is the Markdown table of accuracy per language, intent and
// voice, and the list of misses.
func corpusReport(results []corpusResult) string {
	by := map[string]map[string]*tally{"language": {}, "intent": {}, "voice": {}}
	total := tally{}
	for _, r := range results {
		for dim, key := range map[string]string{"language": r.c.lang, "intent": r.c.wantType, "voice": r.c.voice} {
			t := by[dim][key]
			if t == nil {
				t = &tally{}
				by[dim][key] = t
			}
			t.n++
			if r.ok {
				t.ok++
			}
		}
		total.n++
		if r.ok {
			total.ok++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Overall: **%d of %d exact (%.1f%%)**.\n", total.ok, total.n, 100*float64(total.ok)/float64(total.n))
	for _, dim := range []string{"language", "intent", "voice"} {
		fmt.Fprintf(&b, "\n| %s | commands | exact | accuracy |\n|---|---|---|---|\n", dim)
		keys := make([]string, 0, len(by[dim]))
		for k := range by[dim] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "| %s | %s |\n", k, by[dim][k])
		}
	}
	fmt.Fprintf(&b, "\nKnown misses (corpus line, command, expected, parsed):\n\n")
	misses := 0
	for _, r := range results {
		if r.ok {
			continue
		}
		misses++
		fmt.Fprintf(&b, "- %d `%s` %q: expected `%s`, parsed `%s`\n", r.c.line, r.c.lang, r.c.text, r.c.want, r.got)
	}
	if misses == 0 {
		b.WriteString("- none\n")
	}
	return b.String()
}

const (
	reportStart = "<!-- corpus-report:start (go test ./assistant -run TestCorpus -update-report) -->"
	reportEnd   = "<!-- corpus-report:end -->"
)

// writeReport replaces the text between the report markers of path.
func writeReport(path, report string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc := string(b)
	i, j := strings.Index(doc, reportStart), strings.Index(doc, reportEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no report markers %q … %q", path, reportStart, reportEnd)
	}
	doc = doc[:i+len(reportStart)] + "\n" + report + doc[j:]
	return os.WriteFile(path, []byte(doc), 0o644)
}

// TestNewListOnlyWhenAsked: no command of the corpus asks for a list to be
// created unless it says "new list"/"neue Liste" or asks to create one.
func TestNewListOnlyWhenAsked(t *testing.T) {
	now := parseNow(t)
	asked := regexp.MustCompile(`(?i)\bnew\b|\bneue[nr]?\b|\b(?:create|make|start|erstell|erstelle|leg|lege)\b`)
	for _, c := range loadCorpus(t) {
		in, err := ParseIntent(c.text, c.locale, now)
		if err != nil {
			continue
		}
		for _, o := range append([]Intent{in}, in.Options...) {
			if (o.Slots.NewList || o.Type == IntentShoppingCreateList) && !asked.MatchString(c.text) {
				t.Errorf("corpus.txt:%d %q creates a list it was not asked for", c.line, c.text)
			}
		}
	}
}
