package main

// Tests of the payouts binary as a process, built by each test, killed
// with SIGKILL and stopped with SIGTERM like production would.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"payouts/reports/reportstest"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"payouts/internal/pgtest"
	"payouts/internal/storetest"
	"payouts/sql/store"
)

// payoutsBinary builds cmd/payouts into a temp dir of the test.
func payoutsBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "payouts")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is the binary run with its own environment.
type proc struct {
	t   *testing.T
	bin string
	env []string
}

func newProc(t *testing.T, bin, dbURL, out string, extra ...string) *proc {
	return &proc{t: t, bin: bin, env: append([]string{
		"DATABASE_URL=" + dbURL, "PAYOUTS_OUT=" + out, "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
	}, extra...)}
}

func (p *proc) command(args ...string) *exec.Cmd {
	cmd := exec.Command(p.bin, args...)
	cmd.Env = p.env
	return cmd
}

func (p *proc) mustRun(args ...string) string {
	p.t.Helper()
	out, err := p.command(args...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("payouts %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// dbName is the database of a URL.
func dbName(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

// cloneDB creates a copy of database tmpl (which must have no sessions),
// dropped when the test ends, and returns its URL.
func cloneDB(t *testing.T, tmpl, name string) string {
	t.Helper()
	srv := pgtest.Shared()
	ctx := context.Background()
	if err := srv.CreateDatabase(ctx, name, tmpl); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.DropDatabase(context.Background(), name) })
	return srv.URL(name)
}

// runState is a run's status in a database ("none" without a row).
func runState(t *testing.T, dbURL, runID string) string {
	t.Helper()
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var s string
	if err := st.DB.Get(&s, `SELECT coalesce((SELECT status FROM runs WHERE run_id = $1), 'none')`, runID); err != nil {
		t.Fatal(err)
	}
	return s
}

// killPoint says when to SIGKILL a run: after a delay, or as soon as a
// progress line containing a text appears on stderr.
type killPoint struct {
	after time.Duration
	line  string
}

func (k killPoint) String() string {
	if k.line != "" {
		return fmt.Sprintf("at %q", k.line)
	}
	return "after " + k.after.String()
}

// TestKilledRunIsRedoneIdentically kills `payouts run` with SIGKILL at
// eleven points of a run over about 20,000 seeded sales (four spread over
// the duration of a clean run, seven at steps of its progress, four of them
// in publication: after the participant files, the discrepancies and the
// workbook), runs the date again and checks that the redo has the same run id, publishes
// files byte-identical to a clean run of the same data, and stores no line
// twice.
func TestKilledRunIsRedoneIdentically(t *testing.T) {
	t.Parallel()
	const date, runID = "2026-03-03", "nightly-20260303"
	seeded := storetest.NewURL(t)
	bin := payoutsBinary(t)
	newProc(t, bin, seeded, t.TempDir()).mustRun("seed", "--sales", "20000", "--date", date, "--seed", "7")
	tmpl := dbName(t, seeded)
	token := fmt.Sprintf("crash_%d", os.Getpid())

	// The reference: a clean run of the same data.
	refOut := t.TempDir()
	refURL := cloneDB(t, tmpl, token+"_ref")
	start := time.Now()
	newProc(t, bin, refURL, refOut).mustRun("run", "--date", date)
	clean := time.Since(start)
	ref := reportstest.DirDigests(t, filepath.Join(refOut, date, runID))
	refLines := lineStats(t, refURL)
	if len(ref) < 100 {
		t.Fatalf("reference run published %d files", len(ref))
	}
	t.Logf("clean run: %s, %d files, %s", clean.Round(time.Millisecond), len(ref), refLines)

	var points []killPoint
	for _, f := range []float64{0.1, 0.3, 0.5, 0.7} {
		points = append(points, killPoint{after: time.Duration(f * float64(clean))})
	}
	for _, l := range []string{"allocated 4", "refunds and chargebacks done", "balances settled", "publishing files",
		"participant files written", "discrepancies.csv written", "finance workbook written"} {
		points = append(points, killPoint{line: l})
	}
	var mu sync.Mutex
	seen := map[string]int{}
	// Each kill point has its own copy of the database and output root, so
	// the points run in parallel (as many as -parallel allows).
	t.Run("kill", func(t *testing.T) {
		for i, kp := range points {
			t.Run(kp.String(), func(t *testing.T) {
				t.Parallel()
				state := killAndRedo(t, bin, tmpl, fmt.Sprintf("%s_%d", token, i), date, runID, kp, ref, refLines)
				mu.Lock()
				seen[state]++
				mu.Unlock()
			})
		}
	})
	// The points must have covered a crash while computing and one while
	// publishing (after the computation committed).
	if seen["running"] == 0 || seen["computed"]+seen["computed+manifest"] == 0 {
		t.Errorf("kill points did not cover both phases: %v", seen)
	}
	t.Logf("states left by the kills: %v", seen)
}

// killAndRedo runs the date on a copy of database tmpl, SIGKILLs the
// process at kp, runs the date again to completion and compares the result
// with the clean run's. It returns the state the kill left the run in.
func killAndRedo(t *testing.T, bin, tmpl, name, date, runID string, kp killPoint, ref map[string]string, refLines string) string {
	dbURL := cloneDB(t, tmpl, name)
	out := t.TempDir()
	p := newProc(t, bin, dbURL, out)
	cmd := p.command("run", "--date", date)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := func() { cmd.Process.Kill() } // SIGKILL
	if kp.line == "" {
		time.AfterFunc(kp.after, kill)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if kp.line != "" && strings.Contains(sc.Text(), kp.line) {
			kill()
		}
	}
	io.Copy(io.Discard, stderr)
	cmd.Wait()
	state := runState(t, dbURL, runID)
	if _, err := os.Stat(filepath.Join(out, date, runID, "manifest.json")); err == nil && state != "completed" {
		state += "+manifest"
	}

	// Again, to completion; the killed process's session may hold the
	// lock for a moment, hence --wait.
	p.mustRun("run", "--date", date, "--wait", "1m")
	got := reportstest.DirDigests(t, filepath.Join(out, date, runID))
	if d := diffTrees(ref, got); d != "" {
		t.Errorf("kill %s (left the run %s): the redo differs from a clean run:\n%s", kp, state, d)
	}
	if s := lineStats(t, dbURL); s != refLines {
		t.Errorf("kill %s (left the run %s): lines %s, clean run %s", kp, state, s, refLines)
	}
	if s := runState(t, dbURL, runID); s != "completed" {
		t.Errorf("kill %s: run %s after the redo", kp, s)
	}
	t.Logf("kill %s: left the run %s; redone identically", kp, state)
	return state
}

// lineStats summarizes the lines of a database: count, sum, duplicates.
func lineStats(t *testing.T, dbURL string) string {
	t.Helper()
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n, sum, dup int64
	if err := st.DB.QueryRow(`SELECT count(*), coalesce(sum(amount), 0) FROM lines`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if err := st.DB.Get(&dup, `SELECT count(*) FROM (SELECT 1 FROM lines
		GROUP BY sale_id, participant_id, role, contract_id, kind HAVING count(*) > 1) d`); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d lines totalling %d minor units, %d duplicated", n, sum, dup)
}

func diffTrees(want, got map[string]string) string {
	var b strings.Builder
	for p, h := range want {
		if g, ok := got[p]; !ok {
			fmt.Fprintf(&b, "  missing %s\n", p)
		} else if g != h {
			fmt.Fprintf(&b, "  differs %s\n", p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			fmt.Fprintf(&b, "  extra %s\n", p)
		}
	}
	return b.String()
}

// startServe starts `payouts serve` and returns it with the admin address
// it listens on and a function returning its stderr so far.
func startServe(t *testing.T, p *proc, onLine func(string)) (*exec.Cmd, string, func() string) {
	t.Helper()
	cmd := p.command("serve")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	var mu sync.Mutex
	var log strings.Builder
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			log.WriteString(line + "\n")
			mu.Unlock()
			if _, rest, ok := strings.Cut(line, "admin: health on http://"); ok {
				addr <- strings.TrimSuffix(strings.Fields(rest)[0], "/healthz,")
			}
			if onLine != nil {
				onLine(line)
			}
		}
	}()
	logs := func() string { mu.Lock(); defer mu.Unlock(); return log.String() }
	select {
	case a := <-addr:
		return cmd, a, logs
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", logs())
	}
	return nil, "", nil
}

func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration, logs func() string) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("serve did not exit within %s:\n%s", within, logs())
	}
	return -1
}

