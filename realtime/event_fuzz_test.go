package realtime

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// The hand-written decoder and encoder of an event against encoding/json,
// on random input (go test -fuzz). The seeds below run as ordinary tests;
// those marked "found" came out of fuzz runs or are the review's edge cases.
//
//	go test -run '^$' -fuzz '^FuzzParseEventAsJSON$' -fuzztime 2m ./realtime/
//	go test -run '^$' -fuzz '^FuzzParseEventKeys$' -fuzztime 1m ./realtime/
//	go test -run '^$' -fuzz '^FuzzWireBodyAsJSON$' -fuzztime 1m ./realtime/

const (
	fzFam  = "0b1e6a4e-3a56-4a8e-9d43-8e1f0c2b7d11"
	fzID   = "5f0c9a3e-7d1b-4c2a-8e6f-1a2b3c4d5e6f"
	fzList = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
)

// pgPayload is a notice as the trigger writes it (json_build_object's
// spacing), the shape the fast path exists for.
const pgPayload = `{"family_id" : "` + fzFam + `", "seq" : 57, "type" : "SHOPPING_ITEM_UPDATED", "id" : "` + fzID +
	`", "list_id" : "` + fzList + `", "op" : "insert", "version" : 1, "at" : "2026-11-22T08:00:00.123456+01:00", "actor" : "` +
	fzID + `", "device_id" : "phone-1"}`

// checkParseEvent fails when parseEventFast decodes p otherwise than
// json.Unmarshal, or parseEvent answers otherwise than the json-only
// parseEvent it replaced.
func checkParseEvent(t *testing.T, p string) {
	t.Helper()
	var want Event
	wantErr := json.Unmarshal([]byte(p), &want)
	var got Event
	if parseEventFast(p, &got) {
		if wantErr != nil {
			t.Fatalf("%q: decoded by hand, json.Unmarshal refused it: %v", p, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n hand %+v\n json %+v", p, got, want)
		}
	}
	ev, err := parseEvent(p)
	wantOK := wantErr == nil && want.FamilyID != uuid.Nil && want.Seq > 0 && want.Type != ""
	if (err == nil) != wantOK {
		t.Fatalf("parseEvent(%q) = %v; json.Unmarshal: %v, %+v", p, err, wantErr, want)
	}
	if err == nil && !reflect.DeepEqual(ev, want) {
		t.Fatalf("parseEvent(%q):\n got  %+v\n want %+v", p, ev, want)
	}
}

var parseEventSeeds = []string{
	pgPayload,
	strings.NewReplacer(" : ", ":", ", ", ",").Replace(pgPayload),
	"\t\r\n" + strings.ReplaceAll(pgPayload, " ", "\n") + "\r\n",
	// found: keys json matches case-insensitively, or by Unicode folding
	`{"Seq":3,"family_id":"` + fzFam + `","type":"T"}`,
	`{"SEQ":3,"family_id":"` + fzFam + `","type":"T","seq":4}`,
	`{"seq":4,"family_id":"` + fzFam + `","type":"T","Seq":3}`,
	`{"ſeq":3,"family_id":"` + fzFam + `","type":"T"}`,
	`{"device_\u0069d":"x","family_id":"` + fzFam + `","seq":3,"type":"T"}`,
	// duplicates: the last one wins, a null leaves a value field alone
	`{"family_id":"` + fzFam + `","seq":3,"seq":4,"type":"T","type":"U"}`,
	`{"family_id":"` + fzFam + `","seq":3,"seq":null,"type":"T"}`,
	`{"family_id":"` + fzFam + `","family_id":null,"seq":3,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","type":null,"id":null,"op":null,"device_id":null}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","list_id":"` + fzList + `","list_id":null}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","list_id":null,"list_id":"` + fzList + `"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","list_id":"` + fzList + `","list_id":"` + fzID + `"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22T08:00:00Z","at":null}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22T08:00:00Z","at":"bad"}`,
	// found by FuzzParseEventKeys (decoded by hand, as json does)
	`{"family_id":"` + fzFam + `", "seq":3,"type":"T", "seq" : -1,"seq":0 }`,
	`{"family_id":"` + fzFam + `", "seq":3,"type":"T", "type" : ""  ,"seq":0 }`,
	`{"family_id":"` + fzFam + `", "seq":3,"type":"T", "version" : 0 ,"seq":0 }`,
	`{"family_id":"` + fzFam + `", "seq":3,"type":"T", "id" : "00000000000000000000000000000000","seq":0 }`,
	"\t\t\t{} ",
	// numbers
	`{"family_id":"` + fzFam + `","seq":-0,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":1e3,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":1E3,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","version":-0}`,
	`{"family_id":"` + fzFam + `","seq":9223372036854775807,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":9223372036854775808,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","version":-9223372036854775808}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","version":-9223372036854775809}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","version":1.0}`,
	`{"family_id":"` + fzFam + `","seq":-,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":00,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":true,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":nul,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":nullx,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":3 ,"type":"T"}`,
	// "at" formats
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22T08:00:00+01:00"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22t08:00:00z"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22T08:00:00.123456789123Z"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22T08:00:00,5Z"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22T08:00:00+24:00"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22T08:00:00+23:59"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"0000-01-01T00:00:00Z"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22T08:00:60Z"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":"2026-11-22 08:00:00+00"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":""}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","at":0}`,
	// UUID spellings uuid.Parse takes
	`{"family_id":"{` + fzFam + `}","seq":3,"type":"T"}`,
	`{"family_id":"URN:UUID:` + fzFam + `","seq":3,"type":"T"}`,
	`{"family_id":"` + strings.ToUpper(fzFam) + `","seq":3,"type":"T"}`,
	`{"family_id":"` + strings.ReplaceAll(fzFam, "-", "") + `","seq":3,"type":"T"}`,
	`{"family_id":"x` + fzFam[1:] + `","seq":3,"type":"T"}`,
	`{"family_id":"00000000-0000-0000-0000-000000000000","seq":3,"type":"T"}`,
	// strings: escapes, bytes beyond ASCII, invalid UTF-8, control bytes
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","device_id":"a\u0000b"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","device_id":"a` + "\x7f" + `"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","device_id":"a` + "\xff" + `"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","device_id":"a` + "\t" + `"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T\/U"}`,
	// another key, as a later trigger might add (the fast path leaves
	// those to json, which ignores them), nested values, other types
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","tenant":"x","extra":{"a":[1,2]},"flag":true}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","list_id":{}}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","version":"1"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T","op":1}`,
	// trailing and missing bytes
	`{"family_id":"` + fzFam + `","seq":3,"type":"T"}}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T"}{}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T"}` + "\x00",
	`{"family_id":"` + fzFam + `","seq":3,"type":"T",}`,
	`{,"family_id":"` + fzFam + `","seq":3,"type":"T"}`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T"`,
	`{"family_id":"` + fzFam + `","seq":3,"type":"T}`,
	`{"family_id":"` + fzFam + `" "seq":3,"type":"T"}`,
	`{"family_id"` + fzFam + `","seq":3,"type":"T"}`,
	`{ }`, `{}`, ``, ` `, `[]`, `null`, `"x"`, `{"":1}`, `{"":null}`,
	"\ufeff{}",
}

