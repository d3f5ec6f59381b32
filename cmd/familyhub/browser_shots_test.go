package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub/ical"
)

// The screenshots of docs/screenshots/pwa (TestBrowserAccessibility takes
// them): a family that lives in the app, seeded through the API as its
// members would, in English or in German.

// shotFamily is what a seeded family's screenshots need to know.
type shotFamily struct {
	owner     member
	email     string // the owner's, to sign in
	listID    string // the list the others look at
	series    string // a weekly event that began weeks ago: its shown occurrences are not its first
	weekStart string // the first day of the calendar week that holds today, 2006-01-02 (shotEvent)
	device    string // the children's device, as the app keeps it (child-device.js; asChildDevice)
	command   string // an assistant command that adds to the list
	presences []func()
}

// shotWords are a family's data in one language.
type shotWords struct {
	lang, zone, family                    string
	owner, adult, child, child2           string
	list, list2                           string
	items                                 []map[string]any
	ticked                                []string
	list2Items                            []string
	tasks                                 []shotTask
	events                                []shotEvent
	series                                string
	recipes                               []map[string]any
	childDevice, appPw1, appPw2           string
	subName, subURL, feedFamily, feedMine string
	holiday, trainingDay                  string
	command                               string
	inviteRole                            string
}

type shotTask struct {
	title, notes, recurrence string
	due                      [3]int // day offset, hour, minute; hour < 0: no due date
	who                      string // "owner", "adult", "child", "child2", "rotation" or ""
}

// shotEvent's day counts from the first day of the calendar week that
// holds today (in the family's zone; the locale's first weekday, as the
// calendar's Week view: weekStartsOn), so the Week view shows the same
// week whatever the weekday the screenshots are taken on: days 0 to 6 are
// in it, 7 to 13 the next week's (the phone's agenda from today on, late
// in the week).
type shotEvent struct {
	title, location, rrule, by string // by: "owner" or "adult"
	day, days                  int    // days > 0: all day for that many days
	from, to                   [2]int // hour, minute
}

// inWeek reports whether e shows in the calendar week from day from (0:
// the week that held today when seeded, 7: the next): a weekly series
// in every week from its first, others in the weeks their days touch.
func (e shotEvent) inWeek(from int) bool {
	if e.rrule == "FREQ=WEEKLY" {
		return e.day < from+7
	}
	return e.day < from+7 && e.day+max(e.days, 1) > from
}

