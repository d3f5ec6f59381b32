package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// Starting chromium costs 1.5-2 s of a browser test's wall time, and the
// package opens about two hundred browsers. So newBrowser takes one that
// was started while an earlier browser test ended: warmBrowsers keeps up
// to warmBrowsersKept chromium processes started ahead, each as newBrowser
// started them before (its own process and its own new profile
// directory, so a separate device with empty storage), started one at a
// time in the background once a test's browser is gone. A test never shares a browser: each warm one is
// taken once, and its test's clean-up ends it and removes its profile.

// warmBrowsersKept is how many browsers wait, started, for a test. Two:
// most browser tests open two devices, one after the other.
const warmBrowsersKept = 2

// warmBrowser is one started chromium: its own allocator, its first tab
// and the page errors its listener has collected.
type warmBrowser struct {
	profile     string
	ctx         context.Context
	cancel      context.CancelFunc
	cancelAlloc context.CancelFunc
	mu          *sync.Mutex
	errs        *[]string
	err         error         // starting it failed
	ready       chan struct{} // closed once started (or failed)
	claimed     bool          // its start has begun (under warmBrowsers' lock)
}

var warmBrowsers struct {
	sync.Mutex
	kept     []*warmBrowser
	starting bool // the goroutine that starts them is running
	closed   bool // TestMain is done: start no more
}

// warmCtx is every pooled browser's parent: TestMain cancels it once the
// tests are done, so a browser still starting for a test that never comes
// is killed at once instead of being waited for (the last browser test's
// clean-up starts two).
var warmCtx, endWarmBrowsers = context.WithCancel(context.Background())

// runOrder is the package's top-level tests this run runs, in their order
// (TestMain fills it; nil when unknown: see testsToRun). A test whose name
// starts with TestBrowser opens browsers; no other does.
var runOrder []string

// runAgain: -count is above 1, so after runOrder's last test its first
// runs again.
var runAgain bool

// refillAfter is newBrowser's clean-up's refill: the browsers the next
// test takes start only when a browser test comes next. After a subtest
// its test's next subtests may take them; after the last browser test
// before other tests (the CalDAV, push and replica tests after
// TestBrowserUndoDelete), or the last of all, none start to wait idle
// beside tests that never take them; the next browser test then starts
// its first one itself.
func refillAfter(test string) {
	if _, _, sub := strings.Cut(test, "/"); sub || browserTestAfter(test) {
		refillWarmBrowsers()
	}
}

// browserTestAfter reports whether the top-level test that runs after test
// is a browser test (true when the order is unknown: refill as always).
func browserTestAfter(test string) bool {
	i := slices.Index(runOrder, test)
	if i < 0 {
		return true
	}
	next := i + 1
	if next == len(runOrder) {
		if !runAgain {
			return false
		}
		next = 0
	}
	return strings.HasPrefix(runOrder[next], "TestBrowser")
}

// testsToRun returns the names of the top-level tests m (a *testing.M)
// runs, in order: its tests (an unexported field, read through
// reflection), less those the run or skip pattern (-test.run, -test.skip)
// leaves out. It returns nil, the order unknown, under -shuffle or when a
// pattern names subtests (has a "/": go test splits such a pattern by
// level and alternative, which is not repeated here), and nil and an
// error when m has no such field (a newer Go): then spares start after
// every browser test, as before, at worst waiting for nothing.
func testsToRun(m any, run, skip string, shuffled bool) ([]string, error) {
	if shuffled || strings.Contains(run, "/") || strings.Contains(skip, "/") {
		return nil, nil
	}
	tests := reflect.ValueOf(m).Elem().FieldByName("tests")
	if !tests.IsValid() || tests.Kind() != reflect.Slice || tests.Type().Elem() != reflect.TypeFor[testing.InternalTest]() {
		return nil, fmt.Errorf("%T has no field tests []testing.InternalTest", m)
	}
	runRE, err := compileOrNil(run)
	if err != nil {
		return nil, err
	}
	skipRE, err := compileOrNil(skip)
	if err != nil {
		return nil, err
	}
	var names []string
	for i := range tests.Len() {
		name := tests.Index(i).FieldByName("Name").String()
		if (runRE == nil || runRE.MatchString(name)) && (skipRE == nil || !skipRE.MatchString(name)) {
			names = append(names, name)
		}
	}
	return names, nil
}

// compileOrNil compiles a -run or -skip pattern; "" is nil (no pattern).
func compileOrNil(pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		return nil, nil
	}
	return regexp.Compile(pattern)
}

