// Command familyhub-bench is FamilyHub's load tool. It drives running
// `familyhub serve` replicas the way devices do and reports what they saw:
//
//	familyhub-bench [flags]          families, devices, sockets, writes: latency and loss
//	familyhub-bench notify [flags]   NOTIFY throughput of one PostgreSQL
//	familyhub-bench relay [flags]    fan-out latency: FamilyHub, a baseline relay, pg_eventserv
//	familyhub-bench presence [flags] what presence costs per family
//
// The load run signs up -families families (concurrently; argon2id makes
// each signup cost 20-50 ms of server CPU) spread over the -urls replicas,
// opens -devices sockets per family (all devices of a family share its one
// session, each with its own device_id), then drives -rate writes/s through
// the REST API for -duration. Each write adds a shopping item; its event is
// matched on every device by the item id the write returned, and the
// write-to-delivery latency runs from the start of the HTTP request to the
// device's receipt. Every socket checks seq continuity (prev_seq), so a lost
// event is counted as missed. Server memory, goroutines and CPU come from
// each replica's /metrics before and after.
//
// Many sockets from one machine: each loopback source address has about
// 28,000 ephemeral ports, so pass -sources 4 (127.0.0.1 to 127.0.0.4) or
// more for 50,000 sockets. The tool raises its own open-file limit
// (RLIMIT_NOFILE) as far as it may; the server needs the same (ulimit -n).
// See docs/benchmarks.md for the recorded runs.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "notify":
		err = runNotify(ctx, os.Args[2:])
	case len(os.Args) > 1 && os.Args[1] == "relay":
		err = runRelay(ctx, os.Args[2:])
	case len(os.Args) > 1 && os.Args[1] == "presence":
		err = runPresence(ctx, os.Args[2:])
	default:
		err = runLoad(ctx, os.Args[1:])
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "familyhub-bench:", err)
		}
		os.Exit(1)
	}
}

type loadConfig struct {
	urls        []string
	families    int
	devices     int
	rate        float64
	duration    time.Duration
	sseEvery    int
	sources     []net.IP
	signupConc  int
	dialConc    int
	writers     int
	prefix      string
	drain       time.Duration
	maxSetup    time.Duration
	reportJSON  string
	holdSockets bool
	reuse       string
	clientIDs   bool
	timeline    bool
}