var shotData = map[string]shotWords{
	"en": {
		lang: "en-GB", zone: "Europe/London", family: "Rivera",
		owner: "Ana", adult: "Ben", child: "Mia", child2: "Leo",
		list: "Weekly", list2: "Hardware store",
		items: []map[string]any{
			{"name": "apples", "quantity": "1 kg", "category": "produce"}, {"name": "bananas", "category": "produce"},
			{"name": "spinach", "category": "produce"}, {"name": "sourdough bread", "category": "bakery"},
			{"name": "milk", "quantity": "2 l", "category": "dairy"}, {"name": "eggs", "quantity": "10", "category": "dairy"},
			{"name": "butter", "category": "dairy"}, {"name": "coffee beans", "quantity": "500 g", "category": "pantry", "note": "the dark roast"},
			{"name": "spaghetti", "category": "pantry"}, {"name": "dish soap", "category": "household"},
		},
		ticked:     []string{"eggs", "butter"},
		list2Items: []string{"light bulbs", "screws 4×40", "wood glue"},
		tasks: []shotTask{
			{title: "Empty the dishwasher", recurrence: "FREQ=DAILY", due: [3]int{0, 19, 0}, who: "rotation"},
			{title: "Take out the bins", recurrence: "FREQ=WEEKLY;BYDAY=TU", due: [3]int{0, 7, 30}, who: "adult"},
			{title: "Water the plants", recurrence: "FREQ=WEEKLY;BYDAY=MO,TH", due: [3]int{0, 18, 0}, who: "child"},
			{title: "Tidy your room", due: [3]int{1, 17, 0}, who: "child2"},
			{title: "Call grandma", notes: "Ask about the birthday party.", due: [3]int{1, 18, 0}, who: "owner"},
			{title: "Book the summer holiday", due: [3]int{4, 20, 0}},
			{title: "Renew passport", notes: "Photos are in the drawer.", due: [3]int{9, 10, 0}, who: "adult"},
		},
		events: []shotEvent{
			{title: "Swimming lessons", location: "City pool", rrule: "FREQ=WEEKLY", by: "owner", day: -13, from: [2]int{16, 0}, to: [2]int{17, 0}},
			{title: "Football practice", location: "Park Road pitch", rrule: "FREQ=WEEKLY", by: "adult", day: -11, from: [2]int{17, 30}, to: [2]int{18, 45}},
			{title: "Dentist (Mia)", by: "owner", day: 2, from: [2]int{9, 30}, to: [2]int{10, 15}},
			{title: "Parents' evening", location: "Hillside Primary", by: "adult", day: 3, from: [2]int{19, 0}, to: [2]int{20, 0}},
			{title: "Grandma visits", by: "adult", day: 4, days: 3},
			{title: "Mia's birthday party", location: "At home", by: "owner", day: 5, from: [2]int{15, 0}, to: [2]int{18, 0}},
			{title: "Car service", location: "Hill Street Garage", by: "adult", day: 8, from: [2]int{8, 0}, to: [2]int{9, 0}},
			{title: "Dinner at the Parkers'", by: "owner", day: 11, from: [2]int{19, 0}, to: [2]int{22, 0}},
		},
		series: "Swimming lessons",
		recipes: []map[string]any{
			{"title": "Pancakes", "servings": 4, "source_url": "https://example.org/pancakes",
				"ingredients": []map[string]any{{"name": "flour", "quantity": 300, "unit": "g"}, {"name": "eggs", "quantity": 3}, {"name": "milk", "quantity": 0.5, "unit": "l"}, {"name": "salt", "unit": "pinch"}},
				"steps":       []string{"Whisk flour, eggs, milk and salt.", "Rest 30 minutes.", "Fry in a hot pan, flip once."}, "tags": []string{"breakfast", "kids"}},
			{"title": "Tomato soup", "servings": 2,
				"ingredients": []map[string]any{{"name": "tomatoes", "quantity": 800, "unit": "g"}, {"name": "onion", "quantity": 1}, {"name": "olive oil", "quantity": 2, "unit": "tbsp"}},
				"steps":       []string{"Sweat the onion in the oil.", "Add tomatoes, simmer 20 minutes, blend."}, "tags": []string{"dinner", "quick"}},
			{"title": "Spaghetti bolognese", "servings": 4,
				"ingredients": []map[string]any{{"name": "spaghetti", "quantity": 500, "unit": "g"}, {"name": "minced beef", "quantity": 400, "unit": "g"}, {"name": "tomatoes", "quantity": 800, "unit": "g"}, {"name": "carrot", "quantity": 1}},
				"steps":       []string{"Brown the mince.", "Add carrot and tomatoes, simmer 40 minutes.", "Cook the spaghetti."}, "tags": []string{"dinner", "kids"}},
		},
		childDevice: "Kitchen tablet", appPw1: "Ana's iPhone", appPw2: "Thunderbird on the laptop",
		subName: "School holidays", subURL: "https://hillside-primary.example/calendar/holidays.ics", feedFamily: "Google Calendar", feedMine: "Outlook at work",
		holiday: "Half-term holiday", trainingDay: "Teacher training day (no school)",
		command: "add oat milk to the weekly list", inviteRole: "child",
	},
	"de": {
		lang: "de-DE", zone: "Europe/Berlin", family: "Schneider",
		owner: "Anna", adult: "Jonas", child: "Lena", child2: "Paul",
		list: "Wocheneinkauf", list2: "Baumarkt",
		items: []map[string]any{
			{"name": "Äpfel", "quantity": "1 kg", "category": "produce"}, {"name": "Bananen", "category": "produce"},
			{"name": "Spinat", "category": "produce"}, {"name": "Vollkornbrot", "category": "bakery"},
			{"name": "Milch", "quantity": "2 l", "category": "dairy"}, {"name": "Eier", "quantity": "10", "category": "dairy"},
			{"name": "Butter", "category": "dairy"}, {"name": "Kaffeebohnen", "quantity": "500 g", "category": "pantry", "note": "die dunkle Röstung"},
			{"name": "Spaghetti", "category": "pantry"}, {"name": "Spülmittel", "category": "household"},
		},
		ticked:     []string{"Eier", "Butter"},
		list2Items: []string{"Glühbirnen", "Schrauben 4×40", "Holzleim"},
		tasks: []shotTask{
			{title: "Spülmaschine ausräumen", recurrence: "FREQ=DAILY", due: [3]int{0, 19, 0}, who: "rotation"},
			{title: "Müll rausbringen", recurrence: "FREQ=WEEKLY;BYDAY=TU", due: [3]int{0, 7, 30}, who: "adult"},
			{title: "Blumen gießen", recurrence: "FREQ=WEEKLY;BYDAY=MO,TH", due: [3]int{0, 18, 0}, who: "child"},
			{title: "Zimmer aufräumen", due: [3]int{1, 17, 0}, who: "child2"},
			{title: "Oma anrufen", notes: "Wegen der Geburtstagsfeier fragen.", due: [3]int{1, 18, 0}, who: "owner"},
			{title: "Sommerurlaub buchen", due: [3]int{4, 20, 0}},
			{title: "Reisepass verlängern", notes: "Die Fotos liegen in der Schublade.", due: [3]int{9, 10, 0}, who: "adult"},
		},
		events: []shotEvent{
			{title: "Schwimmkurs", location: "Hallenbad", rrule: "FREQ=WEEKLY", by: "owner", day: -13, from: [2]int{16, 0}, to: [2]int{17, 0}},
			{title: "Fußballtraining", location: "Sportplatz am Park", rrule: "FREQ=WEEKLY", by: "adult", day: -11, from: [2]int{17, 30}, to: [2]int{18, 45}},
			{title: "Zahnarzt (Lena)", by: "owner", day: 2, from: [2]int{9, 30}, to: [2]int{10, 15}},
			{title: "Elternabend", location: "Grundschule am Berg", by: "adult", day: 3, from: [2]int{19, 0}, to: [2]int{20, 0}},
			{title: "Oma zu Besuch", by: "adult", day: 4, days: 3},
			{title: "Lenas Geburtstagsfeier", location: "Zu Hause", by: "owner", day: 5, from: [2]int{15, 0}, to: [2]int{18, 0}},
			{title: "Auto in die Werkstatt", location: "Autohaus Berger", by: "adult", day: 8, from: [2]int{8, 0}, to: [2]int{9, 0}},
			{title: "Essen bei Müllers", by: "owner", day: 11, from: [2]int{19, 0}, to: [2]int{22, 0}},
		},
		series: "Schwimmkurs",
		recipes: []map[string]any{
			{"title": "Pfannkuchen", "servings": 4, "source_url": "https://example.org/pfannkuchen",
				"ingredients": []map[string]any{{"name": "Mehl", "quantity": 300, "unit": "g"}, {"name": "Eier", "quantity": 3}, {"name": "Milch", "quantity": 0.5, "unit": "l"}, {"name": "Salz", "unit": "Prise"}},
				"steps":       []string{"Mehl, Eier, Milch und Salz verrühren.", "30 Minuten ruhen lassen.", "In einer heißen Pfanne backen, einmal wenden."}, "tags": []string{"Frühstück", "Kinder"}},
			{"title": "Tomatensuppe", "servings": 2,
				"ingredients": []map[string]any{{"name": "Tomaten", "quantity": 800, "unit": "g"}, {"name": "Zwiebel", "quantity": 1}, {"name": "Olivenöl", "quantity": 2, "unit": "EL"}},
				"steps":       []string{"Die Zwiebel im Öl andünsten.", "Tomaten dazu, 20 Minuten köcheln, pürieren."}, "tags": []string{"Abendessen", "schnell"}},
			{"title": "Spaghetti Bolognese", "servings": 4,
				"ingredients": []map[string]any{{"name": "Spaghetti", "quantity": 500, "unit": "g"}, {"name": "Hackfleisch", "quantity": 400, "unit": "g"}, {"name": "Tomaten", "quantity": 800, "unit": "g"}, {"name": "Karotte", "quantity": 1}},
				"steps":       []string{"Das Hackfleisch anbraten.", "Karotte und Tomaten dazu, 40 Minuten köcheln.", "Die Spaghetti kochen."}, "tags": []string{"Abendessen", "Kinder"}},
		},
		childDevice: "Küchen-Tablet", appPw1: "Annas iPhone", appPw2: "Thunderbird auf dem Laptop",
		subName: "Schulferien", subURL: "https://grundschule-am-berg.example/kalender/ferien.ics", feedFamily: "Google Kalender", feedMine: "Outlook im Büro",
		holiday: "Weihnachtsferien", trainingDay: "Pädagogischer Tag (schulfrei)",
		command: "setz Hafermilch auf den Wocheneinkauf", inviteRole: "child",
	},
}

