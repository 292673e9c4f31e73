// Package pgtest starts throwaway PostgreSQL clusters for tests: initdb in a
// temporary directory, the server on a free loopback port, trust
// authentication, durability off. It never touches a system cluster.
//
// Tests that need PostgreSQL call DSN, which starts one cluster per test
// binary on first use and hands each test a fresh database; packages that
// use it stop that cluster in TestMain with Main. A test that needs a
// server of its own (to stop it and start it again) calls Start.
//
// Without PostgreSQL on the machine, DSN skips the test, unless the CI
// environment variable is set: then it fails, so that CI never passes by
// skipping.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Superuser is the cluster's superuser (trust authentication on loopback).
const Superuser = "gongconnector"

// Cluster is one running throwaway PostgreSQL server.
type Cluster struct {
	bin     string // directory of initdb and postgres
	dir     string // removed by Close
	data    string
	port    int
	cred    *syscall.Credential // the user the server runs as (not root)
	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	logFile string
}

// binDir finds PostgreSQL's server programs: $PG_BIN, pg_config's bindir,
// Debian's /usr/lib/postgresql/N/bin (newest first), then $PATH.
func binDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL's server programs (initdb, postgres) were not found: install Debian's postgresql package or set PG_BIN")
}

// serverUser is who runs the server: PostgreSQL refuses to run as root,
// so as root it is the postgres user (or nobody).
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and neither a postgres nor a nobody user exists to run PostgreSQL")
}

// Start creates a cluster in a new temporary directory and starts it.
func Start(ctx context.Context) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gongconnector-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, dir: dir, data: filepath.Join(dir, "data"), cred: cred, logFile: filepath.Join(dir, "log", "server.log")}
	if err := c.init(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.Restart(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func (c *Cluster) init(ctx context.Context) error {
	if err := os.Chmod(c.dir, 0o755); err != nil {
		return err
	}
	for _, d := range []string{c.data, filepath.Dir(c.logFile)} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
		if c.cred != nil {
			if err := os.Chown(d, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
				return err
			}
		}
	}
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "initdb"), "-D", c.data, "-U", Superuser,
		"--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")
	cmd.Dir = c.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

// Port returns the port the server listens on (127.0.0.1).
func (c *Cluster) Port() int { return c.port }

// DSN returns the URL of database db as the superuser.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, c.port, db)
}

// Restart starts the server again after Stop or Kill, on the same port
// when it has one.
func (c *Cluster) Restart(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil {
		return errors.New("pgtest: the server is running")
	}
	var lastErr error
	for range 5 {
		port := c.port
		if port == 0 {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			port = l.Addr().(*net.TCPAddr).Port
			l.Close()
		}
		log, err := os.OpenFile(c.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		cmd := exec.Command(filepath.Join(c.bin, "postgres"), "-D", c.data, "-p", strconv.Itoa(port),
			"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "max_connections=300", "-c", "shared_buffers=128MB", "-c", "max_wal_size=2GB",
			"-c", "log_min_messages=warning", "-c", "log_min_error_statement=panic")
		cmd.Dir = c.dir
		cmd.Stdout, cmd.Stderr = log, log
		// The server dies with the test binary, even when it is killed.
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
		if err := cmd.Start(); err != nil {
			log.Close()
			return fmt.Errorf("start postgres: %w", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); log.Close(); close(exited) }()
		c.port = port
		if err := waitReady(ctx, c.DSN("postgres"), exited); err != nil {
			cmd.Process.Kill()
			<-exited
			lastErr = fmt.Errorf("%w; server log:\n%s", err, tail(c.logFile))
			if c.port == port && strings.Contains(lastErr.Error(), "Address already in use") {
				c.port = 0 // another process took the port: pick one again
				continue
			}
			return lastErr
		}
		c.cmd, c.exited = cmd, exited
		return nil
	}
	return lastErr
}

func waitReady(ctx context.Context, dsn string, exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgx.Connect(cctx, dsn)
		cancel()
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited at start: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within 30 s: %w", err)
		}
	}
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Stop shuts the server down (fast shutdown: sessions are ended).
func (c *Cluster) Stop() error { return c.signal(syscall.SIGINT) }

// Kill kills the server at once, as a lost machine would.
func (c *Cluster) Kill() error { return c.signal(syscall.SIGKILL) }

func (c *Cluster) signal(sig syscall.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil {
		return nil
	}
	// The whole process group: with SIGKILL the backends go too.
	syscall.Kill(-c.cmd.Process.Pid, sig)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.exited
	}
	c.cmd = nil
	return nil
}

// Close stops the server and removes the cluster's directory.
func (c *Cluster) Close() error {
	err := c.Stop()
	return errors.Join(err, os.RemoveAll(c.dir))
}

// CreateDatabase creates a new empty database and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return c.DSN(name), nil
}

var dbSeq atomic.Int64

// shared is the cluster of this test binary, started by the first DSN.
var shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
}

// Available reports whether PostgreSQL's programs are on this machine.
func Available() bool {
	_, err := binDir()
	return err == nil
}

// DSN returns the URL of a new empty database on this test binary's
// cluster. Without PostgreSQL the test is skipped, or fails under CI.
func DSN(t testing.TB) string {
	t.Helper()
	c := Shared(t)
	dsn, err := c.CreateDatabase(t.Context())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// Shared returns this test binary's cluster, starting it on first use.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	if !Available() {
		if os.Getenv("CI") != "" {
			t.Fatal("pgtest: PostgreSQL is not installed (CI is set, so this fails instead of skipping): apt-get install postgresql")
		}
		t.Skip("pgtest: PostgreSQL is not installed (apt-get install postgresql); skipped")
	}
	shared.once.Do(func() { shared.cluster, shared.err = Start(context.Background()) })
	if shared.err != nil {
		t.Fatalf("pgtest: start a throwaway cluster: %v", shared.err)
	}
	return shared.cluster
}

// Main runs a package's tests and then removes the shared cluster, if a
// test started it. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared.cluster != nil {
		shared.cluster.Close()
	}
	os.Exit(code)
}
