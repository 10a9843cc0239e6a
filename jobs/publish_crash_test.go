package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"payouts/reports/reportstest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"payouts/reports"
	"payouts/sql/store"
)

// crashChildEnv carries "DATABASE_URL|OUT|N" to a child test process that
// runs 2026-03-03 and kills itself (SIGKILL) at the N-th point of
// publication.
const crashChildEnv = "PAYOUTS_TEST_CRASH_CHILD"

// TestPublishCrashChild is the child's body; in a normal test run it has
// nothing to do.
func TestPublishCrashChild(t *testing.T) {
	spec := os.Getenv(crashChildEnv)
	if spec == "" {
		return // only meaningful inside TestPublicationSurvivesKill's children
	}
	parts := strings.SplitN(spec, "|", 3)
	n, _ := strconv.Atoi(parts[2])
	st := storeAt(t, parts[0])
	cfg := testConfig(t)
	cfg.OutDir = parts[1]
	points := 0
	cfg.hooks.publish = func(path, stage string) {
		if points++; points == n {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
	RunNightly(context.Background(), st, cfg, mustDate(t, "2026-03-03"))
	t.Fatalf("publication has fewer than %d points", n) // reaching here means no kill happened
}

// TestPublicationSurvivesKill kills the process at every point of a run's
// publication (each file written under its temporary name, each file
// renamed into place, the manifest) and shows that the run directory is
// then either without a manifest or complete and correct, and that running
// the date again publishes files byte-identical to a clean run.
func TestPublicationSurvivesKill(t *testing.T) {
	t.Parallel()
	ref := runDate(t, loadedStore(t, basicExample), testConfig(t), "2026-03-03")
	want := reportstest.DirDigests(t, ref.Dir)
	points := 2 * len(want) // written + published, per file (manifest included)
	for n := 1; n <= points; n++ {
		t.Run(fmt.Sprintf("kill at point %d of %d", n, points), func(t *testing.T) {
			t.Parallel()
			url := newLoadedURL(t, basicExample)
			out := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestPublishCrashChild$", "-test.count=1")
			// The child is killed before its t.TempDir cleanups run: its
			// temporary directories go under this test's, which are removed.
			cmd.Env = append(os.Environ(), crashChildEnv+"="+url+"|"+out+"|"+strconv.Itoa(n), "TMPDIR="+t.TempDir())
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed: %v", err)
			}
			dir := filepath.Join(out, "2026-03-03", "nightly-20260303")
			checkCompleteOrUnmarked(t, dir)

			cfg := testConfig(t)
			cfg.OutDir = out
			res := runAfterKill(t, storeAt(t, url), cfg, "2026-03-03")
			got := reportstest.DirDigests(t, res.Dir)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("after a kill at point %d and a redo, the run directory differs from a clean run:\n got %v\nwant %v", n, got, want)
			}
		})
	}
}

// checkCompleteOrUnmarked: a directory with a manifest holds exactly the
// files it lists, with their sizes and digests.
func checkCompleteOrUnmarked(t *testing.T, dir string) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(dir, reports.ManifestName))
	if os.IsNotExist(err) {
		return // incomplete, and marked so
	}
	if err != nil {
		t.Fatal(err)
	}
	var m reports.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("manifest is not whole: %v", err)
	}
	got := reportstest.DirDigests(t, dir)
	delete(got, reports.ManifestName)
	if len(got) != len(m.Files) {
		t.Errorf("manifest lists %d files, the directory holds %d", len(m.Files), len(got))
	}
	for _, f := range m.Files {
		if got[f.Path] != f.SHA256 {
			t.Errorf("%s: digest %s, manifest says %s", f.Path, got[f.Path], f.SHA256)
		}
	}
}

// runAfterKill runs a date again after a kill. The server notices a killed
// client's session (and drops its run lock) a moment after the process is
// gone, so the redo waits for the lock, as an operator would, up to 10 s.
func runAfterKill(t *testing.T, st *store.Store, cfg Config, date string) Result {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := RunNightly(context.Background(), st, cfg, mustDate(t, date))
		if errors.Is(err, ErrBusy) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatalf("run %s after a kill: %v", date, err)
		}
		return res
	}
}
