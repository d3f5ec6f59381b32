package main

import (
	"testing"
)

// TestBrowserOutboxPruneOtherTab: with the newest 200 saved answers kept,
// this tab's oldest answer is one another tab has just answered again (its
// write is stored, its "changed" not heard here yet). This tab's next
// answer drops the oldest one: not the other tab's newer answer to it.
func TestBrowserOutboxPruneOtherTab(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(c.a.URL(), "ana@example.org")
	a.goTo("/tasks", `!!document.querySelector('#main .page-head h1')`)

	got := evalAwait[string](a, `import('/js/outbox-answers.js').then(async (m) => {
		const idb = await import('/js/idb.js');
		for (let i = 0; i < 200; i++) await m.remember('r' + i, { id: 'r' + i, version: 1 });
		// The other tab's answer to r0, stored as its remember() stores it.
		await idb.put('answers', { id: 'r0', record: { id: 'r0', version: 2 }, at: new Date(Date.now() + 1000).toISOString() });
		await m.remember('r200', { id: 'r200', version: 1 });
		const stored = await idb.all('answers');
		await m.readAnswers(); // the other tab's "changed" heard
		return [stored.length, stored.find((a) => a.id === 'r0')?.record.version, stored.some((a) => a.id === 'r1'), m.answerOf('r0')?.version].join();
	})`)
	// 200 kept: r1 (the oldest the other tab did not touch) dropped, r0 at version 2 kept.
	if got != "200,2,false,2" {
		t.Errorf("stored answers, r0's version, r1 kept, r0 known: %s, want 200,2,false,2", got)
	}
}
