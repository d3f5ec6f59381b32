package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/assistant"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/llm"
)

// DefaultAssistantTimeout bounds a request to the assistant's model when
// none is configured; on timeout the built-in parser answers.
const DefaultAssistantTimeout = 8 * time.Second

// mountAssistant adds the assistant endpoints to the authenticated API router.
func (s *Server) mountAssistant(r chi.Router) {
	if err := s.cfg.Assistant.Validate("FAMILYHUB_ASSISTANT"); err != nil {
		s.logger.Error("assistant model disabled: bad configuration; the built-in parser answers", "err", err)
		s.cfg.Assistant = llm.Config{}
	}
	s.model = llm.New(s.cfg.Assistant, DefaultAssistantTimeout)
	r.Post("/assistant/commands", s.handleAssistantCommand)
}

type assistantCommandRequest struct {
	Text   string `json:"text"`
	Locale string `json:"locale"`
}

type assistantCommandResponse struct {
	ID      uuid.UUID        `json:"id"`
	Intent  assistant.Intent `json:"intent"`
	Source  string           `json:"source"` // "parser" or "llm"
	Result  any              `json:"result"`
	Message string           `json:"message"`
}

// Outcomes of a command (assistant_commands.outcome).
const (
	assistantExecuted = "executed"
	assistantRefused  = "refused"
	assistantFailed   = "failed"
)