func TestParseEventSeeds(t *testing.T) {
	for _, p := range parseEventSeeds {
		checkParseEvent(t, p)
	}
}

func FuzzParseEventAsJSON(f *testing.F) {
	for _, p := range parseEventSeeds {
		f.Add(p)
	}
	f.Fuzz(checkParseEvent)
}

// FuzzParseEventKeys puts two fuzzed members into an otherwise valid
// notice, each key one of the Event's (or a spelling json also takes) or a
// fuzzed one, with a fuzzed raw value: random bytes rarely make a key or a
// UUID the fast path then reads on.
func FuzzParseEventKeys(f *testing.F) {
	for _, v := range []string{"4", "-0", "null", `"` + fzList + `"`, `"2026-11-22T08:00:00.5+01:00"`, `"phone-1"`, "1e0", "[]", `"{` + fzList + `}"`} {
		for k := range uint8(len(fuzzKeys)) {
			f.Add(k, v, uint8(1), "5", "", " ")
		}
	}
	f.Add(uint8(255), "1", uint8(255), "2", "x", "")
	f.Fuzz(func(t *testing.T, k1 uint8, v1 string, k2 uint8, v2 string, other, ws string) {
		key := func(i uint8) string {
			if int(i) < len(fuzzKeys) {
				return fuzzKeys[i]
			}
			return other
		}
		if strings.ContainsAny(other, `"\`) {
			return // the key is written quoted, unescaped
		}
		p := `{"family_id":"` + fzFam + `",` + ws + `"seq":3,"type":"T",` + ws + `"` + key(k1) + `"` + ws + `:` + ws + v1 +
			`,"` + key(k2) + `":` + v2 + ws + `}`
		checkParseEvent(t, p)
	})
}

var fuzzKeys = []string{"family_id", "seq", "type", "id", "list_id", "op", "version", "at", "actor", "device_id",
	"Seq", "LIST_ID", "Device_Id", "ſeq", "tenant"}

// checkWireBody fails when wireBody writes other bytes than json.Marshal
// (wireBodyReflect, the encoder it replaced). Where json.Marshal fails (a
// time outside what RFC 3339 can write), the old wireBody panicked; the
// new one must not, and must write a JSON string for "at".
func checkWireBody(t *testing.T, ev Event) {
	t.Helper()
	got := ev.wireBody()
	var probe struct {
		At  json.RawMessage `json:"at"`
		Seq int64           `json:"seq"`
	}
	if err := json.Unmarshal(append([]byte("{"), got...), &probe); err != nil {
		t.Fatalf("wireBody(%+v) = %s: not JSON: %v", ev, got, err)
	}
	if _, err := json.Marshal(ev.At); err != nil {
		if len(probe.At) < 2 || probe.At[0] != '"' {
			t.Fatalf("wireBody(%+v): at %s", ev, probe.At)
		}
		return // json.Marshal has no bytes to compare with
	}
	if want := wireBodyReflect(&ev); string(got) != string(want) {
		t.Fatalf("wireBody\n got  %s\n want %s", got, want)
	}
}

var wireZones = func() []*time.Location {
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("", 0), time.FixedZone("X", -(23*3600 + 59*60 + 59)),
		time.FixedZone("Y", 24*3600), time.FixedZone("Z", -30), time.FixedZone("LMT", 53*60+28)}
	for _, name := range []string{"Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati"} {
		if loc, err := time.LoadLocation(name); err == nil {
			zones = append(zones, loc)
		}
	}
	return zones
}()

func FuzzWireBodyAsJSON(f *testing.F) {
	f.Add(int64(57), int64(1), "SHOPPING_ITEM_UPDATED", "insert", "phone-1", int64(1795334400), int64(123456000), uint8(0), true, []byte(fzID+fzList))
	f.Add(int64(0), int64(0), "", "", "", int64(0), int64(0), uint8(1), false, []byte{})
	f.Add(int64(-1), int64(-1), "<&>", "\u2028\u2029", "bad\xffutf8\x00\x1f\x7f", int64(-62135596800), int64(0), uint8(3), true, []byte{0xff})
	f.Add(int64(1), int64(1), "T", "o", "d", int64(253402300799), int64(999999999), uint8(4), false, []byte{}) // 9999-12-31T23:59:59.999999999Z
	f.Add(int64(1), int64(1), "T", "o", "d", int64(253402300800), int64(0), uint8(0), false, []byte{})         // year 10000
	f.Add(int64(1), int64(1), "T", "o", "d", int64(-62167219201), int64(0), uint8(0), false, []byte{})         // year -1
	f.Add(int64(1), int64(1), "T", "o", "d", int64(-5000000000), int64(1), uint8(6), false, []byte{})          // Berlin's LMT
	f.Fuzz(func(t *testing.T, seq, version int64, typ, op, device string, sec, nsec int64, zone uint8, ptrs bool, ids []byte) {
		var u [4]uuid.UUID
		for i := range u {
			copy(u[i][:], ids[min(len(ids), 16*i):])
		}
		ev := Event{FamilyID: u[3], Seq: seq, Type: typ, ID: u[0], Op: op, Version: version,
			At: time.Unix(sec, nsec).In(wireZones[int(zone)%len(wireZones)]), DeviceID: device}
		if ptrs {
			ev.ListID, ev.Actor = &u[1], &u[2]
		}
		checkWireBody(t, ev)
	})
}

func TestWireBodySeeds(t *testing.T) {
	for i, at := range []time.Time{{}, time.Unix(253402300800, 0), time.Unix(-62167219201, 0).UTC(),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)), time.Date(2026, 1, 1, 0, 0, 0, 1, time.FixedZone("", -30))} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			checkWireBody(t, Event{Seq: 1, Type: "T", Op: "update", At: at, DeviceID: "d\xff"})
		})
	}
}
