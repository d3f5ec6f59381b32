package db_test

import (
	"testing"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestSessionPruneIndexes: the two foreign keys that point at sessions have
// an index on their own side (migration 00029), so the prune job's DELETE
// does not scan sessions (and the realtime tickets) once per deleted
// session; without them a prune grew with the square of the table.
func TestSessionPruneIndexes(t *testing.T) {
	p := poolSQL{t, dbtest.Pool(t)}
	for _, c := range []struct{ table, column string }{{"sessions", "replaced_by"}, {"realtime_tickets", "session_id"}} {
		n := p.count(`SELECT count(*) FROM pg_index i
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
			WHERE i.indrelid = $1::regclass AND a.attname = $2`, c.table, c.column)
		if n == 0 {
			t.Errorf("no index leads with %s.%s, which references sessions", c.table, c.column)
		}
	}
}
