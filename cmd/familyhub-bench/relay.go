package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// runRelay measures fan-out: N sockets, all of one family (one session
// and no device_id unless -distinct-sessions or -distinct-devices say),
// receive R events/s; latency runs from the event's time in PostgreSQL
// ("at", taken inside the writing transaction) to each socket's receipt.
//
// Targets: "fh" (FamilyHub at -url: the events are rows inserted into
// shopping_items as psql would, numbered and notified by the triggers),
// "baseline" (a minimal LISTEN → WebSocket relay in this process, the
// simplest correct peer), or a ws:// URL of another relay such as
// pg_eventserv's ws://host:port/listen/<channel> (the events are plain
// pg_notify calls on -channel).
func runRelay(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("familyhub-bench relay", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: familyhub-bench relay -database-url URL -target fh|fh-notify|baseline|ws://… [flags]

For each sockets×rate point: opens the sockets, sends rate events/s for -duration,
waits 2 s, and reports commit-to-socket latency p50/p99 and the share of
(events × sockets) delivered within 2 s. -kill-listener terminates the relay's
LISTEN backend (pg_terminate_backend) halfway through each point.

flags:
`)
		fs.PrintDefaults()
	}
	dbURL := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL the relay listens to")
	target := fs.String("target", "fh", `"fh", "fh-notify" (FamilyHub-shaped bare NOTIFYs, no write), "baseline", or a ws:// URL of another relay`)
	base := fs.String("url", "http://127.0.0.1:8081", "FamilyHub replica (target fh)")
	channel := fs.String("channel", "bench", "NOTIFY channel (targets baseline and ws://)")
	points := fs.String("points", "10x100,100x200,1000x50,1000x100,4000x20", "comma-separated sockets x events/s")
	duration := fs.Duration("duration", 10*time.Second, "how long each point sends")
	devices := fs.Bool("distinct-devices", false, "target fh: give every socket its own device_id (default: none)")
	sessions := fs.Bool("distinct-sessions", false, "target fh: give every socket its own session of the one user, made in the database as the session store makes them (default: all share the sign-up's)")
	kill := fs.Bool("kill-listener", false, "terminate the relay's LISTEN backend halfway through each point")
	cpuPID := fs.Int("cpu-pid", 0, "the relay's process id: report its CPU time and write system calls (from /proc) per message delivered, over the send and delivery window only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbURL == "" {
		fs.Usage()
		return flag.ErrHelp
	}
	raiseNoFile(200000)
	pool, err := pgxpool.New(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	var wsURL, cookie string
	var cookies func(n int) ([]string, error) // one per socket (-distinct-sessions)
	var mallocs func() float64                // the replica's allocations so far (fh targets)
	var send func(ctx context.Context, i int) error
	switch {
	case *target == "fh" || *target == "fh-notify":
		b := newBench(&loadConfig{urls: []string{*base}, prefix: fmt.Sprintf("relay%d", time.Now().UnixNano()), dialConc: 64, sources: []net.IP{net.IPv4(127, 0, 0, 1)}})
		f, err := b.signupOne(ctx, 0)
		if err != nil {
			return err
		}
		cookie = f.cookie
		wsURL = "ws" + strings.TrimPrefix(*base, "http") + "/ws"
		var famID string
		if err := pool.QueryRow(ctx, `SELECT family_id::text FROM shopping_lists WHERE id = $1`, f.list).Scan(&famID); err != nil {
			return err
		}
		mallocs = func() float64 { return promSample(*base+"/metrics", "go_memstats_mallocs_total") }
		if *sessions {
			cookies = func(n int) ([]string, error) { return relaySessions(ctx, pool, f.cookie, n) }
		}
		send = func(ctx context.Context, i int) error {
			_, err := pool.Exec(ctx, `INSERT INTO shopping_items (family_id, list_id, name) VALUES ($1, $2, 'relay')`, famID, f.list)
			return err
		}
		if *target == "fh-notify" {
			if send, err = fhNotifySender(ctx, *dbURL, famID, f.list); err != nil {
				return err
			}
		}
	default:
		wsURL = *target
		if *target == "baseline" {
			addr, stop, err := startBaselineRelay(ctx, *dbURL, *channel)
			if err != nil {
				return err
			}
			defer stop()
			wsURL = "ws://" + addr + "/ws"
		}
		send = func(ctx context.Context, i int) error {
			_, err := pool.Exec(ctx, `SELECT pg_notify($1, json_build_object('at', clock_timestamp(), 'n', $2::int)::text)`, *channel, i)
			return err
		}
	}
	fmt.Printf("relay %s: %s, %s per point%s\n", *target, wsURL, *duration, map[bool]string{true: ", listener killed halfway"}[*kill])
	fmt.Printf("%-14s %10s %10s %10s %12s %6s %8s %8s %8s %10s %10s %10s\n", "sockets×rate", "p50 ms", "p99 ms", "max ms", "≤2 s", "dups", "resyncs", "short", "updates", "cpu µs/msg", "writes/msg", "allocs/msg")
	for _, p := range splitList(*points) {
		n, rate, ok := strings.Cut(p, "x")
		sockets, err1 := strconv.Atoi(n)
		r, err2 := strconv.ParseFloat(rate, 64)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("bad point %q", p)
		}
		perSocket := []string{cookie}
		if cookies != nil {
			if perSocket, err = cookies(sockets); err != nil {
				return err
			}
		}
		res, err := relayPoint(ctx, pool, wsURL, perSocket, *devices, sockets, r, *duration, *kill, *cpuPID, mallocs, send)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		cpu, writes, allocs := "-", "-", "-"
		if res.messages > 0 && res.mallocs >= 0 {
			allocs = fmt.Sprintf("%.3f", res.mallocs/float64(res.messages))
		}
		if res.messages > 0 && res.cpu > 0 {
			cpu = fmt.Sprintf("%.2f", float64(res.cpu.Microseconds())/float64(res.messages))
		}
		if res.messages > 0 && res.writes >= 0 {
			writes = fmt.Sprintf("%.3f", float64(res.writes)/float64(res.messages))
		}
		fmt.Printf("%-14s %10.2f %10.2f %10.1f %11.1f%% %6d %8d %8d %8d %10s %10s %10s\n", p, res.P50, res.P99, res.Max, res.delivered*100, res.dups, res.resyncs, res.short, res.updates, cpu, writes, allocs)
	}
	return nil
}

type relayResult struct {
	pcts
	delivered float64
	dups      int
	resyncs   int // FamilyHub's "re-read everything" (it skipped events)
	// short: sockets that received less than half of what was sent, so a
	// share under 100 % tells a few stalled sockets from a general delay.
	short int
	// updates: FamilyHub's own follow-up events received (the categoriser
	// filing the bench's items), which compete with the measured ones.
	updates int
	// cpu is the relay process's CPU time (-cpu-pid) from the first send
	// to the end of the delivery window; messages what its sockets
	// received meanwhile.
	cpu      time.Duration
	writes   int64   // the relay's write system calls meanwhile; -1: unknown
	mallocs  float64 // the replica's allocations meanwhile (its /metrics); -1: unknown
	messages int
}

// procWrites returns the write system calls process pid has made (syscw
// in /proc/<pid>/io: write, writev and the like); -1 when unknown.
func procWrites(pid int) int64 {
	if pid <= 0 {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				return n
			}
		}
	}
	return -1
}

