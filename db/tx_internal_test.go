package db

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestTxSettingsLiteral: the values go into SQL as literals only when
// nothing in them can end the literal; otherwise the settings are sent
// with parameters. Both forms run the same statement.
func TestTxSettingsLiteral(t *testing.T) {
	id := uuid.New().String()
	for _, tc := range []struct {
		actor, device string
		ok            bool
	}{
		{id, "phone-1", true},
		{"", "", true},
		{id, "caldav", true},
		{id, "a.b_c:d-E9", true},
		{id, strings.Repeat("x", 64), true},
		{id, strings.Repeat("x", 65), false},
		{id, "it's", false},
		{id, `back\slash`, false},
		{id, "two words", false},
		{id, "semi;colon", false},
		{id, "dollar$$", false},
		{id, "nul\x00", false},
		{id, "ü", false},
		{"'; DROP TABLE families; --", "phone", false},
	} {
		for _, announce := range []bool{false, true} {
			set := txSettings{actor: tc.actor, device: tc.device, announce: announce}
			q, ok := set.literal()
			if ok != tc.ok {
				t.Errorf("%q %q: literal ok %v, want %v", tc.actor, tc.device, ok, tc.ok)
				continue
			}
			p, args := set.params()
			if len(args) != 2 || args[0] != tc.actor || args[1] != tc.device {
				t.Errorf("params %v", args)
			}
			if !ok {
				continue
			}
			if want := "EXECUTE " + set.name() + "('" + tc.actor + "', '" + tc.device + "')"; q != want {
				t.Errorf("literal %s, want %s", q, want)
			}
			if strings.Contains(p, "familyhub.announce") != announce || strings.Contains(set.name(), "announce") != announce {
				t.Errorf("announce %v: %s %s", announce, set.name(), p)
			}
		}
	}
}

// TestTxSettingsForms: each form's name and statement, made once, are
// what building them per transaction gave, and asking for them
// allocates nothing (they are asked for on every transaction).
func TestTxSettingsForms(t *testing.T) {
	for _, announce := range []bool{false, true} {
		for _, generic := range []bool{false, true} {
			set := txSettings{actor: "a", device: "d", announce: announce, genericPlans: generic}
			name := "familyhub_tx_settings"
			if announce {
				name += "_announce"
			}
			if generic {
				name += "_generic"
			}
			if set.name() != name {
				t.Errorf("announce %v, generic %v: name %s, want %s", announce, generic, set.name(), name)
			}
			if got, want := set.paramsSQL(), set.sql("$1", "$2"); got != want {
				t.Errorf("announce %v, generic %v: %s, want %s", announce, generic, got, want)
			}
			if n := testing.AllocsPerRun(10, func() { _, _ = set.name(), set.paramsSQL() }); n != 0 {
				t.Errorf("announce %v, generic %v: %v allocations for the name and statement, want 0", announce, generic, n)
			}
		}
	}
}
