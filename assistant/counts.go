package assistant

import "strings"

// splitAtCounts splits dictated items at a count that starts the next:
// "3 tins of beans 2 loaves of bread" are two items (the first was "beans
// 2 loaves of bread"), "drei Dosen Tomaten zwei Gurken" two (it was not
// understood). Only when what comes before is a grocery the lexicon
// knows, so "size 4 nappies" stays one.
func splitAtCounts(segs []string, lang string) []string {
	var out []string
	for _, seg := range segs {
		f := strings.Fields(seg)
		start := 0
		for i := 1; i+1 < len(f); i++ {
			lw := strings.ToLower(f[i])
			if !numberToken.MatchString(lw) && numberWords[lw] == 0 {
				continue
			}
			before := strings.Join(f[start:i], " ")
			it, ok := parseItem(before, lang)
			if !ok || !itemKnownPhrase(it.Name) || numberToken.MatchString(f[i-1]) || numberWords[strings.ToLower(f[i-1])] > 0 {
				continue
			}
			out = append(out, before)
			start = i
		}
		out = append(out, strings.Join(f[start:], " "))
	}
	return out
}