// TestServeProcess: serve catches up yesterday at start, reports it on
// /healthz and /metrics, and exits 0 on SIGTERM.
func TestServeProcess(t *testing.T) {
	t.Parallel()
	dbURL := storetest.NewURL(t)
	p := newProc(t, payoutsBinary(t), dbURL, t.TempDir(), "PAYOUTS_ADMIN_ADDR=127.0.0.1:0")
	p.mustRun("seed", "--sales", "300") // settling yesterday (the real clock)
	completed := make(chan struct{})
	var once sync.Once
	cmd, addr, logs := startServe(t, p, func(l string) {
		if strings.Contains(l, "completed: ") {
			once.Do(func() { close(completed) })
		}
	})
	select {
	case <-completed:
	case <-time.After(60 * time.Second):
		t.Fatalf("no run completed:\n%s", logs())
	}
	code, body := httpGet(t, "http://"+addr+"/healthz")
	if code != 200 || !strings.Contains(body, `"state": "completed"`) {
		t.Errorf("/healthz: %d %s", code, body)
	}
	code, body = httpGet(t, "http://"+addr+"/metrics")
	if code != 200 || !strings.Contains(body, `payouts_runs{run_kind="nightly",state="completed"} 1`) {
		t.Errorf("/metrics: %d %s", code, body)
	}
	cmd.Process.Signal(os.Interrupt)
	if code := waitExit(t, cmd, 30*time.Second, logs); code != 0 {
		t.Errorf("serve exited %d after SIGINT:\n%s", code, logs())
	}
	if !strings.Contains(logs(), "stopped") {
		t.Errorf("log:\n%s", logs())
	}
}

