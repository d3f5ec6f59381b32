package http

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/familyhub/familyhub"
)

// The German catalogue (errors_de.go) must know every English error
// format and every phrase the code passes: these tests read the module's
// source to find them, so a new message fails here until it is translated.

// formatCalls are the functions whose argument (by index) is an English
// error format: "pkg.Func" for a call from another package, "pkg:Func" for
// a call inside that package (the module root is "familyhub").
var formatCalls = map[string]int{
	"familyhub.Errorf": 1, "familyhub:Errorf": 1,
	"familyhub.Invalid": 1, "familyhub:Invalid": 1,
	// CalDAV's answers with a status of their own (ical/caldav.go).
	"ical:davStatusError": 1, "ical:preconditionError": 2, "ical:davMessage": 0,
}

// phraseCalls are the functions whose argument (by index) is an English
// phrase the catalogue translates (familyhub.Phrase): what was not found.
var phraseCalls = map[string]int{
	"familyhub.NotFound": 0, "familyhub:NotFound": 0,
	"familyhub.Phrase": 0, "familyhub:Phrase": 0,
	"db.Err": 1, "db:Err": 1,
	"db:deleted": 2, "db:staleOrMissing": 1, "db:oneOrTx": 2,
	"http:pathID": 1, "http:parseID": 1, "http:deleteHandler": 0,
}

// notLiteral lists, by "dir/file.go:Func", the calls whose format or
// phrase is not a string literal, with why that is fine. A call not listed
// fails TestGermanErrorsComplete until someone has looked at it. Passing
// through a parameter of a function that is itself in formatCalls or
// phraseCalls needs no entry.
var notLiteral = map[string]string{
	// The assistant's refusals are already in the speaker's language (its
	// own phrase tables, assistant/reply_*.go); http keeps them as they are.
	"assistant/reply.go:refuse":     "assistant refusal, already localized",
	"assistant/reply.go:refuseCode": "assistant refusal, already localized",
	"assistant/reply.go:localize":   "assistant refusal, already localized",
	// A refused spoken undo sent again replays its stored refusal: the
	// message it was first answered with, in the language it was said in.
	"assistant/service.go:Command": "a stored refusal replayed, already localized",
	// The kind of a unique violation: a literal in conflictWhat, checked by
	// TestGermanErrorPhrasesKnown through its inputs below.
	"db/store.go:Err": "conflictWhat's nouns (email address, record) are in dePhrases",
	// Roles and actions: the table in roles.go, all of them checked by
	// TestGermanErrorPhrasesKnown.
	"roles.go:Forbidden": "roles and rules[].what, checked over familyhub.Roles × Actions()",
	// The kind of value encoding/json wanted: jsonKind's literals, checked
	// by TestGermanErrorPhrasesKnown.
	"http/http.go:decodeError": "jsonKind's phrases, checked over every kind",
}

// errorSite is one format or phrase found in the source.
type errorSite struct {
	pos  string // file:line
	text string
}

// moduleRoot is the directory of go.mod above the http package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod above http: %v", err)
	}
	return root
}

