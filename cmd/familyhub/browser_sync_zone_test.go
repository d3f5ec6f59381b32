package main

import (
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserOfflineLineFamilyZone is ux28 #17: "Offline, last synced
// 19:32" gives the time in the family's zone (Asia/Tokyo), as every other
// time in the app does, on a phone whose own clock is in New York (a
// trip, or a test browser in UTC). Before, it used the device's zone
// (06:32 here), beside an invite "valid until" in the family's. The
// page's clock (pageTimers) is at noon in Tokyo, so the line has no date:
// on the wall clock a Tokyo midnight (15:00 UTC) between the sync and the
// check made it "Offline, last synced 6 Dec, 00:00" and failed the test.
func TestBrowserOfflineLineFamilyZone(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera","time_zone":"Asia/Tokyo"}`)
	seedFamily(t, m, ana)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(tokyo)
	off := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, tokyo).Sub(now) // the page's clock: noon in Tokyo
	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "en-GB", script: pageTimers(off)})
	if _, err := chromedp.Call(phone.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(off)
	phone.login(m.URL(), "ana@example.org")
	phone.goOffline()
	phone.waitJS("offline, with the last sync", `/^Offline, last synced \d{1,2}:\d{2}$/.test(document.getElementById('offline-line').textContent)
		&& document.getElementById('offline-line').checkVisibility()`, 10*time.Second)
	end := time.Now().Add(off)
	got := regexp.MustCompile(`\d{1,2}:\d{2}$`).FindString(eval[string](phone, `document.getElementById('offline-line').textContent`))
	var want []string
	for at := start.Truncate(time.Minute); !at.After(end); at = at.Add(time.Minute) {
		want = append(want, at.In(tokyo).Format("15:04"))
	}
	for _, w := range want {
		if got == w {
			return
		}
	}
	t.Fatalf("last synced %s, want the family's time (Asia/Tokyo) of the last sync, one of %v", got, want)
}
