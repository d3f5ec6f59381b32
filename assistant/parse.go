package assistant

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/familyhub/familyhub"
)

// Assistant intent types: what a command asks for. They are part of the
// API (POST /api/assistant/commands answers them, AI_INTENT_EXECUTED names
// them): never change a published one. docs/assistant.md lists their slots.
const (
	IntentShoppingAddItems   = "shopping.add_items"
	IntentShoppingCheckItems = "shopping.check_items"
	IntentTaskCreate         = "task.create"
	IntentTaskComplete       = "task.complete"
	IntentCalendarCreate     = "calendar.create"
	IntentQueryToday         = "query.today"
)

// IntentTypes are all intent types, in the order docs/assistant.md lists them.
var IntentTypes = []string{
	IntentShoppingAddItems, IntentShoppingCheckItems, IntentTaskCreate,
	IntentTaskComplete, IntentCalendarCreate, IntentQueryToday,
}

// Assistant input and slot limits.
const (
	MaxAssistantTextLen = 500 // characters of a command
	MaxIntentItems      = 50  // items in one shopping command
	maxIntentName       = 200 // item, list, task and event names (the tables' limit)
	maxIntentQuantity   = 50  // shopping_items.quantity
	minIntentYear       = 1900
	maxIntentYear       = 2999
)

// Intent is what a command means: a type and its slots, with every time
// already resolved to an instant in the family's time zone. Both the
// built-in parser and an optional language model produce it; Validate is
// the one gate before anything is written.
type Intent struct {
	Type  string      `json:"type"`
	Slots IntentSlots `json:"slots"`
}

// IntentSlots are the arguments of an intent. Which slots an intent takes
// is checked by Intent.Validate and documented in docs/assistant.md.
type IntentSlots struct {
	// List names a shopping list as the user said it ("groceries"); empty
	// means the family's default list.
	List string `json:"list,omitempty"`
	// Items are the shopping items to add (with a quantity) or check off.
	Items []IntentItem `json:"items,omitempty"`
	// Title is the task or event to create, or the task to complete.
	Title string `json:"title,omitempty"`
	// DueAt is when a new task is due; a day without a time is due at
	// 23:59 that day.
	DueAt *time.Time `json:"due_at,omitempty"`
	// StartsAt and EndsAt bound a new event; AllDay events run from local
	// midnight to the next.
	StartsAt *time.Time `json:"starts_at,omitempty"`
	EndsAt   *time.Time `json:"ends_at,omitempty"`
	AllDay   bool       `json:"all_day,omitempty"`
	// Date is the day query.today asks about (YYYY-MM-DD, the family's
	// calendar); empty means today.
	Date string `json:"date,omitempty"`
}

// IntentItem is one shopping item of a command: "2 litres of milk" is
// {Name: "milk", Quantity: "2 litres"}.
type IntentItem struct {
	Name     string `json:"name"`
	Quantity string `json:"quantity,omitempty"`
}

// Validate checks that the intent is one FamilyHub executes and that its
// slots fit it: the required ones present, the others absent, lengths and
// years within the tables' limits. It normalises text slots (trimmed).
// Any problem is an EINVALID *familyhub.Error.
func (in *Intent) Validate() error {
	s := &in.Slots
	s.List = strings.TrimSpace(s.List)
	s.Title = strings.TrimSpace(s.Title)
	for i := range s.Items {
		s.Items[i].Name = strings.TrimSpace(s.Items[i].Name)
		s.Items[i].Quantity = strings.TrimSpace(s.Items[i].Quantity)
	}
	// allowed says which slots the type takes.
	var allowed string
	switch in.Type {
	case IntentShoppingAddItems:
		allowed = "list items"
	case IntentShoppingCheckItems:
		allowed = "list items"
	case IntentTaskCreate:
		allowed = "title due_at"
	case IntentTaskComplete:
		allowed = "title"
	case IntentCalendarCreate:
		allowed = "title starts_at ends_at all_day"
	case IntentQueryToday:
		allowed = "date"
	default:
		return familyhub.Invalid("intent", "Unknown intent type %q.", in.Type)
	}
	present := map[string]bool{
		"list": s.List != "", "items": len(s.Items) > 0, "title": s.Title != "",
		"due_at": s.DueAt != nil, "starts_at": s.StartsAt != nil, "ends_at": s.EndsAt != nil,
		"all_day": s.AllDay, "date": s.Date != "",
	}
	for name, ok := range present {
		if ok && !strings.Contains(" "+allowed+" ", " "+name+" ") {
			return familyhub.Invalid("intent", "%s takes no %s.", in.Type, name)
		}
	}
	if err := intentText("list", s.List, 0, maxIntentName); err != nil {
		return err
	}
	switch in.Type {
	case IntentShoppingAddItems, IntentShoppingCheckItems:
		if len(s.Items) == 0 {
			return familyhub.Invalid("items", "Name at least one item.")
		}
		if len(s.Items) > MaxIntentItems {
			return familyhub.Invalid("items", "At most %d items at once.", MaxIntentItems)
		}
		for _, it := range s.Items {
			if err := intentText("items", it.Name, 1, maxIntentName); err != nil {
				return err
			}
			if in.Type == IntentShoppingCheckItems && it.Quantity != "" {
				return familyhub.Invalid("items", "Checking off takes no quantity.")
			}
			if err := intentText("items", it.Quantity, 0, maxIntentQuantity); err != nil {
				return err
			}
		}
	case IntentTaskCreate, IntentTaskComplete, IntentCalendarCreate:
		if err := intentText("title", s.Title, 1, maxIntentName); err != nil {
			return err
		}
	}
	for _, t := range []struct {
		name string
		t    *time.Time
	}{{"due_at", s.DueAt}, {"starts_at", s.StartsAt}, {"ends_at", s.EndsAt}} {
		if t.t != nil && (t.t.Year() < minIntentYear || t.t.Year() > maxIntentYear) {
			return familyhub.Invalid(t.name, "%s must be between the years %d and %d.", t.name, minIntentYear, maxIntentYear)
		}
	}
	if in.Type == IntentCalendarCreate {
		if s.StartsAt == nil {
			return familyhub.Invalid("starts_at", "An event needs a day or a time.")
		}
		if s.EndsAt != nil && s.EndsAt.Before(*s.StartsAt) {
			return familyhub.Invalid("ends_at", "An event cannot end before it starts.")
		}
	}
	if s.Date != "" {
		d, err := time.Parse(time.DateOnly, s.Date)
		if err != nil || d.Year() < minIntentYear || d.Year() > maxIntentYear {
			return familyhub.Invalid("date", "date must be a day YYYY-MM-DD.")
		}
	}
	return nil
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

// AssistantText trims a command's text and checks it: valid UTF-8, 1 to
// MaxAssistantTextLen characters, no control characters other than line
// breaks and tabs (which become spaces). Problems are familyhub.EINVALID *Errors on
// field "text".
func AssistantText(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", familyhub.Invalid("text", "text is not valid UTF-8.")
	}
	text = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(text)
	if strings.ContainsFunc(text, unicode.IsControl) {
		return "", familyhub.Invalid("text", "text contains control characters.")
	}
	text = strings.Join(strings.Fields(text), " ")
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", familyhub.Invalid("text", "text is required: say what to do, e.g. \"add milk to the shopping list\".")
	case n > MaxAssistantTextLen:
		return "", familyhub.Invalid("text", "text must be at most %d characters (it has %d).", MaxAssistantTextLen, n)
	}
	return text, nil
}

