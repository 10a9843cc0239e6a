package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A throwaway cluster outlives a process that dies without calling Stop
// (killed, test timeout, panic in a test goroutine): pg_ctl detaches the
// postmaster. So each temp dir records the process id of its owner, and
// Start stops and removes the clusters whose owner is gone.

// ownerFile, in a cluster's temp dir, holds the process id of the process
// that started the cluster.
const ownerFile = "pgtemp-owner.pid"

func writeOwner(dir string) error {
	path := filepath.Join(dir, ownerFile)
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// sweepOrphans stops and removes the throwaway clusters in os.TempDir()
// whose owner process no longer runs. It leaves alone every directory it is
// not sure about.
func sweepOrphans(ctx context.Context, bins binaries, r runner, logf func(string, ...any)) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*")) // the pattern is valid
	for _, dir := range dirs {
		owner, ok := readPID(filepath.Join(dir, ownerFile))
		if !ok || processAlive(owner) {
			continue
		}
		c := &cluster{bins: bins, run: r, tempDir: dir, dataDir: filepath.Join(dir, "data")}
		what := "removed"
		switch postmasterRuns(c.dataDir) {
		case unknown:
			continue
		case yes:
			what = "stopped and removed"
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := c.pgCtlStop(ctx, "immediate")
			cancel()
			if err != nil {
				logf("could not stop the orphaned throwaway cluster in %s (its owner, process %d, is gone): %v", dir, owner, err)
				continue
			}
		}
		if err := os.RemoveAll(dir); err != nil {
			logf("could not remove the orphaned throwaway cluster dir %s: %v", dir, err)
			continue
		}
		logf("%s the orphaned throwaway cluster in %s (its owner, process %d, is gone)", what, dir, owner)
	}
}

type tristate int

const (
	unknown tristate = iota
	yes
	no
)

// postmasterRuns reports whether the postmaster of dataDir runs: its
// postmaster.pid names a process whose command line names dataDir (pg_ctl
// starts it with -D dataDir). A process id reused by another process is no.
func postmasterRuns(dataDir string) tristate {
	pid, ok := readPID(filepath.Join(dataDir, "postmaster.pid"))
	if !ok {
		if _, err := os.Stat(filepath.Join(dataDir, "postmaster.pid")); errors.Is(err, fs.ErrNotExist) {
			return no
		}
		return unknown
	}
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		return unknown // no Linux /proc to tell
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return no
	case err != nil:
		return unknown
	case bytes.Contains(cmdline, []byte(dataDir)):
		return yes
	default:
		return no
	}
}

// readPID reads the process id on the first line of the file at path.
func readPID(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	return pid, err == nil && pid > 0
}

// processAlive reports whether process pid exists (possibly owned by
// another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
