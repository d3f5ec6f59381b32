package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/llm"
)

// Service runs the family's commands: understanding (the optional model,
// else the parser), execution in one transaction with its record, the
// questions it asks back, repeats of a command id, and undo.
type Service struct {
	store  *db.Store
	model  *llm.Client // nil: the built-in parser only
	logger *slog.Logger
	now    func() time.Time // the clock of commands and undo (tests set another)
	flight inflight         // this replica's commands in flight (inflight.go)
	// an undo's whole time, and its COMMIT's past it (undorun.go; tests set less)
	budget, commitWait time.Duration
}

// NewService returns a Service on store; model may be nil.
func NewService(store *db.Store, model *llm.Client, logger *slog.Logger) *Service {
	return &Service{store: store, model: model, logger: logger.With("component", "assistant"), now: time.Now, flight: newInflight(), budget: undoBudget, commitWait: undoCommitWait}
}

// Outcomes of a command (assistant_commands.outcome).
const (
	OutcomeExecuted = "executed"
	OutcomeQuestion = "question"
	outcomeRefused  = "refused"
	outcomeFailed   = "failed"
)

// Request is a command to run. ID is the client's id for it (nil: the
// server chooses); Lang breaks ties when the command's own words do not
// tell its language ("en" or "de": the request's locale, else its
// Accept-Language).
type Request struct {
	ID   *uuid.UUID
	Text string
	Lang string
	// Device: how the device writes times and dates (LocaleDevice of its
	// locale): English replies say "7:00 PM", not "19:00", on a 12-hour
	// one, and "Wed 25 Mar", not "Wed, Mar 25", on a day-first one.
	Device Device
	// SaidAt: when the command was said, if the client held it (offline)
	// before sending it; relative days and times ("tomorrow", "in 2
	// hours") count from it. Nil: when it arrives. It may lie at most
	// SaidAtSkew in the future and SaidAtMaxAge in the past.
	SaidAt *time.Time
}

// ParseSaidAt reads a client's said_at (RFC 3339; "" is none) for the
// command text whose tie-breaking language is lang: a malformed one is
// refused in the command's language (the second result), as one out of
// bounds is.
func ParseSaidAt(s, text, lang string) (*time.Time, string, error) {
	if s == "" {
		return nil, lang, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		lang = detectLanguage(cleanCommand(text), lang)
		return nil, lang, newSpeaker(lang, time.UTC, time.Now()).refuse("said_at", "said_at_range")
	}
	return &t, lang, nil
}

// The bounds of Request.SaidAt: a device's clock may run a little ahead;
// a command held longer than a week is too old to mean what it said.
const (
	SaidAtSkew   = 5 * time.Minute
	SaidAtMaxAge = 7 * 24 * time.Hour
)

// Answer is what a command came to: executed (Result, Message), or a
// question (Intent.Needs "choice", Message asks it, Choices label the
// options). Lang is the language Message is in; Loc the family's zone.
type Answer struct {
	ID         uuid.UUID
	Intent     Intent
	Source     string
	Outcome    string
	Result     Result
	Message    string
	Choices    []string
	Lang       string
	Loc        *time.Location
	Undoable   bool
	QuestionID *uuid.UUID // the question this command answered
	Replayed   bool       // a repeated id: the answer of the first time
}

// command is one run: who, what, when, in which language.
type command struct {
	id         uuid.UUID
	text, lang string
	device     Device // the device's clock and dates (Request.Device)
	source     string
	answers    *uuid.UUID
	forget     bool // a refused record with this id goes first
	// firstAt: when the failed command this one repeats (its id) first
	// arrived; zero when it is new. A repeated "undo that" undoes what was
	// last then, not a command given since.
	firstAt time.Time
	// seq is its row in assistant_inflight (0: none), which orders the
	// member's commands by arrival on every replica (inflight.go).
	seq      int64
	clientID bool // id is the client's: a repeat may arrive at once
	// arrived: when it arrived, on the wall clock (not Service.now):
	// the bounds of a spoken undo's waits count from it.
	arrived    time.Time
	receivedAt time.Time
	saidAt     time.Time // Request.SaidAt, or zero
	loc        *time.Location
}

// at is the moment c's words count from: when it was said, else when it
// arrived.
func (c command) at() time.Time {
	if !c.saidAt.IsZero() && c.saidAt.Before(c.receivedAt) {
		return c.saidAt.In(c.loc)
	}
	return c.receivedAt.In(c.loc)
}

