package main

import (
	"context"
	"errors"
	"flag"
)

// JobsConfig configures background jobs (issue 5).
type JobsConfig struct{}

type jobsState struct{}

func (c *Config) jobsFlags(fs *flag.FlagSet) {}

// startJobs starts the background job runner; bg ends at Close.
func (m *Main) startJobs(ctx, bg context.Context) error { return nil }

// stopJobs stops the job runner, waiting for running jobs within ctx.
func (m *Main) stopJobs(ctx context.Context) {}

// runJobs implements `familyhub jobs run <name>`.
func runJobs(ctx context.Context, args []string) error {
	return errors.New("no jobs yet")
}
