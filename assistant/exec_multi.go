package assistant

import "github.com/familyhub/familyhub/db/dbsqlc"

// createEvents makes every event of calendar.create_many in the command's
// transaction (one fails, none is made) and says them all in one answer;
// the journal holds each, so one undo takes them all back.
func (x *executor) createEvents(in Intent) (Result, string, error) {
	var res Result
	var said []string
	past := ""
	for _, ev := range in.Slots.Events {
		sl := IntentSlots{Title: ev.Title, StartsAt: ev.StartsAt, EndsAt: ev.EndsAt, AllDay: ev.AllDay, Location: ev.Location}
		e, err := x.eventAdd(x.newEventFields(sl))
		if err != nil {
			return Result{}, "", err
		}
		res.Created = append(res.Created, e)
		where := ""
		if e.Location != "" {
			where = x.say.word("where", "location", e.Location)
		}
		said = append(said, x.say.word("events.item", "title", x.say.quote(e.Title), "when", x.eventWhen(e.StartsAt, e.AllDay), "where", where))
		if past == "" {
			past = x.say.past(e.StartsAt, e.AllDay)
		}
	}
	return res, x.say.say("events.created", "n", itoa(len(said)), "list", x.say.and(said)) + past, nil
}

// createdDays are the days the answer of calendar.create_many named, in
// its order (retell names them again on another day).
func createdDays(events []dbsqlc.CalendarEvent) []saidDay {
	var out []saidDay
	for _, e := range events {
		out = append(out, saidDay{e.StartsAt, true, e.Title})
	}
	return out
}
