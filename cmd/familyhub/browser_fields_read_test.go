package main

import (
	"fmt"
	"testing"
	"time"
)

// TestBrowserFieldsThousands: a recipe's quantity typed with the app's
// language's thousands separator is a thousand, not one: "1,000" in
// English, "1.000" in German (fields.js read both as 1, a thousandth of
// what was meant, and saved it without a word). The other separator, or
// one not followed by three digits, stays the decimal point ("1,5" in
// English, "1.5" and "0.125" in German). A British browser gets the
// British order of day and month, and reads its own dates.
func TestBrowserFieldsThousands(t *testing.T) {
	m, b := fieldsDevice(t, device{"Ana's laptop", laptopW, laptopH, browserOpts{lang: "en-GB"}}, "en")
	readCases(t, b, "en-GB", map[string]map[string]any{
		"decimal": {"1,000": "1000", "12,500": "12500", "1,5": "1.5", "0,125": "0.125", "1,2345": "1.2345", "1.000": "1", "1,000.5": "1000.5"},
		"date":    {"24/12/2026": "2026-12-24", "24/12/26": "2026-12-24", "12/24/2026": nil},
	})
	b.setLang("de")
	readCases(t, b, "de", map[string]map[string]any{
		"decimal": {"1.000": "1000", "2.500": "2500", "1.5": "1.5", "0.125": "0.125", "1,000": "1", "1.000,5": "1000.5"},
	})
	// Austrian German groups with a space ("1 000,5"); a typed "1.000" is
	// still a thousand (it was read as 1).
	at := signedIn(t, m, device{"Lena's phone", phoneW, phoneH, browserOpts{lang: "de-AT"}}, "de")
	readCases(t, at, "de-AT", map[string]map[string]any{
		"decimal": {"1.000": "1000", "1 000": "1000", "1,5": "1.5", "1.5": "1.5", "1.000,5": "1000.5"},
	})
}

// TestBrowserFieldsTimeKeyboard: a time field's phone keyboard can type
// what the app's clock needs: a digit pad on a 24-hour clock (German,
// "1430"), a keyboard with letters on a 12-hour one (US English, "2:30
// pm"), following a language switch. Before, a time field always asked for
// the digit pad: on a phone in US English, PM could not be typed, and
// "230" was read as 2:30 AM.
func TestBrowserFieldsTimeKeyboard(t *testing.T) {
	_, b := fieldsDevice(t, device{"Ben's phone", phoneW, phoneH, browserOpts{lang: "en-US"}}, "en")
	mode := `document.getElementById('kb-time').inputMode + ' ' + document.getElementById('kb-date').inputMode + ' ' + document.getElementById('kb-qty').inputMode`
	evalAwait[bool](b, `import('/js/fields.js').then((f) => { document.body.append(f.localText('time', {id: 'kb-time'}),
		f.localText('date', {id: 'kb-date'}), f.localText('decimal', {id: 'kb-qty'})); return true; })`)
	if got := eval[string](b, mode); got != "text text decimal" {
		t.Errorf("US English: the keyboards (time, date, quantity) are %q, want text text decimal", got)
	}
	b.setLang("de")
	b.waitJS("a digit pad for a German time", mode+` === 'numeric text decimal'`, 5*time.Second)
}

// TestBrowserFieldsQuantityKept: a recipe's quantity shown in a field and
// read back is the same number, every digit of it, in English and German:
// a recipe saved untouched sends the quantities it had. Before, the field
// showed at most six decimals: 0.3333333333 came back 0.333333 and 1e-7 as 0.
func TestBrowserFieldsQuantityKept(t *testing.T) {
	_, b := fieldsDevice(t, device{"Ana's laptop", laptopW, laptopH, browserOpts{lang: "de-DE"}}, "")
	for _, lang := range []string{"de", "en"} {
		b.setLang(lang)
		got := evalAwait[string](b, `import('/js/fields.js').then((f) => ['0.3333333333', '0.0000001', '2.5', '1234.125', '0.30000000000000004']
			.filter((v) => Number(f.readAs('decimal', f.showAs('decimal', v))) !== Number(v)).join(' '))`)
		if got != "" {
			t.Errorf("%s: these quantities changed when shown and read back: %s", lang, got)
		}
	}
}

// TestBrowserFieldsHandOverTyped: a page built again (a language switch,
// another device's change: handover.js) takes over what a date or time
// field holds while it does not read yet, as typed: "22.7x" stays, with
// its Save blocked, and a readable one its value. Before, an unreadable
// field's value was ” like an untouched one's, and what was typed was lost.
func TestBrowserFieldsHandOverTyped(t *testing.T) {
	_, b := fieldsDevice(t, device{"Ana's laptop", laptopW, laptopH, browserOpts{lang: "de-DE"}}, "de")
	got := evalAwait[string](b, `Promise.all([import('/js/fields.js'), import('/js/handover.js')]).then(([f, hv]) => {
		const form = () => { const el = document.createElement('form'); el.append(f.localText('time', {name: 'quiet_start'}), f.localText('time', {name: 'quiet_end'})); document.body.append(el); return el; };
		const raw = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
		const old = form();
		raw.set.call(old.elements.quiet_start, '22.7x');
		old.elements.quiet_start.dispatchEvent(new Event('input'));
		old.elements.quiet_end.value = '06:30';
		const next = form();
		hv.putFields(next, hv.fieldsOf(old));
		return [raw.get.call(next.elements.quiet_start), next.elements.quiet_start.checkValidity(), next.elements.quiet_end.value].join(' | '); })`)
	if want := "22.7x | false | 06:30"; got != want {
		t.Errorf("the new form holds %q, want %q", got, want)
	}
}