// testFlag is the value of the go test flag -name ("" when unset).
func testFlag(name string) string {
	if f := flag.Lookup("test." + name); f != nil {
		return f.Value.String()
	}
	return ""
}

// takeWarmBrowser returns a started browser for one test: one started
// ahead, or else one started now.
func takeWarmBrowser() *warmBrowser {
	warmBrowsers.Lock()
	var w *warmBrowser
	if len(warmBrowsers.kept) > 0 {
		w, warmBrowsers.kept = warmBrowsers.kept[0], warmBrowsers.kept[1:]
	} else {
		w = &warmBrowser{ready: make(chan struct{})}
	}
	if !w.claimed { // none was started ahead: start this one now
		w.claimed = true
		go w.start()
	}
	warmBrowsers.Unlock()
	<-w.ready
	return w
}

// refillWarmBrowsers has the browsers the next tests take started in the
// background. newBrowser's clean-up calls it (refillAfter) once its browser is gone:
// the next ones start while the test (or subtest) ends and the next sets
// up its servers, never while a test's body runs its devices (three
// chromiums starting during TestBrowserNotifications' three sign-ins at
// once made them miss their 10 s under load).
func refillWarmBrowsers() {
	warmBrowsers.Lock()
	defer warmBrowsers.Unlock()
	if warmBrowsers.closed {
		return
	}
	for len(warmBrowsers.kept) < warmBrowsersKept {
		warmBrowsers.kept = append(warmBrowsers.kept, &warmBrowser{ready: make(chan struct{})})
	}
	if !warmBrowsers.starting {
		warmBrowsers.starting = true
		go startKeptBrowsers()
	}
}

// startKeptBrowsers starts the kept browsers not started yet, one at a
// time (two chromiums starting at once on a 2-core machine slow the
// running test more than one).
func startKeptBrowsers() {
	for {
		warmBrowsers.Lock()
		var next *warmBrowser
		for _, w := range warmBrowsers.kept {
			if !w.claimed {
				next = w
				break
			}
		}
		if next == nil || warmBrowsers.closed {
			warmBrowsers.starting = false
			warmBrowsers.Unlock()
			return
		}
		next.claimed = true
		warmBrowsers.Unlock()
		next.start()
	}
}

// chromiumFlags are the switches (without their "--") that every
// Chromium the tests start is given: the pool's and weekStartsOn's
// --dump-dom one get the same switches. Only the pool's get chromedp's
// defaults (DefaultExecAllocatorOptions: disable-dev-shm-usage,
// disable-extensions, disable-features and more) too, before these;
// weekStartsOn's gets these alone, not chromedp's defaults.
// no-sandbox: the tests run as root here, and chromium refuses its
// sandbox then. headless, hide-scrollbars and mute-audio are
// chromedp.Headless's; disable-gpu and enable-unsafe-swiftshader
// chromedp.DisableGPU's.
var chromiumFlags = []string{"headless", "hide-scrollbars", "mute-audio", "no-sandbox", "disable-gpu", "enable-unsafe-swiftshader",
	"no-first-run", "disable-quic", "disable-background-networking", "disable-component-update", "disable-sync"}

// start launches chromium with a new profile directory and opens its
// first tab, collecting the page's exceptions and console errors.
func (w *warmBrowser) start() {
	defer close(w.ready)
	w.mu, w.errs = &sync.Mutex{}, &[]string{}
	profile, err := os.MkdirTemp(profilesRoot, "familyhub-chromium-")
	if err != nil {
		w.err = err
		return
	}
	w.profile = profile
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]), chromedp.ExecPath(chromiumPath), chromedp.UserDataDir(profile))
	for _, f := range chromiumFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(warmCtx, opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeWarning {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
		default:
			return
		}
		w.mu.Lock()
		*w.errs = append(*w.errs, msg)
		w.mu.Unlock()
	}))
	w.ctx, w.cancel, w.cancelAlloc = ctx, cancel, cancelAlloc
	// The first Do starts the browser and binds it to the context it gets:
	// the browser-long one, not a per-action timeout.
	if err := chromedp.Do(ctx); err != nil {
		w.err = err
	}
}

// stop ends the browser; the caller removes its profile afterwards.
func (w *warmBrowser) stop() {
	if w.cancel != nil {
		w.cancel()
		w.cancelAlloc()
	}
}

// warmBrowserAnswer is how long a browser has to answer the resize that
// takes it: a live one answers in milliseconds even on a loaded machine.
var warmBrowserAnswer = 10 * time.Second

