package assistant

import (
	"regexp"
	"strings"
)

// whenYouRx ends a request with the moment it is for, said of the one
// asked: "… when you get home", "… once you're back", "…, wenn du
// heimkommst", "… sobald du Zeit hast". m[1] is the request.
var whenYouRx = regexp.MustCompile(`(?i)^(.+?)\s*,?\s+(?:when|once|as soon as|whenever|wenn|sobald) (?:you|you're|you've|you'll|u|du|ihr) \S.*$`)

// withoutWhenYou is text without a final "when you get home" (whenYouRx):
// the moment is the asked one's own, which no due time can hold, so the
// request is read as said without it ("Mia can you empty the dishwasher
// when you get home" is Mia's task "Empty the dishwasher"; it was not
// understood). A request about the speaker ("call me when you get home")
// is no to-do of the lists and keeps its clause.
func withoutWhenYou(text string) (string, bool) {
	m := whenYouRx.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil || hasAnyWord(m[1], meWords) {
		return "", false
	}
	return m[1], true
}

// askedToDERx: a German request said to the one named ("kannst du …",
// "könntest du bitte …"); m[1] is what is asked.
var askedToDERx = regexp.MustCompile(`(?i)^(?:kannst|könntest|würdest) du (?:bitte |mal |bitte mal |mal bitte )?(.+)$`)

// askedOwnObjectDE: s, asked after a name without a comma, ends with an
// infinitive and names its own object with an article or possessive
// ("die Spülmaschine ausräumen"), so the name before it is the one asked
// and not the object put first ("Mia kannst du abholen", "Oma kannst du
// morgen anrufen" stay what they were).
func askedOwnObjectDE(s string) bool {
	f := words(s)
	if len(f) < 3 || !isInfinitiveDE(f[len(f)-1]) {
		return false
	}
	for _, w := range f[:len(f)-1] {
		if objectArticlesDE[w] {
			return true
		}
	}
	return false
}

var objectArticlesDE = setOf(`der die das den dem des ein eine einen dein deine deinen deinem dein unser unsere unseren`)