// option is a question's option as stored: the intent and its label.
type option struct {
	Intent Intent `json:"intent"`
	Label  string `json:"label"`
}

// Command understands and runs a command for the caller in ctx. A refusal
// (not understood, nothing matching, not allowed) is a *familyhub.Error in
// the command's language (Answer.Lang says which) and writes nothing to
// the family's data; a command with two readings is answered with a
// question. A repeated client id answers what it answered the first time;
// the same id with other text is a conflict.
func (s *Service) Command(ctx context.Context, req Request) (Answer, error) {
	ctx = db.WithoutIfVersion(ctx)
	text, err := AssistantText(req.Text)
	if err != nil {
		return Answer{Lang: "en"}, err
	}
	lang := detectLanguage(cleanCommand(text), req.Lang)
	c := command{id: uuid.New(), text: text, lang: lang, device: req.Device, arrived: time.Now(), receivedAt: s.now()}
	if req.ID != nil {
		c.id = *req.ID
	}
	var prior *dbsqlc.AssistantCommand
	var names []string // the members' display names: "Ben, Milch und Brot kaufen" is said to Ben
	err = s.store.Tx(ctx, func(tx *db.Tx) (err error) {
		if c.loc, err = tx.Location(ctx); err != nil {
			return err
		}
		members, err := tx.MemberList(ctx)
		if err != nil {
			return err
		}
		for _, m := range members {
			names = append(names, m.DisplayName)
		}
		if req.ID != nil {
			if prior, err = tx.AssistantCommandPrior(ctx, *req.ID); err != nil {
				return err
			}
		}
		// in flight until it ends: a spoken undo said meanwhile, on any
		// replica, waits for it (inflight.go)
		c.seq, err = tx.AssistantInflightStart(ctx, c.id, s.flight.replica, s.inflightTTL())
		return err
	})
	// Also when the transaction failed: a COMMIT cut off on the wire may
	// still have landed, and a row never ended would hold the member's
	// undos until it expires. Deleting a row that was rolled back is a no-op.
	if c.seq != 0 {
		defer s.inflightEnd(ctx, c.seq)
	}
	if err != nil {
		return Answer{Lang: lang}, s.idError(lang, err)
	}
	if req.ID != nil {
		c.clientID = true
		if prior != nil {
			if prior.Text != text {
				return Answer{Lang: lang}, s.idError(lang, errIDText)
			}
			if prior.Outcome == OutcomeExecuted || prior.Outcome == OutcomeQuestion {
				return s.replay(ctx, *prior, c.loc, c.device)
			}
			if refusedUndo(prior) {
				// run again, "undo that" would undo what was said
				// since: its refusal is its answer
				return Answer{ID: c.id, Lang: prior.Locale, Loc: c.loc, Replayed: true},
					&familyhub.Error{Code: *prior.ErrorCode, Message: prior.Message}
			}
			c.forget, c.firstAt = true, prior.ReceivedAt
		}
	}
	// said_at's bounds are checked after the repeated id: a client
	// retrying a command executed long ago (its said_at now more than a
	// week back) gets the stored answer, as any repeat does.
	if req.SaidAt != nil {
		if req.SaidAt.After(c.receivedAt.Add(SaidAtSkew)) || req.SaidAt.Before(c.receivedAt.Add(-SaidAtMaxAge)) {
			return Answer{Lang: lang}, newSpeaker(lang, time.UTC, c.receivedAt).refuse("said_at", "said_at_range")
		}
		c.saidAt = *req.SaidAt
	}
	now := c.at()
	// Understanding happens outside the transaction: a model may take
	// seconds, and no row lock should wait for it.
	in, source, err := s.understand(ctx, text, lang, now, names)
	if err != nil {
		if ctx.Err() != nil {
			return Answer{Lang: lang}, ctx.Err()
		}
		say := newSpeaker(lang, c.loc, now)
		key := "not_understood"
		var many *tooManyEvents
		switch {
		case isAsked(err):
			key = "asked" // "fahren wir morgen zu Oma": a question, so nothing written
		case errors.As(err, &many):
			lang, c.lang = many.lang, many.lang
			say = newSpeaker(lang, c.loc, now)
			key = "events.too_many"
		}
		err = say.refuse("text", key, "text", say.quote(shorten(text, 60)), "n", itoa(MaxIntentEvents))
		s.recordRefusal(ctx, c, nil, err)
		return Answer{ID: c.id, Lang: lang, Loc: c.loc}, err
	}
	c.lang, c.source = in.Lang, source
	if in.Type == IntentCommandUndo {
		return s.undoSpoken(ctx, c, in)
	}
	return s.run(ctx, c, in)
}