// seedShots makes a family of four in lang ("en" or "de") on m, with a
// lived-in week: lists with ticked items, chores that rotate, tasks for
// each member, a week of events made by two members and a subscribed
// school calendar, recipes, an open invite, a children's device, app
// passwords, calendar feeds, notification settings. Two of the members
// are online (a list, the tasks) until the test ends.
func seedShots(t *testing.T, m *Main, lang string) shotFamily {
	t.Helper()
	w := shotData[lang]
	email := func(name string) string {
		return strings.ToLower(name) + "." + strings.ToLower(w.family) + "@example.org"
	}
	owner := signupAt(t, m.URL(), fmt.Sprintf(`{"email":%q,"password":"correct horse","display_name":%q,"family_name":%q,"time_zone":%q}`,
		email(w.owner), w.owner, w.family, w.zone))
	join := func(name, role string) member {
		code := restAs(t, owner, m, "POST", "/api/family/invites", map[string]any{"role": role})["code"].(string)
		return signupAt(t, m.URL(), fmt.Sprintf(`{"email":%q,"password":"correct horse","display_name":%q,"invite_code":%q}`, email(name), name, code))
	}
	adult, child, child2 := join(w.adult, "member"), join(w.child, "child"), join(w.child2, "child")
	restAs(t, owner, m, "PUT", "/api/family/members/"+child.userID+"/pin", map[string]any{"pin": "2468"})
	restAs(t, owner, m, "PUT", "/api/family/members/"+child2.userID+"/pin", map[string]any{"pin": "1357"})
	restAs(t, owner, m, "POST", "/api/family/invites", map[string]any{"role": w.inviteRole}) // one still open
	who := map[string]member{"owner": owner, "adult": adult, "child": child, "child2": child2}

	list := restAs(t, owner, m, "POST", "/api/shopping/lists", map[string]any{"name": w.list})["id"].(string)
	for _, it := range w.items {
		id := restAs(t, owner, m, "POST", "/api/shopping/lists/"+list+"/items", it)["id"].(string)
		if slices.Contains(w.ticked, it["name"].(string)) {
			restAs(t, adult, m, "PATCH", "/api/shopping/items/"+id, map[string]any{"checked": true})
		}
	}
	list2 := restAs(t, adult, m, "POST", "/api/shopping/lists", map[string]any{"name": w.list2})["id"].(string)
	for _, name := range w.list2Items {
		restAs(t, adult, m, "POST", "/api/shopping/lists/"+list2+"/items", map[string]any{"name": name})
	}

	loc, err := time.LoadLocation(w.zone)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(loc)
	at := func(day, hour, minute int) time.Time {
		return time.Date(now.Year(), now.Month(), now.Day()+day, hour, minute, 0, 0, loc)
	}
	// The calendar week that holds today, from its first day: Saturday
	// the 5th is in the week of Monday the 30th (en-GB, de-DE) or of Sunday
	// the 29th (en-US); Sunday the 6th in the week of Monday the 30th or of
	// Sunday the 6th. Today is the family zone's, as the calendar's.
	first := weekFirst(now, weekStartsOn(t, w.lang))
	inWeek := func(day, hour, minute int) time.Time {
		return time.Date(first.Year(), first.Month(), first.Day()+day, hour, minute, 0, 0, loc)
	}
	for _, tk := range w.tasks {
		body := map[string]any{"title": tk.title}
		if tk.notes != "" {
			body["notes"] = tk.notes
		}
		if tk.recurrence != "" {
			body["recurrence"] = tk.recurrence
		}
		if tk.due[1] >= 0 {
			body["due_at"] = at(tk.due[0], tk.due[1], tk.due[2]).Format(time.RFC3339)
		}
		switch tk.who {
		case "":
		case "rotation":
			body["rotation"] = []string{owner.userID, adult.userID, child.userID}
		default:
			body["assignee_id"] = who[tk.who].userID
		}
		restAs(t, owner, m, "POST", "/api/tasks", body)
	}
	for _, e := range w.events {
		body := map[string]any{"title": e.title}
		if e.location != "" {
			body["location"] = e.location
		}
		if e.rrule != "" {
			body["rrule"] = e.rrule
		}
		if e.days > 0 {
			body["all_day"] = true
			body["starts_at"] = inWeek(e.day, 0, 0).Format("2006-01-02")
			body["ends_at"] = inWeek(e.day+e.days, 0, 0).Format("2006-01-02")
		} else {
			body["starts_at"] = inWeek(e.day, e.from[0], e.from[1]).Format(time.RFC3339)
			body["ends_at"] = inWeek(e.day, e.to[0], e.to[1]).Format(time.RFC3339)
		}
		restAs(t, who[e.by], m, "POST", "/api/calendar/events", body)
	}
	for _, r := range w.recipes {
		restAs(t, owner, m, "POST", "/api/recipes", r)
	}

	// The school's calendar, subscribed to and imported: read-only events,
	// a training day on the week's first day, a holiday in two weeks.
	ics := fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//school//EN\r\n"+
		"BEGIN:VEVENT\r\nUID:training-%[1]s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:%[2]s\r\nDTEND;VALUE=DATE:%[3]s\r\nSUMMARY:%[4]s\r\nEND:VEVENT\r\n"+
		"BEGIN:VEVENT\r\nUID:holiday-%[1]s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:%[5]s\r\nDTEND;VALUE=DATE:%[6]s\r\nSUMMARY:%[7]s\r\nEND:VEVENT\r\n"+
		"END:VCALENDAR\r\n", lang, inWeek(0, 0, 0).Format("20060102"), inWeek(1, 0, 0).Format("20060102"), w.trainingDay,
		inWeek(14, 0, 0).Format("20060102"), inWeek(19, 0, 0).Format("20060102"), w.holiday)
	school := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/calendar")
		rw.Write([]byte(ics))
	}))
	t.Cleanup(school.Close)
	sub := restAs(t, owner, m, "POST", "/api/calendar/subscriptions", map[string]any{"url": school.URL + "/holidays.ics", "name": w.subName})
	if err := ical.ImportSubscription(t.Context(), m.Store, m.Config.Calendar, testLogger(), uuid.MustParse(sub["id"].(string))); err != nil {
		t.Fatalf("importing the school calendar: %v", err)
	}
	// Shown with the address a school would have (not this test's
	// loopback one), and not fetched again while the test runs.
	if _, err := m.Pool.Exec(t.Context(), `UPDATE calendar_subscriptions SET url = $2, next_attempt_at = now() + interval '1 day' WHERE id = $1`,
		sub["id"], w.subURL); err != nil {
		t.Fatal(err)
	}

	dev := restAs(t, owner, m, "POST", "/api/family/child-devices", map[string]any{"name": w.childDevice})
	device, _ := json.Marshal(map[string]any{"id": dev["id"], "name": dev["name"], "key": dev["device_key"], "familyCode": dev["family_code"], "names": []string{}})
	restAs(t, owner, m, "POST", "/api/dav/app-passwords", map[string]any{"name": w.appPw1})
	restAs(t, owner, m, "POST", "/api/dav/app-passwords", map[string]any{"name": w.appPw2})
	restAs(t, owner, m, "POST", "/api/calendar/feeds", map[string]any{"name": w.feedFamily, "scope": "family"})
	restAs(t, adult, m, "POST", "/api/calendar/feeds", map[string]any{"name": w.feedMine, "scope": "member"})
	restAs(t, owner, m, "PATCH", "/api/notifications/settings", map[string]any{"member": map[string]any{
		"task_lead_minutes": 30, "calendar_lead_minutes": 60, "digest": true, "list_changes": true, "followed_lists": []string{list},
		"quiet_hours": map[string]any{"start": "21:30", "end": "06:30"}}})

	// Online: the adult looks at the list, a child at the tasks.
	f := shotFamily{owner: owner, email: email(w.owner), listID: list, series: w.series, command: w.command,
		weekStart: inWeek(0, 0, 0).Format("2006-01-02"), device: string(device)}
	for _, p := range []struct {
		mb   member
		view string
	}{{adult, "shopping-list:" + list}, {child, "tasks"}} {
		_, stop := dialSSE(t, m.URL(), p.mb, "device_id="+uuid.NewString()+"&view="+p.view)
		f.presences = append(f.presences, stop)
	}
	return f
}

