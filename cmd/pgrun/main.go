// Command pgrun runs a command with a private, throwaway PostgreSQL cluster
// started from the system's binaries, and removes the cluster afterwards.
// The command sees TEST_DATABASE_URL (and PGRUN_DATABASE_URL) pointing at it.
// `make test` uses it so that the suite needs nothing installed or running:
//
//	go run ./cmd/pgrun -- go test -race ./...
//
// When TEST_DATABASE_URL is already set, pgrun runs the command against that
// server and starts nothing.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/familyhub/familyhub/db/pgcluster"
)

func main() {
	os.Exit(run())
}

func run() int {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: pgrun [--] command [args...]")
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	env := os.Environ()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		dir, err := os.MkdirTemp("", "familyhub-pgrun-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgrun:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		// MkdirTemp makes the directory 0700 for us; the server user (postgres,
		// when we are root) needs it for its own.
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true, Logger: logger})
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgrun:", err)
			return 1
		}
		defer cluster.Stop()
		url := cluster.URL("postgres")
		fmt.Fprintf(os.Stderr, "pgrun: throwaway PostgreSQL at %s\n", url)
		env = append(env, "TEST_DATABASE_URL="+url, "PGRUN_DATABASE_URL="+url)
	}

	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr):
		return exitErr.ExitCode()
	default:
		fmt.Fprintln(os.Stderr, "pgrun:", err)
		return 1
	}
}