var errIDText = errors.New("id used for another text")

// idError says why a client id cannot be used, in lang.
func (s *Service) idError(lang string, err error) error {
	if errors.Is(err, errIDText) || familyhub.ErrorCode(err) == familyhub.ECONFLICT {
		sp := newSpeaker(lang, time.UTC, time.Now())
		return sp.refuseCode(familyhub.ECONFLICT, "id", "id_reused")
	}
	return err
}

// understand turns text into an intent: the configured model first, the
// built-in parser when there is none or it fails. It returns the intent's
// source ("llm" or "parser"); a command nothing understands is EINVALID.
// names are the display names of the family's members (parseIntent).
func (s *Service) understand(ctx context.Context, text, lang string, now time.Time, names []string) (Intent, string, error) {
	if in, ok := spokenUndo(text, lang); ok {
		return in, "parser", nil // "undo that": no model needed (spokenundo.go)
	}
	if s.model != nil {
		in, err := askModel(ctx, s.model, text, lang, now)
		if err == nil {
			if in.Lang == "" {
				in.Lang = detectLanguage(cleanCommand(text), lang)
			}
			setLang(&in)
			return in, "llm", nil
		}
		if ctx.Err() != nil {
			return in, "", ctx.Err()
		}
		s.logger.Warn("assistant model gave no usable intent; using the built-in parser", "err", err)
	}
	in, err := parseIntent(text, lang, now, names)
	return in, "parser", err
}

func setLang(in *Intent) {
	for i := range in.Options {
		in.Options[i].Lang = in.Lang
	}
}

// speaker words c's replies: its language, the family's zone, the
// device's clock and dates.
func (c command) speaker(now time.Time) *speaker { return c.device.speaker(c.lang, c.loc, now) }

// speaker words replies in lang, in the zone loc, on d's clock and dates.
func (d Device) speaker(lang string, loc *time.Location, now time.Time) *speaker {
	s := newSpeaker(lang, loc, now)
	s.hour12, s.dayFirst = d.Hour12, d.DayFirst
	return s
}

// run executes in for c in one transaction with its record and undo
// journal. A question is recorded in that transaction too, its writes
// rolled back to a savepoint: still under the member's lock, so "undo
// that" said meanwhile waits and finds the question as the last command
// (not the command before it). A refusal is recorded on its own.
func (s *Service) run(ctx context.Context, c command, in Intent) (Answer, error) {
	now := c.receivedAt.In(c.loc)
	say := c.speaker(now)
	say.namesDate = early(c.at()) && saysTomorrow.MatchString(c.text)
	ans := Answer{ID: c.id, Intent: in, Source: c.source, Lang: c.lang, Loc: c.loc, QuestionID: c.answers}
	in0, ans0 := in, ans
	err := s.store.Tx(ctx, func(tx *db.Tx) error {
		if err := s.serialize(ctx, tx, c, time.Time{}); err != nil {
			return err
		}
		if c.forget {
			if err := tx.AssistantCommandForget(ctx, c.id); err != nil {
				return err
			}
		}
		err := retryDeadlock(in, func() error {
			in, ans = in0, ans0 // a try after a deadlock starts afresh
			return tx.Savepoint(ctx, func(tx *db.Tx) error {
				// the records are found from when it was said; the answer
				// names days from now ("due today" for yesterday's "tomorrow")
				x := newExecutor(ctx, tx, c.lang, c.text, c.loc, c.at())
				x.say = say
				res, msg, err := x.execute(in)
				if err != nil {
					return err
				}
				if x.ran != nil {
					in, ans.Intent = *x.ran, *x.ran
				}
				writes, err := x.j.writes()
				if err != nil {
					return err
				}
				rec, err := c.record(ctx, &in, OutcomeExecuted, msg)
				if err != nil {
					return err
				}
				if rec.Result, err = json.Marshal(stored(res)); err != nil {
					return err
				}
				if err := tx.AssistantCommandRecord(ctx, rec); err != nil {
					return errDuplicate{err}
				}
				if err := tx.AssistantWritesRecord(ctx, c.id, writes); err != nil {
					return err
				}
				ans.Outcome, ans.Result, ans.Message, ans.Undoable = OutcomeExecuted, res, msg, len(writes) > 0
				return nil
			})
		})
		var q *question
		if errors.As(err, &q) {
			return s.ask(ctx, tx, c, &ans, q)
		}
		return err
	})
	var dup errDuplicate
	if errors.As(err, &dup) && familyhub.ErrorCode(dup.err) == familyhub.ECONFLICT {
		return s.duplicate(ctx, c, ans.Intent, say) // the option run, or the question asked
	}
	if familyhub.ErrorCode(err) == familyhub.EBUSY {
		return ans, err // not its outcome: the same id sent again runs
	}
	if err != nil {
		err = say.localize(err)
		s.recordRefusal(ctx, c, &in, err)
		return ans, err
	}
	return ans, nil
}

