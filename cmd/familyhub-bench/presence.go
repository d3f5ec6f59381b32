package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
)

// runPresence measures what presence costs: -families families with
// -devices devices each, spread over the replicas, report a view on
// connecting and a new one every -change-every (staggered); a LISTEN
// connection counts the replicas' presence announcements. Reports
// announcements and presence messages per second per family, and the
// replicas' CPU.
func runPresence(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("familyhub-bench presence", flag.ContinueOnError)
	dbURL := fs.String("database-url", os.Getenv("DATABASE_URL"), "the replicas' PostgreSQL (for LISTEN familyhub_presence)")
	urls := fs.String("urls", "http://127.0.0.1:8081,http://127.0.0.1:8082", "replica base URLs; a family's devices alternate between them")
	families := fs.Int("families", 50, "families")
	devices := fs.Int("devices", 4, "devices per family")
	every := fs.Duration("change-every", 10*time.Second, "each device reports a new view this often")
	duration := fs.Duration("duration", 60*time.Second, "how long to measure")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbURL == "" {
		fs.Usage()
		return flag.ErrHelp
	}
	bases := splitList(*urls)
	b := newBench(&loadConfig{urls: bases, families: *families, prefix: fmt.Sprintf("presence%d", time.Now().UnixNano()),
		signupConc: 4, sources: []net.IP{net.IPv4(127, 0, 0, 1)}})
	fams, err := b.signup(ctx)
	if err != nil {
		return err
	}
	lconn, err := pgx.Connect(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer lconn.Close(context.Background())
	if _, err := lconn.Exec(ctx, "LISTEN familyhub_presence"); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var notices, msgs atomic.Int64
	go func() {
		for {
			if _, err := lconn.WaitForNotification(runCtx); err != nil {
				return
			}
			notices.Add(1)
		}
	}()
	cpu0 := map[string]float64{}
	for _, u := range bases {
		s, err := scrape(ctx, u)
		if err != nil {
			return err
		}
		cpu0[u] = s.CPU
	}
	views := []string{"shopping", "tasks", "calendar", "recipes", "shopping-list:%s"}
	var wg sync.WaitGroup
	start := time.Now()
	for _, f := range fams {
		for d := range *devices {
			base := bases[(f.idx+d)%len(bases)]
			dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
			conn, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(base, "http")+fmt.Sprintf("/ws?device_id=p-%d-%d", f.idx, d),
				&websocket.DialOptions{HTTPClient: &http.Client{}, HTTPHeader: http.Header{"Cookie": {f.cookie}}})
			dcancel()
			if err != nil {
				return err
			}
			wg.Go(func() {
				defer conn.CloseNow()
				go func() {
					for {
						_, data, err := conn.Read(runCtx)
						if err != nil {
							return
						}
						if strings.Contains(string(data), `"members"`) {
							msgs.Add(1)
						}
					}
				}()
				stagger := time.Duration(int64(*every) * int64(f.idx**devices+d) / int64(len(fams)**devices))
				t := time.NewTimer(stagger)
				defer t.Stop()
				for i := 0; ; i++ {
					v := views[(d+i)%len(views)]
					if strings.Contains(v, "%s") {
						v = fmt.Sprintf(v, f.list)
					}
					if conn.Write(runCtx, websocket.MessageText, []byte(`{"type":"presence","view":"`+v+`"}`)) != nil {
						return
					}
					select {
					case <-runCtx.Done():
						return
					case <-t.C:
						t.Reset(*every)
					}
				}
			})
		}
	}
	time.Sleep(*duration)
	elapsed := time.Since(start).Seconds()
	n, m := notices.Load(), msgs.Load()
	cancel()
	wg.Wait()
	fmt.Printf("presence: %d families × %d devices over %d replica(s), a view change per device every %s, %.0f s\n",
		len(fams), *devices, len(bases), *every, elapsed)
	fmt.Printf("announcements (NOTIFY familyhub_presence): %.2f/s per family; presence messages to sockets: %.2f/s per family (%.2f per device)\n",
		float64(n)/elapsed/float64(len(fams)), float64(m)/elapsed/float64(len(fams)), float64(m)/elapsed/float64(len(fams)**devices))
	for _, u := range bases {
		s, err := scrape(context.Background(), u)
		if err == nil {
			fmt.Printf("replica %s: CPU %.2f cores\n", u, (s.CPU-cpu0[u])/elapsed)
		}
	}
	return nil
}
