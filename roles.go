package familyhub

import (
	"slices"

	"github.com/google/uuid"
)

// Action is something a person may or may not do in their family. Reading
// is no action: every member reads all of their family's data. The table
// below is the one place that says who may do what; the domain operations
// (package db) consult it, so REST, CalDAV, the assistant and jobs all obey
// it. docs/api.md shows the same table; the names are sent in /api/me.
type Action string

// Actions. Never change a published name.
const (
	ActShoppingListCreate Action = "shopping_list.create"
	ActShoppingListUpdate Action = "shopping_list.update"
	ActShoppingListDelete Action = "shopping_list.delete"
	ActShoppingItemAdd    Action = "shopping_item.add" // also a recipe's ingredients
	ActShoppingItemUpdate Action = "shopping_item.update"
	ActShoppingItemDelete Action = "shopping_item.delete"

	ActRecipeCreate Action = "recipe.create"
	ActRecipeUpdate Action = "recipe.update"
	ActRecipeDelete Action = "recipe.delete"

	ActTaskCreate Action = "task.create"
	ActTaskUpdate Action = "task.update"
	ActTaskDelete Action = "task.delete"
	// ActTaskComplete is completing and uncompleting.
	ActTaskComplete Action = "task.complete"
	ActTaskSnooze   Action = "task.snooze"

	ActCalendarEventCreate Action = "calendar_event.create"
	ActCalendarEventUpdate Action = "calendar_event.update"
	ActCalendarEventDelete Action = "calendar_event.delete"
	// ActCalendarSubscriptionManage is adding and removing subscribed calendars.
	ActCalendarSubscriptionManage Action = "calendar_subscription.manage"
	// ActCalendarFeedManage is making and revoking the secret iCalendar
	// feed URLs (anyone with the URL reads the family's calendar).
	ActCalendarFeedManage Action = "calendar_feed.manage"

	ActFamilyUpdate Action = "family.update" // name, time zone
	ActFamilyDelete Action = "family.delete"
	// ActInviteManage is creating, listing and deleting invites (for
	// members and children).
	ActInviteManage Action = "invite.manage"
	// ActInviteOwner is inviting someone as an owner.
	ActInviteOwner Action = "invite.owner"
	// ActMemberManage is changing roles, removing members, making reset
	// codes, setting children's PINs and unlocking locked-out accounts.
	ActMemberManage Action = "member.manage"
	// ActChildDeviceManage is setting up (and revoking) the devices
	// children sign in on with a PIN.
	ActChildDeviceManage Action = "child_device.manage"
)

// Grant says how far a role may take an action.
type Grant uint8

const (
	// GrantNone refuses the action (403 forbidden).
	GrantNone Grant = iota
	// GrantOwn allows it on the caller's own records only: tasks assigned
	// to them or to nobody; a task they create is assigned to them.
	GrantOwn
	// GrantAll allows it on every record of the family.
	GrantAll
)

// String returns "all", "own" or "none", as /api/me sends it.
func (g Grant) String() string {
	switch g {
	case GrantAll:
		return "all"
	case GrantOwn:
		return "own"
	}
	return "none"
}

// Roles lists the roles, most powerful first.
var Roles = []string{RoleOwner, RoleMember, RoleChild}

// ValidRole reports whether r is one of Roles.
func ValidRole(r string) bool { return slices.Contains(Roles, r) }

type rule struct {
	what                 string // "delete shopping lists": for messages and docs
	owner, member, child Grant
}

const (
	none = GrantNone
	own  = GrantOwn
	all  = GrantAll
)

// rules is the table of actions × roles (issue 14, docs/api.md "Roles").
var rules = map[Action]rule{
	ActShoppingListCreate: {"create shopping lists", all, all, none},
	ActShoppingListUpdate: {"rename shopping lists", all, all, none},
	ActShoppingListDelete: {"delete shopping lists", all, all, none},
	ActShoppingItemAdd:    {"add shopping items", all, all, all},
	ActShoppingItemUpdate: {"edit and tick shopping items", all, all, all},
	ActShoppingItemDelete: {"delete shopping items", all, all, none},

	ActRecipeCreate: {"create recipes", all, all, none},
	ActRecipeUpdate: {"edit recipes", all, all, none},
	ActRecipeDelete: {"delete recipes", all, all, none},

	ActTaskCreate:   {"create tasks", all, all, own},
	ActTaskUpdate:   {"edit tasks", all, all, none},
	ActTaskDelete:   {"delete tasks", all, all, none},
	ActTaskComplete: {"complete tasks", all, all, own},
	ActTaskSnooze:   {"snooze tasks", all, all, own},

	ActCalendarEventCreate:        {"create calendar events", all, all, none},
	ActCalendarEventUpdate:        {"edit calendar events", all, all, none},
	ActCalendarEventDelete:        {"delete calendar events", all, all, none},
	ActCalendarSubscriptionManage: {"manage calendar subscriptions", all, all, none},
	ActCalendarFeedManage:         {"manage calendar feeds", all, all, none},

	ActFamilyUpdate:      {"change the family's settings", all, none, none},
	ActFamilyDelete:      {"delete the family", all, none, none},
	ActInviteManage:      {"manage invites", all, all, none},
	ActInviteOwner:       {"invite owners", all, none, none},
	ActMemberManage:      {"manage members", all, none, none},
	ActChildDeviceManage: {"set up children's devices", all, all, none},
}

// Actions returns every action, sorted by name.
func Actions() []Action {
	out := make([]Action, 0, len(rules))
	for a := range rules {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Permission returns how far role may take act: GrantNone for an unknown
// role or action.
func Permission(role string, act Action) Grant {
	r, ok := rules[act]
	if !ok {
		return GrantNone
	}
	switch role {
	case RoleOwner:
		return r.owner
	case RoleMember:
		return r.member
	case RoleChild:
		return r.child
	}
	return GrantNone
}

// Can reports whether role may take act at all (on some records).
func Can(role string, act Action) bool { return Permission(role, act) != GrantNone }

// Can reports whether the caller may take act on a record assigned to
// assignee (nil: nobody). The system (a job) may do everything.
func (a *Auth) Can(act Action, assignee *uuid.UUID) bool {
	if a.IsSystem() {
		return true
	}
	switch Permission(a.Role, act) {
	case GrantAll:
		return true
	case GrantOwn:
		return assignee == nil || *assignee == a.UserID
	}
	return false
}

// Forbidden returns the EFORBIDDEN error refusing act to role.
func Forbidden(role string, act Action) *Error {
	what := string(act)
	if r, ok := rules[act]; ok {
		what = r.what
	}
	if Permission(role, act) == GrantOwn {
		return Errorf(EFORBIDDEN, "As a %s you may %s only when they are yours (assigned to you or to nobody).", Phrase(role), Phrase(what))
	}
	return Errorf(EFORBIDDEN, "As a %s you may not %s.", Phrase(role), Phrase(what))
}
