package main

import (
	"testing"
	"time"
)

// TestBrowserFamilyLinesNewLanguage: Ana's Family page says "Saved." under
// the family settings and refuses 5000 minutes in the notification
// settings; she switches the app to German and the page is built again
// in German. "Saved." is said in German and the English refusal is not
// kept (her 5000 is; the refusal is said in German:
// TestBrowserFormErrorLinesNewLanguage). Before, both lines stayed in English on the German
// page.
func TestBrowserFamilyLinesNewLanguage(t *testing.T) {
	browserTest(t)
	_, _, _, b := anaOnFamilyPage(t)
	b.waitJS("the notification settings", `document.querySelector('#notify input[name=task_lead_minutes]')?.value !== ''`, 10*time.Second)
	b.setValue(`#notify input[name=task_lead_minutes]`, "5000")
	b.click(`#notify form.notify-form button[type=submit]`)
	b.waitJS("the refusal", `document.querySelector('#notify .form-error')?.checkVisibility()`, 5*time.Second)
	refusal := visibleText(b, `#notify .form-error`)
	b.setValue(`#family-name`, "Saved here")
	b.click(`.settings-form button[type=submit]`)
	b.waitJS("saved", `document.querySelector('.settings-form [role=status]').textContent === 'Saved.'`, 5*time.Second)

	b.setValue(`#lang-select`, "de")
	b.waitJS("the page in German", `document.querySelector('#h-settings')?.textContent === 'Familieneinstellungen'
		&& document.querySelector('#notify input[name=task_lead_minutes]')?.value === '5000'`, 10*time.Second)
	if got := eval[string](b, `document.querySelector('.settings-form [role=status]').textContent`); got != "Gespeichert." {
		t.Errorf("in German the settings' line says %q, want %q", got, "Gespeichert.")
	}
	if got := visibleText(b, `#notify .form-error`); got == refusal {
		t.Errorf("in German the notification settings' error line still says %q", got)
	}
}
