package assistant

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/familyhub/familyhub"
)

// Assistant intent types: what a command asks for. They are part of the
// API (POST /api/assistant/commands answers them, AI_INTENT_EXECUTED names
// them, assistant_commands stores them): never change a published one, add
// new ones. docs/assistant.md lists their slots.
const (
	IntentShoppingAddItems     = "shopping.add_items"
	IntentShoppingCheckItems   = "shopping.check_items"
	IntentShoppingRemoveItems  = "shopping.remove_items"
	IntentShoppingMoveItems    = "shopping.move_items"
	IntentShoppingClearChecked = "shopping.clear_checked"
	IntentShoppingCreateList   = "shopping.create_list"
	IntentShoppingAddRecipe    = "shopping.add_recipe"
	IntentTaskCreate           = "task.create"
	IntentTaskRotate           = "task.rotate"
	IntentTaskComplete         = "task.complete"
	IntentTaskSnooze           = "task.snooze"
	IntentTaskReassign         = "task.reassign"
	IntentTaskDelete           = "task.delete"
	IntentCalendarCreate       = "calendar.create"
	IntentCalendarCreateMany   = "calendar.create_many"
	IntentCalendarMove         = "calendar.move"
	IntentCalendarCancel       = "calendar.cancel"
	IntentCalendarDelete       = "calendar.delete"
	IntentQueryToday           = "query.today"
	IntentQueryWhen            = "query.when"
	IntentQueryPickup          = "query.pickup"
	// IntentCommandUndo undoes the speaker's last command ("undo that",
	// "mach das rückgängig"): the service runs it (spokenundo.go).
	IntentCommandUndo = "command.undo"
	// IntentClarify is the type of a question whose options are of
	// different types ("delete the dentist": the task or the event?).
	IntentClarify = "clarify"
)

// NeedsChoice marks an intent that is a question: the command meant one of
// its Options, and the user picks one. Nothing is executed before that.
const NeedsChoice = "choice"

// IntentTypes are all intent types that do something, in the order
// docs/assistant.md lists them.
var IntentTypes = []string{
	IntentShoppingAddItems, IntentShoppingCheckItems, IntentShoppingRemoveItems, IntentShoppingMoveItems,
	IntentShoppingClearChecked, IntentShoppingCreateList, IntentShoppingAddRecipe,
	IntentTaskCreate, IntentTaskRotate, IntentTaskComplete, IntentTaskSnooze, IntentTaskReassign, IntentTaskDelete,
	IntentCalendarCreate, IntentCalendarCreateMany, IntentCalendarMove, IntentCalendarCancel, IntentCalendarDelete,
	IntentQueryToday, IntentQueryWhen, IntentQueryPickup, IntentCommandUndo,
}

// Assistant input and slot limits.
const (
	MaxAssistantTextLen = 500 // characters of a command
	MaxIntentItems      = 50  // items in one shopping command
	MaxIntentOptions    = 10  // options of a question
	maxIntentName       = 200 // item, list, task and event names (the tables' limit)
	maxIntentQuantity   = 50  // shopping_items.quantity
	maxIntentPerson     = 100 // a member's name as said
	maxIntentRotation   = 50  // members of a rotation (the tasks API's limit)
	maxIntentLocation   = 500 // calendar_events.location
	maxIntentServings   = 100 // the recipes API's limit
	maxIntentDays       = 31  // days one question covers
	maxIntentShift      = 7 * 24 * 60
	minIntentYear       = 1900
	maxIntentYear       = 2999
)

// AssigneeMe is the assignee slot's word for the person who spoke.
const AssigneeMe = "me"

// Intent is what a command means: a type and its slots, with every time
// already resolved against the moment the command was said, in the
// family's time zone. Both the built-in parser and an optional language
// model produce it; Validate is the one gate before anything is written.
//
// An intent with Needs "choice" is a question, not a command: the command
// meant one of Options (each a complete intent), and nothing runs until
// the user picks one.
type Intent struct {
	Type string `json:"type"`
	// Lang is the language the command was said in ("en" or "de"):
	// replies and questions use it.
	Lang    string      `json:"lang,omitempty"`
	Slots   IntentSlots `json:"slots"`
	Needs   string      `json:"needs,omitempty"`
	Options []Intent    `json:"options,omitempty"`
}

