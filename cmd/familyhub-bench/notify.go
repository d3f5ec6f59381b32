package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/familyhub/familyhub/db"
)

// runNotify measures how many event-producing commits per second one
// PostgreSQL sustains before commit latency degrades. It migrates the
// database it is given (use a scratch one), adds a table with the
// production event trigger (familyhub_capture_event: event_pending, the
// per-family counter, event_log and pg_notify at COMMIT), and for each
// target rate runs single-row INSERT transactions spread over many
// families while one LISTEN connection receives the notifications.
func runNotify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("familyhub-bench notify", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: familyhub-bench notify -database-url URL [flags]

Steps through -rates (commits/s), each for -step, with -conns connections issuing
one-row INSERT transactions into a table carrying FamilyHub's event trigger (one
event, one event_log row and one NOTIFY per commit), spread over -families families.
Reports achieved commits/s, commit latency p50/p99/max, NOTIFYs received/s and the
commit-to-notification latency for each step; stops after the first step that falls
short of its rate by more than 10%. Migrates the database it is pointed at: use a
scratch database.

flags:
`)
		fs.PrintDefaults()
	}
	url := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL of a scratch database (env DATABASE_URL)")
	rates := fs.String("rates", "250,500,1000,2000,4000,8000,16000", "comma-separated target commits/s, in order")
	step := fs.Duration("step", 10*time.Second, "duration of each step")
	conns := fs.Int("conns", 32, "connections issuing transactions")
	families := fs.Int("families", 1000, "families the events are spread over")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		fs.Usage()
		return flag.ErrHelp
	}
	var targets []float64
	for _, s := range splitList(*rates) {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || r <= 0 {
			return fmt.Errorf("bad rate %q", s)
		}
		targets = append(targets, r)
	}

	cfg, err := pgxpool.ParseConfig(*url)
	if err != nil {
		return err
	}
	cfg.MaxConns = int32(*conns + 2)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.MigratePool(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := pool.Exec(ctx, `
		CREATE TABLE IF NOT EXISTS bench_notify (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
			family_id uuid NOT NULL REFERENCES families ON DELETE CASCADE, name text);
		DROP TRIGGER IF EXISTS bench_notify_event ON bench_notify;
		CREATE TRIGGER bench_notify_event AFTER INSERT OR UPDATE OR DELETE ON bench_notify FOR EACH ROW
			EXECUTE FUNCTION familyhub_capture_event('SHOPPING_ITEM_UPDATED', 'familyhub_bench')`); err != nil {
		return err
	}
	var famIDs []string
	rows, err := pool.Query(ctx, `INSERT INTO families (name) SELECT 'notify bench ' || g FROM generate_series(1, $1) g RETURNING id::text`, *families)
	if err != nil {
		return err
	}
	famIDs, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	var version string
	pool.QueryRow(ctx, "SHOW server_version").Scan(&version)
	var fsync, syncCommit string
	pool.QueryRow(ctx, "SHOW fsync").Scan(&fsync)
	pool.QueryRow(ctx, "SHOW synchronous_commit").Scan(&syncCommit)
	fmt.Printf("PostgreSQL %s (fsync=%s, synchronous_commit=%s), %d connections, %d families, %s per step\n",
		version, fsync, syncCommit, *conns, *families, *step)

	// The listener: counts notifications and the delay from the change's
	// timestamp ("at", the transaction's start) to receipt.
	lconn, err := pgx.Connect(ctx, *url)
	if err != nil {
		return err
	}
	defer lconn.Close(context.Background())
	if _, err := lconn.Exec(ctx, "LISTEN familyhub_bench"); err != nil {
		return err
	}
	var received atomic.Int64
	var nmu sync.Mutex
	var notifyLat []time.Duration
	lctx, stopListen := context.WithCancel(ctx)
	listenDone := make(chan struct{})
	go func() {
		defer close(listenDone)
		for {
			n, err := lconn.WaitForNotification(lctx)
			if err != nil {
				return
			}
			var p struct {
				At time.Time `json:"at"`
			}
			if json.Unmarshal([]byte(n.Payload), &p) == nil {
				d := time.Since(p.At)
				nmu.Lock()
				notifyLat = append(notifyLat, d)
				nmu.Unlock()
			}
			received.Add(1)
		}
	}()

	fmt.Printf("%8s %10s %9s %9s %9s %9s %10s %12s %12s\n", "target/s", "commits/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "notifies/s", "notify p99", "errors")
	var next atomic.Int64
	for _, target := range targets {
		if ctx.Err() != nil {
			break
		}
		nmu.Lock()
		notifyLat = notifyLat[:0]
		nmu.Unlock()
		received.Store(0)
		var errs atomic.Int64
		var mu sync.Mutex
		var lat []time.Duration
		slots := make(chan struct{}, *conns)
		var wg sync.WaitGroup
		var late atomic.Int64
		for range *conns {
			wg.Go(func() {
				local := make([]time.Duration, 0, 4096)
				for range slots {
					f := famIDs[int(next.Add(1))%len(famIDs)]
					start := time.Now()
					_, err := pool.Exec(ctx, `INSERT INTO bench_notify (family_id, name) VALUES ($1, 'x')`, f)
					if err != nil {
						errs.Add(1)
						continue
					}
					local = append(local, time.Since(start))
				}
				mu.Lock()
				lat = append(lat, local...)
				mu.Unlock()
			})
		}
		start := time.Now()
		issued := 0
		tick := time.NewTicker(time.Millisecond)
		end := time.After(*step)
	loop:
		for {
			select {
			case <-ctx.Done():
				break loop
			case <-end:
				break loop
			case <-tick.C:
				due := int(time.Since(start).Seconds() * target)
				for ; issued < due; issued++ {
					select {
					case slots <- struct{}{}:
					default:
						late.Add(1)
					}
				}
			}
		}
		tick.Stop()
		close(slots)
		wg.Wait()
		elapsed := time.Since(start)
		// Let the last notifications arrive.
		deadline := time.Now().Add(5 * time.Second)
		for received.Load() < int64(len(lat)) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		p := percentiles(lat)
		nmu.Lock()
		np := percentiles(notifyLat)
		nmu.Unlock()
		achieved := float64(len(lat)) / elapsed.Seconds()
		fmt.Printf("%8.0f %10.0f %9.2f %9.2f %9.2f %9.1f %10.0f %9.1f ms %12d\n",
			target, achieved, p.P50, p.P95, p.P99, p.Max, float64(received.Load())/elapsed.Seconds(), np.P99, errs.Load())
		if achieved < 0.9*target {
			fmt.Printf("stopped: %.0f commits/s achieved of %.0f asked (%d not sent: all %d connections busy)\n", achieved, target, late.Load(), *conns)
			break
		}
	}
	stopListen()
	<-listenDone
	var usage float64
	pool.QueryRow(context.Background(), "SELECT pg_notification_queue_usage()").Scan(&usage)
	fmt.Printf("pg_notification_queue_usage() at the end: %.4f\n", usage)
	_, err = pool.Exec(context.Background(), "DROP TABLE bench_notify")
	return err
}