// handleAssistantCommand understands a command and executes it in one
// transaction, recording it in assistant_commands in the same transaction;
// the commit sends AI_INTENT_EXECUTED to the calling device (a trigger). A
// refused command writes nothing to the domain; its record is a separate
// insert afterwards.
func (s *Server) handleAssistantCommand(w http.ResponseWriter, r *http.Request) {
	var req assistantCommandRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	text, err := assistant.AssistantText(req.Text)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	lang, err := assistant.AssistantLanguage(req.Locale)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ctx, a := r.Context(), authFrom(r)
	rec := dbsqlc.AssistantCommandInsertParams{
		ID: uuid.New(), FamilyID: a.FamilyID, UserID: &a.UserID, Text: text, Locale: lang, ReceivedAt: time.Now(),
	}
	if a.DeviceID != "" {
		rec.DeviceID = &a.DeviceID
	}
	var loc *time.Location
	if err := s.store.Tx(ctx, func(tx *db.Tx) (err error) { loc, err = tx.Location(ctx); return err }); err != nil {
		s.Error(w, r, err)
		return
	}
	now := rec.ReceivedAt.In(loc)

	// Understanding happens outside the transaction: a model may take
	// seconds, and no row lock should wait for it.
	in, source, err := s.understand(ctx, text, lang, now, loc.String())
	if err == nil && in.Lang == "" {
		in.Lang = lang
	}
	var out assistantCommandResponse
	if err == nil {
		rec.Source, rec.Intent = &source, &in.Type
		rec.Slots, _ = json.Marshal(in.Slots)
		err = s.store.Tx(ctx, func(tx *db.Tx) error {
			x := &assistantExec{s: s, ctx: ctx, tx: tx, family: a.FamilyID, user: a.UserID, loc: loc, now: now}
			result, message, err := x.execute(in)
			if err != nil {
				return err
			}
			out = assistantCommandResponse{ID: rec.ID, Intent: in, Source: source, Result: result, Message: message}
			rec.Outcome, rec.Message = assistantExecuted, message
			return tx.AssistantCommandRecord(ctx, rec)
		})
	}
	if err != nil {
		s.recordRefusal(ctx, rec, err)
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

// recordRefusal records a command that was not executed, in a transaction
// of its own: the domain writes of the refused one were rolled back, and
// this row sends nothing to anyone. It is best effort (the database may be
// what failed).
func (s *Server) recordRefusal(ctx context.Context, rec dbsqlc.AssistantCommandInsertParams, cause error) {
	code := familyhub.ErrorCode(cause)
	rec.Outcome, rec.ErrorCode = assistantRefused, &code
	if code == familyhub.EINTERNAL || code == familyhub.EUNAVAILABLE {
		rec.Outcome = assistantFailed
	}
	rec.Message = truncateRunes(familyhub.ErrorMessage(cause), 2000)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.store.Tx(ctx, func(tx *db.Tx) error { return tx.AssistantCommandRecord(ctx, rec) }); err != nil {
		s.logger.Warn("could not record a refused assistant command", "command_id", rec.ID, "err", err)
	}
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// understand turns text into an intent: the configured model first, the
// built-in parser when there is none or it fails. It returns the intent's
// source ("llm" or "parser"); a command nothing understands is EINVALID.
func (s *Server) understand(ctx context.Context, text, lang string, now time.Time, zone string) (assistant.Intent, string, error) {
	if s.model != nil {
		in, err := s.askModel(ctx, text, lang, now, zone)
		if err == nil {
			return in, "llm", nil
		}
		if ctx.Err() != nil {
			return in, "", ctx.Err()
		}
		s.logger.Warn("assistant model gave no usable intent; using the built-in parser", "err", err)
	}
	in, err := assistant.ParseIntent(text, lang, now)
	return in, "parser", err
}

// Executing intents.

// assistantExec runs one intent inside the command's transaction, with the
// same writes the REST endpoints make.
type assistantExec struct {
	s            *Server
	ctx          context.Context
	tx           *db.Tx
	family, user uuid.UUID
	loc          *time.Location
	now          time.Time
}

func (x *assistantExec) execute(in assistant.Intent) (any, string, error) {
	if what := notExecutedYet(in); what != "" {
		return nil, "", familyhub.Invalid("intent", "I understood this, but %s is not supported yet.", what)
	}
	switch in.Type {
	case assistant.IntentShoppingAddItems:
		return x.addItems(in.Slots)
	case assistant.IntentShoppingCheckItems:
		return x.checkItems(in.Slots)
	case assistant.IntentTaskCreate:
		return x.createTask(in.Slots)
	case assistant.IntentTaskComplete:
		return x.completeTask(in.Slots)
	case assistant.IntentCalendarCreate:
		return x.createEvent(in.Slots)
	case assistant.IntentQueryToday:
		return x.today(in.Slots)
	}
	return nil, "", familyhub.Invalid("intent", "Unknown intent type %q.", in.Type)
}

// notExecutedYet names what of an intent this executor does not carry
// out yet (the parser understands more than it runs, issue 16); such a
// command is refused, never half done. "" means it runs entirely.
func notExecutedYet(in assistant.Intent) string {
	sl := in.Slots
	switch {
	case in.Needs != "":
		return "answering with a question"
	case in.Type == assistant.IntentShoppingAddItems, in.Type == assistant.IntentShoppingCheckItems, in.Type == assistant.IntentTaskComplete:
		return ""
	case in.Type == assistant.IntentTaskCreate && sl.Recurrence != "":
		return "a recurring task"
	case in.Type == assistant.IntentTaskCreate && sl.Assignee != "" && sl.Assignee != assistant.AssigneeMe:
		return "assigning a task to someone"
	case in.Type == assistant.IntentTaskCreate:
		return ""
	case in.Type == assistant.IntentCalendarCreate && sl.Recurrence != "":
		return "a recurring event"
	case in.Type == assistant.IntentCalendarCreate && sl.Location != "":
		return "an event's location"
	case in.Type == assistant.IntentCalendarCreate:
		return ""
	case in.Type == assistant.IntentQueryToday && sl.Days > 1:
		return "a question about several days"
	case in.Type == assistant.IntentQueryToday:
		return ""
	}
	return in.Type
}

type assistantItemsResult struct {
	List        shoppingListJSON   `json:"list"`
	ListCreated bool               `json:"list_created,omitempty"`
	Items       []shoppingItemJSON `json:"items"`
}

func (x *assistantExec) addItems(sl assistant.IntentSlots) (any, string, error) {
	list, created, err := x.list(sl.List, true)
	if err != nil {
		return nil, "", err
	}
	res := assistantItemsResult{List: toShoppingListJSON(list), ListCreated: created, Items: []shoppingItemJSON{}}
	var said []string
	for _, it := range sl.Items {
		p := db.ShoppingItemNew{Name: it.Name}
		if it.Quantity != "" {
			p.Quantity = &it.Quantity
		}
		item, _, err := x.tx.ShoppingItemAdd(x.ctx, list.ID, p)
		if err != nil {
			return nil, "", err
		}
		res.Items = append(res.Items, toShoppingItemJSON(item))
		if it.Quantity != "" {
			said = append(said, it.Quantity+" of "+it.Name)
		} else {
			said = append(said, it.Name)
		}
	}
	if created {
		return res, fmt.Sprintf("Created the list %s and added %s.", list.Name, joinAnd(said)), nil
	}
	return res, fmt.Sprintf("Added %s to %s.", joinAnd(said), list.Name), nil
}

// list finds the shopping list a command names (case, articles, "list"
// and plurals aside): "" is the default list (one called shopping or
// groceries, else the first); a generic name ("the shopping list") falls
// back to the default list. An unknown name is created when create is
// set, else refused. A family without lists gets "Shopping".
func (x *assistantExec) list(name string, create bool) (dbsqlc.ShoppingList, bool, error) {
	lists, err := x.tx.ShoppingListList(x.ctx)
	if err != nil {
		return dbsqlc.ShoppingList{}, false, err
	}
	var generic *dbsqlc.ShoppingList
	for i := range lists {
		if genericListNames[listKey(lists[i].Name)] && generic == nil {
			generic = &lists[i]
		}
	}
	key := listKey(name)
	if key != "" {
		for _, l := range lists {
			if listKey(l.Name) == key {
				return l, false, nil
			}
		}
		for _, l := range lists {
			if k := listKey(l.Name); len(key) >= 4 && (strings.HasPrefix(k, key) || strings.HasPrefix(key, k)) {
				return l, false, nil
			}
		}
	}
	switch {
	case (key == "" || genericListNames[key]) && generic != nil:
		return *generic, false, nil
	case key == "" && len(lists) > 0:
		return lists[0], false, nil
	case !create:
		var names []string
		for _, l := range lists {
			names = append(names, l.Name)
		}
		if len(names) == 0 {
			return dbsqlc.ShoppingList{}, false, familyhub.Invalid("list", "There are no shopping lists yet.")
		}
		return dbsqlc.ShoppingList{}, false, familyhub.Invalid("list", "There is no list called %q; your lists are %s.", name, joinAnd(quoteAll(names)))
	}
	newName := "Shopping"
	if key != "" {
		newName = capitalise(name)
	}
	l, _, err := x.tx.ShoppingListCreate(x.ctx, db.ShoppingListNew{Name: newName})
	return l, true, err
}

// genericListNames are list keys that mean "the shopping list".
var genericListNames = map[string]bool{
	"shopping": true, "grocery": true, "groceri": true, "groceries": true, "einkauf": true, "einkaufen": true,
	"lebensmittel": true, "supermarket": true, "shop": true, "food": true, "": false,
}

// listKey is a list name for matching: lower case, letters and digits
// only, without "list"/"liste" and a plural s.
func listKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	k := b.String()
	for _, suf := range []string{"sliste", "liste", "list"} {
		if len(k) > len(suf) {
			k = strings.TrimSuffix(k, suf)
		}
	}
	return singular(k)
}

func singular(k string) string {
	switch {
	case strings.HasSuffix(k, "ies") && len(k) > 4:
		return k[:len(k)-3] + "y"
	case strings.HasSuffix(k, "s") && !strings.HasSuffix(k, "ss") && len(k) > 3:
		return k[:len(k)-1]
	}
	return k
}

func (x *assistantExec) checkItems(sl assistant.IntentSlots) (any, string, error) {
	var lists []dbsqlc.ShoppingList
	if sl.List != "" {
		l, _, err := x.list(sl.List, false)
		if err != nil {
			return nil, "", err
		}
		lists = []dbsqlc.ShoppingList{l}
	} else {
		var err error
		if lists, err = x.tx.ShoppingListList(x.ctx); err != nil {
			return nil, "", err
		}
	}
	type open struct {
		item dbsqlc.ShoppingItemsView
		list dbsqlc.ShoppingList
	}
	var items []open
	for _, l := range lists {
		rows, err := x.tx.ShoppingItemList(x.ctx, l.ID)
		if err != nil {
			return nil, "", err
		}
		for _, it := range rows {
			if !it.Checked {
				items = append(items, open{it, l})
			}
		}
	}
	where := "any list"
	if sl.List != "" {
		where = lists[0].Name
	}
	res := assistantItemsResult{Items: []shoppingItemJSON{}}
	var said, listNames []string
	done := map[uuid.UUID]bool{}
	for _, want := range sl.Items {
		key := itemKey(want.Name)
		var hits []open
		for _, o := range items {
			if itemKey(o.item.Name) == key && !done[o.item.ID] {
				hits = append(hits, o)
			}
		}
		if len(hits) == 0 { // "milk" for "oat milk": only when it is the one such item
			for _, o := range items {
				if k := itemKey(o.item.Name); !done[o.item.ID] && key != "" && (strings.Contains(k, key) || strings.Contains(key, k)) {
					hits = append(hits, o)
				}
			}
		}
		names, inLists := map[string]bool{}, map[uuid.UUID]string{}
		for _, h := range hits {
			names[itemKey(h.item.Name)] = true
			inLists[h.list.ID] = h.list.Name
		}
		switch {
		case len(hits) == 0:
			return nil, "", familyhub.Invalid("items", "I could not find %q unchecked on %s.", want.Name, where)
		case len(inLists) > 1:
			return nil, "", familyhub.Invalid("items", "%q is on %s; say which list.", want.Name, joinAnd(sortedValues(inLists)))
		case len(names) > 1:
			var cands []string
			for _, h := range hits {
				cands = append(cands, h.item.Name)
			}
			return nil, "", familyhub.Invalid("items", "Which one do you mean: %s?", joinOr(quoteAll(dedupe(cands))))
		}
		// Every entry of that item on the list: "milk" twice is still milk.
		for _, h := range hits {
			item, err := x.tx.ShoppingItemUpdate(x.ctx, h.item.ID, db.ShoppingItemPatch{Checked: familyhub.Some(true)})
			if err != nil {
				return nil, "", err
			}
			done[h.item.ID] = true
			res.Items = append(res.Items, toShoppingItemJSON(item))
			res.List = toShoppingListJSON(h.list)
			listNames = append(listNames, h.list.Name)
		}
		said = append(said, hits[0].item.Name)
	}
	return res, fmt.Sprintf("Checked off %s on %s.", joinAnd(said), joinAnd(dedupe(listNames))), nil
}

func itemKey(s string) string {
	f := strings.Fields(strings.ToLower(s))
	for i := range f {
		f[i] = singular(strings.Trim(f[i], `.,;:!?"'()`))
	}
	return strings.Join(f, " ")
}

type assistantTaskResult struct {
	Task taskJSON `json:"task"`
}

func (x *assistantExec) createTask(sl assistant.IntentSlots) (any, string, error) {
	p := db.TaskNew{Title: sl.Title, DueAt: sl.DueAt}
	if sl.Assignee == assistant.AssigneeMe {
		p.AssigneeID = &x.user
	}
	task, _, err := x.tx.TaskCreate(x.ctx, p)
	if err != nil {
		return nil, "", err
	}
	msg := fmt.Sprintf("Added the task %q.", task.Title)
	if task.DueAt != nil {
		msg = fmt.Sprintf("Added the task %q, due %s.", task.Title, x.when(*task.DueAt))
	}
	return assistantTaskResult{Task: toTaskJSON(task)}, msg, nil
}

// completeTask marks done the open task whose title best matches the
// command's. Ties between different titles are refused with the
// candidates; several open tasks with the same title (a chore's instances)
// resolve to today's, else the earliest due.
func (x *assistantExec) completeTask(sl assistant.IntentSlots) (any, string, error) {
	tasks, err := x.tx.TaskList(x.ctx, db.TaskListParams{IncludeSnoozed: true})
	if err != nil {
		return nil, "", err
	}
	type cand struct {
		t     dbsqlc.Task
		score float64
	}
	var cands []cand
	for _, t := range tasks {
		if sc := titleScore(sl.Title, t.Title); sc >= 0.5 {
			cands = append(cands, cand{t, sc})
		}
	}
	if len(cands) == 0 {
		var open []string
		for i, t := range tasks {
			if i == 5 {
				break
			}
			open = append(open, t.Title)
		}
		if len(open) == 0 {
			return nil, "", familyhub.Invalid("title", "No open task matches %q: there are no open tasks.", sl.Title)
		}
		return nil, "", familyhub.Invalid("title", "No open task matches %q. Open tasks include %s.", sl.Title, joinAnd(quoteAll(open)))
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	best := cands[:1]
	for _, c := range cands[1:] {
		if c.score >= cands[0].score-0.05 {
			best = append(best, c)
		}
	}
	titles := map[string]bool{}
	var names []string
	for _, c := range best {
		if k := itemKey(c.t.Title); !titles[k] {
			titles[k] = true
			names = append(names, c.t.Title)
		}
	}
	if len(titles) > 1 {
		return nil, "", familyhub.Invalid("title", "Which task do you mean: %s?", joinOr(quoteAll(names)))
	}
	pick := best[0].t // TaskListOpen is by due time: the earliest
	today := familyhub.CivilDate(x.now, x.loc)
	for _, c := range best {
		if c.t.InstanceDate.Valid && c.t.InstanceDate.Time.Equal(today) {
			pick = c.t
			break
		}
	}
	task, err := x.tx.TaskComplete(x.ctx, pick.ID)
	if err != nil {
		return nil, "", err
	}
	return assistantTaskResult{Task: toTaskJSON(task)}, fmt.Sprintf("Marked %q as done.", task.Title), nil
}

// titleScore says how well a spoken title matches a task's, 0 to 1: the
// same words (articles aside) 1, one's words all in the other 0.8, else
// the share of words that are alike (small typos forgiven), scaled down.
func titleScore(said, title string) float64 {
	a, b := titleWords(said), titleWords(title)
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if strings.Join(a, " ") == strings.Join(b, " ") {
		return 1
	}
	matched := 0
	for _, w := range a {
		for _, v := range b {
			if w == v || (len(w) > 3 && len(v) > 3 && similar(w, v)) {
				matched++
				break
			}
		}
	}
	if matched == len(a) || matched == len(b) {
		return 0.8 - 0.01*float64(abs(len(a)-len(b)))
	}
	return 0.75 * 2 * float64(matched) / float64(len(a)+len(b))
}

func titleWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !titleStopWords[w] {
			out = append(out, singular(w))
		}
	}
	return out
}

var titleStopWords = map[string]bool{
	"the": true, "a": true, "an": true, "my": true, "our": true, "to": true, "der": true, "die": true, "das": true, "den": true,
}

// similar reports whether two words are at most one edit apart (two for
// long words).
func similar(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	max := 1
	if len(ra) > 7 {
		max = 2
	}
	if abs(len(ra)-len(rb)) > max {
		return false
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)] <= max
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

type assistantEventResult struct {
	Event calendarEventJSON `json:"event"`
}

func (x *assistantExec) createEvent(sl assistant.IntentSlots) (any, string, error) {
	f := db.CalendarEventFields{Title: sl.Title, StartsAt: *sl.StartsAt, AllDay: sl.AllDay, Exdates: []time.Time{}}
	switch {
	case sl.EndsAt != nil:
		f.EndsAt = *sl.EndsAt
	case sl.AllDay:
		start := sl.StartsAt.In(x.loc)
		f.EndsAt = time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, x.loc)
	default:
		f.EndsAt = f.StartsAt.Add(time.Hour)
	}
	ev, _, err := x.tx.CalendarEventAdd(x.ctx, f)
	if err != nil {
		return nil, "", err
	}
	when := x.when(ev.StartsAt)
	if ev.AllDay {
		when = x.day(ev.StartsAt) + " (all day)"
	}
	return assistantEventResult{Event: toCalendarEventJSON(ev, x.loc)}, fmt.Sprintf("Added %q to the calendar %s.", ev.Title, when), nil
}