// IntentSlots are the arguments of an intent. Which slots an intent takes
// is checked by Intent.Validate and documented in docs/assistant.md. Names
// of lists, items, tasks, events and people are as said: matching them to
// records is execution's work.
type IntentSlots struct {
	// List names a shopping list as said ("groceries"); empty means the
	// family's default list. For move_items it is the list to take from.
	List string `json:"list,omitempty"`
	// NewList: the user asked for a new list called List. Without it no
	// command creates a list.
	NewList bool `json:"new_list,omitempty"`
	// ToList is the list move_items puts the items on.
	ToList string `json:"to_list,omitempty"`
	// Items are shopping items: with a quantity for add_items.
	Items []IntentItem `json:"items,omitempty"`
	// Recipe names a recipe as said ("pancake"); Servings scales it.
	Recipe   string `json:"recipe,omitempty"`
	Servings int    `json:"servings,omitempty"`

	// Title is the task or event to create, or the one a command is about.
	Title string `json:"title,omitempty"`
	// DueAt is when a new task is due; a day without a time is due at
	// 23:59 that day. For a recurring task it is the first occurrence.
	DueAt *time.Time `json:"due_at,omitempty"`
	// Assignee is a member's name as said, or "me" (who spoke).
	Assignee string `json:"assignee,omitempty"`
	// Rotation are the members (names as said, or "me") a chore rotates
	// between, in order.
	Rotation []string `json:"rotation,omitempty"`
	// Recurrence is an RRULE value in FamilyHub's subset
	// (familyhub.ParseRecurrence), e.g. "FREQ=WEEKLY;BYDAY=TU".
	Recurrence string `json:"recurrence,omitempty"`
	// Until is the end of a snooze.
	Until *time.Time `json:"until,omitempty"`

	// StartsAt and EndsAt bound a new event (the first occurrence of a
	// recurring one); AllDay events run from local midnight to midnight.
	StartsAt *time.Time `json:"starts_at,omitempty"`
	EndsAt   *time.Time `json:"ends_at,omitempty"`
	AllDay   bool       `json:"all_day,omitempty"`
	Location string     `json:"location,omitempty"`

	// Date is a day (YYYY-MM-DD, the family's calendar): the first day a
	// question asks about, the day an event moves to, the occurrence
	// cancelled, the day of the event deleted.
	Date string `json:"date,omitempty"`
	// FromDate is the day of the occurrence an event is moved from.
	FromDate string `json:"from_date,omitempty"`
	// FromTime is the time (HH:MM) a correction says an event is not at
	// ("at 4 not 3"): an event found elsewhen is not moved.
	FromTime string `json:"from_time,omitempty"`
	// Time is a local time of day (HH:MM) an event moves to.
	Time string `json:"time,omitempty"`
	// weekdayToday: Date is today because a bare weekday named it ("zumba
	// is off on Friday" said on a Friday). The parser's hint, not an API
	// slot: a cancel then takes next week's occurrence when today's has
	// begun or there is none.
	weekdayToday bool
	// fromWeekdayToday: FromDate is today because a bare weekday named it
	// ("move Friday's football to Saturday" said on a Friday), and
	// dateInFromWeek: Date is a day of FromDate's week ("to Saturday").
	// Parser hints, not API slots: a move then takes next week's
	// occurrence (and the day of that week) when today's has begun or
	// there is none; a move to a bare weekday that is today (weekdayToday)
	// goes to next week's when today's time has passed.
	fromWeekdayToday, dateInFromWeek bool
	// ShiftMinutes moves an event later (positive) or earlier.
	ShiftMinutes int `json:"shift_minutes,omitempty"`
	// Days is how many days from Date a question covers (default 1).
	Days int `json:"days,omitempty"`

	// Events are the one-off events calendar.create_many makes (multi.go).
	Events []IntentEvent `json:"events,omitempty"`
}

// IntentItem is one shopping item of a command: "2 litres of milk" is
// {Name: "milk", Quantity: "2 litres"}.
type IntentItem struct {
	Name     string `json:"name"`
	Quantity string `json:"quantity,omitempty"`
}

// slotRules says, per type, which slots it takes and which it requires.
var slotRules = map[string]struct{ allowed, required string }{
	IntentShoppingAddItems:     {"list new_list items", "items"},
	IntentShoppingCheckItems:   {"list items", "items"},
	IntentShoppingRemoveItems:  {"list items", "items"},
	IntentShoppingMoveItems:    {"list to_list items", "to_list items"},
	IntentShoppingClearChecked: {"list", ""},
	IntentShoppingCreateList:   {"list", "list"},
	IntentShoppingAddRecipe:    {"recipe servings list", "recipe"},
	IntentTaskCreate:           {"title due_at assignee recurrence", "title"},
	IntentTaskRotate:           {"title rotation recurrence due_at", "title rotation"},
	IntentTaskComplete:         {"title", "title"},
	IntentTaskSnooze:           {"title until", "title until"},
	IntentTaskReassign:         {"title assignee", "title assignee"},
	IntentTaskDelete:           {"title", "title"},
	IntentCalendarCreate:       {"title starts_at ends_at all_day recurrence location", "title starts_at"},
	IntentCalendarCreateMany:   {"events", "events"},
	IntentCalendarMove:         {"title from_date from_time date time shift_minutes", "title"},
	IntentCalendarCancel:       {"title date", "title date"},
	IntentCalendarDelete:       {"title date", "title"},
	IntentQueryToday:           {"date days", ""},
	IntentQueryWhen:            {"title", "title"},
	IntentQueryPickup:          {"title date", "title"},
	IntentCommandUndo:          {"", ""},
	IntentClarify:              {"", ""},
}

