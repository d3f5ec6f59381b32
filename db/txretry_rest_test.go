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
		"tx.go Store.Tx":                      "Store.Tx itself",
		"tx.go Store.TxRetry":                 "TxRetry itself",
		"tx.go Store.TxGenericPlans":          "Store.TxGenericPlans itself",
		"categorise.go Store.FileCategorised": "jobs' categoriser",
		"members.go Store.PasswordSetByEmail": "the operator's familyhub reset-password",
	}
	plainTransactions(t, ".", notREST)
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
		for where, who := range notREST {
			op := where[strings.LastIndex(where, ".")+1:]
			if strings.Contains(string(src), "."+op+"(") && !strings.HasPrefix(op, "Tx") {
				t.Errorf("%s calls %s, which opens a transaction that does not retry (it was for %s): run it in TxRetry", name, op, who)
			}
		}
	}
}

// TestCalDAVAndNotifierTransactionsRetry: CalDAV requests, calendar
// imports and feeds (ical) and the notifier's scheduling and decisions
// (notify) run every transaction in TxRetry, as REST does, but where
// running it again would repeat an effect outside the transaction.
// CalDAV PUT and DELETE ran once and answered a deadlock busy
// (TestCalDAVPutDeadlockRetried in ical).
func TestCalDAVAndNotifierTransactionsRetry(t *testing.T) {
	plainTransactions(t, "../ical", nil)
	plainTransactions(t, "../notify", map[string]string{
		"deliver.go Service.sendOne":      "sends a push inside the transaction: a retry would send it again; River runs the job again",
		"pass.go Service.processFamilies": "the notifier's pass: its next pass takes the events up again",
	})
}

// plainTransactions fails for every transaction the non-test Go files of
// dir open on a Store other than through TxRetry: a call of Tx, tx or
// TxGenericPlans on a *Store parameter or receiver, or on a field or
// variable named store (s.store.Tx, tx.store.Tx). allowed names the
// functions that may ("file.go Recv.Func", with why); each must still
// open one, so that a stale exception fails too.
func plainTransactions(t *testing.T, dir string, allowed map[string]string) {
	t.Helper()
	opens := map[string]bool{"Tx": true, "tx": true, "TxGenericPlans": true}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	used := map[string]bool{}
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
			where := filepath.Base(name) + " " + funcName(fn)
			stores := storeParams(fn)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || !opens[sel.Sel.Name] || !isStore(sel.X, stores) {
					return true
				}
				if _, ok := allowed[where]; ok {
					used[where] = true
					return true
				}
				t.Errorf("%s: %s opens a plain %s: run it in TxRetry (or name it here, with why it may not run again)",
					fset.Position(call.Pos()), where, sel.Sel.Name)
				return true
			})
		}
	}
	for where := range allowed {
		if !used[where] {
			t.Errorf("%s: %s is named as opening a plain transaction, and opens none: drop it from the exceptions", dir, where)
		}
	}
}

// isStore reports whether x is a Store: one of stores (fn's *Store
// parameters), or a variable or field named store or Store.
func isStore(x ast.Expr, stores map[string]bool) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return stores[x.Name] || strings.EqualFold(x.Name, "store")
	case *ast.SelectorExpr:
		return strings.EqualFold(x.Sel.Name, "store")
	}
	return false
}

// funcName is fn's name with its receiver's type: "Store.Tx", "run".
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// storeParams returns the names of fn's receiver and parameters of type
// *Store (or *db.Store).
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
		id, ok := star.X.(*ast.Ident)
		if sel, isSel := star.X.(*ast.SelectorExpr); isSel { // *db.Store
			id, ok = sel.Sel, true
		}
		if ok && id.Name == "Store" {
			for _, n := range f.Names {
				names[n.Name] = true
			}
		}
	}
	return names
}
