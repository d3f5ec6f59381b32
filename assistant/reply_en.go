package assistant

// replyEN is every sentence the assistant says in English. reply_de.go has
// the same keys (a test checks it); {names} are filled in by the caller.
var replyEN = phrases{
	// Words.
	"quote": "“{x}”", "and": "and", "or": "or", "you": "you",
	"day.today": "today", "day.tomorrow": "tomorrow", "day.yesterday": "yesterday",
	"on": "on {x}", "on.plain": "{x}", "date": "{wd}, {month} {d}", "date_year": "{wd}, {month} {d}, {y}",
	"date.day_first": "{wd} {d} {month}", "date.day_first_year": "{wd} {d} {month} {y}",
	"clock": "{hm}", "day_at": "{day} at {time}",
	"weekday.0": "Sunday", "weekday.1": "Monday", "weekday.2": "Tuesday", "weekday.3": "Wednesday",
	"weekday.4": "Thursday", "weekday.5": "Friday", "weekday.6": "Saturday",
	"wd.0": "Sun", "wd.1": "Mon", "wd.2": "Tue", "wd.3": "Wed", "wd.4": "Thu", "wd.5": "Fri", "wd.6": "Sat",
	"month.1": "Jan", "month.2": "Feb", "month.3": "Mar", "month.4": "Apr", "month.5": "May", "month.6": "Jun",
	"month.7": "Jul", "month.8": "Aug", "month.9": "Sep", "month.10": "Oct", "month.11": "Nov", "month.12": "Dec",
	"nth.1": "first", "nth.2": "second", "nth.3": "third", "nth.4": "fourth", "nth.-1": "last",
	"rule.daily": "every day", "rule.days": "every {n} days", "rule.weekly": "every week",
	"rule.fortnightly": "every other week", "rule.weeks": "every {n} weeks", "rule.weekdays": "on weekdays",
	"rule.weekends": "every weekend", "rule.weekday": "every {days}", "rule.other_weekday": "every other {days}",
	"rule.monthday": "every month on the {d}", "rule.nth_weekday": "on the {nth} {day} of every month",
	"rule.monthly": "every month", "rule.yearly": "every year", "rule.other": "repeating",
	"qty_of":    "{qty} of {name}",
	"qty_n":     "{qty} {name}",
	"for":       " for {person}",
	"due":       ", due {when}",
	"repeat":    ", {rule}",
	"where":     " at {location}",
	"all_day":   "{day} (all day)",
	"days_from": "from {from} to {to}",

	// Shopping.
	"items.added":          "Added {items} to {list}.",
	"items.added_new_list": "Created the list {list} and added {items}.",
	"items.checked":        "Ticked off {items} on {list}.",
	"items.removed":        "Removed {items} from {list}.",
	"items.moved":          "Moved {items} from {from} to {to}.",
	"items.cleared.none":   "Nothing is ticked on {list}.",
	"items.cleared.one":    "Cleared 1 ticked item from {list}.",
	"items.cleared.many":   "Cleared {n} ticked items from {list}.",
	"list.created":         "Created the list {list}.",
	"list.exists":          "There is a list {list} already.",
	"recipe.added.one":     "Added 1 ingredient of {recipe} for {servings} to {list}.",
	"recipe.added.many":    "Added {n} ingredients of {recipe} for {servings} to {list}.",

	// Tasks.
	"task.created": "Added the task {title}{for}{due}{repeat}.",
	// a task or event written in the past (a command said days ago)
	"past.day":              "That day has passed already.",
	"past.time":             "That time has passed already.",
	"task.rotating":         "{title} now rotates between {people}, {rule}.",
	"task.rotation_created": "Added the chore {title}, {rule}; {people} take turns.",
	"task.completed":        "Marked {title} as done.",
	"task.snoozed":          "Snoozed {title} until {when}.",
	"task.reassigned":       "Gave {title} to {person}.",
	"task.reassigned_me":    "{title} is yours now.",
	"task.deleted":          "Deleted the task {title}.",
	"task.deleted_chore":    "Deleted the chore {title} and its open instances.",

	// Calendar.
	"event.created":        "Added {title} to the calendar {when}{where}{repeat}.",
	"event.moved":          "{title} is now {when}.",
	"event.cancelled":      "Cancelled {title} {day}.",
	"event.deleted":        "Deleted {title} from the calendar.",
	"event.deleted_series": "Deleted {title} and all its dates from the calendar.",

	// Questions about the family's days.
	"agenda.day":     "{day}: {items}.",
	"agenda.nothing": "Nothing planned {day}.",
	"agenda.at":      "{title} at {time}",
	"agenda.done":    "{title} (done)",
	"agenda.all_day": "{title} (all day)",
	"when.event":     "{title} is {when}.",
	"when.task":      "{title} is due {when}.",
	"when.task_open": "{title} is open and has no due date.",

	// Undo.
	"undone": "Undone: {text}",

	// Questions back.
	"q.generic":         "Did you mean {options}?",
	"q.which_task":      "Which task do you mean: {options}?",
	"q.which_event":     "Which one do you mean: {options}?",
	"q.which_item":      "Which one do you mean: {options}?",
	"q.which_list":      "{item} is on {options}: which list do you mean?",
	"q.which_member":    "Who do you mean: {options}?",
	"q.unknown_list":    "There is no list {name}: shall I create it, or add to {list}?",
	"label.create_list": "Create the list {name}",
	"label.add_to":      "Add to {list}",
	"label.one_item":    "{item} (one item)",
	"label.items":       "{items} ({n} items)",
	"label.task":        "the task {title}",
	"label.event":       "the event {title}",
	"label.event_at":    "{title} {when}",
	"label.on_list":     "{list}",

	// Refusals.
	// The examples are the PWA's (assistant.ex1… in web/static/js/i18n/en.js): TestRefusalExamples.
	"not_understood": "Sorry, I did not understand {text}. Try “add milk and eggs to the shopping list”, " +
		"“remind me to call grandma tomorrow at 6pm”, “check off bread”, “put dentist on Friday at 3”, “what's on today?” or “buy bread and butter”.",
	"asked": "{text} sounds like a question, so I did not write anything. To put a plan in the calendar, say it as one, " +
		"such as “we're going to grandma's tomorrow”; to see what is planned, ask “what's on tomorrow?”.",
	"no_lists":            "There is no shopping list yet. Say “add milk to a new list called Shopping” to make one.",
	"no_list_yet":         "There is no list {name} yet. Say “add … to a new list called {plain}” to make it.",
	"no_list_named":       "There is no list called {name}; your lists are {lists}.",
	"item_not_found":      "I could not find {item} on {list}.",
	"item_not_found_any":  "I could not find {item} on any list.",
	"item_not_open":       "I could not find {item} unticked on {list}.",
	"item_not_open_any":   "I could not find {item} unticked on any list.",
	"same_list":           "{items} {are} on {list} already.",
	"are.one":             "is",
	"are.many":            "are",
	"task_not_found":      "No open task matches {title}.",
	"task_not_found_in":   "No open task matches {title}. Open tasks include {titles}.",
	"task_none_open":      "No open task matches {title}: there are no open tasks.",
	"chore_not_found":     "No task or chore matches {title}.",
	"event_not_found":     "I found no event {title} in the calendar.",
	"event_not_on":        "I found no {title} {day}.",
	"nothing_found":       "I found no task or event {title}.",
	"member_unknown":      "There is no {name} in your family; the members are {names}.",
	"snooze_past":         "{when} has passed already; say a later time.",
	"all_day_time":        "{title} is an all-day event: say a day to move it to.",
	"read_only":           "{title} comes from a subscribed calendar; change it there.",
	"recipe_not_found":    "I found no recipe {recipe}.",
	"recipe_empty":        "The recipe {recipe} has no ingredients.",
	"undo.not_executed":   "That command changed nothing, so there is nothing to undo.",
	"undo.nothing":        "That command only read, so there is nothing to undo.",
	"undo.already":        "That command is undone already.",
	"undo.changed":        "{what} was changed since, so I did not undo anything.",
	"undo.list_full":      "{list} is full (ticked items count too), so I did not undo anything. Delete some items from it first.",
	"undo.not_yours":      "Only who gave the command, or an owner of the family, can undo it.",
	"choice.answered":     "This question is answered already.",
	"choice.range":        "Choose one of the {n} options.",
	"choice.not_question": "That command did not ask anything.",
	"said_at_range":       "The time the command was said (said_at) must be in RFC 3339 and within the past 7 days, not later than now.",
	"id_reused":           "This id was already used for another command; choose a new id.",

	// Errors of the domain operations are said as they are in English.
}
