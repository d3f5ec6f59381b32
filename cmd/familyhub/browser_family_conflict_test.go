package main

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserFamilySettingsConflict: Ana edits the family name on her
// laptop and on her phone (each on its own replica); the phone saves
// first. The laptop's Save is refused (If-Match, 412) and says so on the
// form: the phone's name and hers, her words still in the field, the
// family still named as the phone saved it. "Keep mine" then saves hers
// over it. Before, the laptop's Save silently overwrote the phone's name.
// A name saved with a trailing space no longer counts as being edited, and
// a refusal because another field changed is sent again by itself.
// The German words of the same conflict are checked in
// TestBrowserFamilyGerman.
func TestBrowserFamilySettingsConflict(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	laptop := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	phone := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	signInAll(t, func() { laptop.login(c.a.URL(), "ana@example.org") }, func() { phone.login(c.b.URL(), "ana@example.org") })
	laptop.goFamily()
	phone.goFamily()
	laptop.setValue(`#family-name`, "Rivera-Lopez")
	phone.setValue(`#family-name`, "The Riveras")
	family := func() map[string]any {
		return restAs(t, ana, c.a, "GET", "/api/me", nil)["family"].(map[string]any)
	}

	phone.click(`.settings-form button[type=submit]`)
	waitUntil(t, "the phone's name saved", 5*time.Second, func() bool { return family()["name"] == "The Riveras" })
	laptop.click(`.settings-form button[type=submit]`)
	laptop.waitJS("the conflict on the laptop's form", `!document.querySelector('.settings-conflict').hidden`, 5*time.Second)
	said := eval[string](laptop, `document.querySelector('.settings-conflict').textContent`)
	// Her phone's change, so "You": she made it elsewhere.
	for _, want := range []string{"You changed the family name to “The Riveras” elsewhere; here it is “Rivera-Lopez”.", "Keep mine", "Keep theirs"} {
		if !strings.Contains(said, want) {
			t.Errorf("the conflict says %q, want %q in it", said, want)
		}
	}
	if v := eval[string](laptop, `document.querySelector('#family-name').value`); v != "Rivera-Lopez" {
		t.Errorf("the laptop's name field shows %q after the conflict, want what Ana typed there", v)
	}
	if got := family(); got["name"] != "The Riveras" {
		t.Fatalf("the laptop's refused Save renamed the family to %v", got["name"])
	}

	// Keep mine: saved again against the version the refusal answered.
	laptop.clickText(`.settings-conflict button`, "Keep mine")
	waitUntil(t, "the laptop's name saved over the phone's", 5*time.Second, func() bool { return family()["name"] == "Rivera-Lopez" })
	laptop.waitJS("saved, the conflict gone", `document.querySelector('.settings-form [role=status]').textContent === 'Saved.' && document.querySelector('.settings-conflict').hidden`, 5*time.Second)
	// The phone, whose field shows what it saved, follows.
	phone.waitJS("the phone shows the laptop's name", `document.querySelector('#family-name').value === 'Rivera-Lopez'`, 5*time.Second)

	// A name saved with a trailing space (stored trimmed) is not an edit
	// afterwards: the next rename from elsewhere shows in the field.
	// Before, the field kept "Riveras " as if the user were changing it.
	laptop.setValue(`#family-name`, "Riveras ")
	laptop.click(`.settings-form button[type=submit]`)
	waitUntil(t, "the trimmed name saved", 5*time.Second, func() bool { return family()["name"] == "Riveras" })
	restAs(t, ana, c.b, "PATCH", "/api/family", map[string]any{"name": "Rivera"})
	laptop.waitJS("the rename after a name with a trailing space", `document.querySelector('#family-name').value === 'Rivera'`, 5*time.Second)

	// A refusal for another field only is no conflict: with the laptop
	// deaf to events (so its version is old for sure), a time zone saved
	// after the phone's rename meets a 412, takes the new name in and is
	// sent once more by itself.
	eval[bool](laptop, `(window.familyhub.rt.stop(), true)`)
	laptop.setValue(`#family-zone`, "Europe/Vienna")
	restAs(t, ana, c.b, "PATCH", "/api/family", map[string]any{"name": "Rivera family"})
	laptop.click(`.settings-form button[type=submit]`)
	waitUntil(t, "the time zone saved after a 412 for the name", 5*time.Second, func() bool { return family()["time_zone"] == "Europe/Vienna" })
	if got := family(); got["name"] != "Rivera family" {
		t.Errorf("the time zone's Save renamed the family to %v", got["name"])
	}
	laptop.waitJS("no conflict, the new name in the field", `document.querySelector('.settings-conflict').hidden && document.querySelector('#family-name').value === 'Rivera family'`, 5*time.Second)
}
