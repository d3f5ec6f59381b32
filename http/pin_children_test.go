package http

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPINChildren: a children's device is offered the display names of its
// own family's children with a PIN, and nothing else; a wrong or revoked
// key answers like a failed PIN sign-in and counts against the same
// per-address limit (so neither endpoint tells keys apart).
func TestPINChildren(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	f, g := newFamilyOfThree(t, env), newFamilyOfThree(t, env)
	device := func(fam *family) childDeviceJSON {
		var dev childDeviceJSON
		fam.clients["owner"].must(http.StatusCreated, "POST", "/api/family/child-devices", map[string]any{"name": "Kitchen tablet"}).decode(t, &dev)
		return dev
	}
	fDev, gDev := device(f), device(g)
	tablet := env.newClient()
	children := func(key string, want int) response {
		t.Helper()
		return tablet.must(want, "POST", "/api/auth/pin/children", map[string]any{"device_key": key})
	}
	// No child has a PIN yet: nobody to offer.
	if got := string(children(fDev.DeviceKey, http.StatusOK).body); got != `{"names":[]}`+"\n" && got != `{"names":[]}` {
		t.Fatalf("before any PIN: %s", got)
	}
	for _, fam := range []*family{f, g} {
		fam.clients["owner"].must(http.StatusNoContent, "PUT", "/api/family/members/"+fam.ids["child"].String()+"/pin", map[string]any{"pin": "1234"})
	}
	// Only the names of the device's own family's children: no ids, no adults.
	for _, c := range []struct {
		key  string
		fam  *family
		name string
	}{{fDev.DeviceKey, f, "f"}, {gDev.DeviceKey, g, "g"}} {
		want := fmt.Sprintf(`{"names":["child %d"]}`, c.fam.n)
		if got := string(children(c.key, http.StatusOK).body); got != want && got != want+"\n" {
			t.Fatalf("family %s: %s, want %s", c.name, got, want)
		}
	}
	// A wrong or revoked key is the PIN sign-in's 401.
	pin := tablet.must(http.StatusUnauthorized, "POST", "/api/auth/pin",
		map[string]any{"device_key": "nope", "family_code": fDev.FamilyCode, "name": "x", "pin": "1234"})
	if got := children("nope", http.StatusUnauthorized); string(got.body) != string(pin.body) {
		t.Fatalf("wrong key: %s, PIN sign-in: %s", got.body, pin.body)
	}
	children("", http.StatusUnauthorized)
	f.clients["owner"].must(http.StatusNoContent, "DELETE", "/api/family/child-devices/"+fDev.ID.String(), nil)
	children(fDev.DeviceKey, http.StatusUnauthorized)

	// Wrong keys from one address, on either endpoint, refuse that address
	// every key, right ones too; another address is not affected.
	prober := env.newClient()
	prober.header.Set("X-Forwarded-For", "203.0.113.77")
	for i := 0; i < db.MaxDeviceKeyFailuresPerAddr; i++ {
		if i%2 == 0 {
			prober.must(http.StatusUnauthorized, "POST", "/api/auth/pin/children", map[string]any{"device_key": fmt.Sprint("guess ", i)})
		} else {
			prober.must(http.StatusUnauthorized, "POST", "/api/auth/pin",
				map[string]any{"device_key": fmt.Sprint("guess ", i), "family_code": gDev.FamilyCode, "name": "child", "pin": "1234"})
		}
	}
	r := prober.must(http.StatusTooManyRequests, "POST", "/api/auth/pin/children", map[string]any{"device_key": gDev.DeviceKey})
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	prober.must(http.StatusTooManyRequests, "POST", "/api/auth/pin/children", map[string]any{"device_key": "guess again"})
	prober.must(http.StatusTooManyRequests, "POST", "/api/auth/pin",
		map[string]any{"device_key": gDev.DeviceKey, "family_code": gDev.FamilyCode, "name": fmt.Sprint("child ", g.n), "pin": "1234"})
	children(gDev.DeviceKey, http.StatusOK)
	tablet.must(http.StatusOK, "POST", "/api/auth/pin",
		map[string]any{"device_key": gDev.DeviceKey, "family_code": gDev.FamilyCode, "name": fmt.Sprint("child ", g.n), "pin": "1234"})
}

