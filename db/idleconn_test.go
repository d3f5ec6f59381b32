package db_test

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// The realtime listener and the notify leader connect with IdleConnConfig:
// the server must see its keepalive settings and the name, the caller's
// Control must run on the dialled socket, and pool settings in the URL must
// not reach the server.
func TestIdleConnConfig(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	var controlled atomic.Int32
	control := func(_, _ string, _ syscall.RawConn) error {
		controlled.Add(1)
		return nil
	}
	cfg, err := db.IdleConnConfig(url+"&pool_max_conns=3", "familyhub-idle-test", control)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ConnectTimeout != 10*time.Second {
		t.Errorf("ConnectTimeout = %v, want the 10 s default", cfg.ConnectTimeout)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if controlled.Load() == 0 {
		t.Error("the caller's Control did not run")
	}
	for name, want := range map[string]string{
		"tcp_keepalives_idle":     "5",
		"tcp_keepalives_interval": "2",
		"tcp_keepalives_count":    "3",
		"application_name":        "familyhub-idle-test",
	} {
		var got string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	// connect_timeout in the URL wins over the default; no Control is fine.
	cfg, err = db.IdleConnConfig(url+"&connect_timeout=3", "familyhub-idle-test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ConnectTimeout != 3*time.Second {
		t.Errorf("ConnectTimeout = %v, want 3 s from the URL", cfg.ConnectTimeout)
	}
	if _, err := db.IdleConnConfig("postgres://%zz", "x", nil); err == nil {
		t.Error("a malformed URL parsed")
	}
}