// serialize waits for the speaker's other commands running at the same
// time (db.Tx.AssistantCommandSerialize): "undo that" undoes the command
// said just before it. A repeat of c's id that was answered while c
// waited is errDuplicate: its answer is c's too (Service.duplicate), and
// nothing runs twice (a second run could be refused by what the first
// wrote: the item ticked already, the task done).
// The waits are bounded by db.AssistantCommandWait each, and both
// together by what is left of c's deadline when it has one (a spoken
// undo: undoBudget).
func (s *Service) serialize(ctx context.Context, tx *db.Tx, c command, deadline time.Time) error {
	wait := db.AssistantCommandWait
	if !deadline.IsZero() {
		wait = time.Until(deadline) / 2 // two locks
	}
	if err := tx.AssistantCommandSerialize(ctx, c.id, wait); err != nil {
		return err
	}
	if !c.clientID {
		return nil
	}
	prior, err := tx.AssistantCommandPrior(ctx, c.id)
	if err != nil {
		return err
	}
	if prior != nil && (prior.Outcome == OutcomeExecuted || prior.Outcome == OutcomeQuestion) {
		return errDuplicate{familyhub.Errorf(familyhub.ECONFLICT, "This command was answered meanwhile.")}
	}
	return nil
}

// errDuplicate: recording the command failed; a conflict there means a
// concurrent repeat (the same id, or a second answer to a question) won.
type errDuplicate struct{ err error }

func (e errDuplicate) Error() string { return e.err.Error() }
func (e errDuplicate) Unwrap() error { return e.err }

// duplicate answers a command that lost the race to record its id: the
// winner's answer when it is the same command, else a conflict.
func (s *Service) duplicate(ctx context.Context, c command, in Intent, say *speaker) (Answer, error) {
	var prior *dbsqlc.AssistantCommand
	err := s.store.Tx(ctx, func(tx *db.Tx) (err error) {
		if c.answers != nil {
			prior, err = tx.AssistantAnswerOf(ctx, *c.answers)
			return err
		}
		prior, err = tx.AssistantCommandPrior(ctx, c.id)
		return err
	})
	switch {
	case err != nil:
		return Answer{Lang: c.lang}, err
	case prior == nil:
		return Answer{Lang: c.lang}, say.refuseCode(familyhub.ECONFLICT, "id", "id_reused")
	case c.answers != nil && !sameIntent(prior, in):
		return Answer{Lang: c.lang}, say.refuseCode(familyhub.ECONFLICT, "option", "choice.answered")
	case c.answers == nil && prior.Text != c.text:
		return Answer{Lang: c.lang}, say.refuseCode(familyhub.ECONFLICT, "id", "id_reused")
	}
	return s.replay(ctx, *prior, c.loc, c.device)
}

// ask records, in tx (the command's, under the member's lock, its
// writes rolled back), the question the command's execution asked, and
// puts it in ans.
func (s *Service) ask(ctx context.Context, tx *db.Tx, c command, ans *Answer, q *question) error {
	in := questionIntent(c.lang, q.options)
	opts := make([]option, len(q.options))
	for i := range q.options {
		opts[i] = option{Intent: q.options[i], Label: q.labels[i]}
	}
	rec, err := c.record(ctx, &in, OutcomeQuestion, q.message)
	if err != nil {
		return err
	}
	if rec.Options, err = json.Marshal(opts); err != nil {
		return err
	}
	ans.Intent, ans.Outcome, ans.Message, ans.Choices, ans.Undoable = in, OutcomeQuestion, q.message, q.labels, false
	if err := tx.AssistantCommandRecord(ctx, rec); err != nil {
		return errDuplicate{err}
	}
	return nil
}

