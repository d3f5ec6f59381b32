package assistant

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Spoken undo: "undo that", "mach das rückgängig", "rückgängig" undo the
// speaker's own last command, as its Undo button in the PWA does
// (Service.Undo): the same writes reversed, the same refusals when a
// record was changed since. Only the speaker's last command counts (not a
// refused one, which changed nothing, nor another spoken undo), and only
// while it is recent (SpokenUndoMaxAge): "undo that" an hour later more
// likely means something else.

// SpokenUndoMaxAge is how old the speaker's last command may be for a
// spoken undo to undo it.
const SpokenUndoMaxAge = 30 * time.Minute

// spokenUndoRx: a whole command that asks to undo the last one.
var spokenUndoRx = regexp.MustCompile(`(?i)^(?:` +
	`(?:undo|reverse|revert)(?: (?:that|this|it|the last (?:one|command|thing)|my last (?:one|command)|last command|what (?:you|i) just did))?(?: again)?` +
	`|take (?:that|it) back` +
	`|(?:mach|mache|machen)(?: (?:das|es|den letzten befehl|das letzte|meinen letzten befehl))?(?: wieder)? rückgängig` +
	`|(?:das |den letzten befehl |das letzte )?rückgängig(?: machen)?` +
	`|nimm (?:das|es) (?:wieder )?zurück` +
	`)$`)

// spokenUndo reads text as a spoken undo.
func spokenUndo(text, locale string) (Intent, bool) {
	s := strings.ToLower(strings.Trim(cleanCommand(text), " .!,"))
	if !spokenUndoRx.MatchString(s) {
		return Intent{}, false
	}
	lang := "en"
	if strings.Contains(s, "rückgängig") || strings.Contains(s, "zurück") {
		lang = "de"
	}
	return Intent{Type: IntentCommandUndo, Lang: lang}, true
}

// undoSpoken runs the spoken undo c (intent in): the speaker's last
// command undone, and c recorded, in one transaction. Nothing of the
// speaker's to undo, or a command too old, is refused in c's language.
func (s *Service) undoSpoken(ctx context.Context, c command, in Intent) (Answer, error) {
	ans := Answer{ID: c.id, Intent: in, Source: c.source, Lang: c.lang, Loc: c.loc}
	say := c.speaker(c.receivedAt.In(c.loc))
	// one deadline from its arrival for all of it (undoBudget): the wait
	// for earlier commands, a pool connection, the locks of every try and
	// every statement after them (a row another member's transaction
	// holds, a database that hangs). A statement it cuts off fails its
	// transaction, which rolls back: nothing of the undo is left, and the
	// undo is busy.
	r, cancel := s.startUndo(ctx, c.arrived)
	defer cancel()
	ans, err := s.undoSpokenBy(r, c, in, ans, say)
	if err != nil && (r.unknown || r.busy(err)) {
		// its COMMIT's outcome unknown, or its time up (not the
		// caller's): sent again (the same id) it runs, or answers as the
		// undo did should its COMMIT have landed
		return ans, r.answer(err, say)
	}
	return ans, err
}

// undoSpokenBy is undoSpoken under r's deadline.
func (s *Service) undoSpokenBy(r *undoRun, c command, in Intent, ans Answer, say *speaker) (Answer, error) {
	ctx := r.ctx
	if a := familyhub.AuthFromContext(ctx); a != nil && c.seq != 0 {
		// the speaker's commands that came before this one, on any
		// replica, and are still being answered go first (inflight.go)
		s.waitEarlier(ctx, a.UserID, c.seq, c.arrived.Add(s.undoWait()))
	}
	// the member's command lock is taken once and held over every try
	// (undoRun.tx): no command said after this one commits before it,
	// so the last command found is one said before it
	lock := func(ctx context.Context, tx *db.Tx) error {
		if err := s.serialize(ctx, tx, c, r.deadline); err != nil {
			return err
		}
		if c.forget {
			return tx.AssistantCommandForget(ctx, c.id)
		}
		return nil
	}
	ans0 := ans
	err := r.tx(s.store, lock, func(ctx context.Context, tx *db.Tx) error {
		ans = ans0 // a try after a deadlock starts from the answer as it came
		// a retry of one that failed undoes what was last when it
		// was first said (not a command given since), and counts its
		// age from then
		at := c.at()
		if !c.firstAt.IsZero() && c.firstAt.Before(at) {
			at = c.firstAt
		}
		last, err := tx.AssistantCommandLastOfCaller(ctx, IntentCommandUndo, c.firstAt)
		if err != nil {
			return err
		}
		switch {
		case last == nil:
			return say.refuseCode(familyhub.ECONFLICT, "", "undo.spoken_none")
		case at.Sub(last.ReceivedAt) > SpokenUndoMaxAge: // from when it was said (a client's outbox)
			return say.refuseCode(familyhub.ECONFLICT, "", "undo.spoken_old", "text", say.quote(shorten(last.Text, 60)),
				"n", itoa(int(SpokenUndoMaxAge/time.Minute)))
		}
		// from here on the undone command's language, as its Undo
		// button speaks it (its answer is retold in it)
		u, err := s.undoIn(ctx, tx, last.ID, c.lang, c.device)
		ans.Lang = u.Lang
		if err != nil {
			return err
		}
		ans.Message = u.Message
		rec, err := c.record(ctx, &in, OutcomeExecuted, ans.Message)
		if err != nil {
			return err
		}
		rec.Result = []byte(`{}`)
		if err := tx.AssistantCommandRecord(ctx, rec); err != nil {
			return errDuplicate{err}
		}
		return nil
	})
	if err != nil && (r.unknown || r.busy(err) || ctx.Err() != nil) {
		return ans, err // not its outcome: a refused undo would be replayed by id
	}
	var dup errDuplicate
	if errors.As(err, &dup) && familyhub.ErrorCode(dup.err) == familyhub.ECONFLICT {
		return s.duplicate(ctx, c, in, say)
	}
	if familyhub.ErrorCode(err) == familyhub.ECONFLICT {
		// the same id sent again while it ran (a retry) waited for the
		// last command's row, then found it undone: by this id, whose
		// answer is this one's too
		if prior, ok := s.executed(ctx, c); ok {
			return s.replay(ctx, prior, c.loc, c.device)
		}
	}
	if err != nil {
		err = say.localize(err)
		s.recordRefusal(ctx, c, &in, err)
		return ans, err
	}
	ans.Outcome = OutcomeExecuted
	return ans, nil
}

// executed returns c's record when c's id was executed, with c's text.
func (s *Service) executed(ctx context.Context, c command) (dbsqlc.AssistantCommand, bool) {
	var prior *dbsqlc.AssistantCommand
	err := s.store.Tx(ctx, func(tx *db.Tx) (err error) {
		prior, err = tx.AssistantCommandPrior(ctx, c.id)
		return err
	})
	if err != nil || prior == nil || prior.Outcome != OutcomeExecuted || prior.Text != c.text {
		return dbsqlc.AssistantCommand{}, false
	}
	return *prior, true
}

// refusedUndo reports whether cmd is a spoken undo that was refused (not
// one that failed: the database may have been away, and its retry runs).
func refusedUndo(cmd *dbsqlc.AssistantCommand) bool {
	return cmd.Outcome == outcomeRefused && cmd.Intent != nil && *cmd.Intent == IntentCommandUndo && cmd.ErrorCode != nil
}