// AssistantLanguage returns the language of a BCP 47 locale ("en-GB" →
// "en") when the assistant understands it: English or German; an empty
// locale is English. Others are an EINVALID *familyhub.Error on field "locale".
func AssistantLanguage(locale string) (string, error) {
	if locale == "" {
		return "en", nil
	}
	lang, _, _ := strings.Cut(strings.ReplaceAll(locale, "_", "-"), "-")
	switch l := strings.ToLower(lang); {
	case len(locale) > 35:
		return "", familyhub.Invalid("locale", "locale must be a language tag such as en-GB or de-DE.")
	case l == "en" || l == "de":
		return l, nil
	}
	return "", familyhub.Invalid("locale", "The assistant understands English (en) and German (de), not %q.", locale)
}

// ParseIntent is the built-in, offline understanding of a command: text
// (already checked by AssistantText) in language lang ("en" or "de"; the
// other language is tried too) said at now, whose location is the family's
// time zone. Relative dates and times ("tomorrow at 6pm", "on Friday at 3",
// "in 2 hours") come back as instants in that zone. It is pure and
// deterministic. A command it does not understand is an EINVALID *familyhub.Error
// on field "text" whose message suggests what works.
func ParseIntent(text, lang string, now time.Time) (Intent, error) {
	p := &parser{now: now, loc: now.Location()}
	clean := cleanCommand(text)
	rules := append(append([]rule{}, rulesFor(lang)...), rulesFor(otherLang(lang))...)
	for _, r := range rules {
		m := r.re.FindStringSubmatch(clean)
		if m == nil {
			continue
		}
		in, ok := r.fn(p, m)
		if !ok {
			continue
		}
		if err := in.Validate(); err != nil {
			continue
		}
		return in, nil
	}
	return Intent{}, NotUnderstood(text)
}

// NotUnderstood returns the EINVALID *familyhub.Error for a command that matches no
// intent, with examples of what works.
func NotUnderstood(text string) *familyhub.Error {
	if utf8.RuneCountInString(text) > 60 {
		text = string([]rune(text)[:57]) + "..."
	}
	return familyhub.Invalid("text", "Sorry, I did not understand %q. Try \"add milk and eggs to the groceries list\", "+
		"\"remind me to call grandma tomorrow at 6pm\", \"put dentist on Friday at 3\", "+
		"\"mark take out the trash as done\" or \"what's on today\".", text)
}

func otherLang(lang string) string {
	if lang == "de" {
		return "en"
	}
	return "de"
}

// cleanCommand drops politeness and end punctuation: "Please add milk!" →
// "add milk".
func cleanCommand(s string) string {
	s = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "„", `"`).Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	for {
		before := s
		s = strings.TrimRight(s, " .!?,;")
		s = politePrefix.ReplaceAllString(s, "")
		s = politeSuffix.ReplaceAllString(s, "")
		if s == before {
			return s
		}
	}
}

var (
	politePrefix = regexp.MustCompile(`(?i)^(?:(?:hey|hi|ok|okay|hallo)(?: familyhub)?,? |familyhub,? |please |pls |bitte |(?:can|could|would|will) you(?: please)? |kannst du(?: bitte)? |könntest du(?: bitte)? |i'd like you to )`)
	politeSuffix = regexp.MustCompile(`(?i)(?:,? please|,? bitte|,? thanks|,? thank you|,? danke)$`)
)

// A rule maps a pattern to an intent; fn may still decline.
type rule struct {
	re *regexp.Regexp
	fn func(p *parser, m []string) (Intent, bool)
}

func rx(s string) *regexp.Regexp { return regexp.MustCompile(`(?i)^` + s + `$`) }

func rulesFor(lang string) []rule {
	if lang == "de" {
		return rulesDE
	}
	return rulesEN
}

