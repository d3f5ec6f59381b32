package main

import (
	"testing"
	"time"
)

// TestBrowserNotifyStatusNewLanguage: Ana presses "Send a test" in the
// notifications part with no device receiving ("Nothing sent: ...")
// and switches the app to German: the page built
// again says that line in German. Before, the line was not handed to the
// page built in place: it was gone.
func TestBrowserNotifyStatusNewLanguage(t *testing.T) {
	browserTest(t)
	_, _, _, b := anaOnFamilyPage(t)
	b.waitJS("the notifications part read", `!document.querySelector('.notify-body')?.hidden && !document.querySelector('#notify-test').disabled`, 10*time.Second)
	b.click(`#notify-test`)
	b.waitJS("the test sent, in English", `document.querySelector('#notify-status').textContent === 'Nothing sent: no device of yours receives notifications yet. Turn them on for this device first.'`, 10*time.Second)
	b.setValue(`#lang-select`, "de")
	b.waitJS("the page in German", `document.querySelector('#h-settings')?.textContent === 'Familieneinstellungen'`, 10*time.Second)
	const de = "Nichts gesendet: noch keines deiner Geräte erhält Benachrichtigungen. Schalte sie zuerst für dieses Gerät ein."
	b.waitJS("the line in German", `document.querySelector('#notify-status')?.textContent === '`+de+`'`, 10*time.Second)
}

// TestBrowserChildDeviceLineNewLanguage: Ana sets up this browser as a
// children's device, but it cannot keep the device key (storage refused):
// the form says so; she switches the app to German: the page built again
// says it in German. Before, the English line was not carried into
// another language and the form said nothing.
func TestBrowserChildDeviceLineNewLanguage(t *testing.T) {
	browserTest(t)
	_, _, _, b := anaOnFamilyPage(t)
	eval[bool](b, `(() => {
		const set = Storage.prototype.setItem;
		Storage.prototype.setItem = function (k, v) {
			if (k === 'familyhub.childDevice') throw new DOMException('full', 'QuotaExceededError');
			return set.call(this, k, v);
		};
		return true;
	})()`)
	b.setValue(`#child-device-name`, "Kitchen tablet")
	b.click(`.child-device-form button[type=submit]`)
	const line = `document.querySelector('.child-device-form .form-error:not([hidden])')?.textContent`
	b.waitJS("the line in English", line+` === 'This browser cannot keep the device key. Allow it to store data for this site and try again.'`, 10*time.Second)
	b.setValue(`#lang-select`, "de")
	b.waitJS("the page in German", `document.querySelector('#h-settings')?.textContent === 'Familieneinstellungen'`, 10*time.Second)
	const de = "Dieser Browser kann den Geräteschlüssel nicht speichern. Erlaube ihm, Daten für diese Seite zu speichern, und versuch es noch einmal."
	b.waitJS("the line in German", line+` === '`+de+`'`, 10*time.Second)
}

// TestBrowserMemberStatusNewLanguage: Ana makes Ben a child ("Ben is now:
// Child.") and switches the app to German: the page built again says the
// line in German, the role too. Before, the English line was dropped.
func TestBrowserMemberStatusNewLanguage(t *testing.T) {
	browserTest(t)
	_, _, ben, b := anaOnFamilyPage(t)
	b.setValue(`[data-key="role-`+ben.userID+`"]`, "child")
	const line = `document.querySelector('.member-status')?.textContent`
	b.waitJS("the line in English", line+` === 'Ben is now: Child.'`, 10*time.Second)
	b.setValue(`#lang-select`, "de")
	b.waitJS("the page in German", `document.querySelector('#h-settings')?.textContent === 'Familieneinstellungen'`, 10*time.Second)
	b.waitJS("the line in German", line+` === 'Neue Rolle von Ben: Kind.'`, 10*time.Second)
}

// TestBrowserDevicesStatusNewLanguage: Ana signs out her other devices
// ("1 device signed out.") and switches the app to German: the page built
// again says the line in German. Before, the English line was dropped.
func TestBrowserDevicesStatusNewLanguage(t *testing.T) {
	browserTest(t)
	_, _, _, b := anaOnFamilyPage(t)
	b.waitJS("another device signed in", `document.querySelectorAll('li.session[data-current=false]').length === 1`, 10*time.Second)
	b.clickText(`button`, "Sign out other devices")
	b.click(`dialog[open] button.danger`)
	const line = `document.querySelector('li.session')?.closest('section').querySelector('p[role=status]')?.textContent`
	b.waitJS("the line in English", line+` === '1 device signed out.'`, 10*time.Second)
	b.setValue(`#lang-select`, "de")
	b.waitJS("the page in German", `document.querySelector('#h-settings')?.textContent === 'Familieneinstellungen'`, 10*time.Second)
	b.waitJS("the line in German", line+` === '1 Gerät abgemeldet.'`, 10*time.Second)
}

// TestBrowserDeviceEndedNewLanguage: Ana signs out her other device (a
// program: "Another app or browser is signed out.") and switches the app
// to German: the line is German throughout, the device's name too.
// Before, the name stayed in English inside the German sentence.
func TestBrowserDeviceEndedNewLanguage(t *testing.T) {
	browserTest(t)
	_, _, _, b := anaOnFamilyPage(t)
	b.waitJS("another device signed in", `document.querySelectorAll('li.session[data-current=false]').length === 1`, 10*time.Second)
	b.click(`li.session[data-current=false] button`)
	const line = `document.querySelector('li.session')?.closest('section').querySelector('p[role=status]')?.textContent`
	b.waitJS("the line in English", line+` === 'Another app or browser is signed out.'`, 10*time.Second)
	b.setValue(`#lang-select`, "de")
	b.waitJS("the page in German", `document.querySelector('#h-settings')?.textContent === 'Familieneinstellungen'`, 10*time.Second)
	b.waitJS("the line in German", line+` === 'Eine andere App oder ein anderer Browser ist abgemeldet.'`, 10*time.Second)
}
