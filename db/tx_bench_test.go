package db_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// BenchmarkTxFixedCost compares, in one run, a transaction of Store.Tx as
// every one was sent before (docs/benchmarks-history.md, "Round trips of an item
// add and a tick") and as it is sent now, on a pool set up as Open sets it
// up, for a signed-in member on a device:
//
//   - before: the caller's settings in a statement of their own after
//     BEGIN (the path a device id unsafe as a literal still takes), and
//     for a create with a client id the claim's result recorded by a
//     statement of its own;
//   - now: the settings ride with BEGIN; the claim records the result.
//
// empty is the fixed cost alone (BEGIN, settings, COMMIT); item-add adds an
// item with a client id, as the PWA does. /1 is one client at a time; /4
// is four at once (the pool's size on two cores), each in its own family
// so that they do not queue on one family's event counter.
//
// Before and now alternate in blocks of 100 transactions (b.N each), so
// that both see the same machine; it reports each one's wall time per
// transaction and, when the server runs on this machine, the CPU time its
// backends spent per transaction (from /proc), and now's share of
// before's. ns/op covers both and means nothing.
//
// It runs on a fresh test database, or on BENCH_DATABASE_URL when set (a
// database it may migrate and fill, e.g. on a durable server):
//
//	go run ./cmd/pgrun -- go test -run '^$' -bench TxFixedCost -benchtime 5000x ./db/
func BenchmarkTxFixedCost(b *testing.B) {
	ctx := context.Background()
	url := os.Getenv("BENCH_DATABASE_URL")
	if url == "" {
		url = dbtest.URL(b)
	}
	for _, op := range []string{"empty", "item-add"} {
		for _, clients := range []int{1, 4} {
			b.Run(op+"/"+strconv.Itoa(clients), func(b *testing.B) {
				benchTxFixedCost(b, ctx, url, op, clients)
			})
		}
	}
}

func benchTxFixedCost(b *testing.B, ctx context.Context, url, op string, clients int) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = int32(clients)
	db.ConfigureAnnounce(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	db.MarkAnnouncing(pool)
	if err := db.MigratePool(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	store := db.NewStore(pool)
	defer store.Close(context.Background())
	// observer asks for the backends' pids, apart from the pool.
	observer, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer observer.Close(context.Background())
	store.SetJobQueue(autoFiling{})

	// A family, a member and a list per client.
	type member struct {
		auth familyhub.Auth
		list uuid.UUID
	}
	members := make([]member, clients)
	for i := range members {
		m := &members[i]
		m.auth.Role = familyhub.RoleMember
		if err := pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name) VALUES ('Bench') RETURNING id),
			u AS (INSERT INTO users (email, password_hash, display_name) VALUES ($1, 'x', 'B') RETURNING id),
			m AS (INSERT INTO memberships (family_id, user_id, role) SELECT f.id, u.id, 'member' FROM f, u)
			SELECT f.id, u.id FROM f, u`, uuid.NewString()+"@bench.example").Scan(&m.auth.FamilyID, &m.auth.UserID); err != nil {
			b.Fatal(err)
		}
		ctx := familyhub.NewContextWithAuth(ctx, &m.auth)
		if err := store.Tx(ctx, func(tx *db.Tx) error {
			l, _, err := tx.ShoppingListCreate(ctx, db.ShoppingListNew{Name: "Bench"})
			m.list = l.ID
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}

	type way struct {
		name   string
		device string // "phone'1" is unsafe as a literal: settings apart
		before bool
		wall   time.Duration
		cpu    time.Duration
		n      int
	}
	ways := []*way{{name: "before", device: "phone'1", before: true}, {name: "now", device: "phone-1"}}
	one := func(ctx context.Context, w *way, m *member) error {
		if op == "empty" {
			return store.Tx(ctx, func(*db.Tx) error { return nil })
		}
		return store.Tx(ctx, func(tx *db.Tx) error {
			id := uuid.New()
			if _, _, err := tx.ShoppingItemAdd(ctx, m.list, db.ShoppingItemNew{ID: &id, Name: "milk"}); err != nil {
				return err
			}
			if w.before { // the statement the claim saves now
				_, err := tx.Exec(ctx, "UPDATE client_creates SET result_ids = $2 WHERE id = $1", id, []uuid.UUID{id})
				return err
			}
			return nil
		})
	}
	// block runs k transactions per client the way w and adds its times.
	block := func(w *way, k int) {
		pids := backendPIDs(b, observer)
		cpu0 := backendsCPU(pids)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range members {
			m := &members[i]
			a := m.auth
			a.DeviceID = w.device
			ctx := familyhub.NewContextWithAuth(ctx, &a)
			wg.Go(func() {
				for range k {
					if err := one(ctx, w, m); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		w.wall += time.Since(start)
		w.cpu += backendsCPU(pids) - cpu0
		w.n += k * clients
	}
	// Warm up: every connection open (so that its backend is counted), the
	// statement caches full, the announcer connected.
	for _, w := range ways {
		block(w, 20)
		w.wall, w.cpu, w.n = 0, 0, 0
	}
	b.ResetTimer()
	const size = 100
	for done, round := 0, 0; done < b.N; round++ {
		k := min(size, b.N-done) / clients
		if k == 0 {
			break
		}
		first := round % 2 // alternate which way goes first
		block(ways[first], k)
		block(ways[1-first], k)
		done += k * clients
	}
	b.StopTimer()
	if b.N < 1000 {
		return // the calibrating runs
	}
	for _, w := range ways {
		// Latency: wall time per transaction of one client.
		b.ReportMetric(float64(w.wall.Microseconds())/float64(w.n)*float64(clients), w.name+"-µs/tx")
		if w.cpu > 0 {
			b.ReportMetric(float64(w.cpu.Microseconds())/float64(w.n), w.name+"-pgcpu-µs/tx")
		}
	}
	before, now := ways[0], ways[1]
	b.ReportMetric(float64(now.wall)/float64(before.wall), "now/before-wall")
	if before.cpu > 0 {
		b.ReportMetric(float64(now.cpu)/float64(before.cpu), "now/before-pgcpu")
	}
}

// backendPIDs returns the server processes of conn's database but conn's.
func backendPIDs(b *testing.B, conn *pgx.Conn) []int32 {
	rows, err := conn.Query(context.Background(), "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	return pids
}

// backendsCPU returns the CPU time (user + system) the processes spent so
// far, read from /proc: 0 when the server runs elsewhere.
func backendsCPU(pids []int32) time.Duration {
	var ticks int64
	for _, pid := range pids {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(int(pid)) + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command (which may hold spaces) in parentheses:
		// state is field 3, utime 14, stime 15.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ is 100 on Linux
}