type assistantTodayResult struct {
	Date   string                   `json:"date"`
	Tasks  []taskJSON               `json:"tasks"`
	Chores []assistantChoreJSON     `json:"chores"`
	Events []calendarOccurrenceJSON `json:"events"`
}

// assistantChoreJSON is a recurring chore due that day whose instance the
// daily job has not made yet: the query writes nothing, so it shows the
// template.
type assistantChoreJSON struct {
	TemplateID uuid.UUID  `json:"template_id"`
	Title      string     `json:"title"`
	DueAt      *time.Time `json:"due_at"`
}

// today answers what is on a day: its tasks (done or not), the chores due
// then and the calendar's events. It only reads.
func (x *assistantExec) today(sl assistant.IntentSlots) (any, string, error) {
	day := familyhub.CivilDate(x.now, x.loc)
	if sl.Date != "" {
		day, _ = time.Parse(time.DateOnly, sl.Date)
	}
	start, end := familyhub.DayBounds(day, x.loc)
	tasks, err := x.tx.TaskList(x.ctx, db.TaskListParams{Day: &day, ReadOnly: true})
	if err != nil {
		return nil, "", err
	}
	templates, err := x.tx.TaskList(x.ctx, db.TaskListParams{Templates: true, ReadOnly: true})
	if err != nil {
		return nil, "", err
	}
	occs, _, err := x.tx.CalendarOccurrences(x.ctx, start, end)
	if err != nil {
		return nil, "", err
	}
	res := assistantTodayResult{Date: day.Format(time.DateOnly), Tasks: toTaskJSONs(tasks), Chores: []assistantChoreJSON{},
		Events: []calendarOccurrenceJSON{}}
	for _, o := range occs {
		res.Events = append(res.Events, toOccurrenceJSON(o, x.loc))
	}
	have := map[uuid.UUID]bool{}
	for _, t := range tasks {
		if t.TemplateID != nil {
			have[*t.TemplateID] = true
		}
	}
	for _, t := range templates {
		if have[t.ID] || t.Recurrence == nil || day.Before(familyhub.CivilDate(t.CreatedAt, x.loc)) {
			continue
		}
		rec, err := familyhub.ParseRecurrence("recurrence", *t.Recurrence)
		if err != nil {
			continue
		}
		occ, ok := rec.OnDate(db.TaskTemplateStart(t, x.loc), x.loc, day)
		if !ok {
			continue
		}
		c := assistantChoreJSON{TemplateID: t.ID, Title: t.Title}
		if t.DueAt != nil {
			occ = occ.UTC()
			c.DueAt = &occ
		}
		res.Chores = append(res.Chores, c)
	}

	var parts []string
	for _, t := range tasks {
		s := t.Title
		if t.CompletedAt != nil {
			s += " (done)"
		} else if t.DueAt != nil && !isEndOfDay(t.DueAt.In(x.loc)) {
			s += " at " + t.DueAt.In(x.loc).Format("15:04")
		}
		parts = append(parts, s)
	}
	for _, c := range res.Chores {
		s := c.Title
		if c.DueAt != nil {
			s += " at " + c.DueAt.In(x.loc).Format("15:04")
		}
		parts = append(parts, s)
	}
	for _, e := range res.Events {
		if e.AllDay {
			parts = append(parts, e.Title+" (all day)")
		} else {
			parts = append(parts, e.Title+" at "+e.StartsAt.In(x.loc).Format("15:04"))
		}
	}
	label := x.dayLabel(day)
	if len(parts) == 0 {
		return res, fmt.Sprintf("Nothing on %s.", label), nil
	}
	return res, fmt.Sprintf("%s: %s.", capitalise(label), strings.Join(parts, "; ")), nil
}

