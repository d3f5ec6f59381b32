package assistant

import "testing"

// review64: sentences near assist14's new rules that the rules misread,
// with and without the members.

// TestPeopleFetchedWithAPronoun: assist14 refused a "will get" whose
// items hold a pronoun ("I will buy milk and it"), and so refused people
// fetched: "dad will get Mia and me at 5" was Dad's task "Get Mia and me"
// and was not understood. A person's pronoun among others is someone
// fetched; a thing's pronoun, or a pronoun alone, still refuses.
func TestPeopleFetchedWithAPronoun(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "dad will get Mia and me at 5", taskOfWhoDue("Get Mia and me", "Dad", "2026-03-11T17:00")},
			{"en", "mum will fetch Tim and me at 3", taskOfWhoDue("Fetch Tim and me", "Mum", "2026-03-11T15:00")},
			{"en", "Tim should get Mia and me", taskOfWho("Get Mia and me", "Tim")},
			{"en", "I'll get Tim and her at 3", taskOfMe("Get Tim and her", "2026-03-11T15:00")},
			// as assist14 reads them
			{"en", "I will buy milk and it", ""},
			{"en", "I'll buy it tomorrow", ""},
			{"en", "Tim will get it", ""},
		})
	}
}

func taskOfWhoDue(title, assignee, due string) string {
	return `{"slots":{"assignee":"` + assignee + `","due_at":"` + due + `","title":"` + title + `"},"type":"task.create"}`
}