// questionIntent is the intent of a question: the options' common type
// (clarify when they differ), no slots of its own.
func questionIntent(lang string, options []Intent) Intent {
	q := Intent{Type: options[0].Type, Lang: lang, Needs: NeedsChoice, Options: options}
	for _, o := range options {
		if o.Type != q.Type {
			q.Type = IntentClarify
		}
	}
	return q
}

// record returns the command's row for outcome with message.
func (c command) record(ctx context.Context, in *Intent, outcome, message string) (dbsqlc.AssistantCommandInsertParams, error) {
	rec := dbsqlc.AssistantCommandInsertParams{ID: c.id, Text: c.text, Locale: c.lang, ReceivedAt: c.receivedAt,
		Outcome: outcome, Message: shorten(message, 2000), Answers: c.answers}
	if a := familyhub.AuthFromContext(ctx); a != nil {
		if a.UserID != uuid.Nil {
			rec.UserID = &a.UserID
		}
		if a.DeviceID != "" {
			rec.DeviceID = &a.DeviceID
		}
	}
	if c.source != "" {
		rec.Source = &c.source
	}
	if !c.saidAt.IsZero() { // a chosen option's too: the question's moment it ran as of
		rec.SaidAt = &c.saidAt
	}
	if in != nil {
		rec.Intent = &in.Type
		var err error
		if rec.Slots, err = json.Marshal(in.Slots); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

// recordRefusal records a command that was not executed, in a transaction
// of its own: the domain writes of the refused one were rolled back, and
// this row sends nothing to anyone. It is best effort (the database may be
// what failed).
func (s *Service) recordRefusal(ctx context.Context, c command, in *Intent, cause error) {
	code := familyhub.ErrorCode(cause)
	outcome := outcomeRefused
	if code == familyhub.EINTERNAL || code == familyhub.EUNAVAILABLE {
		outcome = outcomeFailed
	}
	rec, err := c.record(ctx, in, outcome, familyhub.ErrorMessage(cause))
	if err != nil {
		s.logger.Warn("could not record a refused assistant command", "command_id", c.id, "err", err)
		return
	}
	rec.ErrorCode = &code
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err = s.store.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.AssistantCommandForget(ctx, c.id); err != nil {
			return err
		}
		return tx.AssistantCommandRecord(ctx, rec)
	})
	if err != nil && familyhub.ErrorCode(err) != familyhub.ECONFLICT { // a conflict: a repeat of the id was executed meanwhile
		s.logger.Warn("could not record a refused assistant command", "command_id", c.id, "err", err)
	}
}

// replay answers a command again from its record, on the clock and dates
// of the device dev that repeated it; the days its sentence named are
// named from the day of the repeat (retell).
func (s *Service) replay(ctx context.Context, cmd dbsqlc.AssistantCommand, loc *time.Location, dev Device) (Answer, error) {
	ans := Answer{ID: cmd.ID, Outcome: cmd.Outcome, Message: cmd.Message, Lang: cmd.Locale, Loc: loc, QuestionID: cmd.Answers, Replayed: true}
	if cmd.Source != nil {
		ans.Source = *cmd.Source
	}
	if cmd.Intent != nil {
		ans.Intent = Intent{Type: *cmd.Intent, Lang: cmd.Locale}
	}
	if len(cmd.Slots) > 0 {
		if err := json.Unmarshal(cmd.Slots, &ans.Intent.Slots); err != nil {
			return ans, err
		}
	}
	if cmd.Outcome == OutcomeQuestion {
		var opts []option
		if err := json.Unmarshal(cmd.Options, &opts); err != nil {
			return ans, err
		}
		ans.Intent.Needs = NeedsChoice
		for _, o := range opts {
			ans.Intent.Options = append(ans.Intent.Options, o.Intent)
			ans.Choices = append(ans.Choices, o.Label)
		}
		return ans, nil
	}
	if len(cmd.Result) > 0 {
		if err := json.Unmarshal(cmd.Result, &ans.Result); err != nil {
			return ans, err
		}
		ans.Message = retell(cmd, loc, dev.speaker(cmd.Locale, loc, s.now()))
	}
	if cmd.UndoneAt != nil {
		return ans, nil
	}
	return ans, s.store.Tx(ctx, func(tx *db.Tx) error {
		writes, err := tx.AssistantWrites(ctx, cmd.ID)
		ans.Undoable = len(writes) > 0
		return err
	})
}

