package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (b *bench) summarize(rep *report, devs []*device, final map[*family]int64, phase time.Duration) {
	starts := make(map[string]time.Time, len(b.writes))
	var writeLat []time.Duration
	for _, w := range b.writes {
		starts[w.id] = w.start
		writeLat = append(writeLat, w.took)
	}
	var lat []time.Duration
	var gaps, dups, behind, unmatched int64
	var resyncs, closed int
	for _, d := range devs {
		d.mu.Lock()
		for _, r := range d.receipts {
			if s, ok := starts[r.id]; ok {
				lat = append(lat, r.at.Sub(s))
			} else {
				unmatched++ // a write whose answer never came back (timeout)
			}
		}
		gaps += d.gaps
		dups += d.dups
		if want, ok := final[d.fam]; ok && d.last < want {
			behind += want - d.last
		}
		if d.resync {
			resyncs++
		}
		if d.closed != nil {
			closed++
		}
		d.mu.Unlock()
	}
	rep.Writes = writesReport{OK: b.writesOK.Load(), Failed: b.writesErr.Load(), Late: b.late.Load(),
		PerSecond: float64(b.writesOK.Load()) / phase.Seconds(), HTTP: percentiles(writeLat)}
	rep.Deliveries = deliveriesReport{Total: b.deliveries.Load(), PerSecond: float64(b.deliveries.Load()) / phase.Seconds(),
		Expected: b.writesOK.Load() * int64(b.cfg.devices), Missed: gaps + behind, Duplicates: dups, Unmatched: unmatched,
		Resyncs: resyncs, SocketsClosed: closed, Latency: percentiles(lat)}
	rep.PhaseSeconds = phase.Seconds()
}

// snapshot is what the tool reads of a replica's /metrics.
type snapshot struct {
	RSS, Heap, Goroutines, CPU float64
	Sockets                    float64
}

func scrape(ctx context.Context, base string) (snapshot, error) {
	var s snapshot
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, errors.New(resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, val, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue
		}
		switch {
		case name == "process_resident_memory_bytes":
			s.RSS = v
		case name == "go_memstats_heap_inuse_bytes":
			s.Heap = v
		case name == "go_goroutines":
			s.Goroutines = v
		case name == "process_cpu_seconds_total":
			s.CPU = v
		case strings.HasPrefix(name, "familyhub_realtime_connections{"):
			s.Sockets += v
		}
	}
	return s, sc.Err()
}

// Report types: printed as text, optionally written as JSON.
type report struct {
	Config       reportConfig     `json:"config"`
	Setup        setupReport      `json:"setup"`
	PhaseSeconds float64          `json:"phase_seconds"`
	Writes       writesReport     `json:"writes"`
	Deliveries   deliveriesReport `json:"deliveries"`
	Replicas     []replicaStats   `json:"replicas"`
}

type reportConfig struct {
	URLs     []string `json:"urls"`
	Families int      `json:"families"`
	Devices  int      `json:"devices"`
	Rate     float64  `json:"rate"`
	Duration string   `json:"duration"`
	SSEEvery int      `json:"sse_every"`
	Sources  int      `json:"sources"`
}

type setupReport struct {
	SignupSeconds float64 `json:"signup_seconds"`
	DialSeconds   float64 `json:"dial_seconds"`
	Sockets       int     `json:"sockets"`
}

type writesReport struct {
	OK        int64   `json:"ok"`
	Failed    int64   `json:"failed"`
	Late      int64   `json:"late"`
	PerSecond float64 `json:"per_second"`
	HTTP      pcts    `json:"http_latency_ms"`
}

type deliveriesReport struct {
	Total         int64   `json:"total"`
	Expected      int64   `json:"expected"`
	PerSecond     float64 `json:"per_second"`
	Missed        int64   `json:"missed"`
	Duplicates    int64   `json:"duplicates"`
	Unmatched     int64   `json:"unmatched"`
	Resyncs       int     `json:"resyncs"`
	SocketsClosed int     `json:"sockets_closed"`
	Latency       pcts    `json:"latency_ms"`
}

type replicaStats struct {
	URL             string  `json:"url"`
	Sockets         float64 `json:"sockets"`
	RSSBaseMiB      float64 `json:"rss_base_mib"`
	RSSOpenMiB      float64 `json:"rss_open_mib"`
	RSSEndMiB       float64 `json:"rss_end_mib"`
	HeapBaseMiB     float64 `json:"heap_base_mib"`
	HeapOpenMiB     float64 `json:"heap_open_mib"`
	HeapEndMiB      float64 `json:"heap_end_mib"`
	RSSPerSocketKiB float64 `json:"rss_per_socket_kib"`
	HeapPerSocket   float64 `json:"heap_per_socket_kib"`
	GoroutinesBase  float64 `json:"goroutines_base"`
	GoroutinesOpen  float64 `json:"goroutines_open"`
	CPUSeconds      float64 `json:"cpu_seconds"`
	CPUCores        float64 `json:"cpu_cores"`
}

