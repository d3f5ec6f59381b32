// Command querytext prints a PREPARE of each query named on its command
// line (of queries/notify.sql), with the text sqlc generated for it
// (dbtest.QueryText): the presence benchmark (../run.sh) EXECUTEs what the
// server runs, not a copy that could drift from it.
//
//	go run ./cmd/familyhub-bench/presrefresh/querytext NotifyPresenceRefresh NotifyPresenceUpsert
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/familyhub/familyhub/db/dbtest"
)

func main() {
	for _, name := range os.Args[1:] {
		text, err := dbtest.QueryText("notify.sql", name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("PREPARE %s AS %s;\n", strings.ToLower(name), strings.TrimRight(text, "\n; "))
	}
}
