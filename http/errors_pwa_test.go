package http

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The PWA words every error by its code (web/static/js/errors.js, the
// table BY_CODE, in English and German through web/static/js/i18n/). These
// tests read the codes the server can send from the Go source (the
// familyhub.E* constants behind REST's one table, and every literal code
// passed to familyhub.Errorf, realtime.ErrorMessage or an errorJSON), so a
// new code fails here until the PWA has a sentence for it in both
// languages.

// serverErrorCodes returns every code the server can send, each with where
// it was found.
func serverErrorCodes(t *testing.T) map[string]string {
	t.Helper()
	root := moduleRoot(t)
	codes := map[string]string{}
	fset := token.NewFileSet()

	// The constants: every E* of the root package.
	f, err := parser.ParseFile(fset, filepath.Join(root, "familyhub.go"), nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	isCodeConst := regexp.MustCompile(`^E[A-Z]+$`)
	constants(f, func(name string, value ast.Expr) {
		if s, ok := literal(value); ok && isCodeConst.MatchString(name) {
			codes[s] = "familyhub." + name
		}
	})
	if len(codes) < 10 {
		t.Fatalf("found only %d familyhub.E* codes: is the scan broken?", len(codes))
	}

	// The literals: the first argument of Errorf and ErrorMessage, and
	// Code in an errorJSON. A code that is neither a literal nor an E*
	// constant cannot be checked: it fails.
	codeArg := func(e ast.Expr, at token.Pos) {
		if s, ok := literal(e); ok {
			if _, known := codes[s]; !known {
				codes[s] = fset.Position(at).String()
			}
			return
		}
		if sel, ok := e.(*ast.SelectorExpr); ok && isCodeConst.MatchString(sel.Sel.Name) {
			return
		}
		if id, ok := e.(*ast.Ident); ok && isCodeConst.MatchString(id.Name) {
			return
		}
		if id, ok := e.(*ast.Ident); ok && id.Name == "code" {
			return // a wrapper's parameter (familyhub.Errorf itself, realtime.ErrorMessage)
		}
		t.Errorf("%s: an error code that is neither a literal nor a familyhub.E* constant: this test cannot see it", fset.Position(at))
	}
	parseModuleSources(t, fset, func(_ string, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				// pkg.Func: familyhub.Errorf, realtime.ErrorMessage (not
				// familyhub.ErrorMessage, which returns a message).
				var fn string
				switch fun := n.Fun.(type) {
				case *ast.Ident:
					fn = f.Name.Name + "." + fun.Name
				case *ast.SelectorExpr:
					if x, ok := fun.X.(*ast.Ident); ok {
						fn = x.Name + "." + fun.Sel.Name
					}
				}
				if (fn == "familyhub.Errorf" || fn == "realtime.ErrorMessage") && len(n.Args) > 0 {
					codeArg(n.Args[0], n.Args[0].Pos())
				}
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "errorJSON" {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Code" {
							codeArg(kv.Value, kv.Value.Pos())
						}
					}
				}
			}
			return true
		})
	})
	return codes
}

// constants calls fn with the name and value of each constant of f that
// has a value of its own.
func constants(f *ast.File, fn func(name string, value ast.Expr)) {
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					fn(n.Name, vs.Values[i])
				}
			}
		}
	}
}

// messageTable reads the keys of web/static/js/i18n/<lang>.js and of the
// parts it spreads in (<lang>-notify.js, …).
func messageTable(t *testing.T, lang string) map[string]bool {
	t.Helper()
	dir := filepath.Join(moduleRoot(t), "web", "static", "js", "i18n")
	parts, _ := filepath.Glob(filepath.Join(dir, lang+"-*.js"))
	var raw []byte
	for _, p := range append([]string{filepath.Join(dir, lang+".js")}, parts...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*'([^']+)':`).FindAllStringSubmatch(string(raw), -1) {
		keys[m[1]] = true
	}
	if len(keys) < 100 {
		t.Fatalf("%s.js: only %d keys read", lang, len(keys))
	}
	return keys
}

