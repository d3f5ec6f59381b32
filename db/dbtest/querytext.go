package dbtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// QueryText returns the SQL that sqlc generated for the query named name
// in queries/file (as "-- name: <name>" there), with its parameters as
// $1, $2, … in the order of the generated Params struct's fields: the
// text the server runs, read from db/dbsqlc/<file>.go. Tests that
// EXPLAIN a query and the benchmarks under cmd/familyhub-bench use it
// instead of a copy of the text, which could drift from the query
// measured. It reads the source tree, so it works in tests and `go run`
// only.
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
	s := string(src)
	marker := "`-- name: " + name + " :"
	i := strings.Index(s, marker)
	if i < 0 {
		return "", fmt.Errorf("dbtest: no query %s in %s", name, path)
	}
	body := s[i+1:]
	end := strings.IndexByte(body, '`')
	if end < 0 {
		return "", fmt.Errorf("dbtest: query %s in %s does not end", name, path)
	}
	return body[:end], nil
}
