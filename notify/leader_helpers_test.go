package notify

import (
	"context"
	"testing"
)

// Helpers for the leader's tests (leader_test.go), on top of
// service_test.go's env.

// run runs the service's loop with opts until the test ends (its cleanup
// stops the loop and waits for it). Without opts.ListenURL it always
// leads (no election).
func (e *env) run(t *testing.T, opts RunOpts) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.s.Run(ctx, opts); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// runLeading runs the service with its own leader election (it listens
// itself) until the test ends, and waits until it leads.
func (e *env) runLeading(t *testing.T) {
	t.Helper()
	e.run(t, RunOpts{ListenURL: e.pool.Config().ConnString()})
	waitFor(t, "the service to lead", e.s.Leading)
}
