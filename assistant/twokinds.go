package assistant

import "strings"

// twoKinds: in holds a second statement of another kind, joined by
// "and"/"und", that no one intent can do: "we're out of milk and tim needs
// his pe kit washed" added the item "tim needs his pe kit washed", "wir
// brauchen Windeln und der Zahnarzt ist auf Freitag verschoben" moved an
// event "Wir brauchen Windeln und der Zahnarzt". Such a sentence is not
// understood: said one at a time, each part is.
func twoKinds(in Intent) bool {
	switch in.Type {
	case IntentShoppingAddItems:
		for _, it := range in.Slots.Items {
			// an item that is a clause: a subject, its verb, more
			if f := strings.Fields(strings.ToLower(it.Name)); len(f) >= 3 && clauseVerbs[f[1]] {
				return true
			}
		}
	case IntentCalendarCreate, IntentCalendarMove, IntentCalendarCancel:
		// a title that starts with "we need …" and goes on after "and", or
		// holds "and Tim has …" ("add bread and tim has football on
		// saturday" was the all-day event "Bread and tim has football")
		t := strings.ToLower(in.Slots.Title)
		f := strings.Fields(t)
		for k, w := range f {
			if (w == "and" || w == "und") && k+3 < len(f) && clauseVerbs[f[k+2]] {
				return true
			}
		}
		return in.Type != IntentCalendarCreate && len(f) >= 4 && usSubjects[f[0]] &&
			(strings.Contains(t, " und ") || strings.Contains(t, " and "))
	}
	return false
}

var (
	clauseVerbs = setOf(`needs has is wants must braucht hat ist muss will soll`)
	usSubjects  = setOf(`we wir i ich we're we've`)
)