var rulesEN = []rule{
	// query.today
	{rx(`(?:what'?s|what is|whats|what are|anything|is there anything)\b(.*)`), (*parser).query},
	{rx(`what do (?:i|we) have\b(.*)`), (*parser).query},
	{rx(`(?:show|tell|give)(?: me| us)?(?: the| my| our)?\b(.*)`), (*parser).query},
	{rx(`(today|tomorrow|today's agenda|agenda|my day|our day)`), (*parser).query},

	// task.complete
	{rx(`mark (.+?) (?:as )?(?:done|complete|completed|finished)`), (*parser).complete},
	{rx(`(?:complete|finish|close) (?:the )?(?:task |todo |chore )?(.+)`), (*parser).complete},
	{rx(`(?:i|we) (?:have |'ve )?(?:finished|completed|did|done) (?:the task )?(.+)`), (*parser).complete},
	{rx(`(?:the task )?(.+?) (?:is|are|was|has been) (?:done|finished|complete|completed)`), (*parser).complete},
	{rx(`done:? (.+)`), (*parser).complete},

	// shopping.check_items
	{rx(`(?:check|tick|cross|strike) off (.+?)(?: (?:from|on|in) (?:the |my |our )?(.+?))?`), (*parser).check},
	{rx(`(?:check|tick|cross|strike) (.+?) off(?: (?:the |my |our )?(.+?))?`), (*parser).check},
	{rx(`mark (.+?) as (?:bought|got|purchased|gotten|in the basket)(?: (?:on|in|from) (?:the |my |our )?(.+?))?`), (*parser).check},
	{rx(`(?:i |we )?(?:got|bought|have bought|'ve bought|picked up) (.+?)(?: (?:from|for|on) (?:the |my |our )?(.+? list))?`), (*parser).check},

	// task.create
	{rx(`remind (?:me|us)(?: to| that| about| of)?\b(.+)`), (*parser).task},
	{rx(`(?:add|create|make|new|set)(?: a| an)? (?:task|todo|to-do|to do|reminder|chore)(?: to| for| called| named)?:? (.+)`), (*parser).task},
	{rx(`(?:todo|to-do|task|reminder):? (.+)`), (*parser).task},
	{rx(`(?:i|we) (?:need|have|must|should|'ve got|got) to (.+)`), (*parser).task},
	{rx(`don'?t (?:let me |let us )?forget (?:to )?(.+)`), (*parser).task},

	// add ... to/on <target>: a list, the calendar or the to-do list
	{rx(`(?:add|put|write|stick|pop|place) (.+?) (?:to|on|onto|in|into) (?:the |my |our )?(.+?)`), (*parser).addTo},

	// calendar.create: a verb and a day or time
	{rx(`(?:put|schedule|book|plan|add|create|make|enter|set up)(?: an?)?(?: new)?(?: event| appointment| meeting| entry)?(?: for| called| named)?:? (.+)`), (*parser).event},
	{rx(`(?:new )?(?:event|appointment|meeting):? (.+)`), (*parser).event},

	// shopping.add_items to the default list
	{rx(`(?:add|put|buy|get|pick up|grab|we need|we're out of|we are out of|out of|need|i need|we need more|need more)(?: some| more)? (.+)`), (*parser).add},
}

var rulesDE = []rule{
	// query.today
	{rx(`was (?:steht|ist|gibt'?s|gibt es|haben wir|habe ich|hab ich|hab' ich|liegt)\b(.*)`), (*parser).query},
	{rx(`(heute|morgen|tagesplan|mein tag)`), (*parser).query},

	// task.complete
	{rx(`markiere (.+?) als (?:erledigt|fertig)`), (*parser).complete},
	{rx(`(.+?) (?:ist|sind) (?:erledigt|fertig)`), (*parser).complete},
	{rx(`erledigt:? (.+)`), (*parser).complete},
	{rx(`(?:erledige|schließe) (.+?)(?: ab)?`), (*parser).complete},

	// shopping.check_items
	{rx(`(?:hake|hak|streiche|streich) (.+?)(?: (?:auf|von) (?:der |die |meiner |unserer )?(.+?))? ab`), (*parser).check},
	{rx(`(?:streiche|streich) (.+?)(?: (?:auf|von) (?:der |die |meiner |unserer )?(.+?))? durch`), (*parser).check},
	{rx(`(?:ich habe|ich hab|habe|hab|wir haben) (.+?)(?: (?:für|von) (?:die |der )?(.+?))? gekauft`), (*parser).check},

	// task.create
	{rx(`erinnere (?:mich|uns)(?: daran)?,?\b(.+)`), (*parser).task},
	{rx(`(?:neue |eine )?(?:aufgabe|erinnerung|todo)(?: anlegen)?:? (.+)`), (*parser).task},
	{rx(`(?:ich muss|wir müssen|ich sollte|wir sollten|nicht vergessen:?) (.+)`), (*parser).task},

	// add ... to <target>
	{rx(`(?:setze|setz|schreibe|schreib|packe|pack|tu|tue) (.+?) auf (?:die |meine |unsere |den )?(.+?)`), (*parser).addTo},
	{rx(`(?:füge|füg) (.+?) (?:zur|zu der|zum|zu|in die|in den) (.+?) hinzu`), (*parser).addTo},

	// calendar.create
	{rx(`(?:trage|trag|plane|plan|lege|leg|setze|setz|mach|mache) (.+?)(?: in den kalender| in unseren kalender| in meinen kalender)? (?:ein|an|fest)`), (*parser).event},
	{rx(`(?:neuer )?(?:termin|ereignis):? (.+)`), (*parser).event},

	// shopping.add_items to the default list
	{rx(`(?:wir brauchen|ich brauche|kaufe|kauf|besorge|besorg|uns fehlt|uns fehlen|wir haben keine?n?)(?: noch| mehr)? (.+)`), (*parser).add},
	{rx(`(?:füge|füg) (.+?) hinzu`), (*parser).add},
}

