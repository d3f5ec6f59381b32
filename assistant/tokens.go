package assistant

import (
	"strings"
	"unicode"
)

// token is one word of a command: as written (raw) and folded for
// matching (w: lower case, without surrounding punctuation).
type token struct {
	raw, w string
	comma  bool // a comma or colon follows it
}

func tokenize(s string) []token {
	var out []token
	for _, f := range strings.Fields(s) {
		t := token{raw: f, comma: strings.HasSuffix(f, ",") || strings.HasSuffix(f, ":")}
		t.raw = strings.TrimRight(f, ",;:")
		w := strings.ToLower(strings.Trim(t.raw, `,;:!?"()`))
		w = strings.TrimSuffix(w, ".")
		if strings.HasSuffix(w, ".") && !strings.ContainsAny(w, "0123456789") {
			w = strings.TrimRight(w, ".")
		}
		t.w = w
		if t.raw == "" {
			continue
		}
		out = append(out, t)
	}
	return out
}

// joinRaw joins the tokens not marked used, as written.
func joinRaw(toks []token, used []bool) string {
	var b strings.Builder
	for i, t := range toks {
		if used != nil && used[i] {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.raw)
	}
	return b.String()
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '-' && r != '&'
	})
}

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// isCapitalised says whether s starts with an upper-case letter.
func isCapitalised(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r)
	}
	return false
}

func appendRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}

// editDistance is the optimal string alignment distance of a and b (a
// transposition counts as one edit), capped: it returns max+1 as soon as
// the distance exceeds max.
func editDistance(a, b string, max int) int {
	var bufA, bufB [32]rune
	ra, rb := appendRunes(bufA[:0], a), appendRunes(bufB[:0], b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	var rows [3][33]int
	prev2, prev, cur := rows[0][:0], rows[1][:0], rows[2][:0]
	if len(rb) >= 33 {
		prev2, prev, cur = make([]int, 0, len(rb)+1), make([]int, 0, len(rb)+1), make([]int, 0, len(rb)+1)
	}
	prev2, prev, cur = prev2[:len(rb)+1], prev[:len(rb)+1], cur[:len(rb)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