// TestRevokedDeviceKey: a revoked children's device that keeps sending its
// key (it did not hear of the revocation) is told device_revoked, on both
// endpoints, and is not counted against its address: however often it
// tries, the family's other children's devices on the same network still
// sign in. Unknown keys are still counted, and even at that limit a
// revoked key still hears device_revoked, so the app forgets it; each
// counted guess is a warning with its address. Revoked tries are logged
// with the address and the endpoint, never the key or its hash, at most
// once per address (an IPv6 /64, as tries are counted) per
// logThrottleEvery, the next line saying how many were left out (before,
// a line per try: a script or an old cached app that kept sending a
// revoked key filled the log for the 90 days its hash is kept).
func TestRevokedDeviceKey(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	var logged dbtest.LogBuffer
	env.server.logger = slog.New(slog.NewTextHandler(&logged, nil))
	f := newFamilyOfThree(t, env)
	owner := f.clients["owner"]
	owner.must(http.StatusNoContent, "PUT", "/api/family/members/"+f.ids["child"].String()+"/pin", map[string]any{"pin": "1234"})
	var gone, kept childDeviceJSON
	owner.must(http.StatusCreated, "POST", "/api/family/child-devices", map[string]any{"name": "Old tablet"}).decode(t, &gone)
	owner.must(http.StatusCreated, "POST", "/api/family/child-devices", map[string]any{"name": "Kitchen tablet"}).decode(t, &kept)
	owner.must(http.StatusNoContent, "DELETE", "/api/family/child-devices/"+gone.ID.String(), nil)
	var list []childDeviceJSON
	owner.must(http.StatusOK, "GET", "/api/family/child-devices", nil).decode(t, &list)
	if len(list) != 1 || list[0].ID != kept.ID {
		t.Fatalf("devices after the revoke: %+v", list)
	}
	// Both tablets on one home network.
	home := func() *client {
		c := env.newClient()
		c.header.Set("X-Forwarded-For", "203.0.113.91")
		return c
	}
	old, kitchen := home(), home()
	name := fmt.Sprint("child ", f.n)
	pin := func(c *client, key string, want int) response {
		t.Helper()
		return c.must(want, "POST", "/api/auth/pin", map[string]any{"device_key": key, "family_code": kept.FamilyCode, "name": name, "pin": "1234"})
	}
	revoked := func(r response) {
		t.Helper()
		if e := r.errorBody(t); e.Code != "device_revoked" {
			t.Fatalf("revoked key: %s", r.body)
		}
	}
	for i := range 2 * db.MaxDeviceKeyFailuresPerAddr {
		if i%2 == 0 {
			revoked(old.must(http.StatusUnauthorized, "POST", "/api/auth/pin/children", map[string]any{"device_key": gone.DeviceKey}))
		} else {
			revoked(pin(old, gone.DeviceKey, http.StatusUnauthorized))
		}
	}
	kitchen.must(http.StatusOK, "POST", "/api/auth/pin/children", map[string]any{"device_key": kept.DeviceKey})
	pin(kitchen, kept.DeviceKey, http.StatusOK)
	revokedLines := func() []string {
		var lines []string
		for _, l := range strings.Split(logged.String(), "\n") {
			if strings.Contains(l, `msg="revoked children's device refused"`) {
				lines = append(lines, l)
			}
		}
		return lines
	}
	// 2×MaxDeviceKeyFailuresPerAddr revoked tries from one address: one line.
	lines := revokedLines()
	if len(lines) != 1 {
		t.Fatalf("%d revoked tries from one address logged %d lines, want 1:\n%s", 2*db.MaxDeviceKeyFailuresPerAddr, len(lines), logged.String())
	}
	if l := lines[0]; !strings.Contains(l, " level=INFO ") || !strings.HasSuffix(l, "client_addr=203.0.113.91 path=/api/auth/pin/children") {
		t.Fatalf("the first revoked try logged as %s", l)
	}
	// Another address has its own line; two of one IPv6 /64 share one.
	from := func(addr string) {
		c := env.newClient()
		c.header.Set("X-Forwarded-For", addr)
		revoked(pin(c, gone.DeviceKey, http.StatusUnauthorized))
	}
	for _, addr := range []string{"203.0.113.92", "2001:db8:1:2::5", "2001:db8:1:2::6"} {
		from(addr)
	}
	lines = revokedLines()
	if len(lines) != 3 || !strings.HasSuffix(lines[1], "client_addr=203.0.113.92 path=/api/auth/pin") ||
		!strings.HasSuffix(lines[2], "client_addr=2001:db8:1:2::5 path=/api/auth/pin") {
		t.Fatalf("revoked tries from three more addresses, two in one /64: %d lines in all, want 3:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	// Once logThrottleEvery has passed (the entry made older), the home
	// address's next try is logged again, with the tries left out.
	env.server.revokedKeyLog.mu.Lock()
	e := env.server.revokedKeyLog.seen["203.0.113.91"]
	e.at = e.at.Add(-logThrottleEvery)
	env.server.revokedKeyLog.seen["203.0.113.91"] = e
	env.server.revokedKeyLog.mu.Unlock()
	revoked(pin(old, gone.DeviceKey, http.StatusUnauthorized))
	lines = revokedLines()
	want := fmt.Sprintf("client_addr=203.0.113.91 path=/api/auth/pin unlogged_since=%d", 2*db.MaxDeviceKeyFailuresPerAddr-1)
	if len(lines) != 4 || !strings.HasSuffix(lines[3], want) {
		t.Fatalf("a revoked try ten minutes on: %d lines in all, want 4, the last ending %q:\n%s", len(lines), want, strings.Join(lines, "\n"))
	}
	// Unknown keys are counted as before: the address is refused every
	// key, but a revoked one still hears that it was revoked.
	for i := range db.MaxDeviceKeyFailuresPerAddr {
		if e := old.must(http.StatusUnauthorized, "POST", "/api/auth/pin/children", map[string]any{"device_key": fmt.Sprint("guess ", i)}).errorBody(t); e.Code != "unauthorized" {
			t.Fatalf("unknown key: %+v", e)
		}
	}
	home().must(http.StatusTooManyRequests, "POST", "/api/auth/pin/children", map[string]any{"device_key": kept.DeviceKey})
	revoked(pin(home(), gone.DeviceKey, http.StatusUnauthorized))
	if n := len(revokedLines()); n != 4 {
		t.Fatalf("a revoked try at the address's limit, within ten minutes of its last line: %d revoked lines in all, want 4", n)
	}
	// Each counted guess is a warning with its address (they are soon
	// refused, 429, so not throttled); the refused and the revoked tries
	// after them are none.
	guesses := 0
	for l := range strings.Lines(logged.String()) {
		if strings.Contains(l, ` level=WARN msg="children's device key refused"`) {
			guesses++
			if !strings.HasSuffix(l, " client_addr=203.0.113.91\n") {
				t.Fatalf("a guessed key logged as %s", l)
			}
		}
	}
	if guesses != db.MaxDeviceKeyFailuresPerAddr || strings.Contains(logged.String(), "PIN sign-in failed") {
		t.Fatalf("%d guessed keys logged %d warnings, want one each and no failed PIN sign-in:\n%s", db.MaxDeviceKeyFailuresPerAddr, guesses, logged.String())
	}

	// No line holds the key or its hash, in any of the ways a handler
	// could write it: slog's TextHandler writes a []byte as a quoted
	// string, fmt as a list of numbers, JSON as base64.
	hash := db.HashToken("child-device:" + gone.DeviceKey)
	for _, secret := range []string{gone.DeviceKey, hex.EncodeToString(hash), base64.StdEncoding.EncodeToString(hash),
		base64.RawURLEncoding.EncodeToString(hash), strconv.Quote(string(hash)), fmt.Sprint(hash)} {
		if strings.Contains(strings.ToLower(logged.String()), strings.ToLower(secret)) {
			t.Fatalf("the log holds the key or its hash (%s):\n%s", secret, logged.String())
		}
	}
}

// TestPINChildrenOverlongPIN: a PIN longer than db.MaxPINDigits or an
// over-long name, with a valid or an unknown device key, is counted per
// address like a wrong key: answered 401 like any wrong try, then 429, so
// an unauthenticated client cannot make the server log a warning per
// request without end.
func TestPINChildrenOverlongPIN(t *testing.T) {
	t.Parallel()
	env := roleEnv(t)
	var logged dbtest.LogBuffer
	env.server.logger = slog.New(slog.NewTextHandler(&logged, nil))
	f := newFamilyOfThree(t, env)
	var dev childDeviceJSON
	f.clients["owner"].must(http.StatusCreated, "POST", "/api/family/child-devices", map[string]any{"name": "Kitchen tablet"}).decode(t, &dev)
	c := env.newClient()
	c.header.Set("X-Forwarded-For", "203.0.113.93")
	try := func(i int, want int) {
		t.Helper()
		key, name, pin := dev.DeviceKey, "x", strings.Repeat("1", db.MaxPINDigits+1)
		if i%3 == 1 {
			key = "x"
		} else if i%3 == 2 {
			name, pin = strings.Repeat("n", 4*familyhub.MaxDisplayNameLen+1), "1234"
		}
		c.must(want, "POST", "/api/auth/pin", map[string]any{"device_key": key, "family_code": dev.FamilyCode, "name": name, "pin": pin})
	}
	for i := range db.MaxDeviceKeyFailuresPerAddr {
		try(i, http.StatusUnauthorized)
	}
	for i := range 3 * db.MaxDeviceKeyFailuresPerAddr {
		try(i, http.StatusTooManyRequests)
	}
	if n := strings.Count(logged.String(), `level=WARN msg="PIN sign-in failed"`); n > db.MaxDeviceKeyFailuresPerAddr {
		t.Fatalf("%d over-long tries logged %d warnings, want at most %d", 4*db.MaxDeviceKeyFailuresPerAddr, n, db.MaxDeviceKeyFailuresPerAddr)
	}
}
