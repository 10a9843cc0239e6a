package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Settings of a throwaway cluster.
const (
	clusterUser   = "postgres" // superuser created by initdb; trust auth, no password
	startAttempts = 5          // pg_ctl start tries, each on a new free port
	pgCtlTimeout  = "60"       // seconds pg_ctl waits for start or stop
	stopTimeout   = 2 * time.Minute
	tempPrefix    = "pgtemp-" // temp dir name prefix; see sweep.go
)

// serverSettings are passed to postgres with -c.
//
// fsync=off and full_page_writes=off only lose data when the operating
// system crashes, which never happens to a throwaway cluster. But
// synchronous_commit stays on: with it off, Kill (a crash of the server
// process) loses transactions that were already committed (the walwriter
// had not yet written them), even a CREATE TABLE, which breaks fault-
// injection tests; and with fsync=off, turning it off gains nothing
// measurable (pgbench: ~1000 tps either way for one client, ~2300-2600 for
// eight).
var serverSettings = []string{
	"listen_addresses=127.0.0.1",
	"fsync=off",
	"full_page_writes=off",
	"max_connections=200",
}

// cluster is a throwaway PostgreSQL cluster in its own temp dir:
//
//	<tempDir>/data          the data directory (initdb)
//	<tempDir>/server.log    the server log (pg_ctl -l)
//	<tempDir>/.s.PGSQL.*    the unix socket (-k)
//	<tempDir>/pgtemp-owner.pid  the process id of the process that started it
type cluster struct {
	bins     binaries
	run      runner
	logf     func(string, ...any)
	pickPort func() (int, error) // the port of the first start
	tempDir  string
	dataDir  string
	logPath  string
	port     int // fixed after the first successful start

	mu      sync.Mutex
	running bool // the postmaster runs (not stopped or killed)
	removed bool // Stop removed tempDir
}

func startThrowaway(ctx context.Context, logf func(string, ...any), o startOptions) (*Server, error) {
	began := time.Now()
	bins, err := findBinaries(o.binGlob)
	if err != nil {
		return nil, err
	}
	r, err := newRunner()
	if err != nil {
		return nil, err
	}
	sweepOrphans(ctx, bins, r, logf)

	c, err := newCluster(bins, r, logf)
	if err != nil {
		return nil, err
	}
	c.pickPort = o.pickPort
	ok := false
	defer func() {
		if !ok {
			c.abandon()
		}
	}()
	if err := c.initdb(ctx); err != nil {
		return nil, err
	}
	logf("initdb %s (%s) took %s", c.dataDir, c.bins.initdb, time.Since(began).Round(time.Millisecond))
	if err := c.startOnFreePort(ctx); err != nil {
		return nil, err
	}
	ok = true
	logf("started a throwaway PostgreSQL cluster on 127.0.0.1:%d in %s (data dir %s); "+
		"if this process dies without Stop, stop it with: %s",
		c.port, time.Since(began).Round(time.Millisecond), c.dataDir, c.manualStopCommand())
	base := &url.URL{
		Scheme:   "postgres",
		User:     url.User(clusterUser),
		Host:     "127.0.0.1:" + strconv.Itoa(c.port),
		RawQuery: "sslmode=disable",
	}
	return &Server{base: base, adminDB: "postgres", c: c}, nil
}

// newCluster creates the cluster's temp dir, owned by the user that will run
// the server.
func newCluster(bins binaries, r runner, logf func(string, ...any)) (*cluster, error) {
	dir, err := os.MkdirTemp(os.TempDir(), tempPrefix)
	if err != nil {
		return nil, fmt.Errorf("create temp dir for a throwaway PostgreSQL cluster: %w", err)
	}
	c := &cluster{
		bins:    bins,
		run:     r,
		logf:    logf,
		tempDir: dir,
		dataDir: filepath.Join(dir, "data"),
		logPath: filepath.Join(dir, "server.log"),
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		c.abandon()
		return nil, fmt.Errorf("chmod 0700 %s: %w", dir, err)
	}
	if err := r.chown(dir); err != nil {
		c.abandon()
		return nil, err
	}
	if err := writeOwner(dir); err != nil {
		c.abandon()
		return nil, err
	}
	return c, nil
}