// TestBrowserFieldsShortYear: a two-digit year is the one ending in those
// digits from 80 years back to 20 ahead of this year: in 2026 "1.3.27" is
// 2027, "46" 2046, "47" 1947 and a birthday's "99" 1999. Before, a short
// year was always 20xx: Grandma's "3.5.47" was a date 21 years ahead.
func TestBrowserFieldsShortYear(t *testing.T) {
	_, b := fieldsDevice(t, device{"Ana's laptop", laptopW, laptopH, browserOpts{lang: "de-DE"}}, "de")
	year := time.Now().Year()
	short := func(y int) string { return fmt.Sprintf("1.3.%02d", y%100) }
	march := func(y int) string { return fmt.Sprintf("%d-03-01", y) }
	readCases(t, b, "de", map[string]map[string]any{
		"date": {
			short(year + 1): march(year + 1), short(year + 20): march(year + 20), short(year + 21): march(year - 79),
			short(year): march(year), short(year - 50): march(year - 50),
		},
		"datetime": {short(year+21) + " 9:00": march(year-79) + "T09:00"},
	})
}

// TestBrowserFieldsBareLanguage: a browser whose language has no region
// ("de", "en") writes the language's own formats: German 05.12.2026 and
// 14:30, English as Intl's "en" does, the US way (12/05/2026, 2:30 PM).
// docs/pwa.md says so.
func TestBrowserFieldsBareLanguage(t *testing.T) {
	m, de := fieldsDevice(t, device{"Ana's laptop", laptopW, laptopH, browserOpts{lang: "de"}}, "")
	en := signedIn(t, m, device{"Ben's phone", phoneW, phoneH, browserOpts{lang: "en"}}, "")
	shown := `Promise.all([import('/js/fields.js'), import('/js/i18n.js')]).then(([f, i]) => [i.currentLocale(),
		f.showAs('date', '2026-12-05'), f.showAs('time', '14:30'), f.patternOf('date')].join(' | '))`
	for _, c := range []struct {
		b    *browser
		want string
	}{{de, "de | 05.12.2026 | 14:30 | TT.MM.JJJJ"}, {en, "en | 12/05/2026 | 2:30 PM | MM/DD/YYYY"}} {
		if got := evalAwait[string](c.b, shown); got != c.want {
			t.Errorf("%s: locale, date, time and pattern are %q, want %q", c.b.name, got, c.want)
		}
	}
}

// TestBrowserFieldsCaretKept: a focused field whose value is set again
// while the person types in it (another device's change, the page's
// language switched) keeps the caret where they were typing: after the
// same digits, or at the end when it was there. Before, it jumped to the
// end: the next key typed landed after the time, not in the month being
// corrected.
func TestBrowserFieldsCaretKept(t *testing.T) {
	_, b := fieldsDevice(t, device{"Ana's phone", phoneW, phoneH, browserOpts{lang: "de-DE"}}, "de")
	got := evalAwait[string](b, `Promise.all([import('/js/fields.js'), import('/js/i18n.js')]).then(([f, i]) => {
		const el = f.localText('datetime', {id: 'caret'});
		document.body.append(el);
		el.focus();
		const raw = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
		raw.set.call(el, '24.12.26 14.30');
		el.dispatchEvent(new Event('input'));
		const out = [];
		const at = () => out.push(raw.get.call(el) + ' @' + el.selectionStart);
		el.setSelectionRange(6, 6); // after "24.12."
		el.value = '2026-12-24T14:30';
		at();
		i.setLang('en');
		at();
		el.setSelectionRange(16, 16);
		el.value = '2026-12-24T15:30';
		at();
		return out.join(' | '); })`)
	if want := "24.12.2026 14:30 @6 | 24/12/2026 14:30 @6 | 24/12/2026 15:30 @16"; got != want {
		t.Errorf("the field and its caret: %q, want %q", got, want)
	}
}

// TestBrowserFieldsHandOverCaret: a page built again while the person
// types a date (another device's change, handover.js) takes over the text
// as typed with the caret where it was, so typing goes on: "5.12.2", then
// "6", is 5 December 2026. Before, the new field showed "05.12.2002" with
// the caret handed over mid-year, and the "6" made "05.12.62002".
func TestBrowserFieldsHandOverCaret(t *testing.T) {
	_, b := fieldsDevice(t, device{"Ana's phone", phoneW, phoneH, browserOpts{lang: "de-DE"}}, "de")
	got := evalAwait[string](b, `Promise.all([import('/js/fields.js'), import('/js/handover.js')]).then(([f, hv]) => {
		const form = () => { const el = document.createElement('form'); el.append(f.localText('date', {name: 'day'})); document.body.append(el); return el; };
		const raw = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
		const old = form();
		const typed = old.elements.day;
		typed.focus();
		raw.set.call(typed, '5.12.2');
		typed.dispatchEvent(new Event('input'));
		const next = form();
		const fields = hv.fieldsOf(old);
		old.remove();
		hv.putFields(next, fields);
		const el = next.elements.day;
		const before = raw.get.call(el) + ' @' + el.selectionStart + ' ' + (document.activeElement === el);
		el.setRangeText('6', el.selectionStart, el.selectionEnd, 'end');
		el.dispatchEvent(new Event('input'));
		return [before, raw.get.call(el), el.value].join(' | '); })`)
	if want := "5.12.2 @6 true | 5.12.26 | 2026-12-05"; got != want {
		t.Errorf("the new field: %q, want %q", got, want)
	}
}
