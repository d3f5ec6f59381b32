package familyhub_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The package layout is the architecture (docs/architecture.md): these
// tests keep its rules true without anyone watching.

const module = "github.com/familyhub/familyhub"

// allowedImports lists, for each package of ours (by path inside the
// module, "" for the root), the packages of ours it may import. A package
// under a listed one (db/dbsqlc under db) follows its parent's rule and may
// also import its own subpackages.
var allowedImports = map[string][]string{
	"":          {},
	"db":        {""},
	"realtime":  {"", "db"},
	"ical":      {"", "db"},
	"llm":       {},
	"assistant": {"", "db", "llm"},
	"notify":    {"", "db", "ical"},
	"jobs":      {"", "db", "ical", "assistant", "llm", "notify"},
	"web":       {},
	"http":      {"", "db", "realtime", "ical", "assistant", "jobs", "llm", "notify", "web"},
	"cmd":       nil, // wiring: anything
}

// rule returns the rule of a package path and the prefix it was found under.
func rule(pkg string) (allowed []string, prefix string, ok bool) {
	for p := pkg; ; {
		if a, found := allowedImports[p]; found {
			return a, p, true
		}
		i := strings.LastIndex(p, "/")
		if i < 0 {
			if p == "" {
				return nil, "", false
			}
			p = ""
			continue
		}
		p = p[:i]
	}
}

func within(pkg, prefix string) bool {
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/") || prefix == ""
}

func TestImportsPointInward(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}} | {{join .TestImports \" \"}} {{join .XTestImports \" \"}}", module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		main, tests, _ := strings.Cut(sc.Text(), " | ")
		fields := strings.Fields(main)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		allowed, prefix, ok := rule(pkg)
		if !ok {
			t.Errorf("package %q has no rule in allowedImports: add one (and to docs/architecture.md)", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			dep, ours := ourPackage(imp)
			if !ours || allowed == nil || within(dep, prefix) && prefix != "" {
				continue
			}
			if !allowedBy(dep, allowed) {
				t.Errorf("%s imports %s: not allowed (may import %q)", fields[0], imp, allowed)
			}
		}
		// Only cmd wires the HTTP layer; tests included.
		for _, imp := range strings.Fields(tests) {
			if dep, ours := ourPackage(imp); ours && within(dep, "http") && !within(pkg, "http") && !within(pkg, "cmd") {
				t.Errorf("%s (tests) imports %s: nothing but cmd imports http", fields[0], imp)
			}
		}
	}
}

func ourPackage(imp string) (string, bool) {
	if imp == module {
		return "", true
	}
	if rest, ok := strings.CutPrefix(imp, module+"/"); ok {
		return rest, true
	}
	return "", false
}

func allowedBy(dep string, allowed []string) bool {
	for _, a := range allowed {
		if dep == a || a != "" && strings.HasPrefix(dep, a+"/") {
			return true
		}
	}
	return false
}

// maxLines is the size past which a hand-written file is split: a file a
// reader cannot hold in mind is a room with two concerns.
const maxLines = 800

// TestNoHugeFiles fails for a hand-written Go, JavaScript, CSS or HTML file
// tracked by git that is longer than maxLines (generated code is exempt).
func TestNoHugeFiles(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "*.go", "*.js", "*.css", "*.html").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	files := strings.Fields(string(out))
	if len(files) < 50 {
		t.Fatalf("git ls-files listed %d files: not the whole tree", len(files))
	}
	for _, f := range files {
		if strings.HasPrefix(f, "db/dbsqlc/") {
			continue // sqlc's output
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b[:min(len(b), 512)], []byte("Code generated")) {
			continue
		}
		if n := bytes.Count(b, []byte("\n")); n > maxLines {
			t.Errorf("%s has %d lines, over %d: split it by concern", f, n, maxLines)
		}
	}
}

// TestPostgresErrorsReadInDB fails when code outside db/ inspects a pgx or
// PostgreSQL error: db.Err gives each its meaning for users (not found,
// conflict, unavailable), in one place. Tools that talk to PostgreSQL
// directly (cmd/) and tests are exempt.
func TestPostgresErrorsReadInDB(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "*.go").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, f := range strings.Fields(string(out)) {
		if strings.HasPrefix(f, "db/") || strings.HasPrefix(f, "cmd/") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"pgx.ErrNoRows", "pgconn.PgError", "pgerrcode"} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s reads %s: leave PostgreSQL errors to db (db.Err)", f, s)
			}
		}
	}
}

// maxFileBytes bounds any tracked file: a larger one is almost always a
// binary left by a go build in a command's directory (it happened twice).
const maxFileBytes = 1 << 20

// TestNoBinariesCommitted fails for a tracked file over maxFileBytes.
func TestNoBinariesCommitted(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, f := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		fi, err := os.Stat(f)
		if err != nil {
			continue // deleted in the work tree
		}
		if fi.Size() > maxFileBytes {
			t.Errorf("%s is %d bytes, over %d: a build output? (add it to .gitignore)", f, fi.Size(), maxFileBytes)
		}
	}
}
