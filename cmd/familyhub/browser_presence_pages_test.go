package main

import (
	"fmt"
	"testing"
	"time"
)

// TestBrowserPresencePages is issue 20 beyond the shopping list: the tasks,
// the calendar, the recipes and a recipe show, in their page header, who
// else is looking at the same page. Ana (replica A) and Ben (replica B):
// Ana opens the tasks and Ben, on the tasks, shows her avatar within a
// second or two; Ana opens a recipe and her avatar leaves Ben's tasks; Ben
// opening that recipe shows her there (and she him). The calendar and the
// recipes list show her too. The header never moves as avatars come and
// go, on a phone and a laptop. Once in English (Ana on a laptop, Ben on a
// phone) and once in German (the other way round).
func TestBrowserPresencePages(t *testing.T) {
	browserTest(t)
	c, ana, ben := twoAdults(t)
	ana.newList(t, c.a.URL()) // signing in opens a list
	recipe := restAs(t, ana, c.a, "POST", "/api/recipes", map[string]any{"title": "Pancakes", "servings": 4})["id"].(string)

	type words struct{ label, tip string }
	passes := []struct {
		name, lang string
		anaW, anaH int64
		benW, benH int64
		tasks      words
		recipe     words
		calendar   words
		recipes    words
	}{
		{"English", "en-GB", laptopW, laptopH, phoneW, phoneH,
			words{"Also looking at the tasks", "Ana is looking at the tasks too"},
			words{"Also looking at this recipe", "Ana is looking at this recipe too"},
			words{"Also looking at the calendar", "Ana is looking at the calendar too"},
			words{"Also looking at the recipes", "Ana is looking at the recipes too"}},
		{"German", "de-DE", phoneW, phoneH, laptopW, laptopH,
			words{"Sehen sich die Aufgaben gerade auch an", "Ana sieht sich die Aufgaben gerade auch an"},
			words{"Sehen sich dieses Rezept gerade auch an", "Ana sieht sich dieses Rezept gerade auch an"},
			words{"Sehen sich den Kalender gerade auch an", "Ana sieht sich den Kalender gerade auch an"},
			words{"Sehen sich die Rezepte gerade auch an", "Ana sieht sich die Rezepte gerade auch an"}},
	}
	for _, p := range passes {
		t.Run(p.name, func(t *testing.T) {
			anas, bens := anaAndBen(t, c,
				device{"Ana-pages-" + p.lang, p.anaW, p.anaH, browserOpts{lang: p.lang}},
				device{"Ben-pages-" + p.lang, p.benW, p.benH, browserOpts{lang: p.lang}})

			row := `document.querySelector('#main .page-head .presence')`
			settled := `!` + row + `.getAnimations({subtree: true}).some((a) => a.playState === 'running')`
			avatarOf := func(m member) string {
				return fmt.Sprintf(`document.querySelector('#main .page-head .presence .avatar[data-user=%q]')`, m.userID)
			}
			anaAvatar, benAvatar := avatarOf(ana), avatarOf(ben)
			headHeight := func(b *browser) float64 {
				return eval[float64](b, `document.querySelector('#main .page-head').getBoundingClientRect().height`)
			}
			// The row sits in the header beside the title, nothing spills sideways.
			fits := func(b *browser, what string) {
				t.Helper()
				if !eval[bool](b, `document.documentElement.scrollWidth <= innerWidth`) {
					t.Errorf("%s: %s: the page is wider than the screen", b.name, what)
				}
				r := eval[map[string]float64](b, `(() => { const r = `+row+`.getBoundingClientRect(), h = document.querySelector('#main .page-head').getBoundingClientRect();
					return {left: r.left - h.left, right: h.right - r.right, top: r.top - h.top, bottom: h.bottom - r.bottom}; })()`)
				for side, v := range r {
					if v < -0.5 {
						t.Errorf("%s: %s: the avatar row sticks out of the header (%s by %.1f px)", b.name, what, side, -v)
					}
				}
			}
			// seen waits until b's header shows who's avatar with the
			// page's words, and says how long it took.
			seen := func(b *browser, who member, w words, what string) time.Duration {
				t.Helper()
				start := time.Now()
				b.waitJS(what, avatarOf(who), 5*time.Second)
				took := time.Since(start)
				if got := eval[string](b, row+`.getAttribute('aria-label')`); got != w.label {
					t.Errorf("%s: the avatar row's label is %q, want %q", b.name, got, w.label)
				}
				if who.userID == ana.userID {
					if got := eval[string](b, anaAvatar+`.title`); got != w.tip {
						t.Errorf("%s: Ana's avatar's tooltip is %q, want %q", b.name, got, w.tip)
					}
				}
				return took
			}
			within := func(took time.Duration, what string) {
				t.Helper()
				t.Logf("%s: %s after %s", p.name, what, took.Round(time.Millisecond))
				if took > 2*time.Second {
					t.Errorf("%s took %s, want within two seconds", what, took)
				}
			}
			// crowd shows six more people on phone's page (as if six more
			// members had it open: four avatars and "+3" with Ana or Ben):
			// the row stays on the title's line, nothing spills. They came
			// half a second after the other (the server's "since" is in
			// whole seconds, theirs is not), who was there first and stays
			// in view.
			phone, other := bens, ana
			if p.anaW == phoneW {
				phone, other = anas, ben
			}
			crowd := func(what string) {
				t.Helper()
				eval[bool](phone, `(() => { const app = window.familyhub, view = app.rt.view;
					const first = app.rt.members.find((d) => d.user_id === `+js(other.userID)+` && d.view === view);
					const since = new Date(Date.parse(first.since) + 500).toISOString();
					const fake = ['Zoe', 'Yusuf', 'Xenia', 'Willem', 'Vera', 'Umar'].map((name, i) => ({id: '00000000-0000-4000-8000-00000000000' + i, display_name: name, role: 'adult', joined_at: since}));
					app.me.members.push(...fake);
					app.rt.onPresence([...app.rt.members, ...fake.map((m) => ({user_id: m.id, device_id: m.id, view, since}))]);
					return true; })()`)
				if n := eval[float64](phone, row+`.children.length`); n != 5 {
					t.Errorf("%s: %s: a crowd shows %v avatars, want 4 and \"+3\"", phone.name, what, n)
				}
				if !eval[bool](phone, "!!"+avatarOf(other)) {
					t.Errorf("%s: %s: the one there first is not among a crowd's avatars", phone.name, what)
				}
				fits(phone, what+" with a crowd")
				if off := eval[float64](phone, `(() => { const c = (el) => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; };
					return Math.abs(c(`+row+`) - c(document.querySelector('#main h1'))); })()`); off > 4 {
					t.Errorf("%s: %s: the crowd's avatars are not on the title's line (%.1f px off)", phone.name, what, off)
				}
				phone.waitJS("the crowd faded in", settled, 5*time.Second)
				phone.screenshot("presence-crowd-" + what + "-" + phone.name)
				eval[bool](phone, `(() => { const app = window.familyhub; app.me.members = app.me.members.filter((m) => !m.id.startsWith('00000000-')); app.rt.onPresence(app.rt.members); return true; })()`)
			}
			pageShown := func(path string) string {
				return fmt.Sprintf(`location.pathname === %q && document.querySelector('#main h1') && !document.querySelector('#main .loading') && %s`, path, row)
			}
			reports := func(b *browser, view string) {
				t.Helper()
				if got := eval[string](b, `window.familyhub.rt.view`); got != view {
					t.Errorf("%s reports the view %q, want %q", b.name, got, view)
				}
			}

			// Ben is on the tasks; Ana comes to them too.
			bens.goTo("/tasks", pageShown("/tasks"))
			reports(bens, "tasks")
			before := headHeight(bens)
			if !eval[bool](bens, row+`.classList.contains('empty')`) {
				t.Error("Ben's tasks header shows someone before Ana came")
			}
			took := liveLatency(anas, bens, "Ana's avatar in Ben's tasks header", `window.familyhub.go('/tasks')`, anaAvatar)
			anas.waitJS("page /tasks", pageShown("/tasks"), 10*time.Second)
			seen(bens, ana, p.tasks, "Ana's avatar in Ben's tasks header")
			within(took, "Ben (replica B) showed Ana on the tasks")
			if eval[bool](bens, "!!"+benAvatar) {
				t.Error("Ben's tasks header shows Ben himself")
			}
			if after := headHeight(bens); after != before {
				t.Errorf("Ben's tasks header moved when Ana's avatar came: %.1f px, then %.1f px", before, after)
			}
			fits(bens, "tasks")
			seen(anas, ben, p.tasks, "Ben's avatar in Ana's tasks header")
			fits(anas, "tasks")
			for _, d := range []*browser{anas, bens} {
				d.waitJS("the avatars faded in", settled, 5*time.Second)
				d.screenshot("presence-tasks-" + d.name)
			}
			crowd("tasks")

			// Ana opens a recipe: she leaves Ben's tasks.
			took = liveLatency(anas, bens, "Ana's avatar gone from Ben's tasks", fmt.Sprintf(`window.familyhub.go(%q)`, "/recipes/"+recipe),
				"!"+anaAvatar+` && `+row+`.classList.contains('empty')`)
			anas.waitJS("page /recipes/"+recipe, pageShown("/recipes/"+recipe), 10*time.Second)
			reports(anas, "recipe:"+recipe)
			within(took, "Ana left Ben's tasks")
			if after := headHeight(bens); after != before {
				t.Errorf("Ben's tasks header moved when Ana's avatar went: %.1f px, then %.1f px", before, after)
			}

			// Ben opens the same recipe: each shows the other.
			bens.goTo("/recipes/"+recipe, pageShown("/recipes/"+recipe))
			reports(bens, "recipe:"+recipe)
			within(seen(bens, ana, p.recipe, "Ana's avatar on Ben's recipe page"), "Ben showed Ana on the recipe")
			seen(anas, ben, p.recipe, "Ben's avatar on Ana's recipe page")
			fits(bens, "recipe")
			fits(anas, "recipe")
			for _, d := range []*browser{anas, bens} {
				d.waitJS("the avatars faded in", settled, 5*time.Second)
				d.screenshot("presence-recipe-" + d.name)
			}
			crowd("recipe")
			// A change to the recipe reads it again: Ana's avatar stays as it was.
			eval[bool](bens, `(window.__anaAvatar = `+anaAvatar+`, true)`)
			restAs(t, ana, c.a, "PATCH", "/api/recipes/"+recipe, map[string]any{"title": "Pancakes " + p.name})
			bens.waitJS("the recipe read again", `document.querySelector('#main h1').textContent === `+js("Pancakes "+p.name), 5*time.Second)
			if !eval[bool](bens, `window.__anaAvatar === `+anaAvatar+` && `+settled) {
				t.Error("Ana's avatar was made again (and faded in again) when the recipe was read again")
			}

			// Ana edits the recipe: its form is that recipe too, so she stays
			// on Ben's recipe page as its editor.
			edit := "/recipes/" + recipe + "/edit"
			anas.goTo(edit, fmt.Sprintf(`location.pathname === %q && !!document.querySelector('#main form')`, edit))
			reports(anas, "recipe:"+recipe)
			seen(bens, ana, p.recipe, "Ana's avatar on Ben's recipe page while she edits it")

			// The calendar and the recipes list show her as well.
			for _, pg := range []struct {
				path string
				w    words
			}{{"/calendar", p.calendar}, {"/recipes", p.recipes}} {
				bens.goTo(pg.path, pageShown(pg.path))
				before := headHeight(bens)
				took := liveLatency(anas, bens, "Ana's avatar on Ben's "+pg.path, fmt.Sprintf(`window.familyhub.go(%q)`, pg.path), anaAvatar)
				anas.waitJS("page "+pg.path, pageShown(pg.path), 10*time.Second)
				seen(bens, ana, pg.w, "Ana's avatar on Ben's "+pg.path)
				within(took, "Ben showed Ana on "+pg.path)
				if after := headHeight(bens); after != before {
					t.Errorf("Ben's %s header moved when Ana's avatar came: %.1f px, then %.1f px", pg.path, before, after)
				}
				fits(bens, pg.path)
				seen(anas, ben, pg.w, "Ben's avatar on Ana's "+pg.path)
				fits(anas, pg.path)
				for _, d := range []*browser{anas, bens} {
					d.waitJS("the avatars faded in", settled, 5*time.Second)
					d.screenshot("presence-" + pg.path[1:] + "-" + d.name)
				}
				crowd(pg.path[1:])
			}
		})
	}
}
