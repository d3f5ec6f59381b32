package db_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRESTTransactionsRetry: the Store opens no transaction of its own
// outside TxRetry (and oneOrTx, which retries alike) but in the
// operations named here, none of which package http calls: so every
// transaction a REST request opens, the handler's (TestWritesRetryDeadlocks
// in http) or the Store's on its behalf (sign-in limits, password reset,
// realtime tickets), runs again after a deadlock. PasswordReset,
// TicketCreate and reserve opened a plain Store.Tx and answered a deadlock
// 500.
func TestRESTTransactionsRetry(t *testing.T) {
	notREST := map[string]string{
		"Tx":                 "Store.Tx itself",
		"TxRetry":            "TxRetry itself",
		"TxGenericPlans":     "Store.TxGenericPlans itself",
		"FileCategorised":    "jobs' categoriser",
		"PasswordSetByEmail": "the operator's familyhub reset-password",
	}
	opens := map[string]bool{"Tx": true, "tx": true, "TxGenericPlans": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			stores := storeParams(fn)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || !opens[sel.Sel.Name] {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && stores[x.Name] {
					if _, ok := notREST[fn.Name.Name]; !ok {
						t.Errorf("%s: %s opens a %s.%s: run it in TxRetry (or name it here, with who calls it, if no REST request does)",
							fset.Position(call.Pos()), fn.Name.Name, x.Name, sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
	// The exceptions are no REST write: package http does not call them.
	handlers, err := filepath.Glob("../http/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range handlers {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for op, who := range notREST {
			if strings.Contains(string(src), "."+op+"(") && !strings.HasPrefix(op, "Tx") {
				t.Errorf("%s calls %s, which opens a transaction that does not retry (it was for %s): run it in TxRetry", name, op, who)
			}
		}
	}
}

// storeParams returns the names of fn's receiver and parameters of type
// *Store.
func storeParams(fn *ast.FuncDecl) map[string]bool {
	names := map[string]bool{}
	var fields []*ast.Field
	if fn.Recv != nil {
		fields = append(fields, fn.Recv.List...)
	}
	fields = append(fields, fn.Type.Params.List...)
	for _, f := range fields {
		star, ok := f.Type.(*ast.StarExpr)
		if !ok {
			continue
		}
		if id, ok := star.X.(*ast.Ident); ok && id.Name == "Store" {
			for _, n := range f.Names {
				names[n.Name] = true
			}
		}
	}
	return names
}
