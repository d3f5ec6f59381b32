package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub/assistant"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/llm"
)

// The assistant's endpoints (docs/assistant.md): decode, call package
// assistant, encode. Understanding, execution, replies, questions and undo
// live there.

// DefaultAssistantTimeout bounds a request to the assistant's model when
// none is configured; on timeout the built-in parser answers.
const DefaultAssistantTimeout = 8 * time.Second

// busyRetryAfter is the Retry-After of a busy answer (familyhub.EBUSY,
// either reason): a command waited db.AssistantCommandWait for the
// member's earlier one, so trying again sooner would likely wait as long;
// an undo another change got in the way of is given the same pause.
var busyRetryAfter = retryAfter(db.AssistantCommandWait)

// retryAfter is d as a Retry-After value: whole seconds, rounded up, at
// least 1.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(max(1, int64((d+time.Second-1)/time.Second)), 10)
}

// mountAssistant adds the assistant endpoints to the authenticated API router.
func (s *Server) mountAssistant(r chi.Router) {
	if err := s.cfg.Assistant.Validate("FAMILYHUB_ASSISTANT"); err != nil {
		s.logger.Error("assistant model disabled: bad configuration; the built-in parser answers", "err", err)
		s.cfg.Assistant = llm.Config{}
	}
	s.assistant = assistant.NewService(s.store, llm.New(s.cfg.Assistant, DefaultAssistantTimeout), s.logger)
	r.Post("/assistant/commands", s.handleAssistantCommand)
	r.Post("/assistant/commands/{id}/choice", s.handleAssistantChoice)
	r.Post("/assistant/commands/{id}/undo", s.handleAssistantUndo)
}

type assistantCommandRequest struct {
	ID   *string `json:"id"`
	Text string  `json:"text"`
	// Locale breaks ties of language; its hour cycle (en-US-u-hc-h12) says
	// the device's clock, its region the order of its dates
	// (assistant.LocaleDevice).
	Locale string `json:"locale"`
	// SaidAt (RFC 3339): when the command was said, for a command the
	// client held offline: "tomorrow" counts from it (assistant.Request).
	SaidAt string `json:"said_at"`
	// ListID: the shopping list on the speaker's screen, if any; a
	// command that names no list puts its items there
	// (assistant.WithShownList). An id that is not one of the family's
	// lists is ignored.
	ListID *uuid.UUID `json:"list_id"`
}

// assistantAnswerJSON is the answer to a command (and to a choice).
type assistantAnswerJSON struct {
	ID      uuid.UUID        `json:"id"`
	Intent  assistant.Intent `json:"intent"`
	Source  string           `json:"source"`
	Outcome string           `json:"outcome"` // "executed" or "question"
	// Result holds the records as the REST API shows them (executed).
	Result  *assistantResultJSON `json:"result"`
	Message string               `json:"message"`
	Lang    string               `json:"lang"`
	// Choices label the options of a question, in order: POST
	// …/commands/{id}/choice {"option": index} picks one.
	Choices    []assistantChoiceJSON `json:"choices,omitempty"`
	Undoable   bool                  `json:"undoable"`
	QuestionID *uuid.UUID            `json:"question_id,omitempty"`
}

type assistantChoiceJSON struct {
	Index int    `json:"index"`
	Label string `json:"label"`
}

// assistantResultJSON: the records a command wrote or read. Which fields
// are there depends on the intent (docs/assistant.md).
type assistantResultJSON struct {
	List        *shoppingListJSON         `json:"list,omitempty"`
	ToList      *shoppingListJSON         `json:"to_list,omitempty"`
	ListCreated bool                      `json:"list_created,omitempty"`
	Items       *[]shoppingItemJSON       `json:"items,omitempty"`
	Recipe      string                    `json:"recipe,omitempty"`
	Servings    int32                     `json:"servings,omitempty"`
	Task        *taskJSON                 `json:"task,omitempty"`
	Event       *calendarEventJSON        `json:"event,omitempty"`
	Created     *[]calendarEventJSON      `json:"events_created,omitempty"`
	Occurrence  *calendarOccurrenceJSON   `json:"occurrence,omitempty"`
	Deleted     bool                      `json:"deleted,omitempty"`
	Date        string                    `json:"date,omitempty"`
	Days        int                       `json:"days,omitempty"`
	Tasks       *[]taskJSON               `json:"tasks,omitempty"`
	Chores      *[]assistantChoreJSON     `json:"chores,omitempty"`
	Events      *[]calendarOccurrenceJSON `json:"events,omitempty"`
}

// assistantChoreJSON is a recurring chore due that day whose instance the
// daily job has not made yet: the question writes nothing, so it shows the
// template.
type assistantChoreJSON struct {
	TemplateID uuid.UUID  `json:"template_id"`
	Title      string     `json:"title"`
	DueAt      *time.Time `json:"due_at"`
}

func toAssistantAnswerJSON(a assistant.Answer) assistantAnswerJSON {
	out := assistantAnswerJSON{ID: a.ID, Intent: a.Intent, Source: a.Source, Outcome: a.Outcome, Message: a.Message,
		Lang: a.Lang, Undoable: a.Undoable, QuestionID: a.QuestionID}
	for i, l := range a.Choices {
		out.Choices = append(out.Choices, assistantChoiceJSON{Index: i, Label: l})
	}
	if a.Outcome == assistant.OutcomeExecuted {
		out.Result = toAssistantResultJSON(a.Intent.Type, a.Result, a.Loc)
	}
	return out
}

