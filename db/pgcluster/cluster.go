// Package pgcluster runs a private PostgreSQL cluster from the system's
// PostgreSQL binaries: `familyhub dev` keeps one under ./.familyhub, and
// `make test` starts a throwaway one. As root it runs the server as the
// `postgres` user, because initdb and postgres refuse to run as root.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options configure a cluster.
type Options struct {
	// Dir holds the data directory (Dir/data) and the unix socket. It is
	// created if missing and an existing cluster in it is reused.
	Dir string
	// Port to listen on at 127.0.0.1; 0 picks a free one.
	Port int
	// Ephemeral trades durability for speed (fsync off): for tests only.
	Ephemeral bool
	// Log receives the server's output; nil discards it.
	Log io.Writer
	// Logger reports progress; nil discards it.
	Logger *slog.Logger
}

// Cluster is a running PostgreSQL server.
type Cluster struct {
	opts    Options
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	port    int
}

// ErrNoBinaries is returned when no PostgreSQL server binaries are found.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, postgres) not found; " +
	"install them, e.g. `apt-get install postgresql` on Debian/Ubuntu, or set DATABASE_URL to an existing server")

// BinDir finds the directory holding initdb and postgres: `pg_config
// --bindir`, then the newest /usr/lib/postgresql/*/bin, then PATH.
func BinDir() (string, error) {
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(versions, func(i, j int) bool { return pgVersion(versions[i]) > pgVersion(versions[j]) })
	candidates = append(candidates, versions...)
	if p, err := exec.LookPath("postgres"); err == nil {
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, dir := range candidates {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", ErrNoBinaries
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Start initialises the cluster if needed, starts the server and waits until
// it accepts connections. Stop must be called to shut it down.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	opts.Dir = dir
	// Parents stay traversable (0755) for the server user; the cluster's own
	// directory is private to it.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	if cred != nil {
		if err := checkReachable(dir, cred); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	dataDir := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		opts.Logger.Info("initialising PostgreSQL cluster", "dir", dataDir, "bin", bin)
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
			"--pgdata", dataDir, "--username", "postgres", "--auth", "trust",
			"--encoding", "UTF8", "--locale", "C.UTF-8", "--no-instructions")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("initdb: %w\n%s", err, out)
		}
	}

	port := opts.Port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	args := []string{
		"-D", dataDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=" + dir,
		"-c", "max_connections=500",
		"-c", "shared_buffers=128MB",
	}
	if opts.Ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	// Own process group: a Ctrl-C in the terminal reaches us, and we stop the
	// server cleanly, instead of it dying half-way.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	cmd.Stdout = opts.Log
	cmd.Stderr = opts.Log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c := &Cluster{opts: opts, cmd: cmd, done: make(chan struct{}), port: port}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.done)
	}()
	if err := c.waitReady(ctx); err != nil {
		_ = c.Stop()
		return nil, err
	}
	opts.Logger.Info("PostgreSQL ready", "url", c.URL("postgres"))
	return c, nil
}

// URL returns a connection URL for database on this cluster.
func (c *Cluster) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Port returns the TCP port the server listens on.
func (c *Cluster) Port() int { return c.port }

func (c *Cluster) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited during start-up (%v); its log is in the output above or in %s", c.waitErr, c.opts.Dir)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within 30s: %w", err)
		}
	}
}

// CreateDatabase creates database name unless it exists.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

// Stop shuts the server down with a fast shutdown (SIGINT: running
// transactions are rolled back, data is safe) and waits for it to exit.
func (c *Cluster) Stop() error {
	select {
	case <-c.done:
		return nil
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
		return nil
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Signal(syscall.SIGQUIT)
		<-c.done
		return errors.New("postgres did not stop within 30s; sent SIGQUIT")
	}
}

// Kill stops the server at once, as a crash of its machine would (for
// fault tests): the postmaster and every backend together. Killing the
// postmaster alone leaves its backends running until they notice (one may
// still commit), and they are not in its process group (each calls
// setsid). So: freeze the postmaster (no new backends) and every child,
// then kill them all; nothing runs between the first freeze and the end.
func (c *Cluster) Kill() {
	pid := c.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGSTOP)
	kids := childPIDs(pid)
	for _, k := range kids {
		_ = syscall.Kill(k, syscall.SIGSTOP)
	}
	for _, k := range kids {
		_ = syscall.Kill(k, syscall.SIGKILL)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	<-c.done
}

// childPIDs lists the processes whose parent is pid (from /proc).
func childPIDs(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var kids []int
	for _, e := range entries {
		k, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so read after ")".
		i := bytes.LastIndexByte(stat, ')')
		if f := strings.Fields(string(stat[i+1:])); i > 0 && len(f) > 1 && f[1] == strconv.Itoa(pid) {
			kids = append(kids, k)
		}
	}
	return kids
}

// serverCredential returns the credential to run the server with: nil for a
// normal user, the `postgres` user's when running as root.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("running as root, and PostgreSQL refuses to run as root: " +
			"there must be a `postgres` system user to run it as (installing the postgresql package creates it)")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// checkReachable reports whether the postgres user can traverse every parent
// of dir: a checkout under a mode-700 home (/root) is not.
func checkReachable(dir string, cred *syscall.Credential) error {
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		ok := mode&0o001 != 0 ||
			(st.Gid == cred.Gid && mode&0o010 != 0) ||
			(st.Uid == cred.Uid && mode&0o100 != 0)
		if !ok {
			return &UnreachableError{Dir: dir, Blocker: p}
		}
		if p == "/" {
			return nil
		}
	}
}

// UnreachableError says that the postgres user cannot reach the data
// directory; callers may fall back to FallbackDir.
type UnreachableError struct{ Dir, Blocker string }

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the postgres user cannot reach %s: %s is not searchable for it", e.Dir, e.Blocker)
}

// FallbackDir returns a directory under os.TempDir() that the postgres user
// can reach, named after key so the same project gets the same directory.
func FallbackDir(key string) string {
	return filepath.Join(os.TempDir(), "familyhub-"+key)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
