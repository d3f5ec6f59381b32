package http

import (
	"os"
	"strings"
	"testing"
)

// TestWritesRetryDeadlocks: every transaction of a request runs in
// db.Store.TxRetry, so that a deadlock PostgreSQL failed the request's
// side of (40P01) is run again rather than answered 500
// (TestShoppingListDeleteDeadlockRetried): no handler calls store.Tx.
// The transactions the Store opens for a request itself (sign-in limits,
// password reset, realtime tickets) are db's TestRESTTransactionsRetry;
// what a write answers once every try deadlocked, TestAssistantBusyAnswer.
func TestWritesRetryDeadlocks(t *testing.T) {
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := f.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, "store.Tx(") {
				t.Errorf("%s:%d: store.Tx: run a request's transaction in store.TxRetry", name, i+1)
			}
		}
	}
}
