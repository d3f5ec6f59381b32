package assistant

import "testing"

// TestAssist19Replies: "it's my turn to cook tonight" in a family without
// a chore "Cook" adds the speaker's task "Cook" for tonight (it was
// refused with "No open task matches “Cook”"); once a "Cook" exists it
// asks whether to take that over or add another; the same in German
// ("ich bin heute Abend mit Kochen dran" was an event "Ich bin mit
// Kochen dran"). A German task done said as news ("hab die Wäsche
// gemacht", "Wäsche ist fertig") completes "Wäsche". "laundry's done"
// completes "Laundry", and "swimming's been moved to tuesday" moves it.
func TestAssist19Replies(t *testing.T) {
	f := newTestFamily(t)
	f.wantExecuted(t, []saidCase{
		{"en", "it's my turn to cook tonight", "“Cook”", f.ana},
		{"en", "add a task: laundry", "“Laundry”", nil},
		{"en", "laundry's done", "“Laundry”", nil},
		{"en", "swimming on Thursday at 4", "“Swimming”", nil},
		{"en", "swimming's been moved to tuesday", "“Swimming”", nil},
		{"de", "Aufgabe: Wäsche", "„Wäsche“", nil},
		{"de", "hab die Wäsche gemacht", "„Wäsche“", nil},
		{"de", "Aufgabe: Wäsche", "„Wäsche“", nil},
		{"de", "Wäsche ist fertig", "„Wäsche“", nil},
		{"de", "ich bin heute Abend mit Kochen dran", "„Kochen“", f.ana},
	})
	if a := f.ask("it's my turn to cook tonight"); a.Message != "Did you mean taking over the task “Cook” or a new task “Cook”?" {
		t.Errorf("asked %q", a.Message)
	}
	a, err := f.svc.Command(f.ctx(f.ana), Request{Text: "ich bin heute Abend mit Kochen dran", Lang: "de"})
	if err != nil || a.Message != "Meinst du die Aufgabe „Kochen“ übernehmen oder eine neue Aufgabe „Kochen“?" {
		t.Errorf("asked %q %v", a.Message, err)
	}
}
