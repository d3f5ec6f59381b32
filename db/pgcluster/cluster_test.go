package pgcluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestStartStopRestart runs a real cluster from the system binaries: init,
// start, create a database, write, stop, start again on the same directory
// and find the data still there.
func TestStartStopRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	// t.TempDir is under a 0700 directory the postgres user may not reach:
	// exercise the same fallback `familyhub dev` uses.
	root := filepath.Join(dir, "pg")
	c, err := Start(ctx, Options{Dir: root, Ephemeral: true})
	var unreachable *UnreachableError
	if errors.As(err, &unreachable) {
		root = FallbackDir("test-" + filepath.Base(dir))
		t.Cleanup(func() { os.RemoveAll(root) })
		c, err = Start(ctx, Options{Dir: root, Ephemeral: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateDatabase(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateDatabase(ctx, "app"); err != nil {
		t.Fatalf("CreateDatabase is not idempotent: %v", err)
	}
	execSQL(t, c.URL("app"), "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)")
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := pgx.Connect(ctx, c.URL("app")); err == nil {
		t.Fatal("server still accepts connections after Stop")
	}

	c, err = Start(ctx, Options{Dir: root, Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	conn, err := pgx.Connect(ctx, c.URL("app"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Fatalf("data after restart: %d, %v", v, err)
	}
}

func TestBinDir(t *testing.T) {
	dir, err := BinDir()
	if err != nil {
		t.Fatal(err)
	}
	if !isExecutable(filepath.Join(dir, "initdb")) {
		t.Fatalf("%s has no initdb", dir)
	}
}

func execSQL(t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}