// takeBrowser returns a started browser with the window size asked for.
// A browser started ahead may have died or hung while it waited (killed
// by the OOM killer, stopped); then its start error or its missing answer
// to the resize, within warmBrowserAnswer, shows it: it is ended, its
// profile removed, and one started now takes its place, so the test sees
// a working browser and neither fails on an idle browser's fault nor
// hangs until the package's timeout. replaced says why one was replaced;
// err is set only when the browser started now fails too.
func takeBrowser(width, height int64) (w *warmBrowser, replaced string, err error) {
	w = takeWarmBrowser()
	err = w.answers(width, height)
	if err == nil {
		return w, "", nil
	}
	w.stop()
	removeProfile(w.profile)
	replaced = err.Error()
	w = &warmBrowser{ready: make(chan struct{}), claimed: true}
	w.start()
	return w, replaced, w.answers(width, height)
}

// answers reports whether the browser started and answers, giving it the
// window size asked for.
func (w *warmBrowser) answers(width, height int64) error {
	if w.err != nil {
		return fmt.Errorf("starting %s: %w", chromiumPath, w.err)
	}
	if err := w.resize(width, height); err != nil {
		return fmt.Errorf("window size: %w", err)
	}
	return nil
}

// resize gives the browser's window the size newBrowser was asked for
// (the size chromium's --window-size gave it when each test started its
// own), waiting up to warmBrowserAnswer for its answer.
func (w *warmBrowser) resize(width, height int64) error {
	ctx, cancel := context.WithTimeout(w.ctx, warmBrowserAnswer)
	defer cancel()
	win, err := chromedp.CallBrowser(ctx, cdpbrowser.GetWindowForTarget,
		cdpbrowser.GetWindowForTargetParams{TargetID: chromedp.FromContext(w.ctx).Target.TargetID})
	if err != nil {
		return err
	}
	_, err = chromedp.CallBrowser(ctx, cdpbrowser.SetWindowBounds,
		cdpbrowser.SetWindowBoundsParams{WindowID: win.WindowID, Bounds: &cdpbrowser.Bounds{Width: width, Height: height}})
	return err
}

// removingProfiles counts the profile directories being removed.
var removingProfiles sync.WaitGroup

// removeProfile removes a browser's profile directory, in the background
// (it took up to 1.3 s a browser, which the next test need not wait for;
// TestMain waits for all at the end). Chromium's helper processes may
// still write into it for a moment after the browser has gone (on a busy
// machine t.TempDir's removal then failed the test with "directory not
// empty"), so it tries again until the directory is gone, for up to 10 s,
// and only logs when it is not: a leftover directory is no fault of the
// code under test.
func removeProfile(dir string) {
	if dir == "" {
		return
	}
	removingProfiles.Go(func() {
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := os.RemoveAll(dir)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				fmt.Fprintf(os.Stderr, "browser profile %s left behind: %v\n", dir, err)
				return
			}
			time.Sleep(50 * time.Millisecond) // Chromium's helpers are still writing: again shortly
		}
	})
}

// closeWarmBrowsers ends the browsers no test took (TestMain, after the
// tests) and removes their profiles.
func closeWarmBrowsers() {
	warmBrowsers.Lock()
	warmBrowsers.closed = true
	kept := warmBrowsers.kept
	warmBrowsers.kept = nil
	warmBrowsers.Unlock()
	endWarmBrowsers()
	for _, w := range kept {
		if !w.claimed { // never started
			continue
		}
		<-w.ready
		w.stop()
		removeProfile(w.profile)
	}
	removingProfiles.Wait()
}

// profilesRoot holds this process's browser profiles (TestMain makes it;
// "" is the system's temporary directory): familyhub-browsers-<pid>-*,
// so that a run that was killed (a timeout, Ctrl-C) before it removed
// its profiles leaves one directory the next run recognises and removes.
var profilesRoot string

// profilesRootPrefix begins each run's profilesRoot, the process id after it.
const profilesRootPrefix = "familyhub-browsers-"

// removeStaleProfiles removes, in dir, the profile roots of test
// processes that are gone. One whose process still runs (another run,
// another checkout's) is left alone, as is anything not named
// profilesRootPrefix<pid>-... (a process id since taken by another
// program keeps its directory until that one ends: never too much removed).
func removeStaleProfiles(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		pidText, _, ok := strings.Cut(strings.TrimPrefix(e.Name(), profilesRootPrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if !e.IsDir() || !strings.HasPrefix(e.Name(), profilesRootPrefix) || !ok || err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			removeProfile(filepath.Join(dir, e.Name()))
		}
	}
}