// parser holds the moment and zone a command is understood in.
type parser struct {
	now time.Time
	loc *time.Location
}

// query understands "what's on today/tomorrow/on Friday": the rest after
// the question words must be a day and filler only.
func (p *parser) query(m []string) (Intent, bool) {
	rest := m[1]
	w, left, _ := p.extractWhen(rest)
	for _, f := range strings.Fields(strings.ToLower(left)) {
		f = strings.Trim(f, ",.;:?!'")
		if !queryFiller[f] {
			return Intent{}, false
		}
	}
	if w.hasTime || w.hasRel {
		return Intent{}, false
	}
	day := p.today()
	if w.hasDate || w.weekday >= 0 {
		day, _ = p.resolveDay(w)
	}
	return Intent{Type: IntentQueryToday, Slots: IntentSlots{Date: day.Format(time.DateOnly)}}, true
}

var queryFiller = setOf(`on up planned happening scheduled going for the my our agenda plan schedule calendar day
	today's todays there anything everything do we i have got to is are for in store left what's what today tomorrow
	an los so auf dem plan vor heute morgen für uns mich mir noch da`)

// complete understands a task to mark done.
func (p *parser) complete(m []string) (Intent, bool) {
	title := tidyTitle(m[1])
	if title == "" || looksLikeQuestion(title) {
		return Intent{}, false
	}
	return Intent{Type: IntentTaskComplete, Slots: IntentSlots{Title: title}}, true
}

// check understands items to tick off, optionally on a named list.
func (p *parser) check(m []string) (Intent, bool) {
	items := splitItems(m[1])
	if len(items) == 0 {
		return Intent{}, false
	}
	for i := range items {
		items[i].Quantity = ""
	}
	list := ""
	if len(m) > 2 {
		var ok bool
		if list, ok = listName(m[2]); !ok {
			return Intent{}, false
		}
	}
	return Intent{Type: IntentShoppingCheckItems, Slots: IntentSlots{List: list, Items: items}}, true
}

// task understands a task with an optional due day and time.
func (p *parser) task(m []string) (Intent, bool) {
	w, rest, found := p.extractWhen(m[1])
	title := tidyTitle(taskLead.ReplaceAllString(strings.TrimSpace(rest), ""))
	if title == "" {
		return Intent{}, false
	}
	in := Intent{Type: IntentTaskCreate, Slots: IntentSlots{Title: title}}
	if found {
		t, hasTime, ok := p.resolve(w)
		if !ok {
			return Intent{}, false
		}
		if !hasTime {
			y, mo, d := t.Date()
			t = time.Date(y, mo, d, 23, 59, 0, 0, p.loc)
		}
		in.Slots.DueAt = &t
	}
	return in, true
}

var taskLead = regexp.MustCompile(`(?i)^(?:(?:to|that|about|of|an|zu|daran|dass|,)\s+)+`)

// addTo understands "add X to Y": Y is a shopping list, the calendar or the
// to-do list; "put dentist on Friday at 3" (Y a day) is left to event.
func (p *parser) addTo(m []string) (Intent, bool) {
	what, target := m[1], strings.TrimSpace(m[2])
	t := strings.ToLower(target)
	switch {
	case calendarTarget.MatchString(t):
		return p.event([]string{"", what + " " + calendarTarget.ReplaceAllString(t, "")})
	case todoTarget.MatchString(t):
		return p.task([]string{"", what + " " + todoTarget.ReplaceAllString(t, "")})
	}
	if _, left, found := p.extractWhen(target); found && strings.TrimSpace(left) == "" {
		return Intent{}, false // a day or time, not a list
	}
	if _, _, found := p.extractWhen(what); found {
		return Intent{}, false
	}
	list, ok := listName(target)
	if !ok {
		return Intent{}, false
	}
	items := splitItems(what)
	if len(items) == 0 {
		return Intent{}, false
	}
	return Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{List: list, Items: items}}, true
}

var (
	calendarTarget = regexp.MustCompile(`^(?:(?:family |shared )?(?:calendar|diary|schedule|agenda)|(?:den |unseren |meinen )?kalender)\b`)
	todoTarget     = regexp.MustCompile(`^(?:to-?do|to do|task|chore|reminder|aufgaben)(?:s)?(?: list| liste)?\b|^aufgabenliste\b`)
)

// event understands an event: a title and a day or time.
func (p *parser) event(m []string) (Intent, bool) {
	w, rest, found := p.extractWhen(m[1])
	if !found {
		return Intent{}, false
	}
	rest = calendarPhrase.ReplaceAllString(rest, " ")
	title := tidyTitle(rest)
	if title == "" || strings.Contains(strings.ToLower(" "+title+" "), " list ") {
		return Intent{}, false
	}
	start, hasTime, ok := p.resolve(w)
	if !ok {
		return Intent{}, false
	}
	in := Intent{Type: IntentCalendarCreate, Slots: IntentSlots{Title: title}}
	if hasTime {
		dur := w.dur
		if dur == 0 {
			dur = time.Hour
		}
		end := start.Add(dur)
		in.Slots.StartsAt, in.Slots.EndsAt = &start, &end
	} else {
		y, mo, d := start.Date()
		s, e := time.Date(y, mo, d, 0, 0, 0, 0, p.loc), time.Date(y, mo, d+1, 0, 0, 0, 0, p.loc)
		in.Slots.StartsAt, in.Slots.EndsAt, in.Slots.AllDay = &s, &e, true
	}
	return in, true
}

var calendarPhrase = regexp.MustCompile(`(?i)\b(?:in|on|to|into|onto|im|in den|auf den)\s+(?:the\s+|my\s+|our\s+|den\s+|unseren\s+|meinen\s+)?(?:family\s+)?(?:calendar|diary|kalender)\b`)

