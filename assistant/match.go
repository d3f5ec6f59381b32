package assistant

import (
	"strings"
	"unicode"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// Matching what a command names ("the groceries list", "trash", "Tim") to
// the family's records: case, accents, articles, "list"/"Liste" and plurals
// aside; small typos forgiven in titles.

// genericListNames are list keys that mean "the shopping list".
var genericListNames = map[string]bool{
	"shopping": true, "grocery": true, "groceri": true, "groceries": true, "einkauf": true, "einkaufen": true,
	"einkaufsliste": true, "einkaufszettel": true, "lebensmittel": true, "supermarket": true, "shop": true, "food": true,
}

// listKey is a list name for matching: folded, letters and digits only,
// without "list"/"liste" and a plural s.
func listKey(s string) string {
	var b strings.Builder
	for _, r := range familyhub.Fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	k := b.String()
	for _, suf := range []string{"sliste", "liste", "list"} {
		if len(k) > len(suf) {
			k = strings.TrimSuffix(k, suf)
		}
	}
	return singular(k)
}

func singular(k string) string {
	switch {
	case strings.HasSuffix(k, "ies") && len(k) > 4:
		return k[:len(k)-3] + "y"
	case strings.HasSuffix(k, "s") && !strings.HasSuffix(k, "ss") && len(k) > 3:
		return k[:len(k)-1]
	}
	return k
}

// itemKey is an item name for matching: folded words without plural s.
func itemKey(s string) string {
	f := strings.Fields(familyhub.Fold(s))
	for i := range f {
		f[i] = singular(strings.Trim(f[i], `.,;:!?"'()`))
	}
	return strings.Join(f, " ")
}

// titleScore says how well a spoken title matches a record's, 0 to 1: the
// same words (articles aside) 1, one's words all in the other 0.8, else
// the share of words that are alike (small typos forgiven), scaled down.
func titleScore(said, title string) float64 {
	a, b := titleWords(said), titleWords(title)
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if strings.Join(a, " ") == strings.Join(b, " ") {
		return 1
	}
	matched := 0
	for _, w := range a {
		for _, v := range b {
			if w == v || (len(w) > 3 && len(v) > 3 && similar(w, v)) {
				matched++
				break
			}
		}
	}
	if matched == len(a) || matched == len(b) {
		return 0.8 - 0.01*float64(abs(len(a)-len(b)))
	}
	return 0.75 * 2 * float64(matched) / float64(len(a)+len(b))
}

// sharesOnly reports whether the words a spoken title has in common with a
// record's title (as titleScore matches them) are all in words, and there
// is at least one: "done tim" shares only a member's name with "Pick up
// Tim", which is no match (a name says whose a task is, not which one); a
// title that is the record's whole title scores 1 and is not asked. "and"
// between names ("done mia and ben") is no more than the names.
func sharesOnly(said, title string, words map[string]bool) bool {
	a, b := titleWords(said), titleWords(title)
	shared := 0
	for _, w := range a {
		for _, v := range b {
			if w == v || (len(w) > 3 && len(v) > 3 && similar(w, v)) {
				if !words[w] && !words[v] && !nameGlue[w] {
					return false
				}
				shared++
				break
			}
		}
	}
	return shared > 0
}

// nameGlue joins names ("mia and ben") and says no more than they do.
var nameGlue = setOf(`and und & or oder`)

// memberNameWords are the words of the members' display names and the
// family roles ("mum", "Oma"), as titleWords gives them: words that say
// whose a record is, not which ("done mum" is not "Call mum").
func memberNameWords(members []db.Member) map[string]bool {
	out := map[string]bool{}
	for _, m := range members {
		for _, w := range titleWords(m.DisplayName) {
			out[w] = true
		}
	}
	for r := range familyRoles {
		for _, w := range titleWords(r) {
			out[w] = true
		}
	}
	return out
}

// nameScore is titleScore but 0 when said shares only names (names, from
// memberNameWords) with title and is not the whole title: "Tim" does not
// find "Tim's football", "mum" not "Call mum".
func nameScore(said, title string, names map[string]bool) float64 {
	score := titleScore(said, title)
	if score < 1 && sharesOnly(said, title, names) {
		return 0
	}
	return score
}

// nameWords is memberNameWords of the family's members.
func (x *executor) nameWords() (map[string]bool, error) {
	members, err := x.memberList()
	if err != nil {
		return nil, err
	}
	return memberNameWords(members), nil
}

// Titles that score at least minTitleScore match; those within
// titleScoreTie of the best one are as good as it.
const (
	minTitleScore = 0.5
	titleScoreTie = 0.05
)

func titleWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(familyhub.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !titleStopWords[w] {
			out = append(out, singular(w))
		}
	}
	return out
}

var titleStopWords = map[string]bool{
	"the": true, "a": true, "an": true, "my": true, "our": true, "to": true,
	"der": true, "die": true, "das": true, "den": true, "dem": true, "des": true, "ein": true, "eine": true,
}

// similar reports whether two words are at most one edit apart (two for
// long words).
func similar(a, b string) bool {
	limit := 1
	if len([]rune(a)) > 7 {
		limit = 2
	}
	return editDistance(a, b, limit) <= limit
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// best returns the indexes of the candidates whose score is within
// titleScoreTie of the best one (at least minTitleScore), best first.
func best(scores []float64) []int {
	top := -1.0
	for _, s := range scores {
		top = max(top, s)
	}
	if top < minTitleScore {
		return nil
	}
	var out []int
	for i, s := range scores {
		if s >= top-titleScoreTie {
			out = append(out, i)
		}
	}
	return out
}

// nameMatches reports whether a name as said ("tim", "Mia S") names a
// member's display name ("Tim Rivera"): the whole name, or its first
// words, case and accents aside.
func nameMatches(said, display string) bool {
	s, d := strings.Fields(familyhub.Fold(said)), strings.Fields(familyhub.Fold(display))
	if len(s) == 0 || len(s) > len(d) {
		return false
	}
	for i, w := range s {
		if w != d[i] && !(i == len(s)-1 && len(s) > 1 && strings.HasPrefix(d[i], strings.TrimSuffix(w, "."))) {
			return false
		}
	}
	return true
}
