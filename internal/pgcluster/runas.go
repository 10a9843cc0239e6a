package pgcluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
	"time"
)

// serverUser is the operating-system user that runs the cluster when this
// process is root (PostgreSQL refuses to run as root).
const serverUser = "postgres"

// runner runs the PostgreSQL programs: directly as the current user, or,
// when the current user is root, as serverUser through runuser.
type runner struct {
	runuser string // path of runuser; "" when running directly
	uid     int    // owner to give the temp dir; -1 when running directly
	gid     int
}

func newRunner() (runner, error) {
	if os.Geteuid() != 0 {
		return runner{uid: -1, gid: -1}, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return runner{}, fmt.Errorf("running as root, and PostgreSQL refuses to run as root, so it must run as user %q: %w; "+
			"that user is created by installing PostgreSQL; run as root: %s", serverUser, err, installHint)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return runner{}, fmt.Errorf("user %q has non-numeric uid %q or gid %q", serverUser, u.Uid, u.Gid)
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		return runner{}, fmt.Errorf("running as root, so PostgreSQL must run as user %q through runuser: %w; "+
			"runuser is part of util-linux; run as root: apt-get update && apt-get install -y util-linux", serverUser, err)
	}
	return runner{runuser: runuser, uid: uid, gid: gid}, nil
}

// chown gives path to the user that runs the cluster (no-op when not root).
func (r runner) chown(path string) error {
	if r.uid < 0 {
		return nil
	}
	if err := os.Chown(path, r.uid, r.gid); err != nil {
		return fmt.Errorf("chown %s to user %s: %w", path, serverUser, err)
	}
	return nil
}

// command returns the command that runs program with args as the cluster's
// user, in directory dir (the server user may not be able to enter the
// caller's working directory). Cancelling ctx sends SIGTERM (which runuser
// forwards to the program) and, 10s later, SIGKILL.
func (r runner) command(ctx context.Context, dir, program string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if r.runuser != "" {
		cmd = exec.CommandContext(ctx, r.runuser, append([]string{"-u", serverUser, "--", program}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, program, args...)
	}
	cmd.Dir = dir
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run runs program with args and returns its combined output.
func (r runner) run(ctx context.Context, dir, program string, args ...string) ([]byte, error) {
	return r.command(ctx, dir, program, args...).CombinedOutput()
}
