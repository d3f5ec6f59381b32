package http

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// ValidDeviceID, checked by hand, accepts what the regexp it replaced did.
func TestValidDeviceIDAsRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)
	ids := []string{"", "a", "ana-phone", "laptop_a.1:2", strings.Repeat("x", 64), strings.Repeat("x", 65),
		"a b", "a\n", "ä", "a/b", "a\x00", "-", "A-Z", "\xff"}
	for c := range 256 {
		ids = append(ids, string([]byte{byte(c)}), "ok"+string([]byte{byte(c)}))
	}
	for _, id := range ids {
		if got, want := ValidDeviceID(id), re.MatchString(id); got != want {
			t.Errorf("ValidDeviceID(%q) = %v, the regexp says %v", id, got, want)
		}
	}
}

// A request without a session costs authentication no allocation: the
// query (a map) is parsed only where a realtime ticket may be.
func TestAuthenticateParsesNoQuery(t *testing.T) {
	s := &Server{}
	r := httptest.NewRequest("GET", "/api/shopping/lists?since=5&limit=10", nil)
	r.Header.Set("X-Device-ID", "ana-phone")
	if n := testing.AllocsPerRun(100, func() {
		if a, err := s.Authenticate(r); a != nil || err != nil {
			t.Fatal(a, err)
		}
	}); n != 0 {
		t.Errorf("Authenticate allocates %v times, want 0", n)
	}
}

// FuzzValidDeviceIDAsRegexp: the same on random ids (the test above runs
// its seeds).
//
//	go test -run '^$' -fuzz FuzzValidDeviceIDAsRegexp -fuzztime 30s ./http/
func FuzzValidDeviceIDAsRegexp(f *testing.F) {
	re := regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)
	for _, id := range []string{"", "ana-phone", strings.Repeat("x", 64), strings.Repeat("x", 65), "a\n", "ä", "\xff", "K\u212a"} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if got, want := ValidDeviceID(id), re.MatchString(id); got != want {
			t.Fatalf("ValidDeviceID(%q) = %v, the regexp says %v", id, got, want)
		}
	})
}