func toAssistantResultJSON(intent string, r assistant.Result, loc *time.Location) *assistantResultJSON {
	out := &assistantResultJSON{ListCreated: r.ListCreated, Recipe: r.Recipe, Servings: r.Servings, Deleted: r.Deleted, Date: r.Date, Days: r.Days}
	if r.List != nil {
		l := toShoppingListJSON(*r.List)
		out.List = &l
	}
	if r.ToList != nil {
		l := toShoppingListJSON(*r.ToList)
		out.ToList = &l
	}
	if r.Items != nil || len(intent) > 9 && intent[:9] == "shopping." {
		items := toShoppingItemJSONs(r.Items)
		out.Items = &items
	}
	if r.Task != nil {
		t := toTaskJSON(*r.Task)
		out.Task = &t
	}
	if r.Event != nil {
		e := toCalendarEventJSON(*r.Event, loc)
		out.Event = &e
	}
	if r.Created != nil {
		created := make([]calendarEventJSON, 0, len(r.Created))
		for _, e := range r.Created {
			created = append(created, toCalendarEventJSON(e, loc))
		}
		out.Created = &created
	}
	if r.Occurrence != nil {
		o := toOccurrenceJSON(*r.Occurrence, loc)
		out.Occurrence = &o
	}
	if intent == assistant.IntentQueryToday || intent == assistant.IntentQueryPickup {
		tasks, chores, events := toTaskJSONs(r.Tasks), []assistantChoreJSON{}, []calendarOccurrenceJSON{}
		for _, c := range r.Chores {
			chores = append(chores, assistantChoreJSON{TemplateID: c.TemplateID, Title: c.Title, DueAt: c.DueAt})
		}
		for _, o := range r.Events {
			events = append(events, toOccurrenceJSON(o, loc))
		}
		out.Tasks, out.Chores, out.Events = &tasks, &chores, &events
	}
	return out
}

// assistantLang is the language that breaks ties for a command: the
// request's locale, else its Accept-Language, else English.
func assistantLang(r *http.Request, locale string) (string, error) {
	if locale != "" {
		return assistant.AssistantLanguage(locale)
	}
	return assistant.AcceptLanguage(r.Header.Get("Accept-Language")), nil
}

// answerAssistant writes an assistant answer (or its refusal) in lang,
// saying so with Content-Language.
func (s *Server) answerAssistant(w http.ResponseWriter, r *http.Request, lang string, v any, err error) {
	if lang != "" {
		w.Header().Set("Content-Language", lang)
	}
	s.respond(w, r, http.StatusOK, v, err)
}

func (s *Server) handleAssistantCommand(w http.ResponseWriter, r *http.Request) {
	var req assistantCommandRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := clientID(req.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang, err := assistantLang(r, req.Locale)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	saidAt, saidLang, err := assistant.ParseSaidAt(req.SaidAt, req.Text, lang)
	if err != nil {
		s.answerAssistant(w, r, saidLang, nil, err)
		return
	}
	ctx := r.Context()
	if req.ListID != nil {
		ctx = assistant.WithShownList(ctx, *req.ListID)
	}
	a, err := s.assistant.Command(ctx, assistant.Request{ID: id, Text: req.Text, Lang: lang,
		Device: assistant.LocaleDevice(req.Locale), SaidAt: saidAt})
	s.answerAssistant(w, r, a.Lang, toAssistantAnswerJSON(a), err)
}

func (s *Server) handleAssistantChoice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "assistant command")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req struct {
		Option *int `json:"option"`
		// Locale: only its hour cycle and region count (the question's
		// language stays).
		Locale string `json:"locale"`
		// ListID: the list_id the question's command came with (the
		// list on screen then), sent again: the option runs with it
		// (assistant.WithShownList), as the command would have.
		ListID *uuid.UUID `json:"list_id"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Option == nil {
		s.Error(w, r, assistant.ErrNoOption)
		return
	}
	ctx := r.Context()
	if req.ListID != nil {
		ctx = assistant.WithShownList(ctx, *req.ListID)
	}
	a, err := s.assistant.Choose(ctx, id, *req.Option, assistant.AcceptLanguage(r.Header.Get("Accept-Language")), assistant.LocaleDevice(req.Locale))
	s.answerAssistant(w, r, a.Lang, toAssistantAnswerJSON(a), err)
}

type assistantUndoJSON struct {
	ID      uuid.UUID `json:"id"`
	Undone  bool      `json:"undone"`
	Message string    `json:"message"`
	Lang    string    `json:"lang"`
}

func (s *Server) handleAssistantUndo(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "assistant command")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req struct {
		// Locale: only its hour cycle and region count (the undo answers
		// in the command's language), as for a choice.
		Locale string `json:"locale"`
	}
	if err := decodeOptionalJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	u, err := s.assistant.Undo(r.Context(), id, assistant.AcceptLanguage(r.Header.Get("Accept-Language")), assistant.LocaleDevice(req.Locale))
	s.answerAssistant(w, r, u.Lang, assistantUndoJSON{ID: u.ID, Undone: err == nil, Message: u.Message, Lang: u.Lang}, err)
}
