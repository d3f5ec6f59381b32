package main

import (
	"testing"
	"time"
)

// rebuildBy returns rebuilt(what, cond): another device of Ana's changes
// the family's time zone (to the next of zones), and rebuilt waits until
// the page was built again and cond holds on the new one.
func rebuildBy(t *testing.T, c *cluster, ana member, b *browser, zones ...string) func(what, cond string) {
	return func(what, cond string) {
		t.Helper()
		eval[bool](b, `(window.beforeMain = document.querySelector('#main').firstElementChild, true)`)
		zone := zones[0]
		zones = zones[1:]
		restAs(t, ana, c.b, "PATCH", "/api/family", map[string]any{"time_zone": zone})
		b.waitJS(what, `window.familyhub.me.family.time_zone === `+js(zone)+`
			&& document.querySelector('#main').firstElementChild !== window.beforeMain && `+cond, 5*time.Second)
	}
}

// visibleText is the text of the first element matching sel when it is
// shown, else "(hidden)".
func visibleText(b *browser, sel string) string {
	return eval[string](b, `(() => { const e = document.querySelector(`+js(sel)+`); return e?.checkVisibility() ? e.textContent : '(hidden)'; })()`)
}

// TestBrowserRebuildSaveAnswered: a Save on its way when another device's
// new time zone builds the page again shows its answer on the page built
// in its place: the family settings' "Saved.", the notification settings'
// refusal at its field, the password form's "wrong password", a recipe's
// refusal. Before, each answer went to the form gone, and Ana saw nothing.
// Then the recipe's error line, shown, stays through a rebuild (before,
// her edits stayed and the line went).
func TestBrowserRebuildSaveAnswered(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	recipe := restAs(t, ana, c.a, "POST", "/api/recipes", map[string]any{"title": "Pancakes", "servings": 4})
	rebuilt := rebuildBy(t, c, ana, b, "Asia/Tokyo", "Europe/Lisbon", "America/Chicago", "Australia/Perth", "Europe/Vienna")
	eval[bool](b, holdAnswers)
	// held(path, method) holds the answer of the next such request; once
	// held, the page is built again, then the answer goes on.
	heldThenRebuilt := func(path, method, submit, what, cond string) {
		t.Helper()
		eval[bool](b, `(window.__hold = (p, m) => p === `+js(path)+` && m === `+js(method)+`, true)`)
		b.click(submit)
		b.waitJS(what+": the answer held", `window.__held.length === 1`, 5*time.Second)
		eval[bool](b, `(window.__hold = () => false, true)`)
		rebuilt(what+": the page built again", cond)
		eval[bool](b, `(window.__release(), true)`)
	}

	b.setValue(`#family-name`, "Saved here")
	heldThenRebuilt("/api/family", "PATCH", `.settings-form button[type=submit]`, "the settings", `document.querySelector('#family-name')`)
	b.waitJS("the settings' answer on the new form", `document.querySelector('.settings-form [role=status]').textContent === 'Saved.'
		&& window.familyhub.me.family.name === 'Saved here'`, 5*time.Second)

	b.waitJS("the notification settings", `document.querySelector('#notify input[name=task_lead_minutes]')?.value !== ''`, 10*time.Second)
	b.setValue(`#notify input[name=task_lead_minutes]`, "5000")
	heldThenRebuilt("/api/notifications/settings", "PATCH", `#notify form.notify-form button[type=submit]`, "the notification settings",
		`document.querySelector('#notify input[name=task_lead_minutes]')?.value === '5000' && !document.querySelector('#notify .loading')`)
	b.waitJS("the refusal on the new form", `document.querySelector('#notify .form-error')?.checkVisibility()
		&& document.querySelector('#notify input[name=task_lead_minutes]').getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	if busy := eval[bool](b, `document.querySelector('#notify form.notify-form button[type=submit]').disabled`); busy {
		t.Errorf("the notification settings' Save is still disabled after its answer")
	}

	eval[bool](b, `(document.querySelector('details.password').open = true, true)`)
	b.setValue(`.password-form input[name=current_password]`, "not my password")
	b.setValue(`.password-form input[name=new_password]`, "a new long password")
	heldThenRebuilt("/api/auth/password", "POST", `.password-form button[type=submit]`, "the password",
		`document.querySelector('details.password')?.open`)
	b.waitJS("the refusal on the new password form", `document.querySelector('.password-form .form-error')?.checkVisibility()
		&& document.querySelector('.password-form input[name=current_password]').getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	if said := visibleText(b, `.password-form .form-error`); said != "The current password is not right." {
		t.Errorf("the new password form says %q", said)
	}

	// A recipe: a source that is no http(s) address is the server's to refuse.
	id := recipe["id"].(string)
	b.goTo("/recipes/"+id+"/edit", `document.querySelector('.recipe-form input[name=title]')?.value === 'Pancakes'`)
	b.setValue(`.recipe-form input[name=source_url]`, "ftp://example.org/pancakes")
	heldThenRebuilt("/api/recipes/"+id, "PATCH", `.recipe-form button[type=submit]`, "the recipe",
		`document.querySelector('.recipe-form input[name=title]')`)
	b.waitJS("the refusal on the new recipe form", `document.querySelector('.recipe-form .form-error')?.checkVisibility()`, 5*time.Second)
	said := visibleText(b, `.recipe-form .form-error`)
	if said != "Please enter a web address starting with https://." {
		t.Errorf("the new recipe form says %q", said)
	}
	if eval[bool](b, `document.querySelector('.recipe-form button[type=submit]').disabled`) {
		t.Errorf("the recipe's Save is still disabled after its answer")
	}
	rebuilt("the recipe form built again with its error line", `document.querySelector('.recipe-form input[name=source_url]')?.value === 'ftp://example.org/pancakes'`)
	if got := visibleText(b, `.recipe-form .form-error`); got != said {
		t.Errorf("after the rebuild the recipe's error line says %q, want %q", got, said)
	}
}

// TestBrowserRebuildFamilyForms: the Family page's other forms keep what
// Ana typed when another device's new time zone builds the page again:
// the password form (open, both fields, its error line and the field
// marked invalid), the invite form's role and days and the code it just
// made (with Copy), the name of a children's device being set up with the
// focus in it. A device set up while the page is built again shows as
// this device on the new page. Before, the new page showed empty forms
// and no code.
func TestBrowserRebuildFamilyForms(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	rebuilt := rebuildBy(t, c, ana, b, "Asia/Tokyo", "Europe/Lisbon")

	eval[bool](b, `(document.querySelector('details.password').open = true, true)`)
	b.setValue(`.password-form input[name=current_password]`, "not my password")
	b.setValue(`.password-form input[name=new_password]`, "a new long password")
	b.click(`.password-form button[type=submit]`)
	b.waitJS("the password refused", `document.querySelector('.password-form .form-error')?.checkVisibility()`, 5*time.Second)
	b.setValue(`.password-form input[name=current_password]`, "correct horse?")
	b.setValue(`#invite-role`, "child")
	b.setValue(`#invite-ttl`, "24")
	b.click(`.invite-form button[type=submit]`)
	b.waitJS("the code made", `document.querySelector('.invite strong.code')`, 5*time.Second)
	code := eval[string](b, `document.querySelector('.invite strong.code').textContent`)
	// An app password and a feed's address, each shown once; a calendar
	// being subscribed to.
	b.setValue(`#app-pw-name`, "Thunderbird")
	b.click(`section[aria-labelledby=h-dav] form button[type=submit]`)
	b.waitJS("the app password shown", `document.querySelector('section[aria-labelledby=h-dav] .fresh-password input')?.value.length === 29`, 5*time.Second)
	appPassword := eval[string](b, `document.querySelector('section[aria-labelledby=h-dav] .fresh-password input').value`)
	b.setValue(`form.feed-form input[name=name]`, "Outlook")
	b.click(`form.feed-form input[name=feed-scope][value=member]`)
	b.click(`form.feed-form button[type=submit]`)
	b.waitJS("the feed's address", `document.querySelector('.fresh-feed input')?.value.includes('/ical/')`, 5*time.Second)
	feedURL := eval[string](b, `document.querySelector('.fresh-feed input').value`)
	b.setValue(`form.feed-form input[name=name]`, "Google")
	eval[bool](b, `(document.querySelector('form.sub-form').closest('details').open = true, true)`)
	b.setValue(`form.sub-form input[name=name]`, "School")
	b.setValue(`form.sub-form input[name=url]`, "https://school.example.org/term.ics")
	b.setValue(`#child-device-name`, "Kitchen tablet")
	eval[bool](b, `(document.querySelector('#child-device-name').focus(), document.querySelector('#child-device-name').setSelectionRange(2, 2), true)`)

	rebuilt("the Family page built again", `document.querySelector('#child-device-name')`)
	got := eval[string](b, `[document.querySelector('details.password').open,
		document.querySelector('.password-form input[name=current_password]').value,
		document.querySelector('.password-form input[name=new_password]').value,
		document.querySelector('.password-form input[name=current_password]').getAttribute('aria-invalid'),
		document.querySelector('#invite-role').value, document.querySelector('#invite-ttl').value,
		document.querySelector('#child-device-name').value, document.activeElement?.id, document.activeElement?.selectionStart].join('|')`)
	if want := "true|correct horse?|a new long password|true|child|24|Kitchen tablet|child-device-name|2"; got != want {
		t.Errorf("after the rebuild the forms hold %q, want %q", got, want)
	}
	if said := visibleText(b, `.password-form .form-error`); said != "The current password is not right." {
		t.Errorf("after the rebuild the password form's error line says %q", said)
	}
	if shown := visibleText(b, `.invite strong.code`); shown != code {
		t.Errorf("after the rebuild the new code shows as %q, want %q", shown, code)
	}
	if n := eval[int](b, `document.querySelectorAll('.invite .copy-line button').length`); n != 2 {
		t.Errorf("after the rebuild the new code has %d Copy buttons, want 2", n)
	}
	got = eval[string](b, `[document.querySelector('section[aria-labelledby=h-dav] .fresh-password input')?.value,
		document.querySelector('.fresh-feed input')?.value, document.querySelector('form.feed-form input[name=name]').value,
		document.querySelector('form.feed-form input[name=feed-scope]:checked').value,
		document.querySelector('form.sub-form').closest('details').open,
		document.querySelector('form.sub-form input[name=name]').value, document.querySelector('form.sub-form input[name=url]').value].join('|')`)
	if want := appPassword + "|" + feedURL + "|Google|member|true|School|https://school.example.org/term.ics"; got != want {
		t.Errorf("after the rebuild the calendar parts hold %q, want %q", got, want)
	}

	// A children's device set up while the page is built again.
	eval[bool](b, holdAnswers)
	eval[bool](b, `(window.__hold = (p, m) => p === '/api/family/child-devices' && m === 'POST', true)`)
	b.click(`.child-device-form button[type=submit]`)
	b.waitJS("the set-up answer held", `window.__held.length === 1`, 5*time.Second)
	eval[bool](b, `(window.__hold = () => false, true)`)
	rebuilt("the Family page built again during the set-up", `document.querySelector('#child-device-name')`)
	eval[bool](b, `(window.__release(), true)`)
	b.waitJS("this device set up, on the new page", `document.querySelector('.this-device')?.textContent.includes('Kitchen tablet')
		&& !document.querySelector('#child-device-name')`, 5*time.Second)
}

// holdSends wraps the page's fetch: __holdBefore(path, method) keeps a
// request from being sent until __sendHeld() (the server has not seen
// it); __holdAfter keeps its answer, the server's work done, until
// __answerHeld().
const holdSends = `(() => {
	const real = window.fetch;
	window.__before = [];
	window.__after = [];
	window.__holdBefore = () => false;
	window.__holdAfter = () => false;
	window.__sendHeld = () => { for (const r of window.__before.splice(0)) r(); };
	window.__answerHeld = () => { for (const r of window.__after.splice(0)) r(); };
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		const m = opts?.method ?? 'GET';
		if (window.__holdBefore(url.pathname, m)) await new Promise((r) => window.__before.push(r));
		const after = window.__holdAfter(url.pathname, m);
		const res = await real(input, opts);
		if (after) await new Promise((r) => window.__after.push(r));
		return res;
	};
	return true;
})()`

// TestBrowserNotifySaveBeatsOlderRead: Ana's notification settings Save
// (a lead time of 45 minutes) is not yet at the server when another
// device's new time zone builds the page again; the new page reads the
// settings (the old ones) and that answer comes late, after the Save's
// "Notification settings saved.". The form keeps 45. Before, the late
// read filled the form with the old lead time under that line.
func TestBrowserNotifySaveBeatsOlderRead(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	rebuilt := rebuildBy(t, c, ana, b, "Asia/Tokyo")
	lead := `#notify input[name=task_lead_minutes]`
	b.waitJS("the notification settings", `document.querySelector('`+lead+`')?.value !== ''`, 10*time.Second)
	if eval[string](b, `document.querySelector('`+lead+`').value`) == "45" {
		t.Fatal("the lead time is 45 already")
	}
	eval[bool](b, holdSends)
	b.setValue(lead, "45")
	eval[bool](b, `(window.__holdBefore = (p, m) => p === '/api/notifications/settings' && m === 'PATCH', true)`)
	b.click(`#notify form.notify-form button[type=submit]`)
	b.waitJS("the Save held before it is sent", `window.__before.length === 1`, 5*time.Second)
	eval[bool](b, `(window.__holdBefore = () => false, window.__holdAfter = (p, m) => p === '/api/notifications/settings' && m === 'GET', true)`)
	rebuilt("the page built again, its read held", `window.__after.length === 1`)
	eval[bool](b, `(window.__holdAfter = () => false, window.__sendHeld(), true)`)
	b.waitJS("the Save answered", `document.querySelector('#notify-saved')?.textContent === 'Notification settings saved.'`, 5*time.Second)
	eval[bool](b, `(window.__answerHeld(), true)`)
	b.waitJS("the late read taken", `!document.querySelector('#notify').hasAttribute('aria-busy')`, 5*time.Second)
	got := eval[string](b, `document.querySelector('`+lead+`').value + '|' + document.querySelector('#notify-saved').textContent`)
	if want := "45|Notification settings saved."; got != want {
		t.Errorf("after the late read the form shows %q, want %q", got, want)
	}
	if s := restAs(t, ana, c.a, "GET", "/api/notifications/settings", nil); s["member"].(map[string]any)["task_lead_minutes"] != float64(45) {
		t.Errorf("the server holds %v", s["member"])
	}
}

// TestBrowserNotifyDroppedReadReadAgain: Ana's notification settings Save
// (a lead time of 45 minutes) is done at the server but its answer is
// held; her other device then sets the calendar lead time to 90, and this
// page begins a read (the window gets the focus back), held too. The Save's
// answer comes first (45, the old calendar lead time), then the read's: it
// began before the Save's answer, so it is dropped, and the page reads
// again. The form ends showing 45 and 90. Before, it kept the old calendar
// lead time until the next read.
func TestBrowserNotifyDroppedReadReadAgain(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	lead := `#notify input[name=task_lead_minutes]`
	cal := `#notify input[name=calendar_lead_minutes]`
	b.waitJS("the notification settings", `document.querySelector('`+cal+`')?.value !== ''`, 10*time.Second)
	if eval[string](b, `document.querySelector('`+cal+`').value`) == "90" {
		t.Fatal("the calendar lead time is 90 already")
	}
	eval[bool](b, holdSends)
	b.setValue(lead, "45")
	// Only the Save's answer first: a read the click's focus may begin is not the one held.
	eval[bool](b, `(window.__holdAfter = (p, m) => p === '/api/notifications/settings' && m === 'PATCH', true)`)
	b.click(`#notify form.notify-form button[type=submit]`)
	b.waitJS("the Save done, its answer held", `window.__after.length === 1`, 5*time.Second)
	restAs(t, ana, c.b, "PATCH", "/api/notifications/settings", map[string]any{"member": map[string]any{"calendar_lead_minutes": 90}})
	eval[bool](b, `(window.__holdAfter = (p, m) => p === '/api/notifications/settings' && m === 'GET', window.dispatchEvent(new Event('focus')), true)`)
	b.waitJS("the read held", `window.__after.length === 2`, 5*time.Second)
	eval[bool](b, `(window.__holdAfter = () => false, window.__after.shift()(), true)`)
	b.waitJS("the Save answered", `document.querySelector('#notify-saved')?.textContent === 'Notification settings saved.'`, 5*time.Second)
	eval[bool](b, `(window.__answerHeld(), true)`)
	b.waitJS("the other device's calendar lead time shown", `document.querySelector('`+cal+`').value === '90'
		&& document.querySelector('`+lead+`').value === '45'`, 5*time.Second)
}