// scanErrorSources walks every non-test .go file of the module and returns
// the literal formats and phrases, and the calls whose argument is not a
// literal (by "dir/file.go:Func", Func the enclosing function).
func scanErrorSources(t *testing.T) (formats, phrases []errorSite, other map[string][]string) {
	t.Helper()
	other = map[string][]string{}
	fset := token.NewFileSet()
	parseModuleSources(t, fset, func(rel string, f *ast.File) {
		pkg := f.Name.Name             // familyhub, db, http, ...
		imports := map[string]string{} // local name -> our package's name
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if p != "github.com/familyhub/familyhub" && !strings.HasPrefix(p, "github.com/familyhub/familyhub/") {
				continue
			}
			ours := p[strings.LastIndex(p, "/")+1:]
			local := ours
			if im.Name != nil {
				local = im.Name.Name
			}
			imports[local] = ours
		}
		for _, decl := range f.Decls {
			fn, params := "", map[string]bool{}
			if fd, ok := decl.(*ast.FuncDecl); ok {
				fn = fd.Name.Name
				for _, fl := range fd.Type.Params.List {
					for _, n := range fl.Names {
						params[n.Name] = true
					}
				}
			}
			isWrapper := func(tbl map[string]int) bool { _, ok := tbl[pkg+":"+fn]; return ok }
			ast.Inspect(decl, func(n ast.Node) bool {
				// Where is a format or phrase? A call of a listed function,
				// or a familyhub.Error literal without a Format.
				var key string
				var args []ast.Expr
				switch n := n.(type) {
				case *ast.CallExpr:
					args = n.Args
					switch fun := n.Fun.(type) {
					case *ast.Ident:
						key = pkg + ":" + fun.Name
					case *ast.SelectorExpr:
						if x, ok := fun.X.(*ast.Ident); ok && imports[x.Name] != "" {
							key = imports[x.Name] + "." + fun.Sel.Name
						}
					}
				case *ast.CompositeLit:
					isError := false
					switch ty := n.Type.(type) {
					case *ast.Ident:
						isError = pkg == "familyhub" && ty.Name == "Error"
					case *ast.SelectorExpr:
						x, ok := ty.X.(*ast.Ident)
						isError = ok && imports[x.Name] == "familyhub" && ty.Sel.Name == "Error"
					}
					if !isError {
						return true
					}
					hasFormat, message := false, ast.Expr(nil)
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							switch kv.Key.(*ast.Ident).Name {
							case "Format":
								hasFormat = true
							case "Message":
								message = kv.Value
							}
						}
					}
					if !hasFormat && message != nil {
						if s, ok := literal(message); ok {
							formats = append(formats, errorSite{fset.Position(message.Pos()).String(), s})
							t.Errorf("%s: a familyhub.Error literal without Format: use familyhub.Errorf", fset.Position(n.Pos()))
						} else {
							other[rel+":"+fn] = append(other[rel+":"+fn], fset.Position(n.Pos()).String())
						}
					}
					return true
				default:
					return true
				}
				for tbl, out := range map[*map[string]int]*[]errorSite{&formatCalls: &formats, &phraseCalls: &phrases} {
					i, ok := (*tbl)[key]
					if !ok || i >= len(args) {
						continue
					}
					if s, ok := literal(args[i]); ok {
						*out = append(*out, errorSite{fset.Position(args[i].Pos()).String(), s})
						continue
					}
					if id, ok := args[i].(*ast.Ident); ok && params[id.Name] && (isWrapper(formatCalls) || isWrapper(phraseCalls)) {
						continue // a wrapper passing its own parameter on
					}
					other[rel+":"+fn] = append(other[rel+":"+fn], fset.Position(args[i].Pos()).String())
				}
				return true
			})
		}
	})
	return formats, phrases, other
}

// parseModuleSources parses every non-test .go file of the module (not
// under web/, testdata or hidden folders) and calls fn with each, and its
// path relative to the module root.
func parseModuleSources(t *testing.T, fset *token.FileSet, fn func(rel string, f *ast.File)) {
	t.Helper()
	root := moduleRoot(t)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" || name == "web") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		fn(filepath.ToSlash(rel), f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// literal returns the value of a string literal (or a + of them).
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok1 := literal(e.X)
			b, ok2 := literal(e.Y)
			return a + b, ok1 && ok2
		}
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return "", false
}

// verbPattern finds fmt verbs: %% is no verb.
var verbPattern = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

// verbs returns the verbs of a format, each with the index of the argument
// it prints (1-based), in argument order; %% is left out.
func verbs(format string) []string {
	var out []string
	next := 1
	for _, v := range verbPattern.FindAllString(format, -1) {
		if strings.HasSuffix(v, "%") && len(v) == 2 {
			continue
		}
		arg := next
		if m := regexp.MustCompile(`^%\[(\d+)\]`).FindStringSubmatch(v); m != nil {
			arg, _ = strconv.Atoi(m[1])
			v = "%" + v[len(m[0]):]
		}
		next = arg + 1
		out = append(out, fmt.Sprintf("%d:%s", arg, v[len(v)-1:]))
	}
	sort.Strings(out)
	return out
}