func parseLoad(args []string) (*loadConfig, error) {
	c := &loadConfig{}
	fs := flag.NewFlagSet("familyhub-bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: familyhub-bench [flags]          (load run against running replicas)
       familyhub-bench notify [flags]   (NOTIFY throughput of one PostgreSQL; notify -h)

Signs up families spread over the replicas, opens every device's socket, drives
writes/s through the REST API for a bounded duration and reports write-to-delivery
latency (p50/p95/p99/max), deliveries/s, missed events, server memory per socket
and CPU. With -rate 0 it only holds the sockets open (idle-socket memory).

Open files: one per socket here and one per socket in the server. This tool raises
its own RLIMIT_NOFILE (as root, also the hard limit); start the server with a
high enough limit too (ulimit -n 200000). Ephemeral ports: ~28,000 per loopback
source address; use -sources for more sockets.

flags:
`)
		fs.PrintDefaults()
	}
	urls := fs.String("urls", "http://127.0.0.1:8081,http://127.0.0.1:8082", "comma-separated replica base URLs; families and devices are spread over them (family i writes on replica i mod n, its devices connect round robin so deliveries cross replicas)")
	fs.IntVar(&c.families, "families", 100, "families to sign up")
	fs.IntVar(&c.devices, "devices", 4, "devices (sockets) per family, sharing the family's session")
	fs.Float64Var(&c.rate, "rate", 100, "writes per second across all families (0: no writes, hold sockets idle for -duration)")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to write (or hold idle sockets); the run always ends")
	fs.IntVar(&c.sseEvery, "sse-every", 0, "make every n-th device use SSE (/sse) instead of a WebSocket (0: WebSockets only)")
	sources := fs.Int("sources", 1, "loopback source addresses to dial from: 127.0.0.1 .. 127.0.0.<n> (about 28,000 sockets each)")
	fs.IntVar(&c.signupConc, "signup-concurrency", 2*runtime.NumCPU(), "concurrent signups")
	fs.IntVar(&c.dialConc, "dial-concurrency", 64, "concurrent socket dials")
	fs.IntVar(&c.writers, "writers", 256, "concurrent writers (upper bound on writes in flight)")
	fs.StringVar(&c.prefix, "email-prefix", fmt.Sprintf("b%d", time.Now().Unix()), "prefix of the generated e-mail addresses (unique per run by default)")
	fs.DurationVar(&c.drain, "drain", 10*time.Second, "how long to wait after the last write for deliveries to arrive")
	fs.DurationVar(&c.maxSetup, "setup-timeout", 10*time.Minute, "give up when signups and dials take longer")
	fs.StringVar(&c.reportJSON, "json", "", "also write the report as JSON to this file")
	fs.StringVar(&c.reuse, "reuse", "", "families file: sign up and save them there when it does not exist, else reuse them (same -urls, same -families)")
	fs.BoolVar(&c.timeline, "timeline", false, "also print, per second of the write phase, the writes started in it and their HTTP and write→delivery p99/max (finds stalls the run's percentiles hide)")
	fs.BoolVar(&c.clientIDs, "client-ids", true, "send a client-chosen id with every add, as the PWA does (false: the server picks it, as the rounds before the ninth measured)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.urls = splitList(*urls)
	if len(c.urls) == 0 || c.families < 1 || c.devices < 1 || c.rate < 0 || c.duration <= 0 || *sources < 1 || *sources > 254 {
		fs.Usage()
		return nil, errors.New("need -urls, -families ≥ 1, -devices ≥ 1, -rate ≥ 0, -duration > 0, 1 ≤ -sources ≤ 254")
	}
	for i := 1; i <= *sources; i++ {
		c.sources = append(c.sources, net.IPv4(127, 0, 0, byte(i)))
	}
	c.holdSockets = c.rate == 0
	return c, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, strings.TrimSuffix(s, "/"))
		}
	}
	return out
}

// raiseNoFile raises RLIMIT_NOFILE to at least want (the hard limit too
// when allowed, e.g. as root) and returns the limit in force.
func raiseNoFile(want uint64) uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	if lim.Cur >= want {
		return lim.Cur
	}
	try := syscall.Rlimit{Cur: want, Max: max(lim.Max, want)}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &try) == nil {
		return want
	}
	lim.Cur = lim.Max
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		return lim.Cur
	}
	return lim.Cur
}

// family is one signed-up family: its session, its list, its replica.
type family struct {
	idx    int
	cookie string
	list   string
	base   string // where its writes go
}

// device is one socket.
type device struct {
	fam      *family
	base     string
	sse      bool
	name     string
	mu       sync.Mutex
	last     int64
	gaps     int64
	dups     int64
	resync   bool
	closed   error
	receipts []receipt
}

type receipt struct {
	id string
	at time.Time
}

// write is one REST write.
type write struct {
	fam   *family
	id    string
	start time.Time
	took  time.Duration
}

type bench struct {
	cfg        *loadConfig
	clients    []*http.Client // REST, one per source address
	dialers    []*http.Client // sockets, one per source address
	deliveries atomic.Int64
	writesOK   atomic.Int64
	writesErr  atomic.Int64
	late       atomic.Int64
	open       atomic.Int64
	mu         sync.Mutex
	writes     []write
	phaseStart time.Time
	lastErr    atomic.Value
}

func newBench(cfg *loadConfig) *bench {
	b := &bench{cfg: cfg}
	for _, ip := range cfg.sources {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second, KeepAlive: -1}
		b.clients = append(b.clients, &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			DialContext: d.DialContext, MaxIdleConns: 1024, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute,
		}})
		// Sockets: a transport that never pools (each upgrade is its own
		// connection) and no overall timeout (streams stay open).
		b.dialers = append(b.dialers, &http.Client{Transport: &http.Transport{
			DialContext: d.DialContext, DisableKeepAlives: true,
		}})
	}
	return b
}

func runLoad(ctx context.Context, args []string) error {
	cfg, err := parseLoad(args)
	if err != nil {
		return err
	}
	sockets := cfg.families * cfg.devices
	limit := raiseNoFile(uint64(sockets) + 4096)
	if limit < uint64(sockets)+256 {
		fmt.Fprintf(os.Stderr, "warning: open-file limit %d is below the %d sockets asked for; raise it (ulimit -n) or run as root\n", limit, sockets)
	}
	if per := sockets / len(cfg.sources); per > 25000 {
		fmt.Fprintf(os.Stderr, "warning: %d sockets per source address exceeds the ~28,000 ephemeral ports; use more -sources\n", per)
	}
	b := newBench(cfg)
	rep := &report{Config: reportConfig{URLs: cfg.urls, Families: cfg.families, Devices: cfg.devices, Rate: cfg.rate,
		Duration: cfg.duration.String(), SSEEvery: cfg.sseEvery, Sources: len(cfg.sources)}}

	for _, u := range cfg.urls {
		if _, err := scrape(ctx, u); err != nil {
			return fmt.Errorf("%s/metrics: %w (is the replica running?)", u, err)
		}
	}

	setupCtx, cancel := context.WithTimeout(ctx, cfg.maxSetup)
	defer cancel()
	start := time.Now()
	fams, err := b.families(setupCtx)
	if err != nil {
		return err
	}
	rep.Setup.SignupSeconds = time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "signed up %d families in %.1fs (%.0f/s)\n", len(fams), rep.Setup.SignupSeconds, float64(len(fams))/rep.Setup.SignupSeconds)

	// The baseline for memory per socket: after the signups (argon2id
	// allocates tens of MiB per hash), before any socket.
	time.Sleep(time.Second)
	base := map[string]snapshot{}
	for _, u := range cfg.urls {
		s, err := scrape(ctx, u)
		if err != nil {
			return err
		}
		base[u] = s
	}

	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	start = time.Now()
	devs, readers, err := b.openSockets(setupCtx, runCtx, fams)
	if err != nil {
		stopRun()
		readers.Wait()
		return err
	}
	rep.Setup.DialSeconds = time.Since(start).Seconds()
	rep.Setup.Sockets = len(devs)
	fmt.Fprintf(os.Stderr, "opened %d sockets in %.1fs\n", len(devs), rep.Setup.DialSeconds)

	// Let the servers settle, then measure memory with the sockets open.
	time.Sleep(2 * time.Second)
	open := map[string]snapshot{}
	for _, u := range cfg.urls {
		s, err := scrape(ctx, u)
		if err != nil {
			return err
		}
		open[u] = s
	}

	// The measured phase: writes (or idle holding), with a progress line.
	phaseStart := time.Now()
	b.phaseStart = phaseStart
	progressDone := make(chan struct{})
	go b.progress(runCtx, progressDone)
	if cfg.holdSockets {
		select {
		case <-ctx.Done():
		case <-time.After(cfg.duration):
		}
	} else {
		b.drive(ctx, fams)
	}
	phase := time.Since(phaseStart)
	end := map[string]snapshot{}
	for _, u := range cfg.urls {
		if s, err := scrape(context.Background(), u); err == nil {
			end[u] = s
		}
	}
	// Drain: wait until every socket has its family's last seq.
	final := b.finalSeqs(fams)
	deadline := time.Now().Add(cfg.drain)
	for time.Now().Before(deadline) && !caughtUp(devs, final) {
		time.Sleep(50 * time.Millisecond)
	}
	stopRun()
	<-progressDone
	readers.Wait()

	b.summarize(rep, devs, final, phase)
	for _, u := range cfg.urls {
		rep.Replicas = append(rep.Replicas, replicaReport(u, base[u], open[u], end[u], phase))
	}
	rep.print(os.Stdout)
	if cfg.timeline {
		b.printTimeline(os.Stdout, devs)
	}
	if cfg.reportJSON != "" {
		out, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(cfg.reportJSON, out, 0o644); err != nil {
			return err
		}
	}
	if rep.Deliveries.Missed > 0 {
		return fmt.Errorf("%d events missed", rep.Deliveries.Missed)
	}
	return nil
}

// signup signs up the families concurrently and creates each one's list.
func (b *bench) signup(ctx context.Context) ([]*family, error) {
	cfg := b.cfg
	fams := make([]*family, cfg.families)
	next := atomic.Int64{}
	var done atomic.Int64
	errc := make(chan error, cfg.signupConc)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	stopTick := make(chan struct{})
	go func() {
		for {
			select {
			case <-tick.C:
				fmt.Fprintf(os.Stderr, "\rsigning up: %d/%d families", done.Load(), cfg.families)
			case <-stopTick:
				fmt.Fprintln(os.Stderr)
				return
			}
		}
	}()
	for w := 0; w < cfg.signupConc; w++ {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= cfg.families || ctx.Err() != nil {
					return
				}
				f, err := b.signupOne(ctx, i)
				if err != nil {
					select {
					case errc <- fmt.Errorf("family %d: %w", i, err):
					default:
					}
					return
				}
				fams[i] = f
				done.Add(1)
			}
		})
	}
	wg.Wait()
	close(stopTick)
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return fams, nil
}

func (b *bench) signupOne(ctx context.Context, i int) (*family, error) {
	cfg := b.cfg
	f := &family{idx: i, base: cfg.urls[i%len(cfg.urls)]}
	hc := b.clients[i%len(b.clients)]
	body := fmt.Sprintf(`{"email":"%s-%d@bench.example","password":"correct horse battery","display_name":"B%d","family_name":"Bench %d"}`, cfg.prefix, i, i, i)
	req, _ := http.NewRequestWithContext(ctx, "POST", f.base+"/api/auth/signup", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	// Each family signs up from its own network, as families do: the
	// server allows db.MaxSignupsPerAddr sign-ups per address an hour. The
	// replicas must trust the tool's address as a proxy
	// (FAMILYHUB_TRUSTED_PROXIES=127.0.0.0/8, as compare.sh starts them:
	// -sources dials from 127.0.0.1 to 127.0.0.<n>).
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.1", i>>8&255, i&255))
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("signup: %s", resp.Status)
	}
	var parts []string
	for _, c := range resp.Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	f.cookie = strings.Join(parts, "; ")
	var list struct{ ID string }
	if _, err := b.post(ctx, hc, f, "/api/shopping/lists", `{"name":"Bench"}`, "", &list); err != nil {
		return nil, fmt.Errorf("create list: %w", err)
	}
	f.list = list.ID
	return f, nil
}

// post sends a JSON POST as family f and decodes a 201 answer into out.
func (b *bench) post(ctx context.Context, hc *http.Client, f *family, path, body, deviceID string, out any) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", f.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", f.cookie)
	if deviceID != "" {
		req.Header.Set("X-Device-ID", deviceID)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return resp.StatusCode, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(data))
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(data, out)
	}
	return resp.StatusCode, nil
}

// drive issues rate writes/s for the configured duration: a schedule hands
// write slots to a fixed pool of writers; a slot no writer is free for is
// counted as late (the server fell behind) and dropped, so the offered rate
// never exceeds what was asked.
func (b *bench) drive(ctx context.Context, fams []*family) {
	cfg := b.cfg
	slots := make(chan int, cfg.writers)
	var wg sync.WaitGroup
	for w := 0; w < cfg.writers; w++ {
		wg.Go(func() {
			hc := b.clients[w%len(b.clients)]
			local := make([]write, 0, 1024)
			for n := range slots {
				f := fams[n%len(fams)]
				var item struct{ ID string }
				start := time.Now()
				wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := b.post(wctx, hc, f, "/api/shopping/lists/"+f.list+"/items", benchItemBody(n/len(fams), cfg.clientIDs), "bench-writer", &item)
				cancel()
				if err != nil {
					b.writesErr.Add(1)
					b.lastErr.Store(err.Error())
					continue
				}
				b.writesOK.Add(1)
				local = append(local, write{fam: f, id: item.ID, start: start, took: time.Since(start)})
			}
			b.mu.Lock()
			b.writes = append(b.writes, local...)
			b.mu.Unlock()
		})
	}
	start := time.Now()
	issued := 0
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	end := time.After(cfg.duration)
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-end:
			break loop
		case <-tick.C:
			due := int(time.Since(start).Seconds() * cfg.rate)
			for ; issued < due; issued++ {
				select {
				case slots <- issued:
				default:
					b.late.Add(1)
				}
			}
		}
	}
	close(slots)
	wg.Wait()
}

// progress prints a line every second until ctx ends.
func (b *bench) progress(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	start := time.Now()
	var lastW, lastD int64
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(os.Stderr)
			return
		case <-tick.C:
			w, d := b.writesOK.Load(), b.deliveries.Load()
			msg := ""
			if e, ok := b.lastErr.Load().(string); ok {
				msg = " last error: " + e
			}
			fmt.Fprintf(os.Stderr, "%4.0fs  writes %d (+%d/s) failed %d late %d  deliveries %d (+%d/s)  sockets %d%s\n",
				time.Since(start).Seconds(), w, w-lastW, b.writesErr.Load(), b.late.Load(), d, d-lastD, b.open.Load(), msg)
			lastW, lastD = w, d
		}
	}
}

// finalSeqs reads each written family's current seq (the devices must end
// there).
func (b *bench) finalSeqs(fams []*family) map[*family]int64 {
	out := map[*family]int64{}
	if b.cfg.holdSockets {
		return out
	}
	var mu sync.Mutex
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i, f := range fams {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			req, _ := http.NewRequest("GET", f.base+"/api/realtime/events?since=0", nil)
			req.Header.Set("Cookie", f.cookie)
			resp, err := b.clients[i%len(b.clients)].Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			var d struct{ Seq int64 }
			if json.NewDecoder(resp.Body).Decode(&d) == nil {
				mu.Lock()
				out[f] = d.Seq
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

func caughtUp(devs []*device, final map[*family]int64) bool {
	for _, d := range devs {
		want, ok := final[d.fam]
		if !ok {
			continue
		}
		d.mu.Lock()
		last := d.last
		d.mu.Unlock()
		if last < want {
			return false
		}
	}
	return true
}