// Wording of answers.

// when says an instant the way people do: "today at 18:00", "tomorrow at
// 09:30", "Fri 13 Mar at 15:00"; a task due at 23:59 is due that day.
func (x *assistantExec) when(t time.Time) string {
	t = t.In(x.loc)
	if isEndOfDay(t) {
		return x.day(t)
	}
	return x.day(t) + " at " + t.Format("15:04")
}

func (x *assistantExec) day(t time.Time) string {
	return x.dayLabel(familyhub.CivilDate(t, x.loc))
}

// dayLabel names a civil date relative to now.
func (x *assistantExec) dayLabel(day time.Time) string {
	today := familyhub.CivilDate(x.now, x.loc)
	switch int(day.Sub(today).Hours() / 24) {
	case 0:
		return "today"
	case 1:
		return "tomorrow"
	}
	if day.Year() != today.Year() {
		return "on " + day.Format("Mon 2 Jan 2006")
	}
	return "on " + day.Format("Mon 2 Jan")
}

func isEndOfDay(t time.Time) bool { return t.Hour() == 23 && t.Minute() == 59 }

func joinAnd(s []string) string { return join(s, "and") }
func joinOr(s []string) string  { return join(s, "or") }

func join(s []string, word string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " " + word + " " + s[len(s)-1]
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func sortedValues(m map[uuid.UUID]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// The optional language model.

// errModelDeclined: the model says the command is none of the intents.
var errModelDeclined = errors.New("the model found no intent")

// askModel asks the configured chat endpoint for the intent of text, said
// at now in the family's zone. The answer must be one JSON object that
// decodes strictly into assistant.Intent and passes its Validate; anything
// else (HTTP errors, timeouts, prose, unknown fields or types) is an error,
// and the caller falls back to the built-in parser.
func (s *Server) askModel(ctx context.Context, text, lang string, now time.Time, zone string) (assistant.Intent, error) {
	content, err := s.model.Complete(ctx, modelPrompt(lang, now, zone), text, true)
	if err != nil {
		return assistant.Intent{}, err
	}
	return decodeModelIntent(content, now.Location())
}

// decodeModelIntent parses and validates the model's proposed intent,
// moving its times into the family's zone.
func decodeModelIntent(content string, loc *time.Location) (assistant.Intent, error) {
	content = strings.TrimSpace(content)
	content = strings.TrimPrefix(content, "```json")
	content = strings.TrimPrefix(content, "```")
	content = strings.TrimSpace(strings.TrimSuffix(content, "```"))
	dec := json.NewDecoder(strings.NewReader(content))
	dec.DisallowUnknownFields()
	var in assistant.Intent
	if err := dec.Decode(&in); err != nil {
		return in, fmt.Errorf("model intent: %w", err)
	}
	if dec.More() {
		return in, errors.New("model intent: more than one JSON value")
	}
	if in.Type == "none" || in.Type == "" {
		return in, errModelDeclined
	}
	for _, t := range []**time.Time{&in.Slots.DueAt, &in.Slots.StartsAt, &in.Slots.EndsAt} {
		if *t != nil {
			local := (*t).In(loc)
			*t = &local
		}
	}
	if err := in.Validate(); err != nil {
		return in, fmt.Errorf("model intent: %w", err)
	}
	return in, nil
}

// modelPrompt tells the model the intent schema and the moment.
func modelPrompt(lang string, now time.Time, zone string) string {
	return fmt.Sprintf(`You turn a family member's command for a family organiser into one JSON object and nothing else.
Now is %s (%s) in the family's time zone %s. The command is in %s.
Answer {"type":"<type>","slots":{...}} with exactly one of these types and only its slots:
- "shopping.add_items": {"list":"<list name as said, omit for the default list>","items":[{"name":"milk","quantity":"2 litres"}]}
- "shopping.check_items": {"list":"<optional>","items":[{"name":"milk"}]}
- "task.create": {"title":"Call grandma","due_at":"<RFC 3339 with offset, omit when no day or time; a day without a time is due at 23:59>"}
- "task.complete": {"title":"<the task's title as said>"}
- "calendar.create": {"title":"Dentist","starts_at":"<RFC 3339>","ends_at":"<RFC 3339, default one hour later>","all_day":<true for a day without a time: midnight to midnight>}
- "query.today": {"date":"<YYYY-MM-DD, the day asked about, default today>"}
An hour without am/pm from 1 to 7 means the afternoon or evening. Weekdays mean the next such day (today included if the time is still ahead).
If the command is none of these, answer {"type":"none","slots":{}}.`,
		now.Format(time.RFC3339), now.Format("Monday"), zone, map[string]string{"en": "English", "de": "German"}[lang])
}
