package assistant

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// undoneMessage says what an undo took back. An add to a list says the
// items came off the list again ("Zurückgenommen: Ich habe Milch und Eier
// wieder von „Weekly“ gestrichen."), or, when the add had merged into lines
// already there (an amount added, a ticked line unticked), that they are
// as they were; a list the add made is gone again. Any other command
// says its sentence again after "Undone:". Only the items the add wrote
// are named: a line it kept as it was is not taken back.
func (u *undoer) undoneMessage(cmd dbsqlc.AssistantCommand, writes []db.AssistantWrite, loc *time.Location) string {
	var res Result
	if cmd.Intent == nil || *cmd.Intent != IntentShoppingAddItems || json.Unmarshal(cmd.Result, &res) != nil ||
		res.List == nil || len(res.Items) == 0 {
		return u.say.say("undone", "text", u.retold(cmd, loc))
	}
	if res.ListCreated {
		return u.say.say("undone.list_created", "list", u.say.quote(res.List.Name))
	}
	key, written := "undone.items_added", map[uuid.UUID]bool{}
	for _, w := range writes {
		written[w.ID] = true
		if w.Op == db.WriteUpdate {
			key = "undone.items_restored"
		}
	}
	// Only the lines the add wrote: one it found open and kept as it was
	// ("Milch" said with "Milch" on the list) stays, and is not named.
	var names []string
	for _, it := range res.Items {
		if written[it.ID] && !contains(names, it.Name) {
			names = append(names, it.Name)
		}
	}
	if len(names) == 0 {
		return u.say.say("undone", "text", u.retold(cmd, loc))
	}
	return u.say.say(key, "items", u.say.and(names), "list", u.say.quote(res.List.Name))
}