// procCPU returns the CPU time (user and system) process pid has used,
// from /proc/<pid>/stat (Linux; clock ticks of 10 ms); 0 when unknown.
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: count from after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// promSample reads one sample (the whole series as printed) from a
// Prometheus text page; -1 when it cannot.
func promSample(url, series string) float64 {
	hc := &http.Client{Timeout: 5 * time.Second}
	resp, err := hc.Get(url)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				return f
			}
		}
	}
	return -1
}

// eventSeq finds "seq":N in a FamilyHub event.
func eventSeq(b []byte) (int64, bool) {
	i := bytes.Index(b, []byte(`"seq":`))
	if i < 0 {
		return 0, false
	}
	b = b[i+len(`"seq":`):]
	j := bytes.IndexAny(b, ",}")
	if j < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b[:j]), 10, 64)
	return n, err == nil
}

func relayPoint(ctx context.Context, pool *pgxpool.Pool, wsURL string, cookies []string, devices bool, sockets int, rate float64,
	d time.Duration, kill bool, cpuPID int, mallocs func() float64, send func(context.Context, int) error) (relayResult, error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{}).DialContext, MaxIdleConnsPerHost: 1024}}
	lat := make([][]time.Duration, sockets)
	var wg sync.WaitGroup
	var opened, dups, resyncs, updates atomic.Int32
	sem := make(chan struct{}, 64)
	errc := make(chan error, 1)
	for i := range sockets {
		sem <- struct{}{}
		u := wsURL
		if devices {
			u += fmt.Sprintf("?device_id=relay-%d", i)
		}
		dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
		conn, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: hc, HTTPHeader: http.Header{"Cookie": {cookies[i%len(cookies)]}}})
		dcancel()
		<-sem
		if err != nil {
			return relayResult{}, fmt.Errorf("dial socket %d: %w", i, err)
		}
		conn.SetReadLimit(1 << 20)
		opened.Add(1)
		wg.Go(func() {
			defer conn.CloseNow()
			var last int64
			for {
				_, b, err := conn.Read(runCtx)
				if err != nil {
					if runCtx.Err() == nil {
						select {
						case errc <- fmt.Errorf("socket %d: %w", i, err):
						default:
						}
					}
					return
				}
				at, ok := eventTime(b)
				if !ok {
					if bytes.Contains(b, []byte(`"type":"resync"`)) {
						resyncs.Add(1)
					}
					continue
				}
				if bytes.Contains(b, []byte(`"op":"update"`)) {
					updates.Add(1) // FamilyHub's own follow-ups (the categoriser filing the items): not sent by the bench
					continue
				}
				if seq, ok := eventSeq(b); ok {
					if seq <= last {
						dups.Add(1) // FamilyHub numbers events: a repeat is a duplicate
						continue
					}
					last = seq
				}
				lat[i] = append(lat[i], time.Since(at))
			}
		})
	}
	// Send at the rate for d, from a few writers.
	total := int(rate * d.Seconds())
	var sent atomic.Int32
	interval := time.Duration(float64(time.Second) / rate)
	cpu0, writes0 := procCPU(cpuPID), procWrites(cpuPID)
	mallocs0 := -1.0
	if mallocs != nil {
		mallocs0 = mallocs()
	}
	start := time.Now()
	var writers sync.WaitGroup
	next := atomic.Int32{}
	for range 8 {
		writers.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= total || ctx.Err() != nil {
					return
				}
				if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
					time.Sleep(wait)
				}
				if send(ctx, i) == nil {
					sent.Add(1)
				}
			}
		})
	}
	if kill {
		time.Sleep(d / 2)
		pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE (application_name = 'familyhub-listener' OR query ILIKE 'listen%') AND pid <> pg_backend_pid()`)
	}
	writers.Wait()
	time.Sleep(2 * time.Second) // the delivery window
	cpu1, writes1 := procCPU(cpuPID), procWrites(cpuPID)
	mallocs1 := -1.0
	if mallocs != nil {
		mallocs1 = mallocs()
	}
	cancel()
	wg.Wait()
	select {
	case err := <-errc:
		return relayResult{}, err
	default:
	}
	var all []time.Duration
	within := 0
	for _, l := range lat {
		for _, x := range l {
			if x <= 2*time.Second {
				within++
			}
		}
		all = append(all, l...)
	}
	res := relayResult{pcts: percentiles(all), dups: int(dups.Load()), resyncs: int(resyncs.Load()), updates: int(updates.Load())}
	for _, l := range lat {
		if 2*len(l) < int(sent.Load()) {
			res.short++
		}
		res.messages += len(l)
	}
	if cpu0 > 0 {
		res.cpu = cpu1 - cpu0
	}
	res.writes, res.mallocs = -1, -1
	if mallocs0 >= 0 && mallocs1 >= 0 {
		res.mallocs = mallocs1 - mallocs0
	}
	if writes0 >= 0 && writes1 >= 0 {
		res.writes = writes1 - writes0
	}
	if n := int(sent.Load()) * sockets; n > 0 {
		res.delivered = float64(within) / float64(n)
	}
	return res, nil
}

// relaySessions makes n sessions of the user whose sign-up cookie is
// given, straight in the database as the session store does
// (db.Tx.SessionCreate: only the token's SHA-256 is stored, issued as a
// plain-HTTP cookie), instead of n password sign-ins (argon2 each), and
// returns a cookie header for each. They expire in a day.
func relaySessions(ctx context.Context, pool *pgxpool.Pool, signup string, n int) ([]string, error) {
	name, token := "", ""
	for _, kv := range strings.Split(signup, "; ") {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasSuffix(k, "familyhub_session") {
			name, token = k, v
		}
	}
	if token == "" {
		return nil, fmt.Errorf("no session cookie in %q", signup)
	}
	prefix := make([]byte, 12)
	_, _ = rand.Read(prefix)
	p := fmt.Sprintf("relay-%x-", prefix)
	if _, err := pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, expires_at, issued_as)
		SELECT sha256(convert_to($2 || g, 'UTF8')), s.user_id, now() + interval '1 day', s.issued_as
		FROM sessions s, generate_series(0, $3 - 1) g WHERE s.token_hash = sha256(convert_to($1, 'UTF8'))`, token, p, n); err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s=%s%d", name, p, i)
	}
	return out, nil
}

