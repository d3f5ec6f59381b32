package assistant

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
)

// namedStatements counts the statements of the query name (sqlc's "--
// name:"): MemberList reads the family's members.
type namedStatements struct {
	name string
	n    atomic.Int64
}

func (c *namedStatements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.HasPrefix(d.SQL, "-- name: "+c.name+" ") {
		c.n.Add(1)
	}
	return ctx
}

func (c *namedStatements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestMembersReadOncePerExecution: a command reads the family's members
// once to understand it (who is spoken to) and once in its transaction,
// however many people it names: a rotation of four, a question whose
// options are each tried, not once per name.
func TestMembersReadOncePerExecution(t *testing.T) {
	f := newTestFamily(t)
	reads := &namedStatements{name: "MemberList"}
	pool := f.tracedPool(t, reads)
	svc := NewService(db.NewStore(pool), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, text := range []string{
		"Ana, Tim, Mia and Ben take turns with the dishes",
		"Tim, take out the bins on Tuesday",
	} {
		reads.n.Store(0)
		a, err := svc.Command(f.ctx(f.ana), Request{Text: text, Lang: "en"})
		if err != nil || a.Outcome != OutcomeExecuted {
			t.Fatalf("%q: %+v %v", text, a, err)
		}
		if n := reads.n.Load(); n != 2 {
			t.Errorf("%q read the members %d times, want 2 (understanding, execution)", text, n)
		}
	}
}
