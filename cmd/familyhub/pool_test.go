package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// The browser pool's bookkeeping (browser_pool_test.go), tested without a
// browser. Not named TestBrowser...: these open none, and the pool reads
// that prefix as "opens browsers".

// TestPoolNoSparesBeforeOtherTests: the browsers the next test would take
// start after a browser test only when a browser test comes next, not to
// wait idle beside the package's CalDAV, fault and replica tests; and
// TestMain knows the order the tests run in.
func TestPoolNoSparesBeforeOtherTests(t *testing.T) {
	if runOrder == nil {
		t.Skip("the order of the tests is unknown (-shuffle)")
	}
	if !slices.Contains(runOrder, t.Name()) {
		t.Fatalf("TestMain's run order %v lacks this test", runOrder)
	}
	warmBrowsers.Lock()
	kept := warmBrowsers.kept
	warmBrowsers.kept = nil
	warmBrowsers.Unlock()
	saved, savedAgain := runOrder, runAgain
	t.Cleanup(func() {
		runOrder, runAgain = saved, savedAgain
		warmBrowsers.Lock()
		warmBrowsers.kept = append(warmBrowsers.kept, kept...)
		warmBrowsers.Unlock()
	})
	runOrder, runAgain = []string{"TestBrowserLast", "TestCalDAVSomething", "TestBrowserFirst", "TestBrowserSecond"}, false
	if !browserTestAfter("TestBrowserFirst") || browserTestAfter("TestBrowserSecond") || browserTestAfter("TestBrowserLast") {
		t.Fatal("browserTestAfter misreads the order")
	}
	refillAfter("TestBrowserLast")
	warmBrowsers.Lock()
	n := len(warmBrowsers.kept)
	warmBrowsers.Unlock()
	if n != 0 {
		t.Fatalf("%d browsers started after the last browser test before a CalDAV test, want none", n)
	}
}

// TestPoolRemovesStaleProfiles: the profile root a killed test process
// left behind is removed by the next run; a live process's root (another
// run's) and directories of other names are kept.
func TestPoolRemovesStaleProfiles(t *testing.T) {
	dir := t.TempDir()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, profilesRootPrefix+strconv.Itoa(gone.Process.Pid)+"-123")
	live := filepath.Join(dir, profilesRootPrefix+strconv.Itoa(os.Getpid())+"-456")
	other := filepath.Join(dir, "familyhub-chromium-789")
	for _, d := range []string{filepath.Join(stale, "familyhub-chromium-1", "Default"), live, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removeStaleProfiles(dir)
	removingProfiles.Wait()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the killed run's profiles are still there (%v)", err)
	}
	for _, d := range []string{live, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s removed: %v", filepath.Base(d), err)
		}
	}
}

// TestPoolTestOrder: testsToRun reads the tests a testing.M holds, less
// what -run and -skip leave out; the order is unknown (nil) under
// -shuffle or with a pattern that names subtests, and when Go's testing.M
// no longer has the field it reads, which it says (TestMain logs it once).
// Unknown, every browser test is followed by spares, as before the order
// was read; with -count above 1 the last test is followed by the first.
func TestPoolTestOrder(t *testing.T) {
	m := &struct{ tests []testing.InternalTest }{tests: []testing.InternalTest{
		{Name: "TestBrowserA"}, {Name: "TestCalDAVB"}, {Name: "TestBrowserC"}, {Name: "TestBrowserD"},
	}}
	for _, c := range []struct {
		run, skip string
		shuffled  bool
		want      []string
	}{
		{"", "", false, []string{"TestBrowserA", "TestCalDAVB", "TestBrowserC", "TestBrowserD"}},
		{"TestBrowserA|CalDAV", "", false, []string{"TestBrowserA", "TestCalDAVB"}},
		{"Browser", "C$", false, []string{"TestBrowserA", "TestBrowserD"}},
		// go test reads this as TestBrowserA's subtest x, or TestBrowserC:
		// not the top-level pattern "TestBrowserA": unknown, not wrong.
		{"TestBrowserA/x|TestBrowserC", "", false, nil},
		{"", "TestBrowserA/x", false, nil},
		{"", "", true, nil},
	} {
		got, err := testsToRun(m, c.run, c.skip, c.shuffled)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("run %q skip %q shuffled %v: %v, %v; want %v", c.run, c.skip, c.shuffled, got, err, c.want)
		}
	}
	if got, err := testsToRun(&struct{ benchmarks []testing.InternalBenchmark }{}, "", "", false); got != nil || err == nil {
		t.Errorf("without the field: %v, %v; want nil and an error", got, err)
	}

	saved, savedAgain := runOrder, runAgain
	t.Cleanup(func() { runOrder, runAgain = saved, savedAgain })
	runOrder, runAgain = nil, false
	if !browserTestAfter("TestCalDAVB") {
		t.Error("order unknown: no spares after a test, want them as always")
	}
	runOrder = []string{"TestBrowserA", "TestCalDAVB", "TestBrowserC"}
	if browserTestAfter("TestBrowserC") {
		t.Error("spares after the last test of a single run")
	}
	runAgain = true
	if !browserTestAfter("TestBrowserC") {
		t.Error("-count=2: no spares after the last test, though TestBrowserA runs next")
	}
}
