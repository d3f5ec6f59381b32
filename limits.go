package familyhub

import "time"

// Domain limits. The migrations' CHECK constraints mirror the ones a
// column can hold; the API documents each (docs/api.md). A value outside
// them is EINVALID naming the field.
const (
	// Shopping.
	MaxShoppingNameLen     = 200
	MaxShoppingQuantityLen = 50
	MaxShoppingNoteLen     = 500
	MaxShoppingCategoryLen = 100
	MaxShoppingPosition    = 1_000_000

	// Recipes.
	MaxRecipeTitleLen     = 200
	MaxRecipeServings     = 100
	MaxRecipeIngredients  = 100
	MaxIngredientNameLen  = 200
	MaxIngredientUnitLen  = 32
	MinIngredientQuantity = 0.001
	MaxIngredientQuantity = 1_000_000
	MaxRecipeSteps        = 100
	MaxRecipeStepLen      = 4000
	MaxRecipeTags         = 20
	MaxRecipeTagLen       = 50
	MaxRecipeSourceURLLen = 2000

	// Tasks.
	MaxTaskTitle    = 200
	MaxTaskNotes    = 4000
	MaxTaskRotation = 50

	// Calendar.
	MaxEventTitle    = 200
	MaxEventNotes    = 4000
	MaxEventLocation = 500
	MaxEventExdates  = 1000
	// MaxCalendarRange is the longest from..to a listing may ask for.
	MaxCalendarRange = 366 * 24 * time.Hour
	// MaxSeriesOccurrences bounds one series' expansion in one listing.
	MaxSeriesOccurrences = 1000
	// MaxICalBytes is the largest iCalendar object FamilyHub accepts (a
	// CalDAV PUT body, one imported object); calendar_events.ical too.
	MaxICalBytes = 256 << 10

	// Timestamps are accepted between these years: enough for any family,
	// and it bounds how far a recurrence is expanded.
	MinYear = 1900
	MaxYear = 2999

	// Accounts.
	MaxPasswordBytes  = 1024
	MinPasswordChars  = 8
	MaxDisplayNameLen = 100
	MaxFamilyNameLen  = 200
	MaxEmailLen       = 254

	// MaxTicketsPerSession is how many realtime tickets (POST
	// /api/realtime/ticket), used or not, one session may hold while they
	// last (a minute). A client takes one per connection attempt: the
	// PWA's backoff (1 s doubling to 30 s, web/static/js/realtime.js) makes
	// 7 attempts in the first minute of an outage, and a client that tries
	// two transports per attempt (WebSocket, then SSE) 14. Beyond it, 429
	// too_many_tickets with Retry-After: without a bound, one session made
	// rows without end (they were pruned only an hour after expiring).
	MaxTicketsPerSession = 20
)

// Collection limits: how many of a kind a family (or one member) may
// hold. Creating one more is ELIMIT (HTTP 409) naming the limit; deleting
// one makes room. Each is far above what a real family uses and bounds
// what one member, or a script with a stolen session, can make every
// member's answers (none of these listings is paginated), the jobs that
// walk them and the database carry. docs/api.md lists them and why.
const (
	// Administrative collections, made a few times in a family's life.
	MaxFamilyMembers              = 100 // people in one family, children included
	MaxOpenInvites                = 50  // unused, unexpired invites of a family
	MaxAppPasswordsPerUser        = 50  // a member's app passwords (one per calendar app or device)
	MaxCalendarFeeds              = 50  // a family's live (not revoked) iCalendar feeds, its members' included
	MaxCalendarSubscriptions      = 50  // a family's subscribed calendars: each is fetched every 15 minutes
	MaxChildDevices               = 50  // a family's devices set up for PIN sign-in
	MaxPushSubscriptionsPerMember = 20  // a member's push subscriptions: the least recently saved go beyond (no error)

	// Domain collections whose listings come whole.
	MaxShoppingLists        = 200    // lists of a family
	MaxShoppingItemsPerList = 10_000 // items of one list, ticked ones included
	MaxRecipes              = 5_000  // recipes of a family
	MaxTaskTemplates        = 500    // recurring chores (templates) of a family
	MaxOpenTasks            = 5_000  // one-off tasks not yet done, of a family
	MaxCalendarEvents       = 20_000 // a family's own calendar events (a series counts once; imported ones not)

	// MaxImportedEventsPerSubscription bounds one subscribed calendar: an
	// import of a calendar that holds more fails as a whole (last_error)
	// and writes nothing. Not counted under a lock: one import at a time
	// writes a subscription's events, and it checks the source's count
	// before writing any.
	MaxImportedEventsPerSubscription = 10_000
)