// sameIntent reports whether the recorded command ran in.
func sameIntent(cmd *dbsqlc.AssistantCommand, in Intent) bool {
	if cmd.Intent == nil || *cmd.Intent != in.Type {
		return false
	}
	slots, err := json.Marshal(in.Slots)
	if err != nil {
		return false
	}
	var a, b any
	return json.Unmarshal(slots, &a) == nil && json.Unmarshal(cmd.Slots, &b) == nil && jsonEqual(a, b)
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Choose answers the question questionID with its option number option
// (from 0): the option runs as a command of its own (its answer names the
// question), once: choosing the same again answers the same, another
// option is a conflict. dev is how the device writes times and dates, as
// in Request.
func (s *Service) Choose(ctx context.Context, questionID uuid.UUID, option int, tie string, dev Device) (Answer, error) {
	ctx = db.WithoutIfVersion(ctx)
	var q dbsqlc.AssistantCommand
	var answered *dbsqlc.AssistantCommand
	var loc *time.Location
	err := s.store.Tx(ctx, func(tx *db.Tx) (err error) {
		if loc, err = tx.Location(ctx); err != nil {
			return err
		}
		if q, err = tx.AssistantCommandGet(ctx, questionID); err != nil {
			return err
		}
		answered, err = tx.AssistantAnswerOf(ctx, questionID)
		return err
	})
	if err != nil {
		return Answer{Lang: tie}, newSpeaker(tie, time.UTC, time.Now()).localize(err)
	}
	say := newSpeaker(q.Locale, loc, s.now())
	var opts []struct {
		Intent Intent `json:"intent"`
	}
	if q.Outcome != OutcomeQuestion || json.Unmarshal(q.Options, &opts) != nil {
		return Answer{Lang: q.Locale}, say.refuseCode(familyhub.ECONFLICT, "option", "choice.not_question")
	}
	if option < 0 || option >= len(opts) {
		return Answer{Lang: q.Locale}, say.refuse("option", "choice.range", "n", itoa(len(opts)))
	}
	in := opts[option].Intent
	if err := in.Validate(); err != nil {
		return Answer{Lang: q.Locale}, say.localize(err)
	}
	if answered != nil {
		if !sameIntent(answered, in) {
			return Answer{Lang: q.Locale}, say.refuseCode(familyhub.ECONFLICT, "option", "choice.answered")
		}
		return s.replay(ctx, *answered, loc, dev)
	}
	// the option counts from when the question was said (its said_at,
	// else its arrival: it names the days of that sentence, "tomorrow"
	// before 04:00 the day just begun, its date named then), within
	// SaidAtMaxAge as an outbox command's said_at; a question answered
	// later runs as of its answer (the "next" swimming of its week is
	// long past)
	c := command{id: uuid.New(), text: q.Text, lang: q.Locale, device: dev, answers: &questionID, receivedAt: s.now(), loc: loc}
	asked := q.ReceivedAt
	if q.SaidAt != nil && q.SaidAt.Before(asked) {
		asked = *q.SaidAt
	}
	if c.receivedAt.Sub(asked) <= SaidAtMaxAge {
		c.saidAt = asked
	}
	if q.Source != nil {
		c.source = *q.Source
	}
	return s.run(ctx, c, in)
}

// stored is the result as it is kept with the command: without the
// iCalendar text of events (large, and not part of the answer).
func stored(r Result) Result {
	if r.Event != nil {
		e := *r.Event
		e.Ical = nil
		r.Event = &e
	}
	if r.Created != nil {
		created := make([]dbsqlc.CalendarEvent, len(r.Created))
		for i, e := range r.Created {
			e.Ical = nil
			created[i] = e
		}
		r.Created = created
	}
	if r.Occurrence != nil {
		o := *r.Occurrence
		o.Event.Ical = nil
		r.Occurrence = &o
	}
	if r.Task != nil {
		t := *r.Task
		t.Ical = nil
		r.Task = &t
	}
	return r
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}
