package main

import (
	"testing"
	"time"
)

// TestBrowserDeleteFamilyFocusAfterRebuild: Ana has the delete-the-family
// dialog open when another device's new time zone builds the Family page
// again; she cancels, and the focus goes back to the new page's "Delete
// the family" button. Before, that button had no data-key: the one the
// dialog came from was gone, and the focus fell to the page's heading.
func TestBrowserDeleteFamilyFocusAfterRebuild(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	rebuilt := rebuildBy(t, c, ana, b, "Asia/Tokyo")
	b.click(`button[aria-describedby=delete-family-text]`)
	b.waitJS("the dialog", dialogOpen, 5*time.Second)
	rebuilt("the Family page built again", `document.querySelector('button[aria-describedby=delete-family-text]')`)
	b.click(`dialog[open] .actions button[type=button]`)
	b.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	if on := eval[string](b, `document.activeElement?.getAttribute('aria-describedby') ?? document.activeElement?.tagName ?? ''`); on != "delete-family-text" {
		t.Errorf("after Cancel the focus is on %q, want the new page's Delete the family button", on)
	}
}