// add understands items for the default list; "buy a present tomorrow"
// (with a day) is a task instead.
func (p *parser) add(m []string) (Intent, bool) {
	what := m[1]
	if _, _, found := p.extractWhen(what); found {
		return Intent{}, false
	}
	if f := strings.Fields(strings.ToLower(what)); len(f) == 0 || questionWords[f[0]] || targetWords[f[0]] {
		return Intent{}, false
	}
	items := splitItems(what)
	if len(items) == 0 {
		return Intent{}, false
	}
	return Intent{Type: IntentShoppingAddItems, Slots: IntentSlots{Items: items}}, true
}

func looksLikeQuestion(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	return len(f) > 0 && questionWords[f[0]]
}

var targetWords = setOf(`to on onto into in zu zur auf`)

var questionWords = setOf(`what who why how when where which is are does do was wer wie warum wann wo welche welcher`)

// listName turns what the user called a list into the list slot: "the
// groceries list" → "groceries", "the list" → "" (the default list). It
// refuses names that are no list names (too long, a sentence).
func listName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = listArticles.ReplaceAllString(s, "")
	s = listSuffix.ReplaceAllString(s, "")
	s = strings.TrimSpace(strings.Trim(s, ` "'.,`))
	if utf8.RuneCountInString(s) > 60 || len(strings.Fields(s)) > 4 {
		return "", false
	}
	if l := strings.ToLower(s); l == "list" || l == "liste" || l == "shopping list" {
		return "", true
	}
	return s, true
}

var (
	listArticles = regexp.MustCompile(`(?i)^(?:(?:the|my|our|die|meine|unsere|der|den)\s+)+`)
	listSuffix   = regexp.MustCompile(`(?i)(?:\s+list|\s+liste|(?:s)?liste)$`)
)

// tidyTitle trims leftovers around a title and capitalises it.
func tidyTitle(s string) string {
	f := strings.Fields(s)
	for len(f) > 0 && danglingWords[strings.ToLower(strings.Trim(f[len(f)-1], ",;:"))] {
		f = f[:len(f)-1]
	}
	for len(f) > 0 && leadingWords[strings.ToLower(strings.Trim(f[0], ",;:"))] {
		f = f[1:]
	}
	s = strings.Trim(strings.Join(f, " "), ` ,;:-"'`)
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

var (
	danglingWords = setOf(`on at by for in to from the a an as am um bis für zum zur ein and und ,`)
	leadingWords  = setOf(`to the a an that about as , ein eine`)
)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Shopping items.

var itemSeparators = regexp.MustCompile(`(?i)\s*(?:,\s*and\s+|,\s*und\s+|,|;|\s+and\s+|\s+und\s+|\s+&\s+|\s+plus\s+|\s+sowie\s+)\s*`)

// splitItems splits "2 litres of milk, eggs and bread" into items with
// quantities.
func splitItems(s string) []IntentItem {
	var out []IntentItem
	for _, part := range itemSeparators.Split(s, -1) {
		if it, ok := parseItem(part); ok {
			out = append(out, it)
		}
	}
	return out
}

var (
	numberUnitToken = regexp.MustCompile(`(?i)^(\d+(?:[.,]\d+)?)(l|ml|cl|dl|kg|g|gr|lb|lbs|oz|x|pk)$`)
	numberToken     = regexp.MustCompile(`^\d+(?:[.,]\d+)?$`)
)

var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
	"fifty": 50, "sixty": 60, "ninety": 90,
	"eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
	"zehn": 10, "elf": 11, "zwölf": 12, "zwanzig": 20, "dreißig": 30,
}

var articles = setOf(`a an ein eine einen einer`)

var units = setOf(`l liter liters litre litres ml millilitre millilitres milliliter milliliters cl dl kg kilo kilos kilogram kilograms
	kilogramm g gram grams gramm grams lb lbs pound pounds oz ounce ounces pack packs packet packets package packages
	bottle bottles can cans tin tins box boxes bag bags jar jars dozen loaf loaves bunch bunches piece pieces cup cups
	carton cartons head heads slice slices roll rolls tub tubs tube tubes bar bars pot pots punnet punnets
	flasche flaschen dose dosen packung packungen stück glas gläser beutel tüte tüten bund becher kiste kisten
	schachtel schachteln päckchen rolle rollen`)

var itemFillers = setOf(`some more a an the few couple of etwas noch mehr ein eine einen paar`)

// parseItem parses "2 litres of milk", "a dozen eggs", "3 apples", "milk".
func parseItem(s string) (IntentItem, bool) {
	f := strings.Fields(strings.Trim(strings.TrimSpace(s), `.,;:!?"'`))
	if len(f) == 0 {
		return IntentItem{}, false
	}
	lower := func(i int) string { return strings.ToLower(f[i]) }
	var qty []string
	i := 0
	switch {
	case numberUnitToken.MatchString(f[0]):
		qty, i = []string{f[0]}, 1
	case numberToken.MatchString(f[0]):
		qty, i = []string{f[0]}, 1
	case numberWords[lower(0)] > 0:
		qty, i = []string{strconv.Itoa(numberWords[lower(0)])}, 1
	case articles[lower(0)] && len(f) > 2 && units[lower(1)]:
		qty, i = []string{"1"}, 1
	}
	if i == 1 && len(f) > 2 && units[lower(1)] {
		qty, i = append(qty, f[1]), 2
	}
	if i > 0 && i < len(f)-1 && (lower(i) == "of" || lower(i) == "von") {
		i++
	}
	if i == 0 {
		for i < len(f)-1 && itemFillers[lower(i)] {
			i++
		}
	}
	if i >= len(f) {
		// Only a number: "7" or "7up"-like names stay names.
		qty, i = nil, 0
	}
	name := strings.Join(f[i:], " ")
	if name == "" || utf8.RuneCountInString(name) > maxIntentName {
		return IntentItem{}, false
	}
	return IntentItem{Name: name, Quantity: strings.Join(qty, " ")}, true
}

