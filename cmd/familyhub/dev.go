package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/pgcluster"
)

// runDev serves FamilyHub for trying it out: with no DATABASE_URL it runs a
// private PostgreSQL cluster under --data-dir (kept between runs), seeds a
// demo family and prints its credentials. Ctrl-C stops the server and the
// cluster cleanly.
func runDev(ctx context.Context, args []string) error {
	var cfg Config
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	cfg.flagSet(fs)
	dataDir := fs.String("data-dir", envOr("FAMILYHUB_DATA_DIR", ".familyhub"), "where the private PostgreSQL keeps its data (env FAMILYHUB_DATA_DIR)")
	pgPort := fs.Int("pg-port", 0, "port of the private PostgreSQL on 127.0.0.1, e.g. to connect psql; 0 picks a free one (env FAMILYHUB_PG_PORT)")
	if v := os.Getenv("FAMILYHUB_PG_PORT"); v != "" {
		if _, err := fmt.Sscan(v, pgPort); err != nil {
			return fmt.Errorf("FAMILYHUB_PG_PORT: %q is not a port number", v)
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pgPort < 0 || *pgPort > 65535 {
		return fmt.Errorf("--pg-port must be 0 to 65535, not %d", *pgPort)
	}
	logger := newLogger(slog.LevelInfo)

	if cfg.DatabaseURL == "" {
		cluster, err := startDevCluster(ctx, *dataDir, *pgPort, logger)
		if err != nil {
			return err
		}
		defer func() {
			logger.Info("stopping PostgreSQL")
			if err := cluster.Stop(); err != nil {
				logger.Error("stop PostgreSQL", "err", err)
			}
		}()
		if err := cluster.CreateDatabase(ctx, "familyhub"); err != nil {
			return fmt.Errorf("create database: %w", err)
		}
		cfg.DatabaseURL = cluster.URL("familyhub")
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	logger = newLogger(cfg.LogLevel)
	m := NewMain(cfg, logger)
	defer m.Close()
	creds, err := startDev(ctx, m, *dataDir)
	if err != nil {
		return stoppedWhileStarting(ctx, logger, err)
	}
	fmt.Fprintf(os.Stderr, "\nFamilyHub is running at %s\n\nDemo family sign-ins:\n%s\nDatabase: %s\nPress Ctrl-C to stop.\n\n", m.URL(), creds, redactURL(cfg.DatabaseURL))
	<-ctx.Done()
	logger.Info("shutting down")
	return nil
}

// startDev runs m with the demo family seeded before the server listens,
// so whoever waits for /readyz (a script, a browser) finds the family, and
// returns the family's sign-ins. On failure m may be partly running: Close
// it.
func startDev(ctx context.Context, m *Main, dataDir string) (creds string, err error) {
	m.BeforeServe = func(ctx context.Context) error {
		if creds, err = seedDemo(ctx, m.Store, dataDir); err != nil {
			return fmt.Errorf("seed demo family: %w", err)
		}
		return nil
	}
	if err := m.Run(ctx); err != nil {
		return "", err
	}
	return creds, nil
}

func startDevCluster(ctx context.Context, dataDir string, port int, logger *slog.Logger) (*pgcluster.Cluster, error) {
	opts := pgcluster.Options{Dir: filepath.Join(dataDir, "postgres"), Port: port, Logger: logger}
	cluster, err := pgcluster.Start(ctx, opts)
	var unreachable *pgcluster.UnreachableError
	if errors.As(err, &unreachable) {
		abs, _ := filepath.Abs(dataDir)
		sum := sha256.Sum256([]byte(abs))
		opts.Dir = pgcluster.FallbackDir(hex.EncodeToString(sum[:6]))
		logger.Warn("the postgres user cannot reach the data directory; using a fallback",
			"reason", unreachable.Error(), "fallback", opts.Dir)
		cluster, err = pgcluster.Start(ctx, opts)
	}
	return cluster, err
}

// Demo accounts. Their passwords are random, made on first run and kept in
// the data directory, so a dev server reachable on the network does not
// carry well-known credentials.
var demoUsers = []struct{ email, name string }{
	{"alice@demo.familyhub.test", "Alice"}, // the owner
	{"bob@demo.familyhub.test", "Bob"},     // joins with an invite: a member
}

func seedDemo(ctx context.Context, store *db.Store, dataDir string) (string, error) {
	credFile := filepath.Join(dataDir, "demo-credentials.txt")
	if exists, err := store.UserExists(ctx, demoUsers[0].email); err != nil {
		return "", err
	} else if exists {
		if b, err := os.ReadFile(credFile); err == nil {
			return string(b), nil
		}
		return fmt.Sprintf("  (demo users exist, but %s with their passwords is gone)\n", credFile), nil
	}
	var out strings.Builder
	err := store.Tx(ctx, func(tx *db.Tx) error {
		var owner db.Account
		for i, u := range demoUsers {
			password := rand.Text()[:16]
			hash, err := db.HashPassword(password, db.DefaultPasswordParams)
			if err != nil {
				return err
			}
			p := db.Signup{Email: u.email, Password: password, DisplayName: u.name, FamilyName: "Demo family", TimeZone: "Europe/Berlin"}
			if i > 0 { // the others join the first one's family
				code, _, err := tx.WithAuth(&familyhub.Auth{UserID: owner.User.ID, FamilyID: owner.Family.ID, Role: owner.Role}).InviteCreate(ctx)
				if err != nil {
					return err
				}
				p.FamilyName, p.TimeZone, p.InviteCode = "", "", code
			}
			if err := p.Normalize(false); err != nil {
				return err
			}
			acc, err := tx.Signup(ctx, p, hash)
			if err != nil {
				return err
			}
			if i == 0 {
				owner = acc
			} else if i == 1 {
				if err := seedSampleData(ctx, tx, owner, acc.User.ID); err != nil {
					return fmt.Errorf("sample data: %w", err)
				}
			}
			fmt.Fprintf(&out, "  %-28s password %s\n", u.email, password)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(credFile, []byte(out.String()), 0o600); err != nil {
		return "", err
	}
	return out.String(), nil
}

// redactURL hides the password of a database URL: the banner is for
// screens and logs, the password is not.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