func replicaReport(u string, base, open, end snapshot, phase time.Duration) replicaStats {
	const mib = 1 << 20
	r := replicaStats{URL: u, Sockets: open.Sockets - base.Sockets,
		RSSBaseMiB: base.RSS / mib, RSSOpenMiB: open.RSS / mib, RSSEndMiB: end.RSS / mib,
		HeapBaseMiB: base.Heap / mib, HeapOpenMiB: open.Heap / mib, HeapEndMiB: end.Heap / mib,
		GoroutinesBase: base.Goroutines, GoroutinesOpen: open.Goroutines,
		CPUSeconds: end.CPU - open.CPU}
	r.CPUCores = r.CPUSeconds / phase.Seconds()
	if r.Sockets > 0 {
		r.RSSPerSocketKiB = (open.RSS - base.RSS) / r.Sockets / 1024
		r.HeapPerSocket = (open.Heap - base.Heap) / r.Sockets / 1024
	}
	return r
}

type pcts struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func percentiles(d []time.Duration) pcts {
	if len(d) == 0 {
		return pcts{}
	}
	slices.Sort(d)
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(d)))) - 1
		return float64(d[max(i, 0)].Microseconds()) / 1000
	}
	return pcts{N: len(d), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: float64(d[len(d)-1].Microseconds()) / 1000}
}

func (p pcts) String() string {
	return fmt.Sprintf("p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms  (n=%d)", p.P50, p.P95, p.P99, p.Max, p.N)
}

func (r *report) print(w io.Writer) {
	c := r.Config
	fmt.Fprintf(w, "\n== familyhub-bench: %d families × %d devices over %d replica(s), %.0f writes/s for %s\n",
		c.Families, c.Devices, len(c.URLs), c.Rate, c.Duration)
	fmt.Fprintf(w, "setup:       signups %.1fs, %d sockets opened in %.1fs\n", r.Setup.SignupSeconds, r.Setup.Sockets, r.Setup.DialSeconds)
	if c.Rate > 0 {
		fmt.Fprintf(w, "writes:      %d ok (%.1f/s), %d failed, %d late (not sent: writers busy)\n", r.Writes.OK, r.Writes.PerSecond, r.Writes.Failed, r.Writes.Late)
		fmt.Fprintf(w, "write HTTP:  %s\n", r.Writes.HTTP)
		d := r.Deliveries
		fmt.Fprintf(w, "deliveries:  %d events (%.1f/s; %d of them the writes' own inserts, %d expected); missed %d, duplicates %d, resyncs %d, sockets closed %d\n",
			d.Total, d.PerSecond, d.Latency.N, d.Expected, d.Missed, d.Duplicates, d.Resyncs, d.SocketsClosed)
		fmt.Fprintf(w, "write→delivery: %s\n", d.Latency)
	}
	for _, s := range r.Replicas {
		fmt.Fprintf(w, "replica %s: %.0f sockets; RSS %.1f → %.1f MiB (%.1f KiB/socket), heap %.1f → %.1f MiB (%.1f KiB/socket), goroutines %.0f → %.0f; CPU %.1f s (%.2f cores) in the run\n",
			s.URL, s.Sockets, s.RSSBaseMiB, s.RSSOpenMiB, s.RSSPerSocketKiB, s.HeapBaseMiB, s.HeapOpenMiB, s.HeapPerSocket,
			s.GoroutinesBase, s.GoroutinesOpen, s.CPUSeconds, s.CPUCores)
		if s.Sockets > 0 {
			fmt.Fprintf(w, "  at the end: RSS %.1f MiB (%.1f KiB/socket), heap %.1f MiB (%.1f KiB/socket)\n",
				s.RSSEndMiB, (s.RSSEndMiB-s.RSSBaseMiB)*1024/s.Sockets, s.HeapEndMiB, (s.HeapEndMiB-s.HeapBaseMiB)*1024/s.Sockets)
		}
	}
}

// printTimeline prints, for each second of the write phase, the writes that
// started in it and the p99 and max of their HTTP time and of their
// write→delivery time: one stall shows as one bad second.
func (b *bench) printTimeline(w io.Writer, devs []*device) {
	type second struct{ http, deliv []time.Duration }
	var secs []second
	at := func(t time.Time) *second {
		i := int(t.Sub(b.phaseStart) / time.Second)
		if i < 0 {
			i = 0
		}
		for len(secs) <= i {
			secs = append(secs, second{})
		}
		return &secs[i]
	}
	starts := make(map[string]time.Time, len(b.writes))
	for _, wr := range b.writes {
		starts[wr.id] = wr.start
		s := at(wr.start)
		s.http = append(s.http, wr.took)
	}
	for _, d := range devs {
		d.mu.Lock()
		for _, r := range d.receipts {
			if st, ok := starts[r.id]; ok {
				s := at(st)
				s.deliv = append(s.deliv, r.at.Sub(st))
			}
		}
		d.mu.Unlock()
	}
	fmt.Fprintf(w, "timeline (by the second a write started): second, writes, HTTP p99/max ms, write→delivery p99/max ms\n")
	for i, s := range secs {
		h, d := percentiles(s.http), percentiles(s.deliv)
		fmt.Fprintf(w, "%4d %6d   %7.1f %7.1f   %7.1f %7.1f\n", i, len(s.http), h.P99, h.Max, d.P99, d.Max)
	}
}