func TestPWAErrorCatalogue(t *testing.T) {
	codes := serverErrorCodes(t)
	for _, want := range []string{"invalid", "method_not_allowed", "too_many_topics", "unknown_type"} {
		if _, ok := codes[want]; !ok {
			t.Fatalf("the scan did not find the code %q: is it broken?", want)
		}
	}
	raw, err := os.ReadFile(filepath.Join(moduleRoot(t), "web", "static", "js", "errors.js"))
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	block := regexp.MustCompile(`(?s)const BY_CODE = \{(.*?)\};`).FindStringSubmatch(src)
	if block == nil {
		t.Fatal("errors.js: no const BY_CODE = {…};")
	}
	byCode := map[string]string{}
	for _, m := range regexp.MustCompile(`(\w+): '([\w.]+)'`).FindAllStringSubmatch(block[1], -1) {
		byCode[m[1]] = m[2]
	}
	// Codes friendly() words itself (invalid: by field).
	special := map[string]bool{}
	for _, m := range regexp.MustCompile(`code === '(\w+)'`).FindAllStringSubmatch(src, -1) {
		special[m[1]] = true
	}
	en, de := messageTable(t, "en"), messageTable(t, "de")

	var sorted []string
	for c := range codes {
		sorted = append(sorted, c)
	}
	sort.Strings(sorted)
	for _, c := range sorted {
		key, ok := byCode[c]
		if !ok {
			if !special[c] {
				t.Errorf("the server sends error code %q (%s), which web/static/js/errors.js's BY_CODE does not word: add it, with its message in i18n/en.js and i18n/de.js", c, codes[c])
			}
			continue
		}
		if !en[key] {
			t.Errorf("BY_CODE[%q] = %q: not in i18n/en.js", c, key)
		}
		if !de[key] {
			t.Errorf("BY_CODE[%q] = %q: not in i18n/de.js", c, key)
		}
	}
	for c := range byCode {
		if _, ok := codes[c]; !ok {
			t.Errorf("errors.js's BY_CODE words %q, which the server never sends: remove it", c)
		}
	}
	checkPWAReasons(t, src, en, de)
}

// checkPWAReasons: every reason errors.js's BY_REASON words has its message
// in both languages, and every reason the server gives an error
// (.WithReason) is worded by BY_REASON or, on purpose, by its code's own
// wording (codeWorded).
func checkPWAReasons(t *testing.T, src string, en, de map[string]bool) {
	t.Helper()
	codeWorded := map[string]bool{"previous_command": true} // busy's own wording, assistant.busy
	block := regexp.MustCompile(`const BY_REASON = \{(.*)\};`).FindStringSubmatch(src)
	if block == nil {
		t.Fatal("errors.js: no const BY_REASON = {…};")
	}
	worded := map[string]bool{}
	for _, m := range regexp.MustCompile(`(\w+): '([\w.]+)'`).FindAllStringSubmatch(block[1], -1) {
		worded[m[1]] = true
		if !en[m[2]] || !de[m[2]] {
			t.Errorf("BY_REASON words %q as %q: not in both i18n/en.js and i18n/de.js", m[1], m[2])
		}
	}
	if len(worded) == 0 {
		t.Fatal("errors.js's BY_REASON words no reason: is the scan broken?")
	}
	sent := map[string]bool{}
	fset := token.NewFileSet()
	parseModuleSources(t, fset, func(_ string, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "WithReason" {
				return true
			}
			r, ok := literal(call.Args[0])
			if !ok {
				t.Errorf("%s: a reason that is not a literal: this test cannot see it", fset.Position(call.Pos()))
				return true
			}
			sent[r] = true
			if !worded[r] && !codeWorded[r] {
				t.Errorf("%s gives an error the reason %q, which errors.js's BY_REASON does not word", fset.Position(call.Pos()), r)
			}
			return true
		})
	})
	for r := range worded {
		if !sent[r] {
			t.Errorf("errors.js's BY_REASON words %q, which the server never sends: remove it", r)
		}
	}
}

// TestPWACloseCodes: the PWA names every close code of the realtime
// protocol (realtime.Close*), so a new one is handled on purpose rather
// than as "reconnect after a backoff".
func TestPWACloseCodes(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(root, "realtime", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	server := map[int]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		constants(f, func(name string, value ast.Expr) {
			if !strings.HasPrefix(name, "Close") {
				return
			}
			lit, ok := value.(*ast.BasicLit)
			if !ok || lit.Kind != token.INT {
				t.Errorf("realtime.%s is not an integer literal: this test cannot see it", name)
				return
			}
			v, _ := strconv.Atoi(lit.Value)
			server[v] = name
		})
	}
	if len(server) < 3 {
		t.Fatalf("found only %d realtime.Close* codes: is the scan broken?", len(server))
	}
	raw, err := os.ReadFile(filepath.Join(root, "web", "static", "js", "realtime-transports.js"))
	if err != nil {
		t.Fatal(err)
	}
	pwa := map[int]bool{}
	for _, m := range regexp.MustCompile(`export const WS_\w+ = (\d+);`).FindAllStringSubmatch(string(raw), -1) {
		v, _ := strconv.Atoi(m[1])
		pwa[v] = true
	}
	for v, name := range server {
		if !pwa[v] {
			t.Errorf("realtime.%s (%d): web/static/js/realtime-transports.js names no WS_… = %d: handle it in realtime.js", name, v, v)
		}
	}
}