// familyParts are the Family page's parts a screenshot each: the heading
// at the top of the viewport.
var familyParts = []struct{ name, heading string }{
	{"family", ""}, {"family-invites", "h-invite"}, {"family-account", "h-you"}, {"family-notifications", "h-notify"},
	{"family-calendar-apps", "h-dav"}, {"family-feeds", "h-feeds"}, {"family-settings", "h-settings"},
}

// docShots: with FAMILYHUB_UPDATE_SCREENSHOTS=1, every English screenshot
// of TestBrowserAccessibility goes to docs/screenshots/pwa, and of the
// German ones these.
var germanDocShots = map[string]bool{
	"family-notifications-phone-de": true, "event-dialog-laptop-de": true, "family-laptop-de": true,
	"login-children-tablet-de": true,
}

func docsShot(name string) bool {
	if strings.HasSuffix(name, "-de") {
		return germanDocShots[name]
	}
	return true
}

// saveShot saves the viewport as test-artifacts/<name>.png, and with
// FAMILYHUB_UPDATE_SCREENSHOTS=1 as docs/screenshots/pwa/<name>.png too
// (see docsShot), there with at most 256 colours (a third of the bytes,
// the same to the eye). scrollTo is an element's id to scroll to the top
// of the viewport ("" for the page's top).
func saveShot(b *browser, name, scrollTo string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(document.activeElement?.blur?.(), %q ? document.getElementById(%q).scrollIntoView() : window.scrollTo(0, 0), true)`, scrollTo, scrollTo))
	// No hover left where the sign-in button was clicked.
	b.do(chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1))
	// No half-played animation (the presence avatars fade in); the list
	// tabs' fade follows their scrolling, not the clock, and never ends.
	b.waitJS("animations done", `!document.getAnimations().some((a) => a.playState === 'running' && a.timeline instanceof DocumentTimeline && a.effect?.getComputedTiming().iterations !== Infinity)`, 5*time.Second)
	shot := b.savePNG(name, chromedp.CaptureScreenshot())
	if os.Getenv("FAMILYHUB_UPDATE_SCREENSHOTS") != "1" || !docsShot(name) {
		return
	}
	small, err := quantizePNG(shot)
	if err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
	writePNG(b.t, filepath.Join("..", "..", "docs", "screenshots", "pwa"), name, small)
}

// quantizePNG re-encodes a screenshot with a palette of at most 256
// colours, chosen by median cut over its colour histogram (no dithering:
// flat areas stay flat). A screen of text and flat colours keeps its look.
func quantizePNG(in []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	r := img.Bounds()
	rgb := func(x, y int) uint32 {
		cr, cg, cb, _ := img.At(x, y).RGBA()
		return (cr>>8)<<16 | (cg>>8)<<8 | cb>>8
	}
	hist := map[uint32]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			hist[rgb(x, y)]++
		}
	}
	ch := func(c uint32, i int) int { return int(c>>(16-8*i)) & 255 }
	all := make([]uint32, 0, len(hist))
	for c := range hist {
		all = append(all, c)
	}
	slices.Sort(all)
	boxes := [][]uint32{all}
	for len(boxes) < 256 {
		// Split the box whose widest channel, weighted by its pixels, is widest.
		bi, bc, best := -1, 0, 0
		for i, bx := range boxes {
			if len(bx) < 2 {
				continue
			}
			n := 0
			for _, c := range bx {
				n += hist[c]
			}
			for k := range 3 {
				lo, hi := 255, 0
				for _, c := range bx {
					lo, hi = min(lo, ch(c, k)), max(hi, ch(c, k))
				}
				if score := (hi - lo) * (hi - lo) * isqrt(n); score > best {
					best, bi, bc = score, i, k
				}
			}
		}
		if bi < 0 {
			break
		}
		bx := boxes[bi]
		slices.SortStableFunc(bx, func(a, b uint32) int { return ch(a, bc) - ch(b, bc) })
		total := 0
		for _, c := range bx {
			total += hist[c]
		}
		cut, acc := len(bx)-1, 0
		for i, c := range bx[:len(bx)-1] {
			if acc += hist[c]; acc*2 >= total {
				cut = i + 1
				break
			}
		}
		boxes[bi], boxes = bx[:cut], append(boxes, bx[cut:])
	}
	// A box's colour: its most common one when that is most of it (the
	// flat colours stay exact), else the mean.
	pal := make(color.Palette, 0, len(boxes))
	index := make(map[uint32]uint8, len(hist))
	for _, bx := range boxes {
		var sr, sg, sb, n, topN int
		top := bx[0]
		for _, c := range bx {
			k := hist[c]
			sr, sg, sb, n = sr+ch(c, 0)*k, sg+ch(c, 1)*k, sb+ch(c, 2)*k, n+k
			if k > topN {
				top, topN = c, k
			}
			index[c] = uint8(len(pal))
		}
		if topN*2 > n {
			pal = append(pal, color.RGBA{uint8(ch(top, 0)), uint8(ch(top, 1)), uint8(ch(top, 2)), 255})
		} else {
			pal = append(pal, color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255})
		}
	}
	out := image.NewPaletted(r, pal)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			out.SetColorIndex(x, y, index[rgb(x, y)])
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func isqrt(n int) int { return int(math.Sqrt(float64(n))) }
