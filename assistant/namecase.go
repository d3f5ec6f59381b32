package assistant

import (
	"strings"
	"unicode"
)

// membersCapitalised writes a member's name said in lower case, as dictation
// and quick typing give it, capitalised in what in creates: "ask mum to pick
// up mia at 3 tomorrow" is the task "Pick up Mia" (it was "Pick up mia")
// when the family has a Mia. A word that is also an ordinary word ("will",
// "may") stays as said: without its capital it may be that word.
func membersCapitalised(in *Intent, names []string) {
	if len(names) == 0 {
		return
	}
	in.Slots.Title = capitaliseMembers(in.Slots.Title, in.Lang, names)
	for i := range in.Slots.Events {
		in.Slots.Events[i].Title = capitaliseMembers(in.Slots.Events[i].Title, in.Lang, names)
	}
}

func capitaliseMembers(title, lang string, names []string) string {
	if title == "" {
		return title
	}
	f := strings.Fields(title)
	changed := false
	for i, w := range f {
		base, tail := w, ""
		for _, suf := range []string{"'s", "s"} {
			// German "mias"; in English a plain s is a plural ("the bills"
			// of a member called Bill stay the bills)
			if b, ok := strings.CutSuffix(w, suf); ok && b != "" && isMember(b, names) && (suf == "'s" || lang == "de") {
				base, tail = b, suf // "mia's", German "mias"
				break
			}
		}
		r := []rune(base)
		lw := strings.ToLower(base)
		if len(r) < 2 || !unicode.IsLower(r[0]) || !isMember(base, names) || modalWords[lw] || commonWords[lw] ||
			englishWords[lw] || germanWords[lw] || verbsEN[lw] || verbsDE[lw] {
			continue
		}
		f[i], changed = capitalise(base)+tail, true
	}
	if !changed {
		return title
	}
	return strings.Join(f, " ")
}