func (c *cluster) initdb(ctx context.Context) error {
	out, err := c.run.run(ctx, c.tempDir, c.bins.initdb,
		"-D", c.dataDir, "-U", clusterUser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	if err != nil {
		hint := ""
		if c.run.runuser != "" {
			hint = fmt.Sprintf(" (running as root, so initdb runs as user %s, which must be able to reach %s; set TMPDIR to a directory it can reach, such as /tmp)",
				serverUser, c.tempDir)
		}
		return fmt.Errorf("initdb in %s%s: %w\n%s", c.dataDir, hint, err, out)
	}
	return nil
}

// startOnFreePort starts the postmaster on a free port, trying another port
// when the chosen one got taken before the server could bind it.
func (c *cluster) startOnFreePort(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		port, err := c.pickPort()
		if err != nil {
			return err
		}
		c.port = port
		addrInUse, err := c.pgCtlStart(ctx)
		if err == nil {
			c.running = true
			return nil
		}
		if !addrInUse || attempt == startAttempts {
			return err
		}
		c.logf("port %d was taken before PostgreSQL could bind it; retrying on another port", port)
	}
}

// pgCtlStart runs pg_ctl start on c.port and waits until the server accepts
// connections. addrInUse reports that it failed because the port was taken.
func (c *cluster) pgCtlStart(ctx context.Context) (addrInUse bool, err error) {
	logStart := fileSize(c.logPath)
	opts := fmt.Sprintf("-p %d -k %s", c.port, shellQuote(c.tempDir))
	for _, s := range serverSettings {
		opts += " -c " + s
	}
	out, err := c.run.run(ctx, c.tempDir, c.bins.pgCtl,
		"start", "-w", "-t", pgCtlTimeout, "-D", c.dataDir, "-l", c.logPath, "-o", opts)
	if err == nil {
		return false, nil
	}
	tail := logTail(c.logPath, logStart, 30)
	return strings.Contains(tail, "Address already in use"), fmt.Errorf("pg_ctl start on 127.0.0.1:%d, data dir %s (postmaster.pid there holds the server's process id): %w\n%s\n%s ends with:\n%s",
		c.port, c.dataDir, err, out, c.logPath, tail)
}

func (c *cluster) pgCtlStop(ctx context.Context, mode string) error {
	out, err := c.run.run(ctx, c.tempDir, c.bins.pgCtl, "stop", "-D", c.dataDir, "-m", mode, "-w", "-t", pgCtlTimeout)
	if err != nil {
		return fmt.Errorf("pg_ctl stop -m %s, data dir %s (postmaster.pid there holds the server's process id): %w\n%s",
			mode, c.dataDir, err, out)
	}
	return nil
}

func (c *cluster) stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return nil
	}
	if c.running {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		if err := c.pgCtlStop(ctx, "fast"); err != nil {
			if err2 := c.pgCtlStop(ctx, "immediate"); err2 != nil {
				return fmt.Errorf("stop throwaway PostgreSQL cluster: %w\nthen: %w\nkill the process whose id is in %s, then remove %s",
					err, err2, filepath.Join(c.dataDir, "postmaster.pid"), c.tempDir)
			}
		}
		c.running = false
	}
	if err := os.RemoveAll(c.tempDir); err != nil {
		return fmt.Errorf("remove throwaway PostgreSQL cluster dir %s: %w", c.tempDir, err)
	}
	c.removed = true
	return nil
}

func (c *cluster) kill() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return errors.New("pgcluster: Kill: the cluster was stopped and removed")
	}
	if !c.running {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := c.pgCtlStop(ctx, "immediate"); err != nil {
		return fmt.Errorf("pgcluster: Kill: %w", err)
	}
	c.running = false
	return nil
}

func (c *cluster) restart(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return errors.New("pgcluster: Restart: the cluster was stopped and removed")
	}
	began := time.Now()
	if c.running {
		if err := c.pgCtlStop(ctx, "fast"); err != nil {
			return fmt.Errorf("pgcluster: Restart: %w", err)
		}
		c.running = false
	}
	if _, err := c.pgCtlStart(ctx); err != nil {
		return fmt.Errorf("pgcluster: Restart: %w", err)
	}
	c.running = true
	c.logf("restarted the throwaway PostgreSQL cluster on 127.0.0.1:%d in %s", c.port, time.Since(began).Round(time.Millisecond))
	return nil
}

// abandon cleans up after a failed Start: stops a postmaster that may have
// started, and removes the temp dir.
func (c *cluster) abandon() {
	if _, err := os.Stat(filepath.Join(c.dataDir, "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		if err := c.pgCtlStop(ctx, "immediate"); err != nil {
			c.logf("could not stop the cluster of a failed start; left %s in place: %v", c.tempDir, err)
			return
		}
	}
	_ = os.RemoveAll(c.tempDir)
}

// manualStopCommand is the shell command that stops the cluster by hand.
func (c *cluster) manualStopCommand() string {
	cmd := shellQuote(c.bins.pgCtl) + " stop -m immediate -D " + shellQuote(c.dataDir) + " && rm -rf " + shellQuote(c.tempDir)
	if c.run.runuser != "" {
		cmd = "runuser -u " + serverUser + " -- " + cmd
	}
	return cmd
}
