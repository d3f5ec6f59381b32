package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	nethttp "net/http"
	"net/http/pprof"
	"os"
	"time"
)

// The profiling listener (off by default): Go's runtime profiles on an
// address of its own, never on the public one, for an operator or a
// benchmark to see where a replica's CPU and memory go
// (docs/benchmarks.md). /debug/pprof/heap?gc=1 collects garbage before it
// answers, so its figures do not depend on when the last collection ran.

// debugFlags registers --debug-addr.
func (c *Config) debugFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DebugAddr, "debug-addr", os.Getenv("FAMILYHUB_DEBUG_ADDR"),
		"address for Go's profiles (/debug/pprof/), e.g. 127.0.0.1:6060; off when empty (env FAMILYHUB_DEBUG_ADDR)")
}

// startDebug serves the profiles on Config.DebugAddr, if set; Close stops it.
func (m *Main) startDebug() error {
	if m.Config.DebugAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", m.Config.DebugAddr)
	if err != nil {
		return fmt.Errorf("debug listener on %s: %w", m.Config.DebugAddr, err)
	}
	mux := nethttp.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	m.debugServer = &nethttp.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.debugAddr = ln.Addr().String()
	go func() {
		if err := m.debugServer.Serve(ln); err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
			m.Logger.Error("debug listener stopped", "err", err)
		}
	}()
	m.Logger.Warn("serving Go profiles: keep this address private", "debug_addr", ln.Addr().String())
	return nil
}

// DebugAddr returns the profiling listener's address ("" when off).
func (m *Main) DebugAddr() string { return m.debugAddr }