// Days and times.

// when is what a command says about time, before it is resolved against
// now: a day (date, weekday or relative), a time of day, a part of the day,
// a delay ("in 2 hours") or a length ("for 2 hours").
type when struct {
	hasDate   bool
	date      time.Time // local midnight
	weekday   time.Weekday
	nextWeek  bool // "next Friday": never today
	hasTime   bool
	hour, min int
	ampm      string // "am", "pm" or "" (24-hour or unknown)
	h24       bool   // written as 24-hour time ("18:30", "06:00")
	part      string // morning, afternoon, evening, night
	hasRel    bool
	rel       time.Duration
	dur       time.Duration
}

type token struct {
	raw, w string // as written; lower-cased without surrounding punctuation
}

func tokenize(s string) []token {
	var out []token
	for _, f := range strings.Fields(s) {
		w := strings.ToLower(strings.Trim(f, `,;!?"()`))
		w = strings.TrimSuffix(w, ".")
		if strings.HasSuffix(w, ".") && !strings.ContainsAny(w, "0123456789") {
			w = strings.TrimRight(w, ".")
		}
		out = append(out, token{raw: f, w: w})
	}
	return out
}

// extractWhen finds the day and time phrases in s and returns them with
// the rest of s (the title). found says whether there was any.
func (p *parser) extractWhen(s string) (w when, rest string, found bool) {
	w.weekday = -1
	toks := tokenize(s)
	used := make([]bool, len(toks))
	for i := 0; i < len(toks); {
		if n := p.matchWhen(toks, i, &w); n > 0 {
			for j := i; j < i+n && j < len(toks); j++ {
				used[j] = true
			}
			i += n
			found = true
			continue
		}
		i++
	}
	var left []string
	for i, t := range toks {
		if !used[i] {
			left = append(left, t.raw)
		}
	}
	return w, strings.Join(left, " "), found
}

var (
	weekdays = map[string]time.Weekday{
		"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
		"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
		"sonntag": time.Sunday, "montag": time.Monday, "dienstag": time.Tuesday, "mittwoch": time.Wednesday,
		"donnerstag": time.Thursday, "freitag": time.Friday, "samstag": time.Saturday, "sonnabend": time.Saturday,
	}
	// Abbreviations count only after "on", "next", "this" or "am".
	weekdayAbbr = map[string]time.Weekday{
		"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "wed": time.Wednesday,
		"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	}
	months = map[string]time.Month{
		"january": 1, "jan": 1, "januar": 1, "february": 2, "feb": 2, "februar": 2, "march": 3, "mar": 3, "märz": 3,
		"april": 4, "apr": 4, "may": 5, "mai": 5, "june": 6, "jun": 6, "juni": 6, "july": 7, "jul": 7, "juli": 7,
		"august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "oktober": 10, "okt": 10,
		"november": 11, "nov": 11, "december": 12, "dec": 12, "dezember": 12, "dez": 12,
	}
	parts = map[string]string{
		"morning": "morning", "afternoon": "afternoon", "evening": "evening", "night": "night",
		"morgens": "morning", "früh": "morning", "vormittag": "morning", "vormittags": "morning",
		"nachmittag": "afternoon", "nachmittags": "afternoon", "abend": "evening", "abends": "evening",
		"nacht": "night", "nachts": "night",
	}
	partHour = map[string]int{"morning": 9, "afternoon": 15, "evening": 19, "night": 21}

	ordinalToken = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th|\.)$`)
	dayToken     = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th|\.)?$`)
	isoDate      = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	clockAmPm    = regexp.MustCompile(`^(\d{1,2})(?:[:.](\d{2}))?(am|pm|a\.m\.|p\.m\.|a\.m|p\.m)$`)
	clock        = regexp.MustCompile(`^(\d{1,2})[:.h](\d{2})$`)
	bareHour     = regexp.MustCompile(`^(\d{1,2})$`)
	relUnits     = map[string]time.Duration{
		"minute": time.Minute, "minutes": time.Minute, "min": time.Minute, "mins": time.Minute, "minuten": time.Minute,
		"hour": time.Hour, "hours": time.Hour, "hr": time.Hour, "hrs": time.Hour, "h": time.Hour, "stunde": time.Hour, "stunden": time.Hour,
		"day": 24 * time.Hour, "days": 24 * time.Hour, "tag": 24 * time.Hour, "tagen": 24 * time.Hour,
		"week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour, "woche": 7 * 24 * time.Hour, "wochen": 7 * 24 * time.Hour,
	}
)

