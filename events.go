package familyhub

// Event types: the "type" of every notice a client receives. They are the
// one list in Go; the migrations' triggers (db/migrations, each trigger's
// first argument) and the PWA (web/static/js/realtime.js, which cites this
// file) spell the same strings.
// Never change a published one.
const (
	EventShoppingListUpdated  = "SHOPPING_LIST_UPDATED"
	EventShoppingItemUpdated  = "SHOPPING_ITEM_UPDATED"
	EventRecipeUpdated        = "RECIPE_UPDATED"
	EventTaskUpdated          = "TASK_UPDATED"
	EventCalendarEventUpdated = "CALENDAR_EVENT_UPDATED"
	// EventFamilyUpdated: the family's members (joined, left, removed, role
	// or name changed), settings or invites changed. Its id is the member's
	// user id, the family's id or the invite's id; re-read /api/me (and
	// /api/family/invites). It reaches every socket whatever its topics
	// (TopicFamily is the subscription to it alone).
	EventFamilyUpdated = "FAMILY_UPDATED"
	// EventAIIntentExecuted reaches only the device that sent the command
	// (channel ChannelDevice), with no family seq.
	EventAIIntentExecuted = "AI_INTENT_EXECUTED"
)

// NOTIFY channels. docs/realtime.md describes what each carries, for DBAs.
const (
	ChannelShopping = "familyhub_shopping"
	ChannelTasks    = "familyhub_tasks"
	ChannelCalendar = "familyhub_calendar"
	ChannelRecipes  = "familyhub_recipes"
	ChannelFamily   = "familyhub_family"
	// ChannelSessions carries "this session no longer speaks for its user".
	ChannelSessions = "familyhub_sessions"
	// ChannelDevice carries messages for one device, with no family seq.
	ChannelDevice = "familyhub_device"
)

// EventChannels are the channels that carry numbered family events.
var EventChannels = []string{ChannelShopping, ChannelTasks, ChannelCalendar, ChannelRecipes, ChannelFamily}

// Topics a realtime client may subscribe to; with none it receives every
// event of its family.
const (
	// TopicFamily is the family's own events (EventFamilyUpdated) and
	// nothing else: for a page that shows no list, task, event or recipe
	// (the PWA's Family page). Family events reach every socket whatever
	// its topics, so this topic adds none; it only says "not everything",
	// which also keeps the socket's device from counting as live on every
	// shopping list for notifications (docs/notifications.md).
	TopicFamily   = "family"
	TopicShopping = "shopping"
	TopicTasks    = "tasks"
	TopicCalendar = "calendar"
	TopicRecipes  = "recipes"
	// TopicShoppingList is a prefix: "shopping-list:<list id>".
	TopicShoppingList = "shopping-list:"
)
