package assistant

import (
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub"
)

// TestSpokenUndo: "undo that", "mach das rückgängig", "rückgängig" undo
// the speaker's own last command, as its Undo button does (they were not
// understood): its writes are gone, the answer is the button's, and the
// command counts as undone. Another member's command is not the
// speaker's; nothing to undo, a command already undone, one too old or one
// changed since are refused in the language spoken, and nothing is
// written.
func TestSpokenUndo(t *testing.T) {
	f := newTestFamily(t)
	weekly := f.list("Weekly")

	// Nothing said yet: nothing to undo.
	f.refused("undo that", familyhub.ECONFLICT, "no command I could undo")

	add := f.do("add milk and eggs to the weekly list")
	f.doAs(f.ben, "add bread to the weekly list") // Ben's: not Ana's last command
	ans := f.do("undo that")
	if ans.Intent.Type != IntentCommandUndo || ans.Message != undoneOf(add.Message) || ans.Undoable {
		t.Fatalf("undo that: %+v", ans)
	}
	if got := itemNamesOf(f.items(weekly.ID)); got != "bread" {
		t.Fatalf("after undo that: %q, want Ben's bread only", got)
	}
	// The button on the same command now finds it undone.
	if _, err := f.undo(f.ana, add.ID); !isCode(err, familyhub.ECONFLICT) {
		t.Fatalf("button after spoken undo: %v", err)
	}
	// Said again: the last command is the one undone, no older one.
	f.refused("undo that", familyhub.ECONFLICT, "undone already")

	// German, its answer in the command's words.
	de := f.do("Kauf Käse")
	ans, err := f.svc.Command(f.ctx(f.ana), Request{Text: "mach das rückgängig", Lang: "de"})
	if err != nil || ans.Lang != "de" || ans.Message != undoneOf(de.Message) {
		t.Fatalf("mach das rückgängig after %q: %+v %v", de.Message, ans, err)
	}

	// Too old: refused, nothing undone.
	f.do("add butter")
	f.setNow(f.now.Add(SpokenUndoMaxAge + time.Minute))
	if _, err := f.svc.Command(f.ctx(f.ana), Request{Text: "rückgängig", Lang: "de"}); !isCode(err, familyhub.ECONFLICT) ||
		!strings.Contains(familyhub.ErrorMessage(err), "mehr als 30 Minuten her") {
		t.Fatalf("rückgängig, too old: %v", err)
	}
	if got := itemNamesOf(f.items(weekly.ID)); !strings.Contains(got, "butter") {
		t.Fatalf("a too old command was undone: %q", got)
	}

	// Changed since by someone else: refused, nothing undone.
	f.do("add apples to the weekly list")
	f.doAs(f.ben, "I bought apples")
	f.refused("undo that", familyhub.ECONFLICT, "was changed since")
}