// eventTime finds "at":"<RFC 3339>" in a message without decoding it all.
func eventTime(b []byte) (time.Time, bool) {
	i := bytes.Index(b, []byte(`"at":"`))
	if i < 0 {
		i = bytes.Index(b, []byte(`"at" : "`)) // json_build_object's spacing
		if i < 0 {
			return time.Time{}, false
		}
		i += len(`"at" : "`)
	} else {
		i += len(`"at":"`)
	}
	j := bytes.IndexByte(b[i:], '"')
	if j < 0 {
		return time.Time{}, false
	}
	s := string(b[i : i+j])
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999-07:00", "2006-01-02T15:04:05.999999Z07"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// startBaselineRelay is the simplest correct LISTEN → WebSocket relay: one
// LISTEN connection; each notification is handed to every socket's
// 256-deep channel without blocking (a full one drops the socket), and one
// goroutine per socket writes. It reconnects the LISTEN on error (without
// catching up: plain NOTIFY relays have no log). It returns its address.
func startBaselineRelay(ctx context.Context, dbURL, channel string) (string, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	socks := map[chan []byte]struct{}{}
	go func() {
		for ctx.Err() == nil {
			conn, err := pgx.Connect(ctx, dbURL)
			if err == nil {
				_, err = conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize())
			}
			for err == nil {
				note, werr := conn.WaitForNotification(ctx)
				if werr != nil {
					err = werr
					break
				}
				msg := []byte(note.Payload)
				mu.Lock()
				for ch := range socks {
					select {
					case ch <- msg:
					default:
						delete(socks, ch)
						close(ch)
					}
				}
				mu.Unlock()
			}
			if conn != nil {
				conn.Close(context.Background())
			}
			if ctx.Err() == nil {
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		ch := make(chan []byte, 256)
		mu.Lock()
		socks[ch] = struct{}{}
		mu.Unlock()
		rctx := c.CloseRead(r.Context())
		for {
			select {
			case m, ok := <-ch:
				if !ok {
					return
				}
				if err := c.Write(rctx, websocket.MessageText, m); err != nil {
					return
				}
			case <-rctx.Done():
				mu.Lock()
				if _, ok := socks[ch]; ok {
					delete(socks, ch)
				}
				mu.Unlock()
				return
			}
		}
	})}
	go srv.Serve(l)
	return l.Addr().String(), func() {
		cancel()
		srv.Close()
	}, nil
}

