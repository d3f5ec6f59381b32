package ical

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Tasks as VTODOs (RFC 5545 3.6.2): one-off tasks and the instances of
// recurring chores, each its own VTODO (docs/caldav.md says why).

// PropAssignee names the member a task is assigned to:
//
//	X-FAMILYHUB-ASSIGNEE;CN=Ana:urn:uuid:<user id>
//
// Calendar apps keep properties they do not know, so it survives their
// edits; an app that drops it leaves the assignee as it was.
const PropAssignee = "X-FAMILYHUB-ASSIGNEE"

// ICalTask is the part of a VTODO that FamilyHub models: the columns of
// tasks.
type ICalTask struct {
	UID          string
	Title, Notes string
	DueAt        *time.Time
	Completed    bool
	// AssigneeSet says the VTODO names an assignee (AssigneeID, nil for
	// an empty value); without it the assignee is kept.
	AssigneeSet bool
	AssigneeID  *uuid.UUID
}

// ParseICalTask returns the modelled fields of the single VTODO in cal (the
// component without RECURRENCE-ID), read in the family's zone loc: SUMMARY
// (a missing one becomes "Untitled"), DESCRIPTION, DUE (a date is that
// midnight in loc), done when STATUS is COMPLETED or CANCELLED, COMPLETED
// is set or PERCENT-COMPLETE is 100, and X-FAMILYHUB-ASSIGNEE. Text is
// cleaned and cut to FamilyHub's limits. Any refusal is an EINVALID
// *familyhub.Error with a message for people.
func ParseICalTask(cal *ical.Calendar, loc *time.Location) (ICalTask, error) {
	var t ICalTask
	todo, err := masterComponent(cal, ical.CompToDo)
	if err != nil {
		return t, err
	}
	p := todo.Props
	if t.UID, err = icalText(p, ical.PropUID); err != nil {
		return t, err
	}
	t.UID = strings.TrimSpace(t.UID)
	if t.UID == "" || len(t.UID) > 255 || !utf8.ValidString(t.UID) || strings.ContainsFunc(t.UID, isControl) {
		return t, familyhub.Invalid("uid", "The task needs a UID of 1 to 255 printable characters.")
	}
	title, err := icalText(p, ical.PropSummary)
	if err != nil {
		return t, err
	}
	if t.Title = strings.TrimSpace(cleanText(title, familyhub.MaxTaskTitle)); t.Title == "" {
		t.Title = "Untitled"
	}
	notes, err := icalText(p, ical.PropDescription)
	if err != nil {
		return t, err
	}
	t.Notes = cleanText(notes, familyhub.MaxTaskNotes)
	if due := p.Get(ical.PropDue); due != nil {
		d, err := icalTime(due, loc)
		if err != nil {
			return t, familyhub.Invalid("due_at", "DUE %q is not a date or date-time.", due.Value)
		}
		if y := d.Year(); y < familyhub.MinYear || y > familyhub.MaxYear {
			return t, familyhub.Invalid("due_at", "DUE must lie between the years %d and %d.", familyhub.MinYear, familyhub.MaxYear)
		}
		t.DueAt = &d
	}
	status := ""
	if s := p.Get(ical.PropStatus); s != nil {
		status = strings.ToUpper(strings.TrimSpace(s.Value))
	}
	pct := -1
	if s := p.Get(ical.PropPercentComplete); s != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(s.Value)); err == nil {
			pct = n
		}
	}
	t.Completed = status == "COMPLETED" || status == "CANCELLED" ||
		(status == "" && (p.Get(ical.PropCompleted) != nil || pct >= 100))
	if a := p.Get(PropAssignee); a != nil {
		t.AssigneeSet = true
		v := strings.TrimPrefix(strings.TrimSpace(a.Value), "urn:uuid:")
		if v != "" {
			id, err := uuid.Parse(v)
			if err != nil {
				return t, familyhub.Invalid("assignee_id", "%s must be urn:uuid:<member id>.", PropAssignee)
			}
			t.AssigneeID = &id
		}
	}
	return t, nil
}

// masterComponent returns cal's one component of kind (VEVENT, VTODO)
// without RECURRENCE-ID; anything but VTIMEZONEs and changed occurrences
// besides it is refused.
func masterComponent(cal *ical.Calendar, kind string) (*ical.Component, error) {
	var master *ical.Component
	what := map[string]string{ical.CompEvent: "event", ical.CompToDo: "task"}[kind]
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompTimezone:
		case kind:
			if c.Props.Get(ical.PropRecurrenceID) != nil {
				continue
			}
			if master != nil {
				return nil, familyhub.Invalid("uid", "One calendar object holds one %s (one %s without RECURRENCE-ID).", what, kind)
			}
			master = c
		default:
			return nil, familyhub.Invalid("type", "Only %s components are stored in this calendar, not %s.", kind, c.Name)
		}
	}
	if master == nil {
		return nil, familyhub.Invalid("type", "The calendar object holds no %s.", kind)
	}
	return master, nil
}

