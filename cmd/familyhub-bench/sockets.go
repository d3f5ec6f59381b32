package main

// The load run's device sockets: dialing them and reading each one's
// events, with seq continuity checked per socket.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// openSockets dials every device's socket and starts its reader (owned by
// the returned WaitGroup; readers stop when runCtx ends).
func (b *bench) openSockets(setupCtx, runCtx context.Context, fams []*family) ([]*device, *sync.WaitGroup, error) {
	cfg := b.cfg
	var devs []*device
	n := 0
	for _, f := range fams {
		for d := 0; d < cfg.devices; d++ {
			dev := &device{fam: f, base: cfg.urls[(f.idx*cfg.devices+d+1)%len(cfg.urls)], name: fmt.Sprintf("bench-%d-%d", f.idx, d)}
			dev.sse = cfg.sseEvery > 0 && n%cfg.sseEvery == cfg.sseEvery-1
			devs = append(devs, dev)
			n++
		}
	}
	readers := &sync.WaitGroup{}
	sem := make(chan struct{}, cfg.dialConc)
	var firstErr atomic.Value
	var opened atomic.Int64
	var dialing sync.WaitGroup
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for i, dev := range devs {
		if firstErr.Load() != nil || setupCtx.Err() != nil {
			break
		}
		select {
		case <-tick.C:
			fmt.Fprintf(os.Stderr, "\ropening sockets: %d/%d", opened.Load(), len(devs))
		default:
		}
		sem <- struct{}{}
		dialing.Go(func() {
			defer func() { <-sem }()
			hc := b.dialers[i%len(b.dialers)]
			ready := make(chan error, 1)
			readers.Go(func() { b.readSocket(setupCtx, runCtx, hc, dev, ready) })
			if err := <-ready; err != nil {
				firstErr.CompareAndSwap(nil, fmt.Errorf("socket %d (%s on %s): %w", i, dev.name, dev.base, err))
				return
			}
			opened.Add(1)
		})
	}
	dialing.Wait()
	fmt.Fprintln(os.Stderr)
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, readers, err
	}
	if err := setupCtx.Err(); err != nil {
		return nil, readers, err
	}
	return devs, readers, nil
}

// event is what the tool reads of a server message.
type event struct {
	Type    string `json:"type"`
	Seq     int64  `json:"seq"`
	PrevSeq *int64 `json:"prev_seq"`
	ID      string `json:"id"`
	Op      string `json:"op"`
}

// readSocket opens dev's socket, reports the dial's outcome on ready, then
// reads until runCtx ends.
func (b *bench) readSocket(setupCtx, runCtx context.Context, hc *http.Client, dev *device, ready chan<- error) {
	handle := func(data []byte) {
		var ev event
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		now := time.Now()
		dev.mu.Lock()
		defer dev.mu.Unlock()
		switch {
		case ev.Type == "hello":
			dev.last = ev.Seq
		case ev.Type == "resync":
			dev.resync = true
		case ev.PrevSeq != nil:
			switch {
			case ev.Seq <= dev.last:
				dev.dups++
			case *ev.PrevSeq != dev.last:
				dev.gaps += ev.Seq - dev.last - 1
			}
			dev.last = max(dev.last, ev.Seq)
			// The insert is the write's own event; later updates of the
			// same item (e.g. the auto-categorise job) also count as
			// deliveries but not for latency.
			if ev.Op == "insert" {
				dev.receipts = append(dev.receipts, receipt{id: ev.ID, at: now})
			}
			b.deliveries.Add(1)
		}
	}
	query := "?device_id=" + dev.name
	if dev.sse {
		dctx, cancel := context.WithTimeout(setupCtx, 30*time.Second)
		req, _ := http.NewRequestWithContext(runCtx, "GET", dev.base+"/sse"+query, nil)
		req.Header.Set("Cookie", dev.fam.cookie)
		resp, err := doWithin(dctx, hc, req)
		cancel()
		if err == nil && resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			err = errors.New(resp.Status)
		}
		if err != nil {
			ready <- err
			return
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		first := true
		for sc.Scan() {
			// The stream opens with a ping event, before its hello: it is
			// not the hello this waits for.
			if data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: ")); ok && !bytes.HasPrefix(data, []byte(`{"type":"ping"`)) {
				handle(data)
				if first {
					first = false
					b.open.Add(1)
					ready <- nil
				}
			}
		}
		if first {
			ready <- errors.New("sse ended before hello")
			return
		}
		b.open.Add(-1)
		return
	}
	dctx, cancel := context.WithTimeout(setupCtx, 30*time.Second)
	u := "ws" + strings.TrimPrefix(dev.base, "http") + "/ws" + query
	conn, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: hc, HTTPHeader: http.Header{"Cookie": {dev.fam.cookie}}})
	if err == nil {
		var data []byte
		_, data, err = conn.Read(dctx)
		if err == nil {
			handle(data)
		}
	}
	cancel()
	if err != nil {
		if conn != nil {
			conn.CloseNow()
		}
		ready <- err
		return
	}
	b.open.Add(1)
	ready <- nil
	defer b.open.Add(-1)
	defer conn.CloseNow()
	for {
		_, data, err := conn.Read(runCtx)
		if err != nil {
			if runCtx.Err() == nil {
				dev.mu.Lock()
				dev.closed = err
				dev.mu.Unlock()
				b.lastErr.Store(err.Error())
			}
			return
		}
		handle(data)
	}
}

// doWithin sends req, giving up on the response headers when ctx ends (the
// body may then stream on under req's own context).
func doWithin(ctx context.Context, hc *http.Client, req *http.Request) (*http.Response, error) {
	type res struct {
		r   *http.Response
		err error
	}
	ch := make(chan res, 1)
	go func() { r, err := hc.Do(req); ch <- res{r, err} }()
	select {
	case r := <-ch:
		return r.r, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.r != nil {
				r.r.Body.Close()
			}
		}()
		return nil, ctx.Err()
	}
}