// matchWhen matches one day or time phrase at toks[i] and returns how many
// tokens it takes (0: none).
func (p *parser) matchWhen(toks []token, i int, w *when) int {
	at := func(j int) string {
		if j >= 0 && j < len(toks) {
			return toks[j].w
		}
		return ""
	}
	// Relative: "in 2 hours", "in an hour", "in half an hour", "in 3 days".
	if at(i) == "in" {
		if n, d, ok := amount(at(i+1), at(i+2), at(i+3)); ok {
			if unit, ok := relUnits[at(i+n+1)]; ok && !w.hasRel && !w.hasDate {
				total := time.Duration(float64(unit) * d)
				if unit >= 24*time.Hour {
					w.hasDate, w.date = true, p.today().AddDate(0, 0, int(total/(24*time.Hour)))
				} else {
					w.hasRel, w.rel = true, total
				}
				return n + 2
			}
		}
	}
	// Length: "for 2 hours", "for 90 minutes" (events).
	if at(i) == "for" || at(i) == "für" {
		if n, d, ok := amount(at(i+1), at(i+2), at(i+3)); ok {
			if unit, ok := relUnits[at(i+n+1)]; ok && unit <= time.Hour && w.dur == 0 {
				w.dur = time.Duration(float64(unit) * d)
				return n + 2
			}
		}
	}
	// Leading words that only make sense before a day or time.
	pre := 0
	next := false
	for pre < 3 {
		switch at(i + pre) {
		case "on", "at", "by", "for", "am", "um", "bis", "gegen", "@", "the", "this", "coming", "this coming", "diesen", "kommenden", "kommender":
			pre++
			continue
		case "next", "nächsten", "nächster", "nächste":
			pre, next = pre+1, true
			continue
		}
		break
	}
	j := i + pre
	if n := p.matchDay(toks, j, pre > 0, next, w, at); n > 0 {
		return pre + n
	}
	if n := matchTime(at, j, pre > 0 && (at(j-1) == "at" || at(j-1) == "um" || at(j-1) == "@" || at(j-1) == "gegen" || at(j-1) == "by"), w); n > 0 {
		return pre + n
	}
	// "this morning", "in the evening", "at night", "abends".
	if pt, ok := parts[at(j)]; ok && w.part == "" {
		prev := at(j - 1)
		if pre > 0 && prev == "this" {
			w.part = pt
			if !w.hasDate {
				w.hasDate, w.date = true, p.today()
			}
			return pre + 1
		}
		if pre == 0 && at(i-1) == "the" && at(i-2) == "in" {
			return 0 // handled at "in"
		}
		if pre > 0 || strings.HasSuffix(at(j), "s") || at(j) == "früh" {
			w.part = pt
			return pre + 1
		}
	}
	if at(i) == "in" && at(i+1) == "the" {
		if pt, ok := parts[at(i+2)]; ok && w.part == "" {
			w.part = pt
			return 3
		}
	}
	return 0
}

// amount reads "2", "two", "an", "a", "half an", "1.5" as a number and the
// tokens it takes.
func amount(a, b, c string) (int, float64, bool) {
	if a == "half" && (b == "an" || b == "a") {
		return 2, 0.5, true
	}
	if a == "a" || a == "an" || a == "one" || a == "einer" || a == "einem" || a == "eine" || a == "ein" {
		return 1, 1, true
	}
	if n, ok := numberWords[a]; ok {
		return 1, float64(n), true
	}
	if f, err := strconv.ParseFloat(strings.Replace(a, ",", ".", 1), 64); err == nil && f > 0 && f <= 1000 {
		return 1, f, true
	}
	return 0, 0, false
}

// matchDay matches a day at toks[j]: today, tomorrow, a weekday, a date.
func (p *parser) matchDay(toks []token, j int, hasPre, next bool, w *when, at func(int) string) int {
	if w.hasDate || w.weekday >= 0 {
		return 0
	}
	setDay := func(d time.Time, n int) int {
		w.hasDate, w.date = true, d
		// "tomorrow morning", "morgen früh", "heute abend"
		if pt, ok := parts[at(j+n)]; ok && w.part == "" {
			w.part = pt
			n++
		}
		return n
	}
	switch at(j) {
	case "today", "heute":
		if at(j+1) == "morgen" {
			w.part = "morning"
			return setDay(p.today(), 2)
		}
		return setDay(p.today(), 1)
	case "tonight":
		w.part = "evening"
		return setDay(p.today(), 1)
	case "tomorrow", "tmrw", "tomorow", "tommorow", "tommorrow":
		return setDay(p.today().AddDate(0, 0, 1), 1)
	case "morgen":
		return setDay(p.today().AddDate(0, 0, 1), 1)
	case "übermorgen":
		return setDay(p.today().AddDate(0, 0, 2), 1)
	case "day":
		if at(j+1) == "after" && at(j+2) == "tomorrow" {
			return setDay(p.today().AddDate(0, 0, 2), 3)
		}
	}
	if d, ok := weekdays[at(j)]; ok {
		w.weekday, w.nextWeek = d, next
		if pt, ok := parts[at(j+1)]; ok && w.part == "" {
			w.part = pt
			return 2
		}
		return 1
	}
	if d, ok := weekdayAbbr[at(j)]; ok && hasPre {
		w.weekday, w.nextWeek = d, next
		return 1
	}
	if m := isoDate.FindStringSubmatch(at(j)); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		if t, ok := p.civil(y, time.Month(mo), d); ok {
			return setDay(t, 1)
		}
		return 0
	}
	// "12 March", "12th of March", "12. März", optionally a year.
	if m := dayToken.FindStringSubmatch(at(j)); m != nil {
		n := 1
		if at(j+1) == "of" {
			n = 2
		}
		if mo, ok := months[at(j+n)]; ok {
			d, _ := strconv.Atoi(m[1])
			return p.monthDay(d, mo, at, j, n+1, setDay)
		}
		// "on the 12th": this month, or the next when past.
		if ordinalToken.MatchString(at(j)) && hasPre {
			d, _ := strconv.Atoi(m[1])
			today := p.today()
			t, ok := p.civil(today.Year(), today.Month(), d)
			if ok && t.Before(today) {
				t, ok = p.civil(today.Year(), today.Month()+1, d)
			}
			if ok {
				return setDay(t, 1)
			}
		}
	}
	// "March 12", "March 12th 2027". A bare month ("may") is no day.
	if mo, ok := months[at(j)]; ok {
		if m := dayToken.FindStringSubmatch(at(j + 1)); m != nil {
			d, _ := strconv.Atoi(m[1])
			return p.monthDay(d, mo, at, j, 2, setDay)
		}
	}
	return 0
}