// modelledTodoProps are the VTODO properties regenerated from the row.
var modelledTodoProps = []string{
	ical.PropUID, ical.PropSummary, ical.PropDescription, ical.PropDue, ical.PropDuration, ical.PropStatus,
	ical.PropCompleted, ical.PropPercentComplete, ical.PropDateTimeStamp, ical.PropLastModified, ical.PropCreated,
	PropAssignee,
}

// TaskUID is the iCalendar UID a task is served with: the one a calendar
// app gave it, or <id>@familyhub.
func TaskUID(t dbsqlc.Task) string {
	if t.Uid != nil {
		return *t.Uid
	}
	return t.ID.String() + "@familyhub"
}

// TaskICal returns the VTODO of task t in the family's zone loc: the stored
// VTODO (for what FamilyHub does not model: alarms, priority, categories,
// X- properties) with the modelled properties from the row. names maps
// member ids to display names (the assignee's CN). A chore instance
// without a time is due on its day (DUE;VALUE=DATE).
func TaskICal(t dbsqlc.Task, names map[uuid.UUID]string, loc *time.Location) *ical.Calendar {
	var cal *ical.Calendar
	var todo *ical.Component
	if t.Ical != nil {
		if c, err := ical.NewDecoder(strings.NewReader(*t.Ical)).Decode(); err == nil {
			if m, err := masterComponent(c, ical.CompToDo); err == nil {
				cal, todo = c, m
			}
		}
	}
	if cal == nil {
		cal = ical.NewCalendar()
		todo = ical.NewComponent(ical.CompToDo)
		cal.Children = append(cal.Children, todo)
	}
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, icalProdID)
	cal.Props.Del(ical.PropMethod)
	p := todo.Props
	wasDate := p.Get(ical.PropDue) != nil && isDateValue(p.Get(ical.PropDue))
	oldStatus := ""
	if s := p.Get(ical.PropStatus); s != nil {
		oldStatus = strings.ToUpper(s.Value)
	}
	oldPct := p.Get(ical.PropPercentComplete)
	for _, name := range modelledTodoProps {
		p.Del(name)
	}
	p.SetText(ical.PropUID, TaskUID(t))
	p.SetDateTime(ical.PropDateTimeStamp, t.UpdatedAt.UTC())
	p.SetDateTime(ical.PropCreated, t.CreatedAt.UTC())
	p.SetDateTime(ical.PropLastModified, t.UpdatedAt.UTC())
	p.SetText(ical.PropSummary, t.Title)
	if t.Notes != "" {
		p.SetText(ical.PropDescription, t.Notes)
	}
	var due *ical.Prop
	switch {
	case t.DueAt != nil:
		start, _ := familyhub.DayBounds(t.DueAt.In(loc), loc)
		due = icalTimeProp(ical.PropDue, *t.DueAt, wasDate && start.Equal(*t.DueAt), loc)
	case t.InstanceDate.Valid:
		d := t.InstanceDate.Time
		due = icalTimeProp(ical.PropDue, time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc), true, loc)
	}
	if due != nil {
		p.Set(due)
		// DTSTART must come before DUE and be of its kind (RFC 5545 3.8.2.3).
		if ds := p.Get(ical.PropDateTimeStart); ds != nil {
			if st, err := icalTime(ds, loc); err != nil || isDateValue(ds) != isDateValue(due) || !st.Before(mustTime(due, loc)) {
				p.Del(ical.PropDateTimeStart)
			}
		}
	}
	if t.CompletedAt != nil {
		p.SetText(ical.PropStatus, "COMPLETED")
		p.SetDateTime(ical.PropCompleted, t.CompletedAt.UTC())
		p.Set(&ical.Prop{Name: ical.PropPercentComplete, Params: ical.Params{}, Value: "100"})
	} else {
		if oldStatus == "IN-PROCESS" {
			p.SetText(ical.PropStatus, oldStatus)
		} else {
			p.SetText(ical.PropStatus, "NEEDS-ACTION")
		}
		if oldPct != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(oldPct.Value)); err == nil && n > 0 && n < 100 {
				p.Set(oldPct)
			}
		}
	}
	if t.AssigneeID != nil {
		a := &ical.Prop{Name: PropAssignee, Params: ical.Params{}, Value: "urn:uuid:" + t.AssigneeID.String()}
		if n := names[*t.AssigneeID]; n != "" {
			a.Params.Set(ical.ParamCommonName, n)
		}
		p.Set(a)
	}
	ensureTimezones(cal)
	return cal
}

func mustTime(p *ical.Prop, loc *time.Location) time.Time {
	t, _ := icalTime(p, loc)
	return t
}
