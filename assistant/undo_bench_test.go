package assistant

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db"
)

// BenchmarkUndoClearTicked: the undo of "clear the ticked items" on a list
// of n ticked items puts all n back in one transaction. Only the undo is
// timed; filling the list, clearing it and vacuuming are not.
//
//	go run ./cmd/pgrun -- go test ./assistant/ -run '^$' -bench UndoClearTicked -benchtime 3x
func BenchmarkUndoClearTicked(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := newTestFamily(b)
			weekly := f.list("Weekly")
			for b.Loop() {
				b.StopTimer()
				// Each undo starts from tables without the dead rows of the
				// one before, as the first does.
				if _, err := f.pool.Exec(context.Background(), `VACUUM shopping_items, family_event_seq`); err != nil {
					b.Fatal(err)
				}
				if _, err := f.pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name, position, checked, checked_at)
					SELECT $1, $2, 'item ' || g, g, true, now() FROM generate_series(1, $3::int) g`, f.id, weekly.ID, n); err != nil {
					b.Fatal(err)
				}
				a := f.do("clear the ticked items")
				b.StartTimer()
				if _, err := f.undo(f.ana, a.ID); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if _, err := f.pool.Exec(context.Background(), `DELETE FROM shopping_items WHERE list_id = $1`, weekly.ID); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkUndoMove: the undo of "move the milk to the Aldi list" with n
// entries of milk on Weekly puts all n back on Weekly in one transaction.
// Only the undo is timed; filling the list, the move and vacuuming are
// not. Besides wall time (which other processes on the machine stretch)
// it reports the CPU time the database's backends spent (server-ms/op)
// and the statements sent (stmts/op).
//
//	go run ./cmd/pgrun -- go test ./assistant/ -run '^$' -bench UndoMove -benchtime 3x
func BenchmarkUndoMove(b *testing.B) {
	for _, n := range []int{1_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := newTestFamily(b)
			weekly, aldi := f.list("Weekly"), f.list("Aldi")
			stmts := &statementCount{}
			pool := f.tracedPool(b, stmts)
			svc := NewService(db.NewStore(pool), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
			var server time.Duration
			for b.Loop() {
				b.StopTimer()
				if _, err := f.pool.Exec(context.Background(), `VACUUM shopping_items, family_event_seq`); err != nil {
					b.Fatal(err)
				}
				if _, err := f.pool.Exec(context.Background(), `INSERT INTO shopping_items (family_id, list_id, name, position)
					SELECT $1, $2, 'milk', g FROM generate_series(1, $3::int) g`, f.id, weekly.ID, n); err != nil {
					b.Fatal(err)
				}
				a := f.do("move the milk to the Aldi list")
				cpu := backendsCPU(b, f.pool)
				stmts.on.Store(true)
				b.StartTimer()
				if _, err := svc.Undo(f.ctx(f.ana), a.ID, "en", Device{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				stmts.on.Store(false)
				server += backendsCPU(b, f.pool) - cpu
				if _, err := f.pool.Exec(context.Background(), `DELETE FROM shopping_items WHERE list_id IN ($1, $2)`, weekly.ID, aldi.ID); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(server.Milliseconds())/float64(b.N), "server-ms/op")
			b.ReportMetric(float64(stmts.n.Load())/float64(b.N), "stmts/op")
		})
	}
}

// statementCount counts the statements sent while on.
type statementCount struct {
	on atomic.Bool
	n  atomic.Int64
}

func (c *statementCount) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	if c.on.Load() {
		c.n.Add(1)
	}
	return ctx
}

func (c *statementCount) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// backendsCPU is the CPU time (user and system, from /proc) the backends
// of pool's database have used: unlike wall time, it does not grow while
// other processes have the CPU. Zero where /proc is not there to read.
func backendsCPU(b *testing.B, pool *pgxpool.Pool) time.Duration {
	rows, err := pool.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	var ticks int64
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields 14 and 15 (utime, stime), counted after the command's ")".
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		for _, s := range f[11:13] {
			v, _ := strconv.ParseInt(s, 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}
