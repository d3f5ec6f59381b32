package dbtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// QueryText returns the SQL that sqlc generated for the query named name
// in queries/file (as "-- name: <name>" there), with its parameters as
// $1, $2, … in the order of the generated Params struct's fields: the
// text the server runs, read from db/dbsqlc/<file>.go. Tests that
// EXPLAIN a query and the benchmarks under cmd/familyhub-bench use it
// instead of a copy of the text, which could drift from the query
// measured. It reads the source tree, so it works in tests and `go run`
// only (not in a binary built with -trimpath).
func QueryText(file, name string) (string, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("dbtest: no source path")
	}
	path := filepath.Join(filepath.Dir(self), "..", "dbsqlc", file+".go")
	src, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	text, err := queryTextIn(src, name)
	if err != nil {
		return "", fmt.Errorf("dbtest: %s: %w", path, err)
	}
	return text, nil
}

// queryTextIn returns the value of the constant of Go source src that
// holds the query name ("-- name: <name> :kind" first). The constant is
// read as Go reads it: sqlc writes a query with a backtick as raw strings
// joined by "`", and a search for the raw string's end cut it there.
func queryTextIn(src []byte, name string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	prefix := "-- name: " + name + " :"
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				if s, ok := stringValue(v); ok && strings.HasPrefix(s, prefix) {
					return s, nil
				}
			}
		}
	}
	return "", fmt.Errorf("no query %s", name)
}

// stringValue evaluates a constant expression of string literals joined
// by +.
func stringValue(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return stringValue(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok := stringValue(e.X)
		if !ok {
			return "", false
		}
		y, ok := stringValue(e.Y)
		return x + y, ok
	}
	return "", false
}
