package assistant

import "testing"

func addItems(names ...string) string {
	s := `{"slots":{"items":[`
	for i, n := range names {
		if i > 0 {
			s += ","
		}
		s += `{"name":"` + n + `"}`
	}
	return s + `]},"type":"shopping.add_items"}`
}

func evTimed(title, start, end string) string {
	return `{"slots":{"ends_at":"` + end + `","starts_at":"` + start + `","title":"` + title + `"},"type":"calendar.create"}`
}

// TestMayICanIAdd: "May I add milk" and "Can I add milk to the list" ask
// leave to add milk, a polite request; they were not understood, and
// "kann ich Milch auf die Liste setzen" added an item "kann ich Milch". A
// member called May changes nothing: "May I" is no address. Leave for
// anything else is no command.
func TestMayICanIAdd(t *testing.T) {
	for _, names := range [][]string{nil, {"May", "Tim"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "May I add milk", addItems("milk")},
			{"en", "may I add milk", addItems("milk")},
			{"en", "Can I add milk to the list", addItems("milk")},
			{"en", "could I please add milk", addItems("milk")},
			{"en", "can I put bread on the list", addItems("bread")},
			{"de", "kann ich Milch auf die Liste setzen", addItems("Milch")},
			{"de", "darf ich Brot auf die Liste schreiben", addItems("Brot")},
			{"en", "May, add milk", addItems("milk")},
			// leave for something else
			{"en", "May I go to the park", ""},
			{"en", "can I have a cookie", ""},
			{"en", "can I buy milk", ""},
			{"de", "kann ich ins Kino gehen", ""},
			{"de", "darf ich Milch kaufen", ""},
		})
	}
	// a modal is still no name without a comma
	parseCases(t, []string{"May", "Tim"}, []struct{ locale, text, want string }{
		{"en", "May add milk", ""},
	})
}

// TestMarkAndBillAreVerbsToo: members called Mark or Bill. "mark … as
// done" is the verb even when a member is called Mark (it was Mark's new
// task "Take out the bins as done"); "Mark the milk as bought" ticks;
// "Mark needs …" and "Mark take out the bins" are about and to Mark; "Bill
// Tim for the pizza" asks for nothing FamilyHub does.
func TestMarkAndBillAreVerbsToo(t *testing.T) {
	complete := `{"slots":{"title":"Take out the bins"},"type":"task.complete"}`
	check := `{"slots":{"items":[{"name":"milk"}]},"type":"shopping.check_items"}`
	task := func(who string) string {
		return `{"slots":{"assignee":"` + who + `","title":"Take out the bins"},"type":"task.create"}`
	}
	for _, names := range [][]string{nil, {"Mark", "Bill", "Tim"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "mark take out the bins as done", complete},
			{"en", "Mark take out the bins as done", complete},
			{"en", "Mark the milk as bought", check},
			{"en", "mark milk as bought", check},
			{"en", "Bill Tim for the pizza", ""},
			{"en", "Mark needs new shoes", ""},
			{"en", "Mark needs to mow the lawn on Saturday", `{"slots":{"assignee":"Mark","due_at":"2026-03-14T23:59","title":"Mow the lawn"},"type":"task.create"}`},
			{"en", "Bill pays the bills every month", `{"slots":{"assignee":"Bill","recurrence":"FREQ=MONTHLY","title":"Pay the bills"},"type":"task.create"}`},
		})
	}
	parseCases(t, []string{"Mark", "Bill", "Tim"}, []struct{ locale, text, want string }{
		{"en", "Mark take out the bins", task("Mark")},
		{"en", "mark take out the bins", task("Mark")},
		{"en", "Bill take out the bins", task("Bill")},
	})
}