// monthDay resolves day d of month mo (this year, or the next when it has
// passed, unless a year follows at toks[j+n]).
func (p *parser) monthDay(d int, mo time.Month, at func(int) string, j, n int, setDay func(time.Time, int) int) int {
	year, explicit := p.today().Year(), false
	if y, err := strconv.Atoi(at(j + n)); err == nil && len(at(j+n)) == 4 {
		year, explicit = y, true
		n++
	}
	t, ok := p.civil(year, mo, d)
	if !ok {
		return 0
	}
	if !explicit && t.Before(p.today()) {
		if t, ok = p.civil(year+1, mo, d); !ok {
			return 0
		}
	}
	return setDay(t, n)
}

// civil returns local midnight of y-m-d, refusing dates that do not exist.
func (p *parser) civil(y int, m time.Month, d int) (time.Time, bool) {
	if y < minIntentYear || y > maxIntentYear || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, p.loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// matchTime matches a time of day at toks[j]: "6pm", "6 pm", "18:30",
// "noon", "6 o'clock", "18 Uhr", and a bare hour after "at"/"um".
func matchTime(at func(int) string, j int, afterAt bool, w *when) int {
	if w.hasTime {
		return 0
	}
	set := func(h, m int, ampm string, h24 bool, n int) int {
		if h > 24 || m > 59 || (ampm != "" && (h == 0 || h > 12)) || (h == 24 && m != 0) {
			return 0
		}
		w.hasTime, w.hour, w.min, w.ampm, w.h24 = true, h%24, m, ampm, h24
		// "o'clock", "uhr", "h"
		switch at(j + n) {
		case "o'clock", "oclock", "uhr", "h":
			n++
		}
		// "in the morning", "at night", "abends"
		if at(j+n) == "in" && at(j+n+1) == "the" {
			if pt, ok := parts[at(j+n+2)]; ok {
				w.part = pt
				n += 3
			}
		} else if at(j+n) == "at" && at(j+n+1) == "night" {
			w.part = "night"
			n += 2
		} else if pt, ok := parts[at(j+n)]; ok && (strings.HasSuffix(at(j+n), "s") || at(j+n) == "früh") {
			w.part = pt
			n++
		}
		return n
	}
	t := at(j)
	switch t {
	case "noon", "midday", "mittag", "mittags":
		return set(12, 0, "", true, 1)
	case "midnight", "mitternacht":
		return set(0, 0, "", true, 1)
	}
	if m := clockAmPm.FindStringSubmatch(t); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		return set(h, mi, m[3][:1]+"m", false, 1)
	}
	if m := clock.FindStringSubmatch(t); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		ap := ampmWord(at(j + 1))
		n := 1
		if ap != "" {
			n = 2
		}
		return set(h, mi, ap, ap == "" && (h > 12 || h == 0 || strings.HasPrefix(m[1], "0")), n)
	}
	if m := bareHour.FindStringSubmatch(t); m != nil {
		h, _ := strconv.Atoi(m[1])
		if ap := ampmWord(at(j + 1)); ap != "" {
			return set(h, 0, ap, false, 2)
		}
		switch at(j + 1) {
		case "o'clock", "oclock", "uhr":
			return set(h, 0, "", h > 12 || h == 0 || strings.HasPrefix(m[1], "0"), 1)
		}
		if afterAt {
			return set(h, 0, "", h > 12 || h == 0 || strings.HasPrefix(m[1], "0"), 1)
		}
	}
	return 0
}

func ampmWord(s string) string {
	switch s {
	case "am", "a.m", "a.m.":
		return "am"
	case "pm", "p.m", "p.m.":
		return "pm"
	}
	return ""
}

// today returns local midnight of now's date.
func (p *parser) today() time.Time {
	y, m, d := p.now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, p.loc)
}

// resolveDay returns the day w names (local midnight), today when none.
func (p *parser) resolveDay(w when) (time.Time, bool) {
	switch {
	case w.hasDate:
		return w.date, true
	case w.weekday >= 0:
		delta := (int(w.weekday) - int(p.now.Weekday()) + 7) % 7
		if delta == 0 && w.nextWeek {
			delta = 7
		}
		return p.today().AddDate(0, 0, delta), true
	}
	return p.today(), false
}

// resolve turns w into an instant in the family's zone and says whether it
// has a time of day. A time without a day is the next such time; a
// weekday whose time has passed today is next week's; an hour without
// am/pm is 1-7 → afternoon/evening, 8-12 → as said, unless a part of the
// day says otherwise.
func (p *parser) resolve(w when) (time.Time, bool, bool) {
	if w.hasRel {
		return p.now.Add(w.rel).Truncate(time.Minute), true, true
	}
	day, dayGiven := p.resolveDay(w)
	hour, min, hasTime := w.hour, w.min, w.hasTime
	if hasTime && !w.h24 {
		switch {
		case w.ampm == "pm" && hour < 12:
			hour += 12
		case w.ampm == "am" && hour == 12:
			hour = 0
		case w.ampm == "":
			switch w.part {
			case "afternoon", "evening":
				if hour < 12 {
					hour += 12
				}
			case "night":
				if hour >= 6 && hour < 12 {
					hour += 12
				}
			case "morning":
			default:
				if hour >= 1 && hour <= 7 {
					hour += 12
				}
			}
		}
	}
	if !hasTime && w.part != "" {
		hour, min, hasTime = partHour[w.part], 0, true
	}
	if !hasTime {
		return day, false, dayGiven
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), hour, min, 0, 0, p.loc)
	switch {
	case !dayGiven && !t.After(p.now):
		t = t.AddDate(0, 0, 1) // "at 6pm" said at 7pm: tomorrow
	case w.weekday >= 0 && !w.nextWeek && !t.After(p.now):
		t = t.AddDate(0, 0, 7) // "on Friday at 3" said on Friday at 4
	}
	return t, true, true
}