// fhNotifySender sends FamilyHub-shaped notices for one family, numbered
// in order, without waiting for a durable commit: the replica's side of
// the fan-out alone, with a sender nearly as cheap as the baseline's bare
// NOTIFY (a transaction that only notifies writes no WAL before its commit
// record, so PostgreSQL does not wait for a flush). The family's counter
// moves with each notice, on a connection with synchronous_commit off, so
// a replica's cross-check and a later socket's join see the same seq.
// Those seqs have no event_log rows: use a benchmark database (the
// notifications service sees that family as behind at every sweep).
func fhNotifySender(ctx context.Context, dbURL, famID, list string) (func(context.Context, int) error, error) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["synchronous_commit"] = "off"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, func() { conn.Close(context.Background()) })
	var mu sync.Mutex // one at a time: the notices arrive in seq order
	return func(ctx context.Context, _ int) error {
		mu.Lock()
		defer mu.Unlock()
		_, err := conn.Exec(ctx, `WITH s AS (UPDATE family_event_seq SET seq = seq + 1 WHERE family_id = $1 RETURNING seq)
			SELECT pg_notify('familyhub_shopping', json_build_object('family_id', $1::uuid, 'seq', s.seq, 'type', 'SHOPPING_ITEM_CREATED',
				'id', gen_random_uuid(), 'list_id', $2::uuid, 'op', 'insert', 'at', clock_timestamp())::text) FROM s`, famID, list)
		return err
	}, nil
}
