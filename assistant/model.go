package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/familyhub/familyhub/llm"
)

// The optional language model: asked first when one is configured; the
// built-in parser answers when there is none, or it gives no usable
// intent.

// errModelDeclined: the model says the command is none of the intents.
var errModelDeclined = errors.New("the model found no intent")

// askModel asks the chat endpoint for the intent of text, said at now in
// the family's zone. The answer must be one JSON object that decodes
// strictly into an Intent and passes its Validate; anything else (HTTP
// errors, timeouts, prose, unknown fields or types) is an error, and the
// caller falls back to the built-in parser.
func askModel(ctx context.Context, model *llm.Client, text, lang string, now time.Time) (Intent, error) {
	content, err := model.Complete(ctx, modelPrompt(lang, now), text, true)
	if err != nil {
		return Intent{}, err
	}
	return decodeModelIntent(content, now.Location())
}

// decodeModelIntent parses and validates the model's proposed intent,
// moving its times into the family's zone.
func decodeModelIntent(content string, loc *time.Location) (Intent, error) {
	content = strings.TrimSpace(content)
	content = strings.TrimPrefix(content, "```json")
	content = strings.TrimPrefix(content, "```")
	content = strings.TrimSpace(strings.TrimSuffix(content, "```"))
	dec := json.NewDecoder(strings.NewReader(content))
	dec.DisallowUnknownFields()
	var in Intent
	if err := dec.Decode(&in); err != nil {
		return in, fmt.Errorf("model intent: %w", err)
	}
	if dec.More() {
		return in, errors.New("model intent: more than one JSON value")
	}
	if in.Type == "none" || in.Type == "" {
		return in, errModelDeclined
	}
	inZone(&in, loc)
	if err := in.Validate(); err != nil {
		return in, fmt.Errorf("model intent: %w", err)
	}
	return in, nil
}

func inZone(in *Intent, loc *time.Location) {
	s := &in.Slots
	for _, t := range []**time.Time{&s.DueAt, &s.StartsAt, &s.EndsAt, &s.Until} {
		if *t != nil {
			local := (*t).In(loc)
			*t = &local
		}
	}
	for i := range s.Events {
		for _, t := range []**time.Time{&s.Events[i].StartsAt, &s.Events[i].EndsAt} {
			if *t != nil {
				local := (*t).In(loc)
				*t = &local
			}
		}
	}
	for i := range in.Options {
		inZone(&in.Options[i], loc)
	}
}

// modelPrompt tells the model the intent schema (docs/assistant.md) and
// the moment.
func modelPrompt(lang string, now time.Time) string {
	return fmt.Sprintf(`You turn a family member's command for a family organiser into one JSON object and nothing else.
Now is %s (%s) in the family's time zone %s. The command is probably in %s.
Answer {"type":"<type>","lang":"en|de (the command's language)","slots":{...}} with exactly one of these types and only its slots (omit empty ones):
- "shopping.add_items": {"list":"<list name as said; omit for the family's default list>","new_list":<true only when the user asks for a NEW list called list>,"items":[{"name":"milk","quantity":"2 litres"}]}
- "shopping.check_items" (ticked off, bought): {"list":"<optional>","items":[{"name":"milk"}]}
- "shopping.remove_items": {"list":"<optional>","items":[{"name":"bread"}]}
- "shopping.move_items": {"list":"<from, optional>","to_list":"<to>","items":[{"name":"milk"}]}
- "shopping.clear_checked": {"list":"<optional>"}
- "shopping.create_list": {"list":"Hardware"}
- "shopping.add_recipe": {"recipe":"pancake","servings":6,"list":"<optional>"}
- "task.create": {"title":"Call grandma","due_at":"<RFC 3339 with offset; a day without a time is due at 23:59>","assignee":"<member name as said, or \"me\">","recurrence":"<RRULE such as FREQ=WEEKLY;BYDAY=TU>"}
- "task.rotate" (people take turns with a chore): {"title":"Dishes","rotation":["Tim","Mia"],"recurrence":"<optional RRULE>"}
- "task.complete": {"title":"<the task's title as said>"}
- "task.snooze": {"title":"Bins","until":"<RFC 3339>"}
- "task.reassign": {"title":"Dishes","assignee":"Tim or me"}
- "task.delete": {"title":"Fix the bike"}
- "calendar.create": {"title":"Dentist","starts_at":"<RFC 3339>","ends_at":"<RFC 3339, default one hour later>","all_day":<true for a day without a time: midnight to the next midnight>,"recurrence":"<optional RRULE>","location":"<optional>"}
- "calendar.create_many" (several one-off events in one command, 2 to 10): {"events":[{"title":"Dentist","starts_at":"<RFC 3339>","ends_at":"<optional>","all_day":<optional>,"location":"<optional>"}, ...]}
- "calendar.move": {"title":"Dentist","from_date":"<YYYY-MM-DD of the occurrence moved, optional>","from_time":"<HH:MM a correction says it is not at (\"at 4 not 3\"), optional>","date":"<YYYY-MM-DD, new day>","time":"<HH:MM, new time>","shift_minutes":<later by, negative earlier>} (at least one of date, time, shift_minutes)
- "calendar.cancel" (one date of it is off): {"title":"Swimming","date":"YYYY-MM-DD"}
- "calendar.delete": {"title":"Dentist","date":"<optional YYYY-MM-DD>"}
- "query.today" (what is on): {"date":"<YYYY-MM-DD, default today>","days":<how many days, default 1; this weekend: Saturday and 2>}
- "query.when": {"title":"Dentist"}
- "query.pickup" (who picks a person up): {"title":"<the person as said, e.g. Tim>","date":"<YYYY-MM-DD when a day was said; omit for today and tomorrow>"}
- "command.undo" (undo the speaker's last command: "undo that", "mach das rückgängig"): {}
Titles start with a capital and have no leading article. RRULEs use FREQ DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL only.
An hour without am/pm from 1 to 7 means the afternoon or evening. Weekdays mean the next such day (today included if the time is still ahead).
%s
If the command is none of these, answer {"type":"none","slots":{}}.`,
		now.Format(time.RFC3339), now.Format("Monday"), now.Location(), map[string]string{"en": "English", "de": "German"}[lang],
		modelTomorrow(now))
}

// modelTomorrow tells the model which days "tomorrow" and "the day after
// tomorrow" are, by the parser's rule (tomorrowOf): before 04:00 whoever
// is still up means the day just begun, which a model would otherwise
// take for today and count "tomorrow" past it.
func modelTomorrow(now time.Time) string {
	t := tomorrowOf(now)
	s := fmt.Sprintf(`"tomorrow" ("morgen") is %s (%s) and "the day after tomorrow" ("übermorgen") %s.`,
		t.Format(time.DateOnly), t.Format("Monday"), t.AddDate(0, 0, 1).Format(time.DateOnly))
	if early(now) {
		s += fmt.Sprintf(` It is before %02d:00: someone still up means the day that has just begun, so "tomorrow" ("morgen") is today's date; "today" and "tonight" ("heute", "heute Abend", "heute Nacht") are today too.`, NightEnds)
	}
	return s
}