// Validate checks that the intent is one FamilyHub executes (or a question
// whose every option is) and that its slots fit it: the required ones
// present, the others absent, lengths, numbers, days and years within the
// tables' limits, the recurrence in FamilyHub's RRULE subset. It normalises
// text slots (trimmed) and the recurrence (upper case). Any problem is an
// EINVALID *familyhub.Error.
func (in *Intent) Validate() error {
	switch in.Lang {
	case "", "en", "de":
	default:
		return familyhub.Invalid("lang", "lang must be en or de.")
	}
	rules, ok := slotRules[in.Type]
	if !ok {
		return familyhub.Invalid("intent", "Unknown intent type %q.", in.Type)
	}
	if err := in.validateChoice(); err != nil || in.Needs == NeedsChoice {
		return err
	}
	s := &in.Slots
	s.trim()
	present := s.present()
	for _, name := range slotNames {
		switch {
		case present[name] && !hasWord(rules.allowed, name):
			return familyhub.Invalid(name, "%s takes no %s.", in.Type, name)
		case !present[name] && hasWord(rules.required, name):
			return familyhub.Invalid(name, "%s needs %s.", in.Type, name)
		}
	}
	for _, t := range []struct {
		name, v string
		max     int
	}{
		{"list", s.List, maxIntentName}, {"to_list", s.ToList, maxIntentName}, {"recipe", s.Recipe, maxIntentName},
		{"title", s.Title, maxIntentName}, {"assignee", s.Assignee, maxIntentPerson},
		{"location", s.Location, maxIntentLocation},
	} {
		if err := intentText(t.name, t.v, 0, t.max); err != nil {
			return err
		}
	}
	if s.NewList && s.List == "" {
		return familyhub.Invalid("list", "A new list needs a name.")
	}
	if len(s.Items) > MaxIntentItems {
		return familyhub.Invalid("items", "At most %d items at once.", MaxIntentItems)
	}
	for _, it := range s.Items {
		if err := intentText("items", it.Name, 1, maxIntentName); err != nil {
			return err
		}
		if in.Type != IntentShoppingAddItems && it.Quantity != "" {
			return familyhub.Invalid("items", "Only adding takes a quantity.")
		}
		if err := intentText("items", it.Quantity, 0, maxIntentQuantity); err != nil {
			return err
		}
	}
	if s.Servings < 0 || s.Servings > maxIntentServings {
		return familyhub.Invalid("servings", "servings must be 1 to %d.", maxIntentServings)
	}
	if len(s.Rotation) == 1 || len(s.Rotation) > maxIntentRotation {
		return familyhub.Invalid("rotation", "A rotation needs 2 to %d members.", maxIntentRotation)
	}
	for _, name := range s.Rotation {
		if err := intentText("rotation", name, 1, maxIntentPerson); err != nil {
			return err
		}
	}
	if s.Recurrence != "" {
		r, err := familyhub.ParseRecurrence("recurrence", s.Recurrence)
		if err != nil {
			return err
		}
		s.Recurrence = r.String()
	}
	for _, t := range []struct {
		name string
		t    *time.Time
	}{{"due_at", s.DueAt}, {"until", s.Until}, {"starts_at", s.StartsAt}, {"ends_at", s.EndsAt}} {
		if t.t != nil && (t.t.Year() < minIntentYear || t.t.Year() > maxIntentYear) {
			return familyhub.Invalid(t.name, "%s must be between the years %d and %d.", t.name, minIntentYear, maxIntentYear)
		}
	}
	if s.EndsAt != nil && s.StartsAt != nil && s.EndsAt.Before(*s.StartsAt) {
		return familyhub.Invalid("ends_at", "An event cannot end before it starts.")
	}
	for _, d := range []struct{ name, v string }{{"date", s.Date}, {"from_date", s.FromDate}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.v)
		if err != nil || t.Year() < minIntentYear || t.Year() > maxIntentYear {
			return familyhub.Invalid(d.name, "%s must be a day YYYY-MM-DD.", d.name)
		}
	}
	for _, c := range []struct{ name, v string }{{"time", s.Time}, {"from_time", s.FromTime}} {
		if _, err := time.Parse("15:04", c.v); c.v != "" && (err != nil || len(c.v) != 5) {
			return familyhub.Invalid(c.name, "time must be a time of day HH:MM.")
		}
	}
	if s.ShiftMinutes < -maxIntentShift || s.ShiftMinutes > maxIntentShift {
		return familyhub.Invalid("shift_minutes", "shift_minutes must be within a week.")
	}
	if s.Days < 0 || s.Days > maxIntentDays {
		return familyhub.Invalid("days", "days must be 1 to %d.", maxIntentDays)
	}
	if err := s.validateEvents(); err != nil {
		return err
	}
	if in.Type == IntentCalendarMove && s.Date == "" && s.Time == "" && s.ShiftMinutes == 0 {
		return familyhub.Invalid("date", "Say when to move it to.")
	}
	return nil
}