// TestMain runs the tests, then ends the browsers started ahead for tests
// that never came and waits until every profile directory is removed.
// Before, it removes what killed runs left behind.
func TestMain(m *testing.M) {
	flag.Parse()
	var err error
	runOrder, err = testsToRun(m, testFlag("run"), testFlag("skip"), testFlag("shuffle") != "off")
	if err != nil { // said once, in the package's output
		fmt.Fprintf(os.Stderr, "browser pool: the order of the tests is unknown (%v): spare browsers start after every browser test\n", err)
	}
	runAgain = testFlag("count") != "1"
	removeStaleProfiles(os.TempDir())
	root, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", profilesRootPrefix, os.Getpid()))
	if err == nil {
		profilesRoot = root
	}
	code := m.Run()
	closeWarmBrowsers()
	if root != "" {
		_ = os.Remove(root) // empty unless a profile was left behind (logged)
	}
	os.Exit(code)
}

// TestBrowserPoolNewDevices: browsers started ahead are still separate
// devices. What one browser stored (a cookie, localStorage, an IndexedDB
// database) is not in the next one newBrowser gives, in the same test or
// the next, and a browser's window has the size asked for.
func TestBrowserPoolNewDevices(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	const store = `new Promise((resolve) => {
		document.cookie = 'pooltest=1; path=/'; localStorage.setItem('pooltest', '1');
		const r = indexedDB.open('pooltest'); r.onsuccess = () => resolve(true); })`
	const stored = `new Promise((resolve) => indexedDB.databases().then((dbs) => resolve(
		document.cookie.includes('pooltest') || localStorage.getItem('pooltest') !== null || dbs.some((d) => d.name === 'pooltest'))))`
	var first *browser
	t.Run("first", func(t *testing.T) {
		first = newBrowser(t, "first", phoneW, phoneH, 1)
		first.do(chromedp.Navigate(m.URL() + "/login"))
		evalAwait[bool](first, store)
		if !evalAwait[bool](first, stored) {
			t.Fatal("the first browser did not keep what it stored")
		}
	})
	for _, name := range []string{"second", "third"} {
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t, name, laptopW, laptopH, 1)
			b.do(chromedp.Navigate(m.URL() + "/login"))
			if evalAwait[bool](b, stored) {
				t.Fatalf("the %s browser has what the first one stored: not a new device", name)
			}
			if got := eval[[]int64](b, `[outerWidth, outerHeight, innerWidth, innerHeight]`); got[0] != laptopW || got[1] != laptopH || got[2] != laptopW || got[3] != laptopH {
				t.Fatalf("window and viewport %v, want %dx%d", got, laptopW, laptopH)
			}
			evalAwait[bool](b, store)
		})
	}
}

// TestBrowserPoolReplacesDeadBrowser: a browser started ahead that died
// (killed) or hangs (stopped) while it waited is replaced by one started
// then: the test gets a working browser within the answer time, not a
// "window size" failure for a browser it never used, nor a hang until the
// package's timeout.
func TestBrowserPoolReplacesDeadBrowser(t *testing.T) {
	browserTest(t)
	saved := warmBrowserAnswer
	warmBrowserAnswer = 3 * time.Second
	t.Cleanup(func() { warmBrowserAnswer = saved })
	refillWarmBrowsers()
	warmBrowsers.Lock()
	kept := slices.Clone(warmBrowsers.kept)
	warmBrowsers.Unlock()
	if len(kept) < 2 {
		t.Fatalf("%d browsers started ahead, want 2", len(kept))
	}
	for _, w := range kept[:2] {
		<-w.ready
		if w.err != nil {
			t.Fatal(w.err)
		}
	}
	dead, hung := kept[0], kept[1]
	if err := chromedp.FromContext(dead.ctx).Browser.Process().Kill(); err != nil {
		t.Fatal(err)
	}
	hungProc := chromedp.FromContext(hung.ctx).Browser.Process()
	if err := hungProc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hungProc.Signal(syscall.SIGCONT) })
	for _, name := range []string{"instead-of-dead", "instead-of-hung"} {
		start := time.Now()
		b := newBrowser(t, name, phoneW, phoneH, 1)
		if b.ctx == dead.ctx || b.ctx == hung.ctx {
			t.Fatalf("%s: got the browser that does not answer", name)
		}
		b.do(chromedp.Navigate("about:blank"))
		if got := eval[int](b, `innerWidth`); got != phoneW {
			t.Fatalf("%s: innerWidth %d, want %d", name, got, phoneW)
		}
		t.Logf("%s: working browser after %s", name, time.Since(start).Round(time.Millisecond))
	}
}
