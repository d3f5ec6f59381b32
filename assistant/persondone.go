package assistant

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/familyhub/familyhub"
)

// "Tim is done" in a family without a member Tim, with a task "Tim": the
// parser cannot tell a person from a chore by the name alone, so the
// executor does not complete a task whose title is one person-like name
// (no verb, no word FamilyHub knows as a chore, an item or a common word)
// when the command only says that it is done. "mark Tim as done" still
// completes it.

// doneNewsRx: a command that says something is done ("Tim is done",
// "Tim's finished", "Tim ist fertig"), with the said title first.
var doneNewsRx = regexp.MustCompile(`(?i)^\s*(?:the\s+|der\s+|die\s+|das\s+)?([\p{L}'-]+?)(?:'s|’s|\s+is|\s+was|\s+has been|\s+ist|\s+war|\s+sind)\s+(?:all\s+|now\s+|jetzt\s+|schon\s+)?(?:done|finished|complete|completed|sorted|fertig|erledigt|gemacht)\s*[.!]?\s*$`)

// personDone refuses completing the task titled title said as news of
// someone done: the said title and the task's are one person-like word.
func (x *executor) personDone(said, title string) error {
	m := doneNewsRx.FindStringSubmatch(x.text)
	if m == nil || !strings.EqualFold(familyhub.Fold(m[1]), familyhub.Fold(title)) || !strings.EqualFold(familyhub.Fold(said), familyhub.Fold(title)) {
		return nil
	}
	if !personLikeTitle(title) {
		return nil
	}
	return x.say.refuse("title", "task.person_done", "title", x.say.quote(title), "name", title)
}

// personLikeTitle: title is one capitalised word that is no chore, item,
// verb or common word FamilyHub knows ("Tim", "Mia"; not "Laundry",
// "Wäsche", "Dishes", "Milk").
func personLikeTitle(title string) bool {
	f := strings.Fields(title)
	if len(f) != 1 {
		return false
	}
	r := []rune(f[0])
	if len(r) < 2 || !unicode.IsUpper(r[0]) {
		return false
	}
	w := strings.ToLower(f[0])
	if familyRoles[w] {
		return true
	}
	if choreNounsEN[w] || choreNounsDE[w] || verbsEN[w] || verbsDE[w] || commonWords[w] || englishWords[w] || germanWords[w] ||
		keywords[w] || notNameWords[w] {
		return false
	}
	if _, ok := itemLexicon[familyhub.Fold(f[0])]; ok {
		return false
	}
	return !strings.ContainsFunc(f[0], func(r rune) bool { return !unicode.IsLetter(r) })
}