// validateChoice checks a question: two or more options, each a complete
// intent that is not a question itself, in the question's language; the
// question's type is the options' common type, or clarify when they differ.
func (in *Intent) validateChoice() error {
	switch {
	case in.Needs == "" && len(in.Options) == 0:
		if in.Type == IntentClarify {
			return familyhub.Invalid("intent", "A clarify intent needs options.")
		}
		return nil
	case in.Needs != NeedsChoice:
		return familyhub.Invalid("needs", "needs must be %q with options.", NeedsChoice)
	case len(in.Options) < 2 || len(in.Options) > MaxIntentOptions:
		return familyhub.Invalid("options", "A question needs 2 to %d options.", MaxIntentOptions)
	case in.Slots.present()["any"]:
		return familyhub.Invalid("slots", "A question keeps its slots in its options.")
	}
	common := in.Options[0].Type
	for i := range in.Options {
		o := &in.Options[i]
		if o.Needs != "" || len(o.Options) > 0 || o.Type == IntentClarify {
			return familyhub.Invalid("options", "An option cannot be a question.")
		}
		if o.Lang != "" && o.Lang != in.Lang {
			return familyhub.Invalid("options", "Options are in the question's language.")
		}
		if err := o.Validate(); err != nil {
			return err
		}
		if o.Type != common {
			common = IntentClarify
		}
	}
	if in.Type != common {
		return familyhub.Invalid("intent", "A question's type is its options' type (%s), not %s.", common, in.Type)
	}
	return nil
}

// slotNames are the JSON names of all slots.
var slotNames = strings.Fields(`list new_list to_list items recipe servings title due_at assignee rotation
	recurrence until starts_at ends_at all_day location date from_date from_time time shift_minutes days events`)

// present says which slots are set; "any" whether one is.
func (s *IntentSlots) present() map[string]bool {
	m := map[string]bool{
		"list": s.List != "", "new_list": s.NewList, "to_list": s.ToList != "", "items": len(s.Items) > 0,
		"recipe": s.Recipe != "", "servings": s.Servings != 0, "title": s.Title != "", "due_at": s.DueAt != nil,
		"assignee": s.Assignee != "", "rotation": len(s.Rotation) > 0, "recurrence": s.Recurrence != "",
		"until": s.Until != nil, "starts_at": s.StartsAt != nil, "ends_at": s.EndsAt != nil, "all_day": s.AllDay,
		"location": s.Location != "", "date": s.Date != "", "from_date": s.FromDate != "", "from_time": s.FromTime != "", "time": s.Time != "",
		"shift_minutes": s.ShiftMinutes != 0, "days": s.Days != 0, "events": len(s.Events) > 0,
	}
	for _, v := range m {
		m["any"] = m["any"] || v
	}
	return m
}

func (s *IntentSlots) trim() {
	for _, p := range []*string{&s.List, &s.ToList, &s.Recipe, &s.Title, &s.Assignee, &s.Recurrence, &s.Location, &s.Date, &s.FromDate, &s.FromTime, &s.Time} {
		*p = strings.TrimSpace(*p)
	}
	for i := range s.Items {
		s.Items[i].Name = strings.TrimSpace(s.Items[i].Name)
		s.Items[i].Quantity = strings.TrimSpace(s.Items[i].Quantity)
	}
	for i := range s.Rotation {
		s.Rotation[i] = strings.TrimSpace(s.Rotation[i])
	}
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}

func intentText(field, v string, min, max int) error {
	n := utf8.RuneCountInString(v)
	switch {
	case !utf8.ValidString(v):
		return familyhub.Invalid(field, "%s is not valid UTF-8.", field)
	case n < min:
		return familyhub.Invalid(field, "%s is missing.", field)
	case n > max:
		return familyhub.Invalid(field, "%s must be at most %d characters.", field, max)
	case strings.ContainsFunc(v, unicode.IsControl):
		return familyhub.Invalid(field, "%s contains control characters.", field)
	}
	return nil
}