func TestGermanErrorsComplete(t *testing.T) {
	formats, phrases, other := scanErrorSources(t)
	if len(formats) < 100 {
		t.Fatalf("found only %d error formats: is the scan broken?", len(formats))
	}
	seen := map[string]bool{}
	for _, f := range formats {
		seen[f.text] = true
		if _, ok := deFormats[f.text]; !ok && !seen["reported:"+f.text] {
			seen["reported:"+f.text] = true
			t.Errorf("%s: no German for error format %q: add it to deFormats in errors_de.go", f.pos, f.text)
		}
	}
	for en, de := range deFormats {
		if !seen[en] {
			t.Errorf("deFormats has %q, which no code uses any more: remove it", en)
		}
		if ve, vd := verbs(en), verbs(de); !slices.Equal(ve, vd) {
			t.Errorf("deFormats[%q] = %q: its verbs %v differ from the English %v", en, de, vd, ve)
		}
	}
	usedPhrase := map[string]bool{}
	for _, p := range phrases {
		usedPhrase[p.text] = true
		if p.text == "" { // db.Err(err, ""): "record"
			continue
		}
		if _, ok := dePhrases[p.text]; !ok {
			t.Errorf("%s: no German for phrase %q: add it to dePhrases in errors_de.go", p.pos, p.text)
		}
	}
	for _, p := range checkedPhrases() {
		usedPhrase[p] = true
	}
	for en := range dePhrases {
		if !usedPhrase[en] {
			t.Errorf("dePhrases has %q, which no code uses any more: remove it", en)
		}
	}
	for site, at := range other {
		if _, ok := notLiteral[site]; !ok {
			t.Errorf("%s: an error format or phrase that is not a string literal (at %s): make it one, or look at it and list it in notLiteral", site, strings.Join(at, ", "))
		}
	}
	for site := range notLiteral {
		if _, ok := other[site]; !ok {
			t.Errorf("notLiteral lists %s, where there is no such call any more: remove it", site)
		}
	}
}

// checkedPhrases are the phrases that reach errors through tables rather
// than literal arguments: roles, actions, conflictWhat and jsonKind.
func checkedPhrases() []string {
	var out []string
	for _, role := range familyhub.Roles {
		for _, act := range familyhub.Actions() {
			for _, a := range familyhub.Forbidden(role, act).Args {
				out = append(out, string(a.(familyhub.Phrase)))
			}
		}
	}
	out = append(out, "email address", "record") // conflictWhat, and db.Err's default
	for _, k := range []string{"string", "bool", "slice", "struct", "int"} {
		out = append(out, jsonKind(k))
	}
	return out
}

func TestGermanErrorPhrasesKnown(t *testing.T) {
	for _, p := range checkedPhrases() {
		if _, ok := dePhrases[p]; !ok {
			t.Errorf("no German for phrase %q: add it to dePhrases in errors_de.go", p)
		}
	}
	// Every Forbidden sentence reads as German.
	for _, role := range familyhub.Roles {
		for _, act := range familyhub.Actions() {
			if familyhub.Permission(role, act) == familyhub.GrantAll {
				continue
			}
			msg, lang := errorMessage(familyhub.Forbidden(role, act), "de")
			if lang != "de" || !strings.HasPrefix(msg, "Als ") {
				t.Errorf("Forbidden(%s, %s) in German: %q (%s)", role, act, msg, lang)
			}
		}
	}
}

func TestVerbs(t *testing.T) {
	for _, c := range []struct {
		format string
		want   []string
	}{
		{"%s must be %s.", []string{"1:s", "2:s"}},
		{"%[2]s muss %[1]s sein.", []string{"1:s", "2:s"}},
		{"at most %d%% of %q", []string{"1:d", "2:q"}},
		{"%.1f and %g", []string{"1:f", "2:g"}},
	} {
		if got := verbs(c.format); !slices.Equal(got, c.want) {
			t.Errorf("verbs(%q) = %v, want %v", c.format, got, c.want)
		}
	}
}