// TestServeAbortsOnSIGTERM: SIGTERM during a run with a short grace period
// aborts the run (rolled back, recorded as failed, nothing published) and
// serve exits 0; the next start redoes the date.
func TestServeAbortsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dbURL := storetest.NewURL(t)
	out := t.TempDir()
	bin := payoutsBinary(t)
	p := newProc(t, bin, dbURL, out, "PAYOUTS_ADMIN_ADDR=127.0.0.1:0", "PAYOUTS_SHUTDOWN_GRACE=10ms")
	p.mustRun("seed", "--sales", "20000")
	var cmd *exec.Cmd
	computing := make(chan struct{})
	var once sync.Once
	cmd, _, logs := startServe(t, p, func(l string) {
		if strings.Contains(l, "allocated ") {
			once.Do(func() { close(computing) })
		}
	})
	select {
	case <-computing:
	case <-time.After(60 * time.Second):
		t.Fatalf("the run did not start:\n%s", logs())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd, 60*time.Second, logs); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM:\n%s", code, logs())
	}
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var runID, status, msg string
	var lines int
	if err := st.DB.QueryRow(`SELECT run_id, status, coalesce(error, '') FROM runs`).Scan(&runID, &status, &msg); err != nil {
		t.Fatal(err)
	}
	if err := st.DB.Get(&lines, `SELECT count(*) FROM lines`); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || !strings.Contains(msg, "context canceled") || lines != 0 {
		t.Errorf("aborted run %s: %s %q, %d lines\n%s", runID, status, msg, lines, logs())
	}
	if files := reportstest.DirDigests(t, out); len(files) != 0 {
		t.Errorf("an aborted run published %d files", len(files))
	}

	completed := make(chan struct{})
	var once2 sync.Once
	cmd, _, logs = startServe(t, newProc(t, bin, dbURL, out, "PAYOUTS_ADMIN_ADDR=127.0.0.1:0"), func(l string) {
		if strings.Contains(l, "run "+runID+" completed") {
			once2.Do(func() { close(completed) })
		}
	})
	select {
	case <-completed:
	case <-time.After(60 * time.Second):
		t.Fatalf("the restart did not redo %s:\n%s", runID, logs())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd, 30*time.Second, logs); code != 0 {
		t.Errorf("serve exited %d:\n%s", code, logs())
	}
}

func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
